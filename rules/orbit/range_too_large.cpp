// CP306 orbit-range-too-large: at most 10,000 numbers per range (spec §2 rule 6).
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& o : ctx.model.orbits) {
    if (!internal::wellFormedRange(o)) continue;
    uint64_t n = internal::digitsValue(o.end.text) - internal::digitsValue(o.start.text) + 1;
    if (n <= internal::kMaxNumbersPerRange) continue;
    out.report(internal::numbersRange(o), "orbit range \"" + o.name + "\" holds " +
                                              internal::withCommas(n) +
                                              " numbers; a range holds at most " +
                                              internal::withCommas(internal::kMaxNumbersPerRange))
        .suggest("split it into several ranges of at most 10,000 numbers");
  }
}

}  // namespace

extern const Rule kOrbitRangeTooLarge{
    "CP306",
    "orbit-range-too-large",
    "orbit",
    Severity::Error,
    "an orbit range holds more than 10,000 numbers",
    R"md(The park service allocates at most 10,000 orbits per range (a documented product limit).
Typical ranges hold 100 orbits or fewer; a range this large is usually a typo in one end.

**Failing example**

```park
orbit "Huge" { numbers 100000..199999  pool "fe01.contoso.com" }
```

**Fix**: shrink the range (`numbers 100000..100099`) or split it into several ranges of at most
10,000 numbers each.)md",
    &check};

}  // namespace callpark::rules

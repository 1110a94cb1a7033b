// CP302 orbit-range-length-mismatch: both ends have the same length (spec §2 rule 2).
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& o : ctx.model.orbits) {
    if (!o.decl || !o.decl->numbers) continue;
    const std::string& a = o.decl->numbers->start.value;
    const std::string& b = o.decl->numbers->end.value;
    if (internal::checkOrbitNumber(a) || internal::checkOrbitNumber(b)) continue;  // CP301
    if (a.size() == b.size()) continue;
    out.report(o.decl->numbers->range, "orbit range \"" + o.name + "\" runs from " + a + " (" +
                                           std::to_string(a.size()) + " characters) to " + b +
                                           " (" + std::to_string(b.size()) +
                                           " characters); both ends must have the same length")
        .suggest(
            "give both ends the same number of digits; put the longer numbers in a "
            "range of their own");
  }
}

}  // namespace

extern const Rule kOrbitRangeLengthMismatch{
    "CP302",
    "orbit-range-length-mismatch",
    "orbit",
    Severity::Error,
    "the two ends of an orbit range have different lengths",
    R"md(A range covers the numbers of one length between its ends. `100..1001` would mix 3- and
4-digit numbers, which the park service cannot represent as one block (Lync rejects it too).

**Failing example**

```park
orbit "Lobby" { numbers 100..1001  pool "fe01.contoso.com" }
```

**Fix**: use ends of the same length, and a second range for the longer numbers:
`numbers 100..999` and `numbers 1000..1001`.)md",
    &check};

}  // namespace callpark::rules

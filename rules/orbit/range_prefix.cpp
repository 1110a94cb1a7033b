// CP303 orbit-range-prefix-mismatch: both ends carry the same prefix (spec §2 rule 3).
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

std::string describePrefix(char c) {
  return c == '*' ? "'*'" : c == '#' ? "'#'" : "no prefix";
}

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& o : ctx.model.orbits) {
    if (!o.decl || !o.decl->numbers) continue;
    const std::string& a = o.decl->numbers->start.value;
    const std::string& b = o.decl->numbers->end.value;
    if (internal::checkOrbitNumber(a) || internal::checkOrbitNumber(b)) continue;  // CP301
    char pa = (a[0] == '*' || a[0] == '#') ? a[0] : 0;
    char pb = (b[0] == '*' || b[0] == '#') ? b[0] : 0;
    if (pa == pb) continue;
    out.report(o.decl->numbers->range, "orbit range \"" + o.name + "\" starts with " +
                                           describePrefix(pa) + " (" + a + ") but ends with " +
                                           describePrefix(pb) + " (" + b +
                                           "); both ends must carry the same prefix")
        .suggest("*, # and plain numbers are different dial strings: declare one range per prefix");
  }
}

}  // namespace

extern const Rule kOrbitRangePrefixMismatch{
    "CP303",
    "orbit-range-prefix-mismatch",
    "orbit",
    Severity::Error,
    "the two ends of an orbit range carry different prefixes",
    R"md(`*1000`, `#1000` and `1000` are three different dial strings. A range from `*1000` to
`#1999` has no meaning: the numbers in between would have to change prefix half way.

**Failing example**

```park
orbit "Mixed" { numbers *1000..#1999  pool "fe01.contoso.com" }
```

**Fix**: one range per prefix: `numbers *1000..*1999` (and, if wanted, a second orbit with
`numbers #1000..#1999`).)md",
    &check};

}  // namespace callpark::rules

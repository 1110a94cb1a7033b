// CP304 orbit-range-reversed: start <= end (spec §2 rule 4).
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
    if (a.size() != b.size()) continue;                                            // CP302
    if (internal::orbitPrefix(a) != internal::orbitPrefix(b)) continue;            // CP303
    // Equal length and prefix: string order is numeric order.
    if (a <= b) continue;
    out.report(o.decl->numbers->range,
               "orbit range \"" + o.name + "\" runs backwards: " + a + " is greater than " + b)
        .suggest("swap the ends", o.decl->numbers->range, b + ".." + a);
  }
}

}  // namespace

extern const Rule kOrbitRangeReversed{
    "CP304",
    "orbit-range-reversed",
    "orbit",
    Severity::Error,
    "an orbit range starts after it ends",
    R"md(A range `start..end` holds the numbers from start up to end. When start is greater than
end it holds nothing, which is never what was meant (usually the ends were swapped).

**Failing example**

```park
orbit "Lobby" { numbers 500..400  pool "fe01.contoso.com" }
```

**Fix**: swap the ends: `numbers 400..500`.)md",
    &check};

}  // namespace callpark::rules

// CP310 park-access-in-orbit-range: a park access number is not itself an orbit.
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  const auto& m = ctx.model;
  if (m.parkAccess.empty() || m.orbits.empty()) return;
  internal::OrbitIndex index(m);
  for (const auto& pa : m.parkAccess) {
    int orbit = index.find(pa.number);
    if (orbit == model::kNone) continue;
    const auto& o = m.orbits[static_cast<size_t>(orbit)];
    SourceRange where = pa.decl ? pa.decl->number.range : SourceRange{};
    out.report(where, "park access number " + pa.number + " is an orbit of range " +
                          internal::describeOrbit(o) +
                          "; dialing it would retrieve a call instead of parking one")
        .note(internal::numbersRange(o), "\"" + o.name + "\" is declared here")
        .suggest("pick a park access number outside every orbit range");
  }
}

}  // namespace

extern const Rule kParkAccessInOrbitRange{
    "CP310",
    "park-access-in-orbit-range",
    "orbit",
    Severity::Error,
    "a park access number lies inside an orbit range",
    R"md(Standard SIP phones park a call by transferring it to the pool's park access number.
Dialing an orbit means "retrieve", so a park access number that is also an orbit is ambiguous:
the dispatcher cannot tell a park from a retrieve.

**Failing example**

```park
orbit "Redmond CPO 1" { numbers *3000..*3099  pool "redmond-fe01.contoso.com" }
park_access "*3050" { pool "redmond-fe01.contoso.com" }
```

**Fix**: use a number outside every range, e.g. `park_access "*70"`.)md",
    &check};

}  // namespace callpark::rules

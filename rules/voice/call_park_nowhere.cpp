// CP501 call-park-enabled-nowhere: orbit ranges exist but no voice policy enables call park.
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  const auto& m = ctx.model;
  const model::OrbitRange* first = nullptr;
  for (const auto& o : m.orbits)
    if (o.type == model::OrbitType::CallPark) {
      first = &o;
      break;
    }
  if (!first) return;
  for (const auto& vp : m.voicePolicies)
    if (vp.callPark) return;
  auto& d = out.report(first->decl ? first->decl->name.range : SourceRange{},
                       m.voicePolicies.empty()
                           ? "call park orbit ranges are declared but there is no voice policy, "
                             "and call park is off by default: nobody can park"
                           : "call park orbit ranges are declared but no voice policy enables "
                             "call park: nobody can park");
  for (const auto& vp : m.voicePolicies)
    if (vp.decl)
      d.note(vp.decl->callPark ? vp.decl->callPark->range : vp.decl->scope.range,
             "voice_policy " + model::describeScope(vp.scope, m) + " leaves call_park off");
  d.suggest("enable it where people park calls, e.g. voice_policy global { call_park on }");
}

}  // namespace

extern const Rule kCallParkEnabledNowhere{
    "CP501",
    "call-park-enabled-nowhere",
    "voice-policy",
    Severity::Error,
    "orbit ranges exist but no voice policy enables call park",
    R"md(Call park is off by default (spec §4): a user may park only when the voice policy that
governs them says `call_park on`. With orbit ranges but no such policy the whole deployment is
dead: every park and every retrieve is refused. The diagnostic points at the first call park
range and lists the policies that leave it off.

**Failing example**

```park
orbit "Redmond CPO 1" { numbers *3000..*3099  pool "redmond-fe01.contoso.com" }
voice_policy global { call_park off }
```

**Fix**: `voice_policy global { call_park on }`, or enable it on the sites or tags that park.)md",
    &check};

}  // namespace callpark::rules

// CP502 voice-policy-call-park-off: a policy leaves call park off while others enable it.
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  const auto& m = ctx.model;
  size_t enabling = 0;
  for (const auto& vp : m.voicePolicies) enabling += vp.callPark ? 1 : 0;
  if (enabling == 0) return;  // CP501 covers "nowhere"
  // Users governed by each policy.
  std::vector<std::vector<size_t>> governed(m.voicePolicies.size());
  for (size_t u = 0; u < m.users.size(); ++u) {
    int vp = m.effectiveVoicePolicy(static_cast<int>(u));
    if (vp >= 0 && static_cast<size_t>(vp) < governed.size())
      governed[static_cast<size_t>(vp)].push_back(u);
  }
  for (size_t i = 0; i < m.voicePolicies.size(); ++i) {
    const auto& vp = m.voicePolicies[i];
    if (vp.callPark || !vp.decl) continue;
    const auto& users = governed[i];
    SourceRange where = vp.decl->callPark ? vp.decl->callPark->range : vp.decl->scope.range;
    std::string how =
        vp.callParkWritten ? "turns call_park off" : "leaves call_park off (the default)";
    auto& d = out.report(
        where,
        "voice_policy " + model::describeScope(vp.scope, m) + " " + how + " while " +
            internal::plural(enabling, "other policy", "other policies") +
            (enabling == 1 ? " enables" : " enable") + " it; " +
            (users.empty() ? std::string("no user is governed by it yet")
                           : "it affects " + internal::plural(users.size(), "user", "users") +
                                 ", who cannot park or retrieve calls"));
    for (size_t k = 0; k < users.size() && k < 3; ++k)
      d.note(m.users[users[k]].range, "\"" + m.users[users[k]].sip + "\" is governed by it");
    if (users.size() > 3)
      d.note({}, "and " + internal::plural(users.size() - 3, "other user", "other users"));
    d.suggest(vp.callParkWritten
                  ? "if these users should park, write call_park on; otherwise allow this "
                    "warning with @allow(CP502, \"reason\")"
                  : "say what is meant: write call_park on or call_park off explicitly");
  }
}

}  // namespace

extern const Rule kVoicePolicyCallParkOff{
    "CP502",
    "voice-policy-call-park-off",
    "voice-policy",
    Severity::Warning,
    "a voice policy leaves call park off while others enable it",
    R"md(When several voice policies exist, each must enable call park explicitly; a user governed
by a policy that leaves it off cannot park or retrieve, and the usual report is "park works for
Redmond but not for Dublin". The warning names how many users the policy governs (assigned,
else by site, else global) and the first few of them. If the policy is deliberately off, say so
with `@allow(CP502, "reason")`.

**Failing example**

```park
voice_policy global { call_park on }
voice_policy site "Dublin" { }            // call_park defaults to off
```

**Fix**: `voice_policy site "Dublin" { call_park on }`.)md",
    &check};

}  // namespace callpark::rules

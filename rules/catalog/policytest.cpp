// Catalogue entries for failed policy tests (CP92x), reported by compiler/policytest when
// `parkc test` or `parkc check` runs the `test` blocks of a policy. Resolving the names a test
// uses is checked by the rules in rules/policytest/ (CP910..CP913).
#include <span>

#include "rules/Registry.h"

namespace callpark::rules::catalog {

std::span<const Rule> policytest() {
  static const Rule kRules[] = {
      {"CP920", "test-dial-failed", "policy-test", Severity::Error,
       "a `dial` expectation of a policy test does not hold",
       R"md(A test line `dial "NUMBER" as "sip:USER"` or `dial "NUMBER" with dialplan SCOPE` runs the
number through the dial plan that applies (the user's own, else their pool's, else their site's,
else global; or the named plan) exactly as `parkc explain` shows it: the external access prefix
is removed when the plan optimizes device dialing, the first rule whose pattern matches the
whole number gives the translation, and the result is classified as a park access number, an
orbit of a range, or not ours. The expectation after `=>` must hold:

| expectation | holds when |
|---|---|
| `=> orbit "NAME"` | the normalized number is an orbit of range NAME |
| `=> park pool "FQDN"` | the normalized number is a park access number of that pool |
| `=> "NUMBER"` | the normalized number is NUMBER (a normalization test) |
| `=> "NUMBER" internal` | ... and the rule that produced it is an internal extension (honoured only when the plan optimizes device dialing) |
| `=> not_ours` | the normalized number is neither an orbit nor a park access number |

Dial expectations check where the number goes; whether the caller may park is tested with
`park as`. The diagnostic sits at the expectation and shows what was expected and what
happened: the dial plan used, the rule that matched and the number it produced, and where
that number goes, with notes at the plan and rule.

**Failing example**

```park
test "orbits reach the park service" {
  dial "7001" with dialplan site "Dublin" => orbit "Dublin CPO 1"
}
// error[CP920]: test "orbits reach the park service": dial "7001" with dialplan site "Dublin":
//   expected orbit "Dublin CPO 1", got "+353155507001", which is not ours
// note: rule "4 digit" (priority 1) of dialplan site "Dublin" is the first to match "7001"; it
//   gives "+353155507001", an internal extension
```

**Fix**: correct the policy (here: a pass-through rule for the orbits before "4 digit"), or the
expectation if the policy is right. `parkc explain 7001 --dialplan site:Dublin` shows every step.)md"},
      {"CP921", "test-park-failed", "policy-test", Severity::Error,
       "a `park as` expectation of a policy test does not hold",
       R"md(`park as "sip:USER" => allowed` (or `=> denied`) checks whether the user may park calls:
call park is enabled by the voice policy that governs the user, which is their assigned
policy, else the policy of their site, else the global one (off when none is declared). The
diagnostic names the policy that decided, with a note at its declaration.

**Failing example**

```park
voice_policy global { call_park off }
test "reception parks" { park as "sip:alice@contoso.com" => allowed }
// error[CP921]: test "reception parks": park as "sip:alice@contoso.com": expected allowed, got denied
// note: voice policy global (call_park off) governs sip:alice@contoso.com, who has no voice
//   policy of their own and whose site has none
```

**Fix**: assign the user a voice policy with `call_park on` (or enable it at the site), or
correct the expectation.)md"},
  };
  return kRules;
}

}  // namespace callpark::rules::catalog

// CP910 test-unknown-user: `as "sip:..."` in a test names a known user.
#include "compiler/support/Strings.h"
#include "rules/Registry.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  const auto& m = ctx.model;
  if (!m.ast) return;
  std::vector<std::string> sips;  // built lazily: only needed for suggestions
  for (const auto& t : m.ast->tests) {
    for (const auto& e : t.expectations) {
      if (!e.asUser || m.findUser(e.asUser->value) != model::kNone) continue;
      if (sips.empty())
        for (const auto& u : m.users) sips.push_back(u.sip);
      auto& d = out.report(e.asUser->range, "test \"" + t.name.value + "\" dials as \"" +
                                                e.asUser->value +
                                                "\", which is not a user of the policy");
      std::string best = closestMatch(e.asUser->value, sips);
      if (!best.empty())
        d.suggest("did you mean \"" + best + "\"?");
      else
        d.suggest("declare the user, or list it in the users.json the policy reads");
    }
  }
}

}  // namespace

extern const Rule kTestUnknownUser{
    "CP910",
    "test-unknown-user",
    "policy-test",
    Severity::Error,
    "a policy test dials as a user the policy does not know",
    R"md(A test line `dial "..." as "sip:..."` runs the number through that user's dial plan and
voice policy. A user who is not declared (in a `user` block or the `users from` JSON) has
neither, so the test could only pass by accident.

**Failing example**

```park
test "alice parks" { park as "sip:alcie@contoso.com" => allowed }
```

**Fix**: correct the SIP address (`"sip:alice@contoso.com"`) or declare the user.)md",
    &check};

}  // namespace callpark::rules

// CP911 test-unknown-dialplan: `with dialplan SCOPE` in a test names a declared dial plan.
#include "compiler/support/Strings.h"
#include "rules/Registry.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  const auto& m = ctx.model;
  if (!m.ast) return;
  for (const auto& t : m.ast->tests) {
    for (const auto& e : t.expectations) {
      if (!e.withDialPlan) continue;
      const ast::Scope& s = *e.withDialPlan;
      model::ScopeRef ref;
      ref.kind = s.kind;
      std::string what;
      switch (s.kind) {
        case ast::Scope::Global:
          what = "global";
          break;
        case ast::Scope::Site:
          ref.index = m.findSite(s.name.value);
          what = "site \"" + s.name.value + "\"";
          if (ref.index == model::kNone) {
            out.report(s.name.range.valid() ? s.name.range : s.range,
                       "test \"" + t.name.value + "\" uses the dial plan of site \"" +
                           s.name.value + "\", but there is no such site");
            continue;
          }
          break;
        case ast::Scope::Pool:
          ref.index = m.findPool(s.name.value);
          what = "pool \"" + s.name.value + "\"";
          if (ref.index == model::kNone) {
            out.report(s.name.range.valid() ? s.name.range : s.range,
                       "test \"" + t.name.value + "\" uses the dial plan of pool \"" +
                           s.name.value + "\", but there is no such pool");
            continue;
          }
          break;
        case ast::Scope::Tag:
          ref.tag = s.name.value;
          what = "\"" + s.name.value + "\"";
          break;
      }
      if (m.findDialPlan(ref) != model::kNone) continue;
      auto& d = out.report(s.range.valid() ? s.range : e.range,
                           "test \"" + t.name.value + "\" uses dialplan " + what +
                               ", but no dial plan is declared for it");
      std::string best;
      if (s.kind == ast::Scope::Tag) {
        std::vector<std::string> tags;
        for (const auto& [tag, index] : m.dialPlanByTag) tags.push_back(tag);
        best = closestMatch(s.name.value, tags);
      }
      if (!best.empty())
        d.suggest("did you mean \"" + best + "\"?", s.name.range, "\"" + best + "\"");
      else
        d.suggest("declare `dialplan " + what +
                  " { ... }`, or test with the scope whose plan "
                  "applies");
    }
  }
}

}  // namespace

extern const Rule kTestUnknownDialPlan{
    "CP911",
    "test-unknown-dialplan",
    "policy-test",
    Severity::Error,
    "a policy test uses a dial plan that is not declared",
    R"md(`dial "..." with dialplan SCOPE` runs the number through the dial plan declared for that
scope (global, a site, a pool or a per-user tag). When no plan is declared there, the test has
nothing to run: it is a typo in the scope, or the plan was renamed.

**Failing example**

```park
dialplan site "Dublin" { rule "Orbits" priority 0 { pattern '^(70\d{2})$' translation '$1' } }
test "dublin orbits" { dial "7001" with dialplan site "Dubiln" => orbit "Dublin CPO 1" }
```

**Fix**: `with dialplan site "Dublin"`.)md",
    &check};

}  // namespace callpark::rules

// CP601 dialplan-empty: a dial plan holds at least one rule (spec §5).
#include "rules/Registry.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& dp : ctx.model.dialPlans) {
    if (!dp.rules.empty() || !dp.decl) continue;
    out.report(dp.decl->scope.range.valid() ? dp.decl->scope.range : dp.decl->range,
               "dialplan " + model::describeScope(dp.scope, ctx.model) + " has no rules")
        .suggest("add a rule, or remove the dial plan so that the next scope's plan applies");
  }
}

}  // namespace

extern const Rule kDialPlanEmpty{
    "CP601",
    "dialplan-empty",
    "dialplan",
    Severity::Error,
    "a dial plan has no normalization rules",
    R"md(A dial plan applies to everyone in its scope and replaces the plan of the wider scope. An
empty plan normalizes nothing: users it governs lose every rule they would otherwise inherit
(Lync refuses to save a plan without rules).

**Failing example**

```park
dialplan site "Dublin" { external_access_prefix "9" }
```

**Fix**: add rules, or delete the plan so the global one applies.)md",
    &check};

}  // namespace callpark::rules

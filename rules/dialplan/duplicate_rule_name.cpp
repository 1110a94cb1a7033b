// CP602 dialplan-duplicate-rule-name: rule names are unique within a dial plan.
#include <map>

#include "rules/Registry.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& dp : ctx.model.dialPlans) {
    if (!dp.decl) continue;
    std::map<std::string, const ast::RuleDecl*> seen;
    for (const auto& r : dp.decl->rules) {
      auto [it, fresh] = seen.emplace(r.name.value, &r);
      if (fresh) continue;
      out.report(r.name.range, "dialplan " + model::describeScope(dp.scope, ctx.model) +
                                   " has two rules named \"" + r.name.value + "\"")
          .note(it->second->name.range, "the first \"" + r.name.value + "\" is declared here")
          .suggest("rename one of them; diagnostics and tests refer to rules by name");
    }
  }
}

}  // namespace

extern const Rule kDialPlanDuplicateRuleName{
    "CP602",
    "dialplan-duplicate-rule-name",
    "dialplan",
    Severity::Error,
    "two rules of one dial plan have the same name",
    R"md(Rules are identified by name: in Lync (`Identity` is `<plan>/<rule name>`), in conflict
reports ("rule \"4 digit\" rewrites orbit 7001") and in `parkc explain`. Two rules with the same
name in one plan make those reports ambiguous, and an import into Lync would overwrite one with
the other.

**Failing example**

```park
dialplan site "Dublin" {
  rule "4 digit" priority 1 { pattern '^(\d{4})$'  translation '+35315550$1' }
  rule "4 digit" priority 2 { pattern '^(2\d{3})$' translation '+35315552$1' }
}
```

**Fix**: give each rule its own name.)md",
    &check};

}  // namespace callpark::rules

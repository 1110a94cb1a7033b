// CP603 dialplan-equal-priority: priorities are distinct within a dial plan (spec §5).
#include "rules/Registry.h"

namespace callpark::rules {
namespace {

SourceRange priorityRange(const model::NormRule& r) {
  if (!r.decl) return {};
  return r.decl->priority ? r.decl->priority->range : r.decl->name.range;
}

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& dp : ctx.model.dialPlans) {
    // dp.rules is sorted by priority, then declaration order: ties are neighbours.
    for (size_t i = 1; i < dp.rules.size(); ++i) {
      const auto& first = dp.rules[i - 1];
      const auto& r = dp.rules[i];
      if (r.priority != first.priority) continue;
      // Name the first rule of the tie in every message of that tie.
      size_t k = i - 1;
      while (k > 0 && dp.rules[k - 1].priority == r.priority) --k;
      const auto& winner = dp.rules[k];
      out.report(priorityRange(r),
                 "rules \"" + winner.name + "\" and \"" + r.name + "\" of dialplan " +
                     model::describeScope(dp.scope, ctx.model) + " both have priority " +
                     std::to_string(r.priority) +
                     (!r.priorityWritten && !winner.priorityWritten ? " (none is written)" : "") +
                     "; \"" + winner.name + "\" is tried first because it is declared first")
          .note(
              priorityRange(winner),
              "\"" + winner.name + "\"" +
                  (winner.priorityWritten ? " has priority " + std::to_string(r.priority) + " here"
                                          : " has no priority written, so 0"))
          .suggest("give every rule its own priority so the order does not depend on the text");
    }
  }
}

}  // namespace

extern const Rule kDialPlanEqualPriority{
    "CP603",
    "dialplan-equal-priority",
    "dialplan",
    Severity::Warning,
    "two rules of one dial plan have the same priority",
    R"md(Rules are tried in ascending priority and the first match wins. For equal priorities we fall
back to declaration order, but Lync does not guarantee any order, and moving a rule in the file
(or between files during a refactoring) would silently change which one wins.

**Failing example**

```park
dialplan global {
  rule "Orbits"  priority 1 { pattern '^(7\d{3})$' translation '$1' }
  rule "4 digit" priority 1 { pattern '^(\d{4})$'  translation '+14255550$1' }
}
```

**Fix**: `rule "4 digit" priority 2 { ... }`.)md",
    &check};

}  // namespace callpark::rules

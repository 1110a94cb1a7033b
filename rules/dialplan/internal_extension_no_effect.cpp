// CP606 internal-extension-no-effect: internal_extension only matters with optimized dialing.
#include "rules/Registry.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& dp : ctx.model.dialPlans) {
    if (!dp.decl || dp.optimizeDeviceDialing) continue;
    for (const auto& r : dp.decl->rules) {
      if (!r.internalExtension) continue;
      auto& d = out.report(*r.internalExtension, "internal_extension on rule \"" + r.name.value +
                                                     "\" has no effect: dialplan " +
                                                     model::describeScope(dp.scope, ctx.model) +
                                                     " does not optimize device dialing");
      if (dp.decl->optimizeDeviceDialing)
        d.note(dp.decl->optimizeDeviceDialing->range, "optimize_device_dialing is off here");
      d.suggest("turn optimize_device_dialing on for the plan, or drop internal_extension");
    }
  }
}

}  // namespace

extern const Rule kInternalExtensionNoEffect{
    "CP606",
    "internal-extension-no-effect",
    "dialplan",
    Severity::Warning,
    "internal_extension is set in a dial plan that does not optimize device dialing",
    R"md(The internal extension flag (Lync's `IsInternalExtension`) marks a rule's result as an
internal number, and it is only honoured when the dial plan optimizes device dialing. Elsewhere
the flag is dead text that suggests a behaviour the system does not have.

**Failing example**

```park
dialplan global {
  rule "4 digit" priority 1 { pattern '^(\d{4})$'  translation '+14255550$1'  internal_extension }
}
```

**Fix**: add `optimize_device_dialing on` (with an `external_access_prefix`) to the plan, or drop
`internal_extension`.)md",
    &check};

}  // namespace callpark::rules

// CP605 optimize-without-prefix: optimize_device_dialing needs an external access prefix.
#include "rules/Registry.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& dp : ctx.model.dialPlans) {
    if (!dp.decl || !dp.optimizeDeviceDialing || !dp.externalAccessPrefix.empty()) continue;
    if (dp.decl->externalAccessPrefix) continue;  // written but empty: CP604
    SourceRange where =
        dp.decl->optimizeDeviceDialing ? dp.decl->optimizeDeviceDialing->range : dp.decl->range;
    out.report(where, "dialplan " + model::describeScope(dp.scope, ctx.model) +
                          " optimizes device dialing but has no external_access_prefix")
        .suggest(
            "add external_access_prefix \"9\" (the outside-line digit your users dial), or "
            "turn optimize_device_dialing off");
  }
}

}  // namespace

extern const Rule kOptimizeWithoutPrefix{
    "CP605",
    "optimize-without-prefix",
    "dialplan",
    Severity::Warning,
    "optimize_device_dialing is on but there is no external access prefix",
    R"md(`optimize_device_dialing` (Lync's `OptimizeDeviceDialing`) tells phones to strip the
external access prefix and to treat `internal_extension` results as internal. Without a prefix
there is nothing to strip, which usually means the prefix was forgotten.

**Failing example**

```park
dialplan site "Dublin" {
  optimize_device_dialing on
  rule "4 digit" priority 1 { pattern '^(\d{4})$'  translation '+35315550$1'  internal_extension }
}
```

**Fix**: `external_access_prefix "9"`, or `optimize_device_dialing off`.)md",
    &check};

}  // namespace callpark::rules

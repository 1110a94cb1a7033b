// CP402 max-pickup-attempts-range: 1 .. 10 ringbacks (spec §3).
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& s : ctx.model.settings) {
    if (!s.decl || !s.decl->maxPickupAttempts) continue;
    const auto& n = *s.decl->maxPickupAttempts;
    if (n.value >= 1 && n.value <= 10) continue;
    out.report(n.range, "max_pickup_attempts " + std::to_string(n.value) + " for " +
                            model::describeScope(s.scope, ctx.model) + " must lie within 1 and 10")
        .suggest(n.value < 1 ? "use at least 1" : "use at most 10");
  }
}

}  // namespace

extern const Rule kMaxPickupAttemptsRange{
    "CP402",
    "max-pickup-attempts-range",
    "settings",
    Severity::Error,
    "max pickup attempts is outside 1 to 10",
    R"md(`max_pickup_attempts` (Lync's `MaxCallPickupAttempts`) is how many times a parked call
rings back the parker before it goes to the `on_timeout` target. The product accepts 1 to 10.

**Failing example**

```park
park_settings site "Dublin" { max_pickup_attempts 0 }
```

**Fix**: `max_pickup_attempts 1` (the default) up to `10`.)md",
    &check};

}  // namespace callpark::rules

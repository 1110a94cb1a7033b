// CP401 pickup-timeout-range: the pickup timeout lies within 10 s .. 10 min (spec §3).
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& s : ctx.model.settings) {
    if (!s.decl || !s.decl->pickupTimeout) continue;
    const auto& t = *s.decl->pickupTimeout;
    int64_t secs = t.value.seconds;
    if (secs >= 10 && secs <= 600) continue;
    out.report(t.range, "pickup_timeout " + t.value.text + " (" + std::to_string(secs) +
                            " s) for " + model::describeScope(s.scope, ctx.model) + " is " +
                            (secs < 10 ? "shorter than 10s" : "longer than 10m") +
                            "; it must lie within 10s and 10m")
        .suggest(secs < 10 ? "use at least 10s" : "use at most 10m");
  }
}

}  // namespace

extern const Rule kPickupTimeoutRange{
    "CP401",
    "pickup-timeout-range",
    "settings",
    Severity::Error,
    "a pickup timeout is outside 10 s to 10 min",
    R"md(The pickup timeout (Lync's `CallPickupTimeoutThreshold`) is how long a parked call waits
before it rings back the person who parked it. The product accepts 10 seconds to 10 minutes;
shorter gives nobody time to walk to a phone, longer leaves callers on hold indefinitely.

**Failing example**

```park
park_settings global { pickup_timeout 5s }
```

**Fix**: a value within the bounds, e.g. `pickup_timeout 90s` (the default).)md",
    &check};

}  // namespace callpark::rules

// CP404 on-timeout-missing: every pool that parks calls has an on_timeout (spec §3).
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  const auto& m = ctx.model;
  std::vector<bool> parks(m.pools.size(), false);
  for (const auto& o : m.orbits)
    if (o.type == model::OrbitType::CallPark && o.pool >= 0 &&
        static_cast<size_t>(o.pool) < m.pools.size())
      parks[static_cast<size_t>(o.pool)] = true;
  for (size_t p = 0; p < m.pools.size(); ++p) {
    if (!parks[p]) continue;
    auto eff = m.effectiveSettings(static_cast<int>(p));
    if (!eff.onTimeout.empty()) continue;
    const auto& pool = m.pools[p];
    std::string scopes = "global";
    if (pool.site >= 0) scopes += ", site \"" + m.sites[static_cast<size_t>(pool.site)].name + "\"";
    scopes += " or pool \"" + pool.fqdn + "\"";
    out.report(pool.range, "no park_settings sets on_timeout for pool \"" + pool.fqdn +
                               "\": parked calls will be dropped after the last ringback")
        .suggest("set on_timeout in park_settings (" + scopes +
                 "), e.g. on_timeout \"sip:operator@contoso.com\"");
  }
}

}  // namespace

extern const Rule kOnTimeoutMissing{
    "CP404",
    "on-timeout-missing",
    "settings",
    Severity::Warning,
    "no park settings scope sets on_timeout for a pool that parks calls",
    R"md(Without an `on_timeout` target, a parked call that nobody retrieves and whose parker does
not answer the ringbacks is disconnected: the caller simply hears the line drop. Administrators
should always send such calls somewhere (an operator, a hunt group, voicemail). The warning is
reported on each pool that owns a call park range and gets no `on_timeout` from its pool, site
or global settings.

**Failing example**

```park
site "Redmond" { pool "redmond-fe01.contoso.com" }
orbit "Redmond CPO 1" { numbers *3000..*3099  pool "redmond-fe01.contoso.com" }
park_settings global { pickup_timeout 90s }
```

**Fix**: `park_settings global { on_timeout "sip:operator@contoso.com" }`.)md",
    &check};

}  // namespace callpark::rules

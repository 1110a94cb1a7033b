// CP313 park-access-pool-without-orbits: a park access number's pool owns a call park range.
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  const auto& m = ctx.model;
  std::vector<bool> hasRange(m.pools.size(), false);
  for (const auto& o : m.orbits)
    if (o.type == model::OrbitType::CallPark && o.pool >= 0 &&
        static_cast<size_t>(o.pool) < m.pools.size())
      hasRange[static_cast<size_t>(o.pool)] = true;
  for (const auto& pa : m.parkAccess) {
    if (pa.pool < 0 || static_cast<size_t>(pa.pool) >= m.pools.size()) continue;  // CP2xx
    if (hasRange[static_cast<size_t>(pa.pool)]) continue;
    const auto& pool = m.pools[static_cast<size_t>(pa.pool)];
    SourceRange where =
        pa.decl ? (pa.decl->pool ? pa.decl->pool->range : pa.decl->range) : SourceRange{};
    out.report(where, "park access number " + pa.number + " parks on pool \"" + pool.fqdn +
                          "\", which owns no call park orbit range; every park will fail")
        .note(pool.range, "pool \"" + pool.fqdn + "\" is declared here")
        .suggest(
            "declare an orbit range on that pool, or point the park access number at a "
            "pool that has one");
  }
}

}  // namespace

extern const Rule kParkAccessPoolWithoutOrbits{
    "CP313",
    "park-access-pool-without-orbits",
    "orbit",
    Severity::Error,
    "a park access number belongs to a pool without call park ranges",
    R"md(A park access number hands the call to its pool's park service, which needs a free orbit
from one of the pool's call park ranges. On a pool without ranges every park fails.

**Failing example**

```park
site "Dublin" { pool "dublin-fe01.contoso.com" }
park_access "*71" { pool "dublin-fe01.contoso.com" }
```

**Fix**: add an orbit range for that pool, or attach the park access number to a pool that has
one.)md",
    &check};

}  // namespace callpark::rules

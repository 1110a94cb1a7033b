// CP312 pool-users-without-orbits: a pool that homes users who may park owns a call park range.
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
  std::vector<uint64_t> parkers(m.pools.size(), 0);
  std::vector<int> firstUser(m.pools.size(), model::kNone);
  for (size_t u = 0; u < m.users.size(); ++u) {
    int p = m.users[u].pool;
    if (p < 0 || static_cast<size_t>(p) >= m.pools.size()) continue;
    if (!m.mayPark(static_cast<int>(u))) continue;
    if (parkers[static_cast<size_t>(p)]++ == 0)
      firstUser[static_cast<size_t>(p)] = static_cast<int>(u);
  }
  for (size_t p = 0; p < m.pools.size(); ++p) {
    if (hasRange[p] || parkers[p] == 0) continue;
    const auto& first = m.users[static_cast<size_t>(firstUser[p])];
    out.report(m.pools[p].range,
               "pool \"" + m.pools[p].fqdn + "\" homes " +
                   internal::plural(parkers[p], "user", "users") +
                   " allowed to park but owns no call park orbit range; their parks will fail")
        .note(first.range, "\"" + first.sip + "\" is one of them")
        .suggest("declare an orbit range with pool \"" + m.pools[p].fqdn + "\"");
  }
}

}  // namespace

extern const Rule kPoolUsersWithoutOrbits{
    "CP312",
    "pool-users-without-orbits",
    "orbit",
    Severity::Warning,
    "a pool homes users who may park but owns no call park range",
    R"md(A parked call is held by the park service of the parker's home pool, which picks an orbit
from its own ranges. A pool without a call park range (group pickup ranges do not count) cannot
park anything: every park by its users fails with "no free orbit". Only users whose voice policy
enables call park are counted.

**Failing example**

```park
site "Dublin" { pool "dublin-fe01.contoso.com" }
voice_policy global { call_park on }
user "sip:bob@contoso.com" { pool "dublin-fe01.contoso.com" }
// no orbit range with pool "dublin-fe01.contoso.com"
```

**Fix**: give the pool a range: `orbit "Dublin CPO 1" { numbers 7000..7099  pool "dublin-fe01.contoso.com" }`.)md",
    &check};

}  // namespace callpark::rules

// CP307 orbit-pool-capacity: at most 50,000 orbit numbers per pool (spec §2 rule 7).
#include <map>

#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  const auto& m = ctx.model;
  // Ranges of each pool in declaration order (m.orbits is in file order, then source order).
  std::map<int, std::vector<size_t>> byPool;
  for (size_t i = 0; i < m.orbits.size(); ++i)
    if (m.orbits[i].pool != model::kNone && internal::wellFormedRange(m.orbits[i]))
      byPool[m.orbits[i].pool].push_back(i);
  for (const auto& [pool, ranges] : byPool) {
    uint64_t total = 0;
    size_t crossing = SIZE_MAX;
    for (size_t i : ranges) {
      const auto& o = m.orbits[i];
      total += internal::digitsValue(o.end.text) - internal::digitsValue(o.start.text) + 1;
      if (crossing == SIZE_MAX && total > internal::kMaxNumbersPerPool) crossing = i;
    }
    if (crossing == SIZE_MAX) continue;
    const auto& p = m.pools[static_cast<size_t>(pool)];
    auto& d = out.report(internal::numbersRange(m.orbits[crossing]),
                         "pool \"" + p.fqdn + "\" owns " + internal::withCommas(total) +
                             " orbit numbers; a pool owns at most " +
                             internal::withCommas(internal::kMaxNumbersPerPool));
    for (size_t i : ranges) {
      const auto& o = m.orbits[i];
      uint64_t n = internal::digitsValue(o.end.text) - internal::digitsValue(o.start.text) + 1;
      d.note(internal::numbersRange(o),
             "range " + internal::describeOrbit(o) + " adds " + internal::withCommas(n));
    }
    d.suggest("move some ranges to another pool, or shrink them");
  }
}

}  // namespace

extern const Rule kOrbitPoolCapacity{
    "CP307",
    "orbit-pool-capacity",
    "orbit",
    Severity::Error,
    "the orbit ranges of one pool hold more than 50,000 numbers",
    R"md(A pool's park service tracks at most 50,000 orbits (a documented product limit), counted
over every range it owns, call park and group pickup alike. The diagnostic points at the range
that crosses the limit and lists every range of the pool with its size.

**Failing example**

```park
site "Redmond" { pool "fe01.contoso.com" }
orbit "A" { numbers 10000..19999  pool "fe01.contoso.com" }
orbit "B" { numbers 20000..29999  pool "fe01.contoso.com" }
orbit "C" { numbers 30000..39999  pool "fe01.contoso.com" }
orbit "D" { numbers 40000..49999  pool "fe01.contoso.com" }
orbit "E" { numbers 50000..59999  pool "fe01.contoso.com" }
orbit "F" { numbers 60000..60000  pool "fe01.contoso.com" }
```

**Fix**: home some of the ranges on another pool, or make them smaller (typical ranges hold 100
orbits or fewer).)md",
    &check};

}  // namespace callpark::rules

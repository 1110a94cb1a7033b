#include "runtime/park/Policy.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "runtime/park/Orbit.h"

namespace callpark::park {

std::string validatePolicy(const RuntimePolicy& policy) {
  std::set<std::string> pools, ranges;
  struct Span {
    uint64_t lo, hi;
    const std::string* name;
  };
  std::vector<Span> spans;
  uint64_t total = 0;
  for (const PoolSpec& pool : policy.pools) {
    if (pool.name.empty()) return "a pool has an empty name";
    if (!pools.insert(pool.name).second) return "pool '" + pool.name + "' is listed twice";
    if (pool.settings.pickupTimeoutMs == 0)
      return "pool '" + pool.name + "' has a pickup timeout of zero";
    if (pool.settings.maxAttempts == 0) return "pool '" + pool.name + "' allows no pickup attempts";
    for (const RangeSpec& r : pool.ranges) {
      const std::string where = "range '" + r.name + "' of pool '" + pool.name + "'";
      if (r.name.empty()) return "a range of pool '" + pool.name + "' has an empty name";
      if (!ranges.insert(r.name).second) return "range name '" + r.name + "' is used twice";
      if (!isValidPrefix(r.prefix)) return where + " has a prefix other than '*', '#' or none";
      if (r.digits < 1 || r.digits > maxDigits(r.prefix))
        return where + " has " + std::to_string(r.digits) + " digits, outside 1.." +
               std::to_string(maxDigits(r.prefix));
      if (r.lo > r.hi) return where + " starts after it ends";
      if (r.lo < pow10u(r.digits - 1u) || r.hi >= pow10u(r.digits))
        return where + " has bounds that are not " + std::to_string(r.digits) +
               "-digit numbers without a leading zero";
      total += r.capacity();
      spans.push_back(
          {orbitKey(r.prefix, r.digits, r.lo), orbitKey(r.prefix, r.digits, r.hi), &r.name});
    }
  }
  if (total > kMaxPolicyOrbits)
    return "the policy has " + std::to_string(total) + " orbits, more than the runtime's " +
           std::to_string(kMaxPolicyOrbits);
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return std::tie(a.lo, a.hi) < std::tie(b.lo, b.hi);
  });
  for (size_t i = 1; i < spans.size(); ++i)
    if (spans[i].lo <= spans[i - 1].hi)
      return "ranges '" + *spans[i - 1].name + "' and '" + *spans[i].name + "' overlap";
  return {};
}

}  // namespace callpark::park

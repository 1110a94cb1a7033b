// The runtime's input policy: what the park runtime needs to know, and nothing more.
//
// The park server (parkd) builds a RuntimePolicy from the compiled policy: for every pool that
// runs the call park service, its `callpark` orbit ranges (group_pickup ranges are not given to
// this runtime) and the park settings already resolved for that pool (pool, else site, else
// global, field by field; CALLPARK.md §3). The runtime never looks at .park files or at the
// compiler's model, so it can be built and tested on its own.
//
// Plain values; copy freely. validatePolicy is a pure function.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/park/OrbitAllocator.h"

namespace callpark::park {

// Park settings in effect for one pool (CALLPARK.md §3). Defaults are the product's.
struct ParkSettings {
  uint32_t pickupTimeoutMs = 90'000;  // wait before each ringback; must be > 0
  uint8_t maxAttempts = 1;            // ringbacks before the fallback; must be >= 1
  std::string onTimeoutUri;           // fallback target; empty: disconnect instead
  bool musicOnHold = true;            // false: silence (the call stays up)
  std::string musicFile;              // empty: the built-in default music
  friend bool operator==(const ParkSettings&, const ParkSettings&) = default;
};

// One `callpark` orbit range: orbits prefix + lo .. prefix + hi, each `digits` digits long.
// Example: {"Redmond CPO 1", '*', 4, 3000, 3099} is *3000..*3099.
struct RangeSpec {
  std::string name;    // unique among the ranges of a policy; identifies the range across reloads
  char prefix = '\0';  // '\0', '*' or '#'
  uint8_t digits = 4;  // digits after the prefix (1..9 without prefix, 1..8 with one)
  uint32_t lo = 0;     // first orbit's value; no leading zero: lo >= 10^(digits-1)
  uint32_t hi = 0;     // last orbit's value, lo <= hi < 10^digits
  Allocation allocation = Allocation::LeastRecent;

  uint32_t capacity() const { return hi - lo + 1; }
  friend bool operator==(const RangeSpec&, const RangeSpec&) = default;
};

struct PoolSpec {
  std::string name;  // the pool's FQDN; unique in a policy
  ParkSettings settings;
  std::vector<RangeSpec> ranges;  // in declaration order (allocation tie-break order)
};

struct RuntimePolicy {
  std::vector<PoolSpec> pools;
};

// Hard limit on the orbits of one policy (all ranges together); call ids reserve 24 bits for
// the call slot and slots are bounded by orbits.
inline constexpr uint32_t kMaxPolicyOrbits = 1u << 22;

// Empty when the policy is usable by the runtime; otherwise a message naming the first problem
// found (duplicate pool or range name, bad prefix/digits/bounds, overlapping ranges, a timeout
// of zero, no attempts, too many orbits). The compiler reports these to administrators with
// proper diagnostics long before; here they only guard the runtime's own invariants.
std::string validatePolicy(const RuntimePolicy& policy);

}  // namespace callpark::park

// Free-orbit bookkeeping for one orbit range, with four allocation strategies.
//
// An OrbitAllocator tracks which of the `capacity` orbits of a range (numbered 0..capacity-1
// from the range's low end) are free, and picks the next orbit to hand out:
//
//   least_recent  the orbit freed longest ago (never-used orbits first, lowest number first),
//                 so an orbit is reused as late as possible. Intrusive doubly linked list of
//                 free orbits: acquire pops the head, release appends to the tail. O(1).
//   random        uniformly among free orbits, from a seeded generator (deterministic for a
//                 given seed and operation sequence). Swap-remove array. O(1).
//   next          rotating: the first free orbit after the one handed out last, wrapping
//                 around to the low end. Hierarchical bitset with find-next. O(log64 n).
//   first         the lowest free orbit. Same bitset. O(log64 n).
//
// Every release is stamped with a caller-supplied sequence number (monotonic across the whole
// runtime) so that least_recent ranges of one pool can be compared with each other and so that
// the least_recent order survives a strategy change (setStrategy rebuilds in O(n log n)).
//
// Memory: one 16-byte node per orbit (the release stamp and the list links / array position,
// side by side so a release touches one cache line), plus the free array for random (4 bytes
// per orbit) or a bitset for next / first (1/8 byte per orbit). Nothing is allocated after
// construction except by setStrategy.
//
// Thread safety: none; a plain value owned by one thread (the runtime's event loop).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace callpark::park {

enum class Allocation : uint8_t { LeastRecent, Random, Next, First };

// "least_recent", "random", "next", "first" (the policy language's spelling).
const char* allocationName(Allocation a);
std::optional<Allocation> parseAllocation(std::string_view name);

class OrbitAllocator {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // All `capacity` orbits start free. `seed` only matters for Allocation::Random.
  OrbitAllocator(uint32_t capacity, Allocation strategy, uint64_t seed = 0x5eed);

  uint32_t capacity() const { return capacity_; }
  uint32_t freeCount() const { return freeCount_; }
  Allocation strategy() const { return strategy_; }
  bool isFree(uint32_t index) const;

  // The orbit the strategy picks, now removed from the free set; kNone when none is free.
  uint32_t acquire();
  // For `next` only: the first free orbit at or after the rotation cursor, without wrapping
  // around (kNone when there is none, changing nothing). With rewind() this lets a caller
  // rotate through several ranges as if they were one. Other strategies: same as acquire().
  uint32_t acquireForward();
  // For `next`: moves the rotation cursor back to the low end. Others: no effect.
  void rewind() { cursor_ = 0; }
  // Removes a given orbit from the free set (used to block an orbit that a draining range still
  // holds). Returns false, changing nothing, when it is not free or out of range.
  bool acquireSpecific(uint32_t index);
  // Returns a held orbit to the free set, stamped with `stamp` (must grow from call to call).
  // Releasing a free or out-of-range orbit is a programming error (asserted; ignored in release).
  void release(uint32_t index, uint64_t stamp);

  // Release stamp of the orbit least_recent would pick next (0 for never used); only meaningful
  // for least_recent with freeCount() > 0.
  uint64_t candidateStamp() const;
  uint64_t stampOf(uint32_t index) const { return nodes_[index].stamp; }
  // Address of an orbit's node, for a caller that wants to prefetch it before release().
  const void* nodeAddress(uint32_t index) const { return &nodes_[index]; }

  // Switches strategy keeping the free set; least_recent order is rebuilt from the stamps
  // (ties by orbit number); next restarts at the low end.
  void setStrategy(Allocation strategy);

 private:
  // Bitset with a summary level per 64 words, for find-first-set-at-or-after in O(log64 n).
  class FreeBits {
   public:
    void reset(uint32_t n, bool allSet);
    void set(uint32_t i);
    void clear(uint32_t i);
    bool test(uint32_t i) const { return (levels_[0][i >> 6] >> (i & 63)) & 1; }
    uint32_t findFrom(uint32_t pos) const;  // kNone when no set bit at or after pos
   private:
    uint32_t n_ = 0;
    std::vector<std::vector<uint64_t>> levels_;
  };

  // Per orbit. least_recent: a = prev, b = next in the free list (kNone at the ends), and a held
  // orbit links to itself. random: a = position in pool_ (kNone when held). next / first: only
  // the stamp is used.
  struct Node {
    uint64_t stamp;
    uint32_t a, b;
  };

  void buildStructure(const std::vector<uint32_t>& freeInOrder);
  void unlink(uint32_t i);
  void takeFromPool(uint32_t i);
  uint64_t nextRandom();

  uint32_t capacity_;
  uint32_t freeCount_;
  Allocation strategy_;
  uint64_t rng_;
  std::vector<Node> nodes_;
  uint32_t head_ = kNone, tail_ = kNone;  // least_recent free list
  std::vector<uint32_t> pool_;            // random: the free orbits
  FreeBits bits_;                         // next / first
  uint32_t cursor_ = 0;                   // next: where the search starts (may be capacity_)
};

}  // namespace callpark::park

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "runtime/park/OrbitAllocator.h"

namespace callpark::park {
namespace {

TEST(Allocator, NamesRoundTrip) {
  for (Allocation a :
       {Allocation::LeastRecent, Allocation::Random, Allocation::Next, Allocation::First})
    EXPECT_EQ(parseAllocation(allocationName(a)), a);
  EXPECT_FALSE(parseAllocation("lru"));
}

TEST(Allocator, LeastRecentHandsOutTheOrbitFreedLongestAgo) {
  OrbitAllocator a(5, Allocation::LeastRecent);
  uint64_t stamp = 0;
  // Never-used orbits first, lowest first.
  EXPECT_EQ(a.acquire(), 0u);
  EXPECT_EQ(a.acquire(), 1u);
  EXPECT_EQ(a.acquire(), 2u);
  a.release(1, ++stamp);
  a.release(0, ++stamp);
  EXPECT_EQ(a.acquire(), 3u);  // still never used
  EXPECT_EQ(a.acquire(), 4u);
  EXPECT_EQ(a.acquire(), 1u);  // freed before 0
  EXPECT_EQ(a.acquire(), 0u);
  EXPECT_EQ(a.acquire(), OrbitAllocator::kNone);
  a.release(4, ++stamp);
  a.release(2, ++stamp);
  a.release(0, ++stamp);
  EXPECT_EQ(a.acquire(), 4u);
  EXPECT_EQ(a.acquire(), 2u);
  EXPECT_EQ(a.acquire(), 0u);
}

TEST(Allocator, NextRotatesAndWrapsAround) {
  OrbitAllocator a(4, Allocation::Next);
  EXPECT_EQ(a.acquire(), 0u);
  EXPECT_EQ(a.acquire(), 1u);
  a.release(0, 1);
  EXPECT_EQ(a.acquire(), 2u);  // not 0: rotation continues after the last one handed out
  EXPECT_EQ(a.acquire(), 3u);
  EXPECT_EQ(a.acquire(), 0u);  // wrapped
  EXPECT_EQ(a.acquire(), OrbitAllocator::kNone);
  a.release(2, 2);
  a.release(1, 3);
  EXPECT_EQ(a.acquire(), 1u);  // cursor after 0 -> 1
  EXPECT_EQ(a.acquire(), 2u);
}

TEST(Allocator, ForwardAcquireStopsAtTheEndUntilRewound) {
  OrbitAllocator a(4, Allocation::Next);
  EXPECT_EQ(a.acquireForward(), 0u);
  EXPECT_EQ(a.acquireForward(), 1u);
  a.release(0, 1);
  EXPECT_EQ(a.acquireForward(), 2u);
  EXPECT_EQ(a.acquireForward(), 3u);
  EXPECT_EQ(a.acquireForward(), OrbitAllocator::kNone);  // 0 is free, but behind the cursor
  EXPECT_EQ(a.freeCount(), 1u);
  a.rewind();
  EXPECT_EQ(a.acquireForward(), 0u);
  EXPECT_EQ(a.acquireForward(), OrbitAllocator::kNone);
  // Other strategies: acquireForward is acquire.
  OrbitAllocator f(3, Allocation::First);
  f.acquire();
  f.acquire();
  f.release(0, 1);
  EXPECT_EQ(f.acquireForward(), 0u);
}

TEST(Allocator, FirstTakesTheLowestFree) {
  OrbitAllocator a(6, Allocation::First);
  for (uint32_t i = 0; i < 6; ++i) EXPECT_EQ(a.acquire(), i);
  a.release(4, 1);
  a.release(1, 2);
  EXPECT_EQ(a.acquire(), 1u);
  EXPECT_EQ(a.acquire(), 4u);
  EXPECT_EQ(a.acquire(), OrbitAllocator::kNone);
}

TEST(Allocator, RandomIsSeededAndCoversEveryOrbit) {
  OrbitAllocator a(100, Allocation::Random, 42), b(100, Allocation::Random, 42),
      c(100, Allocation::Random, 43);
  std::set<uint32_t> seen;
  std::vector<uint32_t> sa, sc;
  for (int i = 0; i < 100; ++i) {
    uint32_t x = a.acquire();
    EXPECT_EQ(b.acquire(), x);
    sa.push_back(x);
    sc.push_back(c.acquire());
    seen.insert(x);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_NE(sa, sc);  // another seed, another order
  EXPECT_EQ(a.acquire(), OrbitAllocator::kNone);
}

TEST(Allocator, AcquireSpecificAndStrategyChangeKeepTheFreeSet) {
  for (Allocation s :
       {Allocation::LeastRecent, Allocation::Random, Allocation::Next, Allocation::First}) {
    OrbitAllocator a(10, s);
    EXPECT_TRUE(a.acquireSpecific(7));
    EXPECT_FALSE(a.acquireSpecific(7));
    EXPECT_FALSE(a.acquireSpecific(10));
    EXPECT_FALSE(a.isFree(7));
    EXPECT_EQ(a.freeCount(), 9u);
    for (Allocation t :
         {Allocation::First, Allocation::LeastRecent, Allocation::Next, Allocation::Random}) {
      a.setStrategy(t);
      EXPECT_EQ(a.freeCount(), 9u);
      EXPECT_FALSE(a.isFree(7));
      EXPECT_TRUE(a.isFree(3));
    }
  }
  // least_recent order survives a round trip through another strategy.
  OrbitAllocator a(4, Allocation::LeastRecent);
  for (int i = 0; i < 4; ++i) a.acquire();
  a.release(2, 10);
  a.release(0, 11);
  a.release(3, 12);
  a.setStrategy(Allocation::First);
  a.setStrategy(Allocation::LeastRecent);
  EXPECT_EQ(a.acquire(), 2u);
  EXPECT_EQ(a.acquire(), 0u);
  EXPECT_EQ(a.acquire(), 3u);
}

// The bitset behind next/first against a reference set, on sizes with 1, 2 and 3 levels.
TEST(Allocator, FirstAndNextAgreeWithAReferenceModel) {
  for (uint32_t n : {1u, 63u, 64u, 65u, 4096u, 10000u, 300000u}) {
    for (Allocation s : {Allocation::First, Allocation::Next}) {
      OrbitAllocator a(n, s);
      std::set<uint32_t> freeSet;
      for (uint32_t i = 0; i < n; ++i) freeSet.insert(i);
      std::set<uint32_t> held;
      uint32_t cursor = 0;
      std::mt19937 rng(n * 7 + uint32_t(s));
      for (int step = 0; step < 4000; ++step) {
        bool doAcquire = held.empty() || (!freeSet.empty() && rng() % 3 != 0);
        if (doAcquire) {
          uint32_t expect;
          if (s == Allocation::First) {
            expect = *freeSet.begin();
          } else {
            auto it = freeSet.lower_bound(cursor);
            expect = it != freeSet.end() ? *it : *freeSet.begin();
            cursor = expect + 1 >= n ? 0 : expect + 1;
          }
          ASSERT_EQ(a.acquire(), expect) << "n=" << n;
          freeSet.erase(expect);
          held.insert(expect);
        } else {
          auto it = held.begin();
          std::advance(it, rng() % held.size());
          uint32_t x = *it;
          held.erase(it);
          a.release(x, step);
          freeSet.insert(x);
        }
        ASSERT_EQ(a.freeCount(), freeSet.size());
      }
    }
  }
}

}  // namespace
}  // namespace callpark::park

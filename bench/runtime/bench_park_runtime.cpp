// Benchmarks of the park runtime (runtime/park), one program, three tables:
//
//  1. park+retrieve pairs per second on one thread with 50,000 calls parked (the Lync per-pool
//     maximum: one pool of five 10,000-orbit ranges, full). A pair retrieves a parked call
//     chosen at random (by its orbit string, as a SIP retrieve would) and parks a new call.
//     Rows: each allocation strategy with a sink that only counts what it receives (the
//     runtime's own cost), the same with every record serialised to a JSON line (what parkd
//     pays for its event log), and a cache-hot row (park, then retrieve that same call).
//  2. memory per parked call: heap bytes counted by a replaced global operator new (requested
//     and malloc_usable_size) and by mallinfo2 (arena + mmapped blocks), before and after
//     parking 50,000 calls, with typical URIs (stored in the call's slot) and with long ones
//     (spilled to a buffer); the orbit tables a policy allocates up front are shown per orbit.
//  3. allocation cost of each strategy on one 10,000-orbit range (OrbitAllocator alone): one
//     release of a random held orbit + one acquire, at several occupancies.
//
// Usage: bench_park_runtime [pairs per repeat (default 1000000)] [repeats (default 5)]
//                           [tables, e.g. 13 (default 123)]
// Table 1 prints the best and the median of the repeats, by elapsed time, and the best by the
// thread's CPU time. The machine's load average is printed with the numbers: other work on the
// machine lowers them.
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/park/EventJson.h"
#include "runtime/park/OrbitAllocator.h"
#include "runtime/park/ParkRuntime.h"

// ---- heap accounting ------------------------------------------------------------------------
// Single-threaded program: plain counters are enough.
namespace {
size_t gRequested = 0, gUsable = 0, gAllocs = 0;
}

void* operator new(size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  gRequested += n;
  gUsable += malloc_usable_size(p);
  ++gAllocs;
  return p;
}
void* operator new[](size_t n) {
  return operator new(n);
}
void operator delete(void* p) noexcept {
  if (!p) return;
  gUsable -= malloc_usable_size(p);
  std::free(p);
}
void operator delete[](void* p) noexcept {
  operator delete(p);
}
void operator delete(void* p, size_t n) noexcept {
  if (p) gRequested -= n;
  operator delete(p);
}
void operator delete[](void* p, size_t n) noexcept {
  operator delete(p, n);
}
// Over-aligned types (the runtime's 64-byte call slots) come through these.
void* operator new(size_t n, std::align_val_t al) {
  void* p = std::aligned_alloc(size_t(al), (n + size_t(al) - 1) / size_t(al) * size_t(al));
  if (!p) throw std::bad_alloc();
  gRequested += n;
  gUsable += malloc_usable_size(p);
  ++gAllocs;
  return p;
}
void* operator new[](size_t n, std::align_val_t al) {
  return operator new(n, al);
}
void operator delete(void* p, std::align_val_t) noexcept {
  operator delete(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  operator delete(p);
}
void operator delete(void* p, size_t n, std::align_val_t) noexcept {
  operator delete(p, n);
}
void operator delete[](void* p, size_t n, std::align_val_t) noexcept {
  operator delete(p, n);
}

using namespace callpark::park;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint32_t kRanges = 5, kRangeSize = 10'000, kParked = kRanges * kRangeSize;
constexpr const char* kPool = "redmond-fe01.contoso.com";
constexpr const char* kParker = "sip:alice.smith@contoso.com";
constexpr const char* kCaller = "sip:+14255550123@contoso.com";
constexpr Allocation kAll[] = {Allocation::LeastRecent, Allocation::Random, Allocation::Next,
                               Allocation::First};

class CountingSink : public Sink {
 public:
  explicit CountingSink(bool json) : json_(json) {}
  void onCommand(const Command& c) override { sum += c.call + uint64_t(c.kind); }
  void onRecord(const EventRecord& r) override {
    sum += r.call;
    if (json_) bytes += toJsonLine(r).size();
  }
  uint64_t sum = 0, bytes = 0;

 private:
  bool json_;
};

RuntimePolicy lyncMaxPool(Allocation a) {
  ParkSettings s;
  s.pickupTimeoutMs = 600'000;  // 10 min: no timer expires during a measurement
  s.maxAttempts = 2;
  s.onTimeoutUri = "sip:operator@contoso.com";
  RuntimePolicy p;
  PoolSpec pool{kPool, s, {}};
  for (uint32_t r = 0; r < kRanges; ++r) {
    uint32_t lo = 10'000 + r * kRangeSize;  // 5-digit orbits 10000..59999
    pool.ranges.push_back(
        RangeSpec{"CPO " + std::to_string(r), '\0', 5, lo, lo + kRangeSize - 1, a});
  }
  p.pools.push_back(std::move(pool));
  return p;
}

// splitmix64: the benchmark's own random numbers must cost next to nothing.
struct Rng {
  uint64_t s;
  uint64_t operator()() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint64_t n) { return uint32_t(((*this)() >> 32) * n >> 32); }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string loadAverage() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

// Table 1 ----------------------------------------------------------------------------------
struct Rate {
  double best = 0, median = 0, cpuBest = 0;
};

double threadCpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

Rate pairsPerSecond(Allocation a, bool json, bool hot, uint64_t pairs, int repeats) {
  CountingSink sink(json);
  ParkRuntime rt(sink);
  TimeMs now = 0;
  if (!rt.replacePolicy(lyncMaxPool(a), now).empty()) std::abort();
  LegId leg = 1;
  for (uint32_t i = 0; i < kParked; ++i)
    if (!rt.handle(ParkRequest{kPool, kParker, kCaller, leg++}, now).ok()) std::abort();
  if (hot && !rt.handle(RetrieveRequest{"59999", 0, leg++, {}}, now).ok()) std::abort();
  Rng rng{7};
  char dialed[5];
  std::vector<double> rates, cpuRates;
  for (int rep = 0; rep < repeats; ++rep) {
    double c0 = threadCpuSeconds();
    auto t0 = Clock::now();
    for (uint64_t i = 0; i < pairs; ++i) {
      if ((i & 63) == 0) ++now;  // virtual time moves on (1 ms per 64 pairs)
      if (hot) {
        Result p = rt.handle(ParkRequest{kPool, kParker, kCaller, leg++}, now);
        Result r = rt.handle(RetrieveRequest{p.orbit.view(), p.call, leg++, {}}, now);
        if (!r.ok()) std::abort();
      } else {
        // The pool is full, so every orbit holds a call: dial a random one, as a SIP retrieve
        // would, then park a new call (it takes the orbit just freed).
        uint32_t v = 10'000 + rng.below(kParked);
        for (int d = 4; d >= 0; --d, v /= 10) dialed[d] = char('0' + v % 10);
        Result r = rt.handle(RetrieveRequest{std::string_view(dialed, 5), 0, leg++, {}}, now);
        Result p = rt.handle(ParkRequest{kPool, kParker, kCaller, leg++}, now);
        if (!r.ok() || !p.ok()) std::abort();
      }
    }
    auto t1 = Clock::now();
    double c1 = threadCpuSeconds();
    rates.push_back(double(pairs) / std::chrono::duration<double>(t1 - t0).count());
    cpuRates.push_back(double(pairs) / (c1 - c0));
  }
  if (rt.liveCalls() != (hot ? kParked - 1 : kParked) || !rt.checkInvariants().empty())
    std::abort();
  if (sink.sum == 42) std::puts("");  // keep the sink's work observable
  return {*std::max_element(rates.begin(), rates.end()), median(rates),
          *std::max_element(cpuRates.begin(), cpuRates.end())};
}

// Table 2 ----------------------------------------------------------------------------------
struct Heap {
  size_t requested, usable, allocs, arena;
};
Heap heapNow() {
  struct mallinfo2 mi = mallinfo2();
  return {gRequested, gUsable, gAllocs, mi.uordblks + mi.hblkhd};  // arena + mmapped blocks
}

struct MemoryRow {
  double requested, usable, arena, allocs;
};

// Heap growth per call from parking 50,000 calls with the given URIs (policy already loaded),
// and per orbit from loading the policy.
void memoryRows(std::string_view parker, std::string_view parked, MemoryRow& perCall,
                MemoryRow& perOrbit) {
  CountingSink sink(false);
  auto rt = std::make_unique<ParkRuntime>(sink);
  RuntimePolicy policy = lyncMaxPool(Allocation::LeastRecent);
  Heap h1 = heapNow();
  if (!rt->replacePolicy(policy, 0).empty()) std::abort();
  Heap h2 = heapNow();
  for (uint32_t i = 0; i < kParked; ++i)
    if (!rt->handle(ParkRequest{kPool, parker, parked, LegId(i + 1)}, 0).ok()) std::abort();
  Heap h3 = heapNow();
  auto per = [](const Heap& a, const Heap& b) {
    return MemoryRow{double(b.requested - a.requested) / kParked,
                     double(b.usable - a.usable) / kParked, double(b.arena - a.arena) / kParked,
                     double(b.allocs - a.allocs) / kParked};
  };
  perCall = per(h2, h3);
  perOrbit = per(h1, h2);
}

void memoryTable() {
  const std::string longParker = "sip:" + std::string(60, 'p') + "@contoso.com";
  const std::string longParked = "sip:" + std::string(60, 'c') + "@contoso.com";
  MemoryRow call, orbit, longCall, unused;
  memoryRows(kParker, kCaller, call, orbit);
  memoryRows(longParker, longParked, longCall, unused);
  std::printf("\n2. Memory per parked call, 50,000 calls parked (target <= 512 bytes)\n");
  std::printf("   %-56s %11s %9s %11s %8s\n", "", "requested B", "usable B", "mallinfo2 B",
              "allocs");
  auto row = [](const std::string& name, const MemoryRow& m) {
    std::printf("   %-56s %11.1f %9.1f %11.1f %8.3f\n", name.c_str(), m.requested, m.usable,
                m.arena, m.allocs);
  };
  row("per parked call, URIs of " + std::to_string(std::char_traits<char>::length(kParker)) +
          " + " + std::to_string(std::char_traits<char>::length(kCaller)) + " bytes (inline)",
      call);
  row("per parked call, URIs of " + std::to_string(longParker.size()) + " + " +
          std::to_string(longParked.size()) + " bytes (spilled)",
      longCall);
  row("per orbit, allocated with the policy (least_recent)", orbit);
  row("per parked call incl. its orbit's tables (inline URIs)",
      {call.requested + orbit.requested, call.usable + orbit.usable, call.arena + orbit.arena,
       call.allocs + orbit.allocs});
}

// Table 3 ----------------------------------------------------------------------------------
double nsPerReleaseAcquire(Allocation a, double occupancy, uint64_t ops) {
  OrbitAllocator alloc(kRangeSize, a, 99);
  std::vector<uint32_t> held;
  uint32_t target = std::max<uint32_t>(1, uint32_t(occupancy * kRangeSize));
  std::mt19937_64 fill(3);
  // Reach the occupancy through a random history so the structures are not in a trivial order.
  for (uint32_t i = 0; i < kRangeSize; ++i) held.push_back(alloc.acquire());
  std::shuffle(held.begin(), held.end(), fill);
  uint64_t stamp = 0;
  while (held.size() > target) {
    alloc.release(held.back(), ++stamp);
    held.pop_back();
  }
  Rng rng{5};
  std::vector<double> ns;
  for (int rep = 0; rep < 5; ++rep) {
    auto t0 = Clock::now();
    for (uint64_t i = 0; i < ops; ++i) {
      size_t k = rng.below(held.size());
      alloc.release(held[k], ++stamp);
      held[k] = alloc.acquire();
    }
    auto t1 = Clock::now();
    ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / double(ops));
  }
  if (alloc.freeCount() != kRangeSize - held.size()) std::abort();
  return *std::min_element(ns.begin(), ns.end());
}

void pairsTable(uint64_t pairs, int repeats) {
  std::printf(
      "\n1. park+retrieve pairs/s, one thread, one pool of 5 x 10,000 orbits holding "
      "50,000 parked calls\n   (%llu pairs per repeat, %d repeats; target >= 1,000,000)\n",
      (unsigned long long)pairs, repeats);
  std::printf("   %-50s %12s %12s %12s\n", "", "wall best", "wall median", "CPU best");
  auto row = [](const std::string& name, Rate r) {
    std::printf("   %-50s %12.0f %12.0f %12.0f\n", name.c_str(), r.best, r.median, r.cpuBest);
  };
  for (Allocation a : kAll)
    row(std::string(allocationName(a)) + ": retrieve a random call + park",
        pairsPerSecond(a, false, false, pairs, repeats));
  row("least_recent, every record as a JSON line",
      pairsPerSecond(Allocation::LeastRecent, true, false, pairs, repeats));
  row("least_recent: park + retrieve that call (hot)",
      pairsPerSecond(Allocation::LeastRecent, false, true, pairs, repeats));
  std::printf(
      "   (wall: pairs per second of elapsed time; CPU: per second of this thread's CPU "
      "time,\n    which discounts time the scheduler gave to other processes)\n");
}

void allocationTable() {
  std::printf(
      "\n3. Allocation cost on one 10,000-orbit range: ns per (release + acquire), "
      "best of 5\n");
  const double occupancies[] = {0.0, 0.5, 0.9, 0.999};
  std::printf("   %-14s", "occupancy");
  for (double o : occupancies) std::printf(" %10.1f%%", o * 100);
  std::printf("\n");
  for (Allocation a : kAll) {
    std::printf("   %-14s", allocationName(a));
    for (double o : occupancies) std::printf(" %11.1f", nsPerReleaseAcquire(a, o, 2'000'000));
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t pairs = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  std::string tables = argc > 3 ? argv[3] : "123";
  if (pairs == 0 || repeats <= 0) {
    std::fprintf(stderr, "usage: bench_park_runtime [pairs per repeat] [repeats] [tables]\n");
    return 2;
  }
  std::printf("load average at start: %s\n", loadAverage().c_str());
  if (tables.find('1') != std::string::npos) pairsTable(pairs, repeats);
  if (tables.find('2') != std::string::npos) memoryTable();
  if (tables.find('3') != std::string::npos) allocationTable();
  std::printf("\nload average at end: %s\n", loadAverage().c_str());
  return 0;
}

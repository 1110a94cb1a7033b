// The park runtime: orbit allocation and the parked-call state machine (CALLPARK.md §3, §7).
//
// ParkRuntime is a plain object driven by events and a clock value. It knows nothing about SIP:
// the park server (parkd) turns SIP into Events, calls handle()/advance(), and carries out the
// Commands the runtime emits through its Sink. Every state change is also emitted as an
// EventRecord (serialise with toJsonLine() from EventJson.h).
//
// Life of a parked call
//
//   park ──► PARKED ──(pickup timeout)──► RINGING_BACK ──answered──► ended: rang_back
//              ▲                               │
//              └──(attempt < max: wait again)──┤ failed (busy / no answer)
//                                              │ attempt == max
//                        on_timeout set? ──yes─┴─► FALLING_BACK ──answered──► ended: fallback
//                               │no                     └──failed──────────► ended: disconnected
//                               └──────────────────────────────────────────► ended: disconnected
//   Any time before it ends: retrieve ──► ended: retrieved (refused with CallLeaving while
//   FALLING_BACK); parked caller hangs up ──► ended: abandoned; max lifetime reached ──►
//   ended: disconnected (reason "max_lifetime").
//
// A call holds its orbit from park until it ends; it ends exactly once. Whatever event comes
// first wins; a later event for the same call is refused with Status::CallEnded (and a late
// answering leg is released with a ReleaseLeg command), so a retrieve racing a timeout never
// connects two parties to the same caller. A retrieve while RINGING_BACK wins over the ringback
// (CancelRing is emitted). Parking never reuses a held orbit: one call per orbit.
//
// Allocation. A park names a pool; the pool's ranges are tried in declaration order and the
// first with a free orbit allocates with its own strategy (see OrbitAllocator.h), except that
// among least_recent ranges the one whose candidate orbit was freed longest ago wins, so a pool
// of least_recent ranges behaves as a single least_recent pool.
//
// Timers. Each live call has exactly one entry in an indexed min-heap: its next deadline, the
// earlier of its state timer (end of the pickup wait) and its hard lifetime limit
// (RuntimeConfig::maxLifetimeMs). handle(e, now) and advance(now) first fire every timer due at
// or before `now`, in deadline order, each at its own deadline time, and only then apply the
// event. Time never goes backwards: a `now` earlier than a previous one counts as the previous.
//
// Policy replacement (replacePolicy) is atomic: the new policy is validated first and a policy
// that fails validation changes nothing. Calls already parked keep their orbit and the settings
// they were parked with. A range whose name, pool and numbers are unchanged keeps its state (a
// changed allocation strategy is applied keeping the free set). A range that disappeared (or
// changed pool or numbers) stops taking parks and drains: its calls stay retrievable until they
// end, then the range is dropped (RangeDrained). New ranges serve at once; an orbit of a new
// range that a draining range still holds stays blocked until that call ends, so an orbit never
// holds two calls even across reloads.
//
// Thread safety: none inside. One ParkRuntime belongs to one thread at a time (parkd runs one
// event-loop thread per runtime instance and calls everything from it). This keeps every
// operation lock-free and makes "first event wins" trivially atomic: events are applied one at a
// time, in the order the loop receives them. Distinct instances share nothing.
//
// Errors: inputs that do not apply (an unknown pool, a stale id, a race lost) are answered with
// a Status and a Refused/ParkFailed record, never with an exception. The only exceptions are
// std::bad_alloc from the standard library.
//
// Costs: park and retrieve are O(log n) in the number of live calls (the timer heap) plus the
// allocator's O(1) / O(log64 n); no allocation per operation beyond copying the two URIs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/park/Events.h"
#include "runtime/park/OrbitAllocator.h"
#include "runtime/park/Policy.h"

namespace callpark::park {

struct RuntimeConfig {
  TimeMs maxLifetimeMs = 3'600'000;  // hard limit for any parked call (default 1 hour); > 0
  uint64_t seed = 0x5eed;            // seeds the random allocation strategy
};

enum class CallState : uint8_t { Free, Parked, RingingBack, FallingBack };
const char* callStateName(CallState s);

// A read-only snapshot of one live call (strings copied).
struct CallView {
  CallId id = 0;
  CallState state = CallState::Free;
  OrbitNumber orbit;
  std::string range, pool, parker, parked;
  uint8_t attempt = 0;
  TimeMs parkedAt = 0;
  TimeMs nextDeadline = 0;
  ParkSettings settings;  // the settings the call was parked with
};

struct PoolStats {
  uint32_t capacity = 0;  // orbits of the pool's serving ranges
  uint32_t free = 0;      // of those, free
  uint32_t held = 0;      // of those, holding a call
  uint32_t blocked = 0;   // of those, held by a draining range's call
};

class ParkRuntime {
 public:
  // `sink` must outlive the runtime. The runtime starts with an empty policy (every park fails
  // with UnknownPool) at time 0.
  ParkRuntime(Sink& sink, RuntimeConfig config = {});
  ~ParkRuntime();
  ParkRuntime(const ParkRuntime&) = delete;
  ParkRuntime& operator=(const ParkRuntime&) = delete;

  // Applies one event at time `now` (after firing due timers). See Status for refusals.
  Result handle(const Event& event, TimeMs now);

  // Fires every timer due at or before `now`.
  void advance(TimeMs now);

  // Earliest pending timer, for the event loop's poll timeout; nullopt when no call is parked.
  std::optional<TimeMs> nextDeadline() const;

  // Swaps in a new policy atomically at time `now`. Returns "" on success, else the reason the
  // policy was rejected (see validatePolicy); a rejected policy changes nothing.
  std::string replacePolicy(const RuntimePolicy& policy, TimeMs now);

  // ---- introspection (admin API, tests); O(1) unless noted -----------------------------------
  size_t liveCalls() const { return live_; }
  std::optional<CallView> call(CallId id) const;
  // The call parked on `orbit`, if any (looks at serving and draining ranges).
  std::optional<CallId> callOnOrbit(std::string_view orbit) const;
  // Statistics of a pool's serving ranges; nullopt for an unknown pool. O(ranges of the pool).
  std::optional<PoolStats> poolStats(std::string_view pool) const;
  // Number of ranges that were removed by a reload and still hold calls.
  size_t drainingRanges() const { return draining_.size(); }
  TimeMs now() const { return now_; }

  // Checks every internal invariant (orbit holders vs calls, free + held + blocked = capacity,
  // one timer per live call, heap order). Returns "" when consistent, else what is wrong.
  // O(orbits + calls); for tests.
  std::string checkInvariants() const;

 private:
  struct PoolInfo;
  struct Range;
  struct Call;
  struct ActivePool;
  struct Span {
    uint64_t lo, hi;
    uint32_t range;
  };

  Result park(const ParkRequest& e);
  Result retrieve(const RetrieveRequest& e);
  Result ringbackAnswered(const RingbackAnswered& e);
  Result ringbackFailed(const RingbackFailed& e);
  Result fallbackAnswered(const FallbackAnswered& e);
  Result fallbackFailed(const FallbackFailed& e);
  Result hungUp(const ParkedHungUp& e);
  void fire(uint32_t slot);

  Call* liveCall(CallId id);
  const Call* liveCall(CallId id) const;
  Call& slotRef(uint32_t slot) const;
  CallId idOf(uint32_t slot) const;
  uint32_t newSlot();
  void end(uint32_t slot, Outcome outcome, std::string_view reason, std::string_view peer);
  void releaseOrbit(uint32_t rangeIndex, uint32_t orbit);
  // Finds the (range, orbit) holding a call for `key`, or the serving range covering it.
  bool locate(uint64_t key, uint32_t& range, uint32_t& orbit, bool holderOnly) const;
  const Span* serving(uint64_t key) const;

  EventRecord recordFor(uint32_t slot, RecordKind kind) const;
  Result refuse(Status s, CallId call, uint32_t slot = UINT32_MAX);
  void command(const Command& c) { sink_.onCommand(c); }
  void record(const EventRecord& r) { sink_.onRecord(r); }

  // Timer heap
  void heapSet(uint32_t slot, TimeMs due);  // insert or update
  void heapRemove(uint32_t slot);
  void siftUp(uint32_t pos);
  void siftDown(uint32_t pos);
  bool heapLess(uint32_t a, uint32_t b) const;

  Sink& sink_;
  RuntimeConfig config_;
  TimeMs now_ = 0;
  uint64_t stampSeq_ = 0;
  size_t live_ = 0;

  std::vector<std::unique_ptr<Range>> ranges_;  // by index; null = dropped (index reusable)
  std::vector<uint32_t> freeRangeIdx_;
  std::vector<Span> spans_;         // serving ranges, sorted by lo, non-overlapping
  std::vector<uint32_t> draining_;  // indices of draining ranges
  std::vector<ActivePool> pools_;
  std::unordered_map<std::string_view, uint32_t> poolByName_;  // keys point into pools_

  static constexpr uint32_t kChunkBits = 10;
  std::vector<std::unique_ptr<Call[]>> chunks_;
  uint32_t slotCount_ = 0;
  std::vector<uint32_t> freeSlots_;
  std::vector<uint32_t> heap_;
};

}  // namespace callpark::park

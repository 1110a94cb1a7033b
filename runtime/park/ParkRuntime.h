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
// Allocation. A park names a pool and never an orbit: the runtime picks a free one, so a park
// can never land on an occupied orbit and can never be mistaken for a retrieve (the valet-park
// bug where parking onto a taken slot bridged the two callers cannot happen here). The pool's
// ranges are grouped by strategy; the groups are tried in the order their strategy first
// appears among the pool's ranges, and the first group with a free orbit allocates, treating
// its ranges as one block of orbits (see OrbitAllocator.h for one range):
//   least_recent  the orbit freed longest ago in any of the group's ranges (never-used orbits
//                 first, by declaration order, then lowest number);
//   random        uniformly among all the group's free orbits;
//   next          rotating through the group's ranges in declaration order, continuing after
//                 the orbit handed out last and wrapping from the last range to the first;
//   first         the lowest free orbit of the first range (in declaration order) that has one.
// A pool normally uses one strategy; mixing them is allowed and behaves as described. No free
// orbit: the park fails with NoFreeOrbit, emits no command, and the parker's call is unharmed.
//
// Timers. Each live call has exactly one entry in an indexed min-heap: its next deadline, the
// earlier of its state timer (end of the pickup wait, only while PARKED) and its hard lifetime
// limit (parkedAt + RuntimeConfig::maxLifetimeMs). While RINGING_BACK or FALLING_BACK the
// runtime waits for the server to report the outcome (RingbackAnswered/Failed,
// FallbackAnswered/Failed); the server's own SIP timers bound those waits, and the lifetime
// limit ends the call if a report never comes. handle(e, now) and advance(now) first fire every
// timer due at or before `now`, in deadline order (ties: older slot first), each at its own
// deadline time, and only then apply the event; so an event that arrives at the same instant
// as a timer loses to it. Time never goes backwards: a `now` earlier than a previous one counts
// as the previous.
//
// Ringback attempts. RingParker carries the attempt number (1, 2, ...). A RingbackAnswered or
// RingbackFailed may quote it (`attempt` != 0): a report about an earlier attempt than the one
// in progress is refused with NotExpected (and an answering leg is released), so a late report
// of attempt 1 can never be counted against attempt 2. With attempt == 0 the report applies to
// whatever ringback is in progress.
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
// Thread safety: a ParkRuntime is not thread-safe and takes no locks. It belongs to one thread
// at a time: parkd runs one event-loop thread per runtime instance and calls every method
// (including the const introspection ones) from that thread; a caller that needs another thread
// to look must hop onto the loop (or guard all calls with one mutex of its own). This keeps
// every operation lock-free and makes "first event wins" trivially atomic: events are applied
// one at a time, to completion, in the order the loop receives them, and the Sink sees a
// complete, ordered stream. Sink callbacks run synchronously inside the call that caused them
// and must not re-enter the runtime (queue the commands and act on them after the call returns,
// as parkd does). Distinct instances share nothing and may run on different threads.
//
// Errors: inputs that do not apply (an unknown pool, a stale id, a race lost) are answered with
// a Status and a Refused/ParkFailed record, never with an exception. The only exceptions are
// std::bad_alloc from the standard library.
//
// Costs: park and retrieve are O(log n) in the number of live calls (the timer heap) plus the
// allocator's O(1) / O(log64 n) and O(ranges of the pool); they allocate nothing in the steady
// state. Memory: a 128-byte slot per call (URIs up to 64 bytes together are stored in it;
// longer ones take a heap buffer the slot keeps), a 16-byte timer entry and a 4-byte heap index,
// plus about 20 bytes per orbit allocated with the policy; bench/runtime measures it.
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

// Fixed for the life of a runtime (a policy replacement does not change it).
struct RuntimeConfig {
  // Hard limit on how long any call stays parked, whatever its settings and whatever the server
  // reports (default 1 hour); when it is reached the call ends as disconnected with reason
  // "max_lifetime". Values <= 0 mean the default.
  TimeMs maxLifetimeMs = 3'600'000;
  // Seeds the `random` strategy. Same seed + same events = same orbits (tests); a server that
  // wants unpredictable orbits passes a random seed.
  uint64_t seed = 0x5eed;
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
  struct Group;
  struct ActivePool;
  struct Span {
    uint64_t lo, hi;
    uint32_t range;
  };
  struct Timer {
    TimeMs due;
    uint32_t slot;
  };

  Result park(const ParkRequest& e);
  Result retrieve(const RetrieveRequest& e);
  Result ringbackAnswered(const RingbackAnswered& e);
  Result ringbackFailed(const RingbackFailed& e);
  Result fallbackAnswered(const FallbackAnswered& e);
  Result fallbackFailed(const FallbackFailed& e);
  Result hungUp(const ParkedHungUp& e);
  void fire(uint32_t slot);

  uint32_t allocate(ActivePool& pool, uint32_t& orbit);  // range index or kNoRange
  Call* liveCall(CallId id);
  const Call* liveCall(CallId id) const;
  Call& slotRef(uint32_t slot) const;
  CallId idOf(uint32_t slot) const;
  uint32_t newSlot();
  TimeMs dueOf(const Call& c) const;
  void end(uint32_t slot, const OrbitNumber& orbit, Outcome outcome, std::string_view reason,
           std::string_view peer);
  void releaseOrbit(uint32_t rangeIndex, uint32_t orbit);
  void releasePoolInfo(PoolInfo* info);
  // Finds the (range, orbit) holding a call for `key`, or the serving range covering it.
  bool locate(uint64_t key, uint32_t& range, uint32_t& orbit, bool holderOnly) const;
  const Span* serving(uint64_t key) const;

  EventRecord recordFor(uint32_t slot, RecordKind kind) const;
  EventRecord recordFor(uint32_t slot, RecordKind kind, const OrbitNumber& orbit) const;
  Result refuse(Status s, CallId call, uint32_t slot = UINT32_MAX);
  Result refuseRetrieve(Status s, const RetrieveRequest& e, const OrbitNumber& orbit);
  void command(const Command& c) { sink_.onCommand(c); }
  void record(const EventRecord& r) { sink_.onRecord(r); }

  // Timer heap
  void heapSet(uint32_t slot);  // insert or re-key from the call's current deadlines
  void heapRemove(uint32_t slot);
  void siftUp(uint32_t pos);
  void siftDown(uint32_t pos);
  static bool timerLess(const Timer& a, const Timer& b) {
    return a.due < b.due || (a.due == b.due && a.slot < b.slot);
  }

  Sink& sink_;
  RuntimeConfig config_;
  TimeMs now_ = 0;
  uint64_t stampSeq_ = 0;  // release stamps (least_recent order)
  uint64_t useSeq_ = 0;    // acquire sequence (where a `next` rotation is)
  uint64_t rng_;           // picks among a pool's `random` ranges
  size_t live_ = 0;

  std::vector<std::unique_ptr<Range>> ranges_;  // by index; null = dropped (index reusable)
  std::vector<uint32_t> freeRangeIdx_;
  std::vector<Span> spans_;         // serving ranges, sorted by lo, non-overlapping
  std::vector<uint32_t> draining_;  // indices of draining ranges
  std::vector<ActivePool> pools_;
  std::unordered_map<std::string_view, uint32_t> poolByName_;  // keys point into PoolInfo names
  // Every PoolInfo alive: those of the current policy and older ones that live calls still use.
  std::vector<std::unique_ptr<PoolInfo>> poolInfos_;

  static constexpr uint32_t kChunkBits = 10;
  std::vector<std::unique_ptr<Call[]>> chunks_;
  uint32_t slotCount_ = 0;
  std::vector<uint32_t> freeSlots_;
  std::vector<Timer> heap_;
  std::vector<uint32_t> heapPos_;  // per slot: its entry in heap_, or UINT32_MAX
};

}  // namespace callpark::park

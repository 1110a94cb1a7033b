// How the park runtime is put together.
//
// Calls live in fixed-size chunks of slots (1024 each) that never move, so a slot index is a
// stable handle; freed slots are reused LIFO. A CallId is (generation << 24) | slot: the
// generation of a slot grows every time a call in it ends, so an id names one call for ever
// and an id of an ended call is recognised as stale in O(1) without any map.
//
// Each range keeps, per orbit, the slot of the call holding it (or kNoHolder / kBlocked), and an
// OrbitAllocator for its free orbits. Serving ranges are indexed by a sorted array of key spans
// (binary search for retrieves); draining ranges are a short list scanned linearly.
//
// The timer heap is an indexed binary min-heap of slots ordered by each call's next deadline;
// a call knows its heap position, so re-arming and removal are O(log n) and the heap never
// holds stale entries: its size always equals the number of live calls.
//
// Settings: each pool of each policy version is one immutable PoolInfo shared (shared_ptr) by
// the calls parked under it, which is how a reload leaves parked calls their own settings.
#include "runtime/park/ParkRuntime.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <unordered_set>

namespace callpark::park {

namespace {
constexpr uint32_t kNoHolder = UINT32_MAX;
constexpr uint32_t kBlocked = UINT32_MAX - 1;
constexpr uint32_t kSlotBits = 24;
constexpr uint32_t kMaxSlots = 1u << kSlotBits;
constexpr TimeMs kNever = std::numeric_limits<TimeMs>::max();

uint64_t seedFor(uint64_t seed, std::string_view name) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (char c : name) h = (h ^ uint8_t(c)) * 1099511628211ull;
  return (seed ^ h) | 1;
}

const char* ringFailureName(RingFailure f) {
  switch (f) {
    case RingFailure::NoAnswer: return "no_answer";
    case RingFailure::Busy: return "busy";
    case RingFailure::Rejected: return "rejected";
  }
  return "?";
}
}  // namespace

const char* callStateName(CallState s) {
  switch (s) {
    case CallState::Free: return "free";
    case CallState::Parked: return "parked";
    case CallState::RingingBack: return "ringing_back";
    case CallState::FallingBack: return "falling_back";
  }
  return "?";
}

struct ParkRuntime::PoolInfo {
  std::string name;
  ParkSettings settings;
};

struct ParkRuntime::Range {
  Range(RangeSpec s, std::shared_ptr<const PoolInfo> p, uint64_t seed)
      : spec(std::move(s)),
        pool(std::move(p)),
        alloc(spec.capacity(), spec.allocation, seedFor(seed, spec.name)),
        holder(spec.capacity(), kNoHolder) {}
  RangeSpec spec;
  std::shared_ptr<const PoolInfo> pool;  // for the range's own records
  bool serving = true;
  OrbitAllocator alloc;
  std::vector<uint32_t> holder;  // per orbit: slot, kNoHolder or kBlocked
  uint32_t held = 0;
  uint32_t blocked = 0;

  uint64_t keyOf(uint32_t orbit) const {
    return orbitKey(spec.prefix, spec.digits, spec.lo + orbit);
  }
  OrbitNumber numberOf(uint32_t orbit) const {
    return formatOrbit(spec.prefix, spec.digits, spec.lo + orbit);
  }
  bool covers(uint64_t key) const {
    return key >= keyOf(0) && key <= orbitKey(spec.prefix, spec.digits, spec.hi);
  }
};

struct ParkRuntime::Call {
  std::string parker;
  std::string parked;
  std::shared_ptr<const PoolInfo> pool;
  LegId parkedLeg = 0;
  TimeMs parkedAt = 0;
  TimeMs stateDue = kNever;  // end of the current pickup wait; kNever outside PARKED
  TimeMs expiresAt = kNever;
  uint32_t gen = 1;
  uint32_t range = 0;
  uint32_t orbit = 0;
  uint32_t heapPos = 0;
  CallState state = CallState::Free;
  uint8_t attempt = 0;

  TimeMs due() const { return std::min(stateDue, expiresAt); }
};

struct ParkRuntime::ActivePool {
  std::shared_ptr<const PoolInfo> info;
  std::vector<uint32_t> ranges;
};

ParkRuntime::ParkRuntime(Sink& sink, RuntimeConfig config) : sink_(sink), config_(config) {
  if (config_.maxLifetimeMs <= 0) config_.maxLifetimeMs = RuntimeConfig{}.maxLifetimeMs;
}

ParkRuntime::~ParkRuntime() = default;

// ---- slots and ids ---------------------------------------------------------------------------

ParkRuntime::Call& ParkRuntime::slotRef(uint32_t slot) const {
  return chunks_[slot >> kChunkBits][slot & ((1u << kChunkBits) - 1)];
}

CallId ParkRuntime::idOf(uint32_t slot) const {
  return (CallId(slotRef(slot).gen) << kSlotBits) | slot;
}

ParkRuntime::Call* ParkRuntime::liveCall(CallId id) {
  return const_cast<Call*>(static_cast<const ParkRuntime*>(this)->liveCall(id));
}

const ParkRuntime::Call* ParkRuntime::liveCall(CallId id) const {
  uint32_t slot = uint32_t(id & (kMaxSlots - 1));
  if (slot >= slotCount_) return nullptr;
  const Call& c = slotRef(slot);
  if (c.state == CallState::Free || c.gen != (id >> kSlotBits)) return nullptr;
  return &c;
}

uint32_t ParkRuntime::newSlot() {
  if (!freeSlots_.empty()) {
    uint32_t s = freeSlots_.back();
    freeSlots_.pop_back();
    return s;
  }
  if (slotCount_ >= kMaxSlots) return kNoHolder;
  if ((slotCount_ >> kChunkBits) >= chunks_.size())
    chunks_.push_back(std::make_unique<Call[]>(size_t(1) << kChunkBits));
  return slotCount_++;
}

// ---- timer heap ------------------------------------------------------------------------------

bool ParkRuntime::heapLess(uint32_t a, uint32_t b) const {
  TimeMs da = slotRef(a).due(), db = slotRef(b).due();
  return da < db || (da == db && a < b);
}

void ParkRuntime::siftUp(uint32_t pos) {
  uint32_t slot = heap_[pos];
  while (pos > 0) {
    uint32_t parent = (pos - 1) / 2;
    if (!heapLess(slot, heap_[parent])) break;
    heap_[pos] = heap_[parent];
    slotRef(heap_[pos]).heapPos = pos;
    pos = parent;
  }
  heap_[pos] = slot;
  slotRef(slot).heapPos = pos;
}

void ParkRuntime::siftDown(uint32_t pos) {
  uint32_t slot = heap_[pos];
  uint32_t n = uint32_t(heap_.size());
  for (;;) {
    uint32_t child = 2 * pos + 1;
    if (child >= n) break;
    if (child + 1 < n && heapLess(heap_[child + 1], heap_[child])) ++child;
    if (!heapLess(heap_[child], slot)) break;
    heap_[pos] = heap_[child];
    slotRef(heap_[pos]).heapPos = pos;
    pos = child;
  }
  heap_[pos] = slot;
  slotRef(slot).heapPos = pos;
}

void ParkRuntime::heapSet(uint32_t slot, TimeMs due) {
  (void)due;  // the key is read from the call (stateDue / expiresAt already updated)
  Call& c = slotRef(slot);
  if (c.heapPos < heap_.size() && heap_[c.heapPos] == slot) {
    siftUp(c.heapPos);
    siftDown(c.heapPos);
  } else {
    heap_.push_back(slot);
    siftUp(uint32_t(heap_.size() - 1));
  }
}

void ParkRuntime::heapRemove(uint32_t slot) {
  Call& c = slotRef(slot);
  uint32_t pos = c.heapPos;
  assert(pos < heap_.size() && heap_[pos] == slot);
  uint32_t last = heap_.back();
  heap_.pop_back();
  if (pos < heap_.size()) {
    heap_[pos] = last;
    slotRef(last).heapPos = pos;
    siftUp(pos);
    siftDown(slotRef(last).heapPos);
  }
  c.heapPos = UINT32_MAX;
}

std::optional<TimeMs> ParkRuntime::nextDeadline() const {
  if (heap_.empty()) return std::nullopt;
  return slotRef(heap_.front()).due();
}

void ParkRuntime::advance(TimeMs now) {
  if (now < now_) now = now_;
  while (!heap_.empty()) {
    uint32_t slot = heap_.front();
    TimeMs due = slotRef(slot).due();
    if (due > now) break;
    now_ = std::max(now_, due);
    fire(slot);
  }
  now_ = now;
}

// ---- records ---------------------------------------------------------------------------------

EventRecord ParkRuntime::recordFor(uint32_t slot, RecordKind kind) const {
  const Call& c = slotRef(slot);
  const Range& r = *ranges_[c.range];
  EventRecord rec;
  rec.time = now_;
  rec.kind = kind;
  rec.call = idOf(slot);
  rec.orbit = r.numberOf(c.orbit);
  rec.range = r.spec.name;
  rec.pool = c.pool->name;
  rec.parker = c.parker;
  rec.parked = c.parked;
  rec.attempt = c.attempt;
  return rec;
}

Result ParkRuntime::refuse(Status s, CallId call, uint32_t slot) {
  EventRecord rec;
  if (slot != UINT32_MAX) rec = recordFor(slot, RecordKind::Refused);
  rec.time = now_;
  rec.kind = RecordKind::Refused;
  rec.call = call;
  rec.reason = statusName(s);
  record(rec);
  Result res;
  res.status = s;
  res.call = call;
  if (slot != UINT32_MAX) res.orbit = rec.orbit;
  return res;
}

// ---- events ----------------------------------------------------------------------------------

Result ParkRuntime::handle(const Event& event, TimeMs now) {
  advance(now);
  return std::visit(
      [this](const auto& e) -> Result {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ParkRequest>) return park(e);
        else if constexpr (std::is_same_v<T, RetrieveRequest>) return retrieve(e);
        else if constexpr (std::is_same_v<T, RingbackAnswered>) return ringbackAnswered(e);
        else if constexpr (std::is_same_v<T, RingbackFailed>) return ringbackFailed(e);
        else if constexpr (std::is_same_v<T, FallbackAnswered>) return fallbackAnswered(e);
        else if constexpr (std::is_same_v<T, FallbackFailed>) return fallbackFailed(e);
        else return hungUp(e);
      },
      event);
}

Result ParkRuntime::park(const ParkRequest& e) {
  auto failed = [&](Status s) {
    EventRecord rec;
    rec.time = now_;
    rec.kind = RecordKind::ParkFailed;
    rec.pool = e.pool;
    rec.parker = e.parker;
    rec.parked = e.parked;
    rec.reason = statusName(s);
    record(rec);
    return Result{s, 0, {}};
  };
  auto it = poolByName_.find(e.pool);
  if (it == poolByName_.end()) return failed(Status::UnknownPool);
  const ActivePool& pool = pools_[it->second];

  uint32_t best = kNoHolder;
  for (uint32_t ri : pool.ranges) {
    const Range& r = *ranges_[ri];
    if (r.alloc.freeCount() == 0) continue;
    if (best == kNoHolder) {
      best = ri;
      continue;
    }
    const Range& b = *ranges_[best];
    if (r.alloc.strategy() == Allocation::LeastRecent &&
        b.alloc.strategy() == Allocation::LeastRecent &&
        r.alloc.candidateStamp() < b.alloc.candidateStamp())
      best = ri;
  }
  if (best == kNoHolder) return failed(Status::NoFreeOrbit);
  uint32_t slot = newSlot();
  if (slot == kNoHolder) return failed(Status::NoFreeOrbit);

  Range& r = *ranges_[best];
  uint32_t orbit = r.alloc.acquire();
  r.holder[orbit] = slot;
  ++r.held;

  Call& c = slotRef(slot);
  c.parker.assign(e.parker);
  c.parked.assign(e.parked);
  c.pool = pool.info;
  c.parkedLeg = e.parkedLeg;
  c.parkedAt = now_;
  c.stateDue = now_ + c.pool->settings.pickupTimeoutMs;
  c.expiresAt = now_ + config_.maxLifetimeMs;
  c.range = best;
  c.orbit = orbit;
  c.state = CallState::Parked;
  c.attempt = 0;
  c.heapPos = UINT32_MAX;
  ++live_;
  heapSet(slot, c.due());

  Result res{Status::Ok, idOf(slot), r.numberOf(orbit)};
  const ParkSettings& s = c.pool->settings;
  Command answer{CommandKind::AnswerAndHold};
  answer.call = res.call;
  answer.parkedLeg = c.parkedLeg;
  answer.orbit = res.orbit;
  answer.music = s.musicOnHold;
  answer.musicFile = s.musicFile;
  command(answer);
  Command notify{CommandKind::NotifyParker};
  notify.call = res.call;
  notify.parkedLeg = c.parkedLeg;
  notify.uri = c.parker;
  notify.orbit = res.orbit;
  notify.notice = Notice::Parked;
  command(notify);
  record(recordFor(slot, RecordKind::Parked));
  return res;
}

Result ParkRuntime::retrieve(const RetrieveRequest& e) {
  auto parts = parseOrbit(e.orbit);
  if (!parts) return refuse(Status::BadOrbit, e.expected);
  uint32_t ri, orbit;
  if (!locate(orbitKey(*parts), ri, orbit, true)) {
    Result res = refuse(Status::OrbitNotFound, e.expected);
    res.orbit = formatOrbit(parts->prefix, parts->digits, parts->value);
    return res;
  }
  uint32_t slot = ranges_[ri]->holder[orbit];
  CallId id = idOf(slot);
  if (e.expected != 0 && e.expected != id) return refuse(Status::StaleCallId, e.expected, slot);
  Call& c = slotRef(slot);
  if (c.state == CallState::FallingBack) return refuse(Status::CallLeaving, id, slot);
  if (c.state == CallState::RingingBack) {
    Command cancel{CommandKind::CancelRing};
    cancel.call = id;
    cancel.parkedLeg = c.parkedLeg;
    cancel.uri = c.parker;
    command(cancel);
  }
  Command connect{CommandKind::Connect};
  connect.call = id;
  connect.parkedLeg = c.parkedLeg;
  connect.otherLeg = e.retrieverLeg;
  connect.orbit = ranges_[ri]->numberOf(orbit);
  command(connect);
  Result res{Status::Ok, id, connect.orbit};
  end(slot, Outcome::Retrieved, {}, e.retriever);
  return res;
}

Result ParkRuntime::ringbackAnswered(const RingbackAnswered& e) {
  Call* c = liveCall(e.call);
  if (!c || c->state != CallState::RingingBack) {
    Command release{CommandKind::ReleaseLeg};
    release.call = e.call;
    release.otherLeg = e.parkerLeg;
    command(release);
    if (!c) return refuse(Status::CallEnded, e.call);
    return refuse(Status::NotExpected, e.call, uint32_t(e.call & (kMaxSlots - 1)));
  }
  uint32_t slot = uint32_t(e.call & (kMaxSlots - 1));
  Command connect{CommandKind::Connect};
  connect.call = e.call;
  connect.parkedLeg = c->parkedLeg;
  connect.otherLeg = e.parkerLeg;
  connect.orbit = ranges_[c->range]->numberOf(c->orbit);
  command(connect);
  Result res{Status::Ok, e.call, connect.orbit};
  end(slot, Outcome::RangBack, {}, c->parker);
  return res;
}

Result ParkRuntime::ringbackFailed(const RingbackFailed& e) {
  Call* c = liveCall(e.call);
  if (!c) return refuse(Status::CallEnded, e.call);
  uint32_t slot = uint32_t(e.call & (kMaxSlots - 1));
  if (c->state != CallState::RingingBack) return refuse(Status::NotExpected, e.call, slot);
  EventRecord failed = recordFor(slot, RecordKind::RingbackFailed);
  failed.reason = ringFailureName(e.reason);
  record(failed);
  Result res{Status::Ok, e.call, ranges_[c->range]->numberOf(c->orbit)};
  const ParkSettings& s = c->pool->settings;
  if (c->attempt < s.maxAttempts) {
    c->state = CallState::Parked;
    c->stateDue = now_ + s.pickupTimeoutMs;
    heapSet(slot, c->due());
  } else if (!s.onTimeoutUri.empty()) {
    c->state = CallState::FallingBack;
    c->stateDue = kNever;
    heapSet(slot, c->due());
    Command transfer{CommandKind::Transfer};
    transfer.call = e.call;
    transfer.parkedLeg = c->parkedLeg;
    transfer.uri = s.onTimeoutUri;
    transfer.orbit = res.orbit;
    command(transfer);
    EventRecord rec = recordFor(slot, RecordKind::FallbackStarted);
    rec.peer = s.onTimeoutUri;
    record(rec);
  } else {
    Command disconnect{CommandKind::Disconnect};
    disconnect.call = e.call;
    disconnect.parkedLeg = c->parkedLeg;
    disconnect.orbit = res.orbit;
    command(disconnect);
    end(slot, Outcome::Disconnected, "no_fallback", {});
  }
  return res;
}

Result ParkRuntime::fallbackAnswered(const FallbackAnswered& e) {
  Call* c = liveCall(e.call);
  if (!c) return refuse(Status::CallEnded, e.call);
  uint32_t slot = uint32_t(e.call & (kMaxSlots - 1));
  if (c->state != CallState::FallingBack) return refuse(Status::NotExpected, e.call, slot);
  Result res{Status::Ok, e.call, ranges_[c->range]->numberOf(c->orbit)};
  end(slot, Outcome::Fallback, {}, c->pool->settings.onTimeoutUri);
  return res;
}

Result ParkRuntime::fallbackFailed(const FallbackFailed& e) {
  Call* c = liveCall(e.call);
  if (!c) return refuse(Status::CallEnded, e.call);
  uint32_t slot = uint32_t(e.call & (kMaxSlots - 1));
  if (c->state != CallState::FallingBack) return refuse(Status::NotExpected, e.call, slot);
  Result res{Status::Ok, e.call, ranges_[c->range]->numberOf(c->orbit)};
  Command disconnect{CommandKind::Disconnect};
  disconnect.call = e.call;
  disconnect.parkedLeg = c->parkedLeg;
  disconnect.orbit = res.orbit;
  command(disconnect);
  end(slot, Outcome::Disconnected, "fallback_failed", c->pool->settings.onTimeoutUri);
  return res;
}

Result ParkRuntime::hungUp(const ParkedHungUp& e) {
  Call* c = liveCall(e.call);
  if (!c) return refuse(Status::CallEnded, e.call);
  uint32_t slot = uint32_t(e.call & (kMaxSlots - 1));
  Result res{Status::Ok, e.call, ranges_[c->range]->numberOf(c->orbit)};
  if (c->state == CallState::RingingBack) {
    Command cancel{CommandKind::CancelRing};
    cancel.call = e.call;
    cancel.parkedLeg = c->parkedLeg;
    cancel.uri = c->parker;
    command(cancel);
  } else if (c->state == CallState::FallingBack) {
    Command cancel{CommandKind::CancelTransfer};
    cancel.call = e.call;
    cancel.parkedLeg = c->parkedLeg;
    cancel.uri = c->pool->settings.onTimeoutUri;
    command(cancel);
  }
  Command notify{CommandKind::NotifyParker};
  notify.call = e.call;
  notify.parkedLeg = c->parkedLeg;
  notify.uri = c->parker;
  notify.orbit = res.orbit;
  notify.notice = Notice::Abandoned;
  command(notify);
  end(slot, Outcome::Abandoned, {}, {});
  return res;
}

void ParkRuntime::fire(uint32_t slot) {
  Call& c = slotRef(slot);
  CallId id = idOf(slot);
  OrbitNumber orbit = ranges_[c.range]->numberOf(c.orbit);
  if (c.expiresAt <= now_) {
    if (c.state == CallState::RingingBack || c.state == CallState::FallingBack) {
      Command cancel{c.state == CallState::RingingBack ? CommandKind::CancelRing
                                                       : CommandKind::CancelTransfer};
      cancel.call = id;
      cancel.parkedLeg = c.parkedLeg;
      cancel.uri = c.state == CallState::RingingBack ? std::string_view(c.parker)
                                                     : std::string_view(c.pool->settings.onTimeoutUri);
      command(cancel);
    }
    Command disconnect{CommandKind::Disconnect};
    disconnect.call = id;
    disconnect.parkedLeg = c.parkedLeg;
    disconnect.orbit = orbit;
    command(disconnect);
    end(slot, Outcome::Disconnected, "max_lifetime", {});
    return;
  }
  // Only a PARKED call has a state timer: the pickup wait is over, ring the parker.
  assert(c.state == CallState::Parked);
  ++c.attempt;
  c.state = CallState::RingingBack;
  c.stateDue = kNever;
  heapSet(slot, c.due());
  Command ring{CommandKind::RingParker};
  ring.call = id;
  ring.parkedLeg = c.parkedLeg;
  ring.uri = c.parker;
  ring.orbit = orbit;
  ring.attempt = c.attempt;
  command(ring);
  record(recordFor(slot, RecordKind::RingbackStarted));
}

void ParkRuntime::end(uint32_t slot, Outcome outcome, std::string_view reason,
                      std::string_view peer) {
  Call& c = slotRef(slot);
  EventRecord rec = recordFor(slot, RecordKind::Ended);
  rec.outcome = outcome;
  rec.reason = reason;
  rec.peer = peer;
  record(rec);
  heapRemove(slot);
  uint32_t ri = c.range, orbit = c.orbit;
  c.state = CallState::Free;
  c.pool.reset();
  ++c.gen;
  --live_;
  freeSlots_.push_back(slot);
  releaseOrbit(ri, orbit);
}

void ParkRuntime::releaseOrbit(uint32_t ri, uint32_t orbit) {
  Range& r = *ranges_[ri];
  r.holder[orbit] = kNoHolder;
  --r.held;
  r.alloc.release(orbit, ++stampSeq_);
  if (r.serving) return;
  // A draining range gave the orbit back: a serving range may have been waiting for it.
  uint64_t key = r.keyOf(orbit);
  if (const Span* span = serving(key)) {
    Range& a = *ranges_[span->range];
    uint32_t idx = uint32_t(key - span->lo);
    if (a.holder[idx] == kBlocked) {
      a.holder[idx] = kNoHolder;
      --a.blocked;
      a.alloc.release(idx, ++stampSeq_);
    }
  }
  if (r.held == 0) {
    EventRecord rec;
    rec.time = now_;
    rec.kind = RecordKind::RangeDrained;
    rec.range = r.spec.name;
    rec.pool = r.pool->name;
    record(rec);
    draining_.erase(std::find(draining_.begin(), draining_.end(), ri));
    ranges_[ri].reset();
    freeRangeIdx_.push_back(ri);
  }
}

const ParkRuntime::Span* ParkRuntime::serving(uint64_t key) const {
  auto it = std::upper_bound(spans_.begin(), spans_.end(), key,
                             [](uint64_t k, const Span& s) { return k < s.lo; });
  if (it == spans_.begin()) return nullptr;
  --it;
  return key <= it->hi ? &*it : nullptr;
}

bool ParkRuntime::locate(uint64_t key, uint32_t& ri, uint32_t& orbit, bool holderOnly) const {
  const Span* span = serving(key);
  if (span) {
    uint32_t idx = uint32_t(key - span->lo);
    uint32_t h = ranges_[span->range]->holder[idx];
    if (h != kNoHolder && h != kBlocked) {
      ri = span->range;
      orbit = idx;
      return true;
    }
  }
  for (uint32_t d : draining_) {
    const Range& r = *ranges_[d];
    if (!r.covers(key)) continue;
    uint32_t idx = uint32_t(key - r.keyOf(0));
    if (r.holder[idx] != kNoHolder && r.holder[idx] != kBlocked) {
      ri = d;
      orbit = idx;
      return true;
    }
  }
  if (span && !holderOnly) {
    ri = span->range;
    orbit = uint32_t(key - span->lo);
    return true;
  }
  return false;
}

// ---- policy replacement ----------------------------------------------------------------------

std::string ParkRuntime::replacePolicy(const RuntimePolicy& policy, TimeMs now) {
  if (std::string error = validatePolicy(policy); !error.empty()) return error;
  advance(now);
  // From here on nothing can fail (other than std::bad_alloc): the swap is all or nothing.

  std::unordered_map<std::string_view, uint32_t> servingByName;
  for (const Span& s : spans_) servingByName.emplace(ranges_[s.range]->spec.name, s.range);

  std::vector<ActivePool> pools;
  std::vector<uint32_t> kept, created;
  for (const PoolSpec& ps : policy.pools) {
    ActivePool ap;
    ap.info = std::make_shared<const PoolInfo>(PoolInfo{ps.name, ps.settings});
    for (const RangeSpec& rs : ps.ranges) {
      auto it = servingByName.find(rs.name);
      if (it != servingByName.end()) {
        Range& old = *ranges_[it->second];
        if (old.pool->name == ps.name && old.spec.prefix == rs.prefix &&
            old.spec.digits == rs.digits && old.spec.lo == rs.lo && old.spec.hi == rs.hi) {
          old.alloc.setStrategy(rs.allocation);
          old.spec.allocation = rs.allocation;
          old.pool = ap.info;
          ap.ranges.push_back(it->second);
          kept.push_back(it->second);
          servingByName.erase(it);
          continue;
        }
      }
      uint32_t ri;
      if (!freeRangeIdx_.empty()) {
        ri = freeRangeIdx_.back();
        freeRangeIdx_.pop_back();
      } else {
        ri = uint32_t(ranges_.size());
        ranges_.emplace_back();
      }
      ranges_[ri] = std::make_unique<Range>(rs, ap.info, config_.seed);
      ap.ranges.push_back(ri);
      created.push_back(ri);
    }
    pools.push_back(std::move(ap));
  }

  // Ranges not carried over stop serving and drain (or vanish at once when empty).
  std::vector<uint32_t> retired;
  for (const Span& s : spans_)
    if (servingByName.count(ranges_[s.range]->spec.name) &&
        servingByName.at(ranges_[s.range]->spec.name) == s.range)
      retired.push_back(s.range);

  std::vector<Span> spans;
  for (const ActivePool& ap : pools)
    for (uint32_t ri : ap.ranges) {
      const Range& r = *ranges_[ri];
      spans.push_back({r.keyOf(0), orbitKey(r.spec.prefix, r.spec.digits, r.spec.hi), ri});
    }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.lo < b.lo; });
  spans_ = std::move(spans);
  pools_ = std::move(pools);
  poolByName_.clear();
  for (uint32_t i = 0; i < pools_.size(); ++i) poolByName_.emplace(pools_[i].info->name, i);

  for (uint32_t ri : retired) {
    Range& r = *ranges_[ri];
    r.serving = false;
    EventRecord rec;
    rec.time = now_;
    rec.kind = RecordKind::RangeDraining;
    rec.range = r.spec.name;
    rec.pool = r.pool->name;
    record(rec);
    if (r.held == 0) {
      rec.kind = RecordKind::RangeDrained;
      record(rec);
      ranges_[ri].reset();
      freeRangeIdx_.push_back(ri);
    } else {
      draining_.push_back(ri);
    }
  }

  // Block, in the new ranges, the orbits that draining ranges still hold.
  if (!created.empty()) {
    for (uint32_t d : draining_) {
      const Range& r = *ranges_[d];
      for (uint32_t idx = 0; idx < r.holder.size(); ++idx) {
        if (r.holder[idx] == kNoHolder || r.holder[idx] == kBlocked) continue;
        uint64_t key = r.keyOf(idx);
        const Span* span = serving(key);
        if (!span) continue;
        Range& a = *ranges_[span->range];
        uint32_t aidx = uint32_t(key - span->lo);
        if (a.holder[aidx] == kNoHolder && a.alloc.acquireSpecific(aidx)) {
          a.holder[aidx] = kBlocked;
          ++a.blocked;
        }
      }
    }
  }

  EventRecord rec;
  rec.time = now_;
  rec.kind = RecordKind::PolicyReplaced;
  record(rec);
  return {};
}

// ---- introspection ---------------------------------------------------------------------------

std::optional<CallView> ParkRuntime::call(CallId id) const {
  const Call* c = liveCall(id);
  if (!c) return std::nullopt;
  const Range& r = *ranges_[c->range];
  CallView v;
  v.id = id;
  v.state = c->state;
  v.orbit = r.numberOf(c->orbit);
  v.range = r.spec.name;
  v.pool = c->pool->name;
  v.parker = c->parker;
  v.parked = c->parked;
  v.attempt = c->attempt;
  v.parkedAt = c->parkedAt;
  v.nextDeadline = c->due();
  v.settings = c->pool->settings;
  return v;
}

std::optional<CallId> ParkRuntime::callOnOrbit(std::string_view orbit) const {
  auto parts = parseOrbit(orbit);
  if (!parts) return std::nullopt;
  uint32_t ri, idx;
  if (!locate(orbitKey(*parts), ri, idx, true)) return std::nullopt;
  return idOf(ranges_[ri]->holder[idx]);
}

std::optional<PoolStats> ParkRuntime::poolStats(std::string_view pool) const {
  auto it = poolByName_.find(pool);
  if (it == poolByName_.end()) return std::nullopt;
  PoolStats st;
  for (uint32_t ri : pools_[it->second].ranges) {
    const Range& r = *ranges_[ri];
    st.capacity += r.alloc.capacity();
    st.free += r.alloc.freeCount();
    st.held += r.held;
    st.blocked += r.blocked;
  }
  return st;
}

std::string ParkRuntime::checkInvariants() const {
  size_t live = 0;
  for (uint32_t s = 0; s < slotCount_; ++s) {
    const Call& c = slotRef(s);
    if (c.state == CallState::Free) continue;
    ++live;
    std::string id = std::to_string(idOf(s));
    if (c.range >= ranges_.size() || !ranges_[c.range]) return "call " + id + " has no range";
    const Range& r = *ranges_[c.range];
    if (c.orbit >= r.holder.size() || r.holder[c.orbit] != s)
      return "call " + id + " is not the holder of its orbit";
    if (c.heapPos >= heap_.size() || heap_[c.heapPos] != s)
      return "call " + id + " has no timer";
    if (c.state == CallState::Parked && c.stateDue == kNever)
      return "parked call " + id + " has no pickup timer";
    if (c.state != CallState::Parked && c.stateDue != kNever)
      return "call " + id + " has a pickup timer outside PARKED";
    if (c.attempt > c.pool->settings.maxAttempts) return "call " + id + " exceeded its attempts";
  }
  if (live != live_) return "live call count is off";
  if (heap_.size() != live_) return "timer count differs from live calls";
  for (uint32_t p = 1; p < heap_.size(); ++p)
    if (heapLess(heap_[p], heap_[(p - 1) / 2])) return "timer heap out of order";
  std::unordered_set<uint64_t> heldKeys;
  size_t holders = 0;
  for (uint32_t ri = 0; ri < ranges_.size(); ++ri) {
    if (!ranges_[ri]) continue;
    const Range& r = *ranges_[ri];
    uint32_t held = 0, blocked = 0, free = 0;
    for (uint32_t i = 0; i < r.holder.size(); ++i) {
      uint32_t h = r.holder[i];
      bool isFree = r.alloc.isFree(i);
      if (h == kNoHolder) {
        if (!isFree) return "orbit " + r.numberOf(i).str() + " is neither free nor held";
        ++free;
      } else if (isFree) {
        return "orbit " + r.numberOf(i).str() + " is both free and held";
      } else if (h == kBlocked) {
        ++blocked;
        uint32_t dri, didx;
        if (!r.serving) continue;
        if (!locate(r.keyOf(i), dri, didx, true) || ranges_[dri]->serving)
          return "orbit " + r.numberOf(i).str() + " is blocked but no draining call holds it";
      } else {
        ++held;
        ++holders;
        if (h >= slotCount_ || slotRef(h).state == CallState::Free || slotRef(h).range != ri ||
            slotRef(h).orbit != i)
          return "orbit " + r.numberOf(i).str() + " names a holder that does not hold it";
        if (!heldKeys.insert(r.keyOf(i)).second)
          return "orbit " + r.numberOf(i).str() + " is held by two calls";
      }
    }
    if (held != r.held || blocked != r.blocked) return "range " + r.spec.name + " miscounts";
    if (free != r.alloc.freeCount()) return "range " + r.spec.name + " free count is off";
    if (free + held + blocked != r.alloc.capacity())
      return "range " + r.spec.name + ": free + held + blocked != capacity";
    if (!r.serving && r.held == 0) return "drained range " + r.spec.name + " was kept";
  }
  if (holders != live_) return "held orbits differ from live calls";
  // A serving orbit must be blocked whenever a draining range holds the same number.
  for (uint32_t d : draining_) {
    const Range& r = *ranges_[d];
    if (r.serving) return "range " + r.spec.name + " is both draining and serving";
    for (uint32_t i = 0; i < r.holder.size(); ++i) {
      if (r.holder[i] == kNoHolder || r.holder[i] == kBlocked) continue;
      if (const Span* span = serving(r.keyOf(i)))
        if (ranges_[span->range]->holder[r.keyOf(i) - span->lo] != kBlocked)
          return "orbit " + r.numberOf(i).str() + " is held by a draining range but not blocked";
    }
  }
  return {};
}

}  // namespace callpark::park

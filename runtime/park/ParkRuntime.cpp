// How the park runtime is put together.
//
// Calls live in fixed-size chunks of 128-byte slots (1024 slots a chunk) that never move, so a
// slot index is a stable handle; freed slots are reused LIFO (the most recently freed slot is
// still in cache). A CallId is (generation << 24) | slot: the generation of a slot grows every
// time a call in it ends, so an id names one call for ever and an id of an ended call is
// recognised as stale in O(1) without any map.
//
// A slot is two cache lines. The first holds everything a retrieve or a timer needs (state,
// orbit, deadlines, leg, settings pointer). The second holds the parker and parked caller URIs
// when together they fit in 64 bytes, which typical SIP URIs do; longer ones go to a heap
// buffer that the slot keeps for its next call, so a park allocates nothing in the steady
// state. (Measured alternative: one 64-byte line plus an out-of-line URI buffer per slot was
// 10-25% slower with 50,000 calls parked, because a park then writes to a cold buffer, and
// used more memory.) A slot's position in the timer heap is kept in a dense side array, so the
// heap's sifting writes into that array and not into scattered slots. The settings are one
// immutable PoolInfo per pool per policy version, shared by plain pointer with an intrusive
// count of the live calls parked under it: a reload leaves parked calls their own settings, and
// an old PoolInfo is freed when its last call ends.
//
// Each range keeps, per orbit, the slot of the call holding it (or kNoHolder / kBlocked), and an
// OrbitAllocator for its free orbits. Serving ranges are indexed by a sorted array of key spans
// (binary search for retrieves); draining ranges are a short list scanned linearly. A pool
// groups its ranges by allocation strategy (see "Allocation" in the header).
//
// The timer heap is an indexed binary min-heap of (deadline, slot) entries: the key sits in the
// entry, so sifting compares entries of one array instead of chasing slots; heapPos_ maps a slot
// to its entry, so re-arming and removal are O(log n) and the heap never holds stale entries:
// its size always equals the number of live calls.
//
// A retrieve touches, in order: the orbit's holder entry, the call's slot, the call's heap entry
// and the orbit's allocator node. The last one does not depend on the others, so it is
// prefetched as soon as the orbit is known; with 50,000 calls parked these are cache misses and
// they are what a park+retrieve pair costs (bench/runtime).
#include "runtime/park/ParkRuntime.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <unordered_set>

namespace callpark::park {

namespace {
constexpr uint32_t kNoHolder = UINT32_MAX;
constexpr uint32_t kBlocked = UINT32_MAX - 1;
constexpr uint32_t kNoRange = UINT32_MAX;
constexpr uint32_t kNoPos = UINT32_MAX;
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
    case RingFailure::NoAnswer:
      return "no_answer";
    case RingFailure::Busy:
      return "busy";
    case RingFailure::Rejected:
      return "rejected";
  }
  return "?";
}

// t + d for d >= 0, saturating at kNever: no overflow whatever clock values the caller uses.
TimeMs after(TimeMs t, TimeMs d) {
  return t > kNever - d ? kNever : t + d;
}

uint32_t slotOf(CallId id) {
  return uint32_t(id & (kMaxSlots - 1));
}

// Starts loading the cache line holding `p`. GCC 12 silently drops some __builtin_prefetch
// calls whose address is computed under a condition (seen here: none of the URI-buffer
// prefetches was emitted), so x86 gets the instruction directly.
inline void prefetchLine(const void* p) {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}
}  // namespace

const char* callStateName(CallState s) {
  switch (s) {
    case CallState::Free:
      return "free";
    case CallState::Parked:
      return "parked";
    case CallState::RingingBack:
      return "ringing_back";
    case CallState::FallingBack:
      return "falling_back";
  }
  return "?";
}

struct ParkRuntime::PoolInfo {
  std::string name;
  ParkSettings settings;
  uint32_t calls = 0;   // live calls parked under this version of the pool
  bool current = true;  // false once a reload replaced it
};

struct ParkRuntime::Range {
  Range(RangeSpec s, std::string poolName, uint64_t seed)
      : spec(std::move(s)),
        pool(std::move(poolName)),
        loKey(orbitKey(spec.prefix, spec.digits, spec.lo)),
        hiKey(orbitKey(spec.prefix, spec.digits, spec.hi)),
        alloc(spec.capacity(), spec.allocation, seedFor(seed, spec.name)),
        holder(spec.capacity(), kNoHolder) {}
  RangeSpec spec;
  std::string pool;  // the pool that owns it (for the range's own records)
  uint64_t loKey, hiKey;
  bool serving = true;
  uint64_t lastUse = 0;  // useSeq_ of its last allocation
  OrbitAllocator alloc;
  std::vector<uint32_t> holder;  // per orbit: slot, kNoHolder or kBlocked
  uint32_t held = 0;
  uint32_t blocked = 0;

  OrbitNumber numberOf(uint32_t orbit) const {
    return formatOrbit(spec.prefix, spec.digits, spec.lo + orbit);
  }
  bool covers(uint64_t key) const { return key >= loKey && key <= hiKey; }
};

// Two cache lines per call, 128-byte aligned (see the essay above): the first holds the state,
// the second the URIs when they fit (they usually do), else a heap buffer that the slot keeps.
struct alignas(128) ParkRuntime::Call {
  static constexpr size_t kInline = 64;

  Call() = default;
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;
  ~Call() { delete[] spill; }

  // First line: what retrieves and timers read.
  uint32_t gen = 1;
  uint32_t range = 0;
  uint32_t orbit = 0;
  LegId parkedLeg = 0;
  TimeMs parkedAt = 0;
  TimeMs stateDue = kNever;  // end of the current pickup wait; kNever outside PARKED
  PoolInfo* pool = nullptr;
  char* spill = nullptr;  // URIs that do not fit inline; kept for the slot's next call
  uint16_t parkerLen = 0, parkedLen = 0;
  uint16_t spillCap16 = 0;  // capacity of `spill` in 16-byte units
  CallState state = CallState::Free;
  uint8_t attempt = 0;
  // Second line: the parker URI then the parked caller URI, when together they fit.
  char inlineText[kInline];

  const char* text() const { return size_t(parkerLen) + parkedLen <= kInline ? inlineText : spill; }
  std::string_view parker() const { return {text(), parkerLen}; }
  std::string_view parked() const { return {text() + parkerLen, parkedLen}; }
  void setText(std::string_view a, std::string_view b) {
    size_t al = std::min(a.size(), kMaxUriBytes), bl = std::min(b.size(), kMaxUriBytes);
    size_t need = al + bl;
    char* to = inlineText;
    if (need > kInline) {
      if (need > size_t(spillCap16) * 16) {
        size_t cap16 = (need + 15) / 16;
        char* fresh = new char[cap16 * 16];
        delete[] spill;
        spill = fresh;
        spillCap16 = uint16_t(cap16);
      }
      to = spill;
    }
    if (al) std::memcpy(to, a.data(), al);
    if (bl) std::memcpy(to + al, b.data(), bl);
    parkerLen = uint16_t(al);
    parkedLen = uint16_t(bl);
  }
};

struct ParkRuntime::Group {
  Allocation strategy;
  std::vector<uint32_t> ranges;  // range indices, declaration order
  uint32_t current = 0;          // next: index in `ranges` where the rotation is
};

struct ParkRuntime::ActivePool {
  PoolInfo* info = nullptr;
  std::vector<uint32_t> ranges;  // declaration order
  std::vector<Group> groups;     // by first appearance of each strategy
};

ParkRuntime::ParkRuntime(Sink& sink, RuntimeConfig config) : sink_(sink), config_(config) {
  static_assert(sizeof(Call) == 128, "a call slot is two cache lines");
  if (config_.maxLifetimeMs <= 0) config_.maxLifetimeMs = RuntimeConfig{}.maxLifetimeMs;
  rng_ = seedFor(config_.seed, "pool ranges");
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
  uint32_t slot = slotOf(id);
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
  if ((slotCount_ >> kChunkBits) >= chunks_.size()) {
    chunks_.push_back(std::make_unique<Call[]>(size_t(1) << kChunkBits));
    heapPos_.resize(chunks_.size() << kChunkBits, kNoPos);
  }
  return slotCount_++;
}

TimeMs ParkRuntime::dueOf(const Call& c) const {
  return std::min(c.stateDue, after(c.parkedAt, config_.maxLifetimeMs));
}

// ---- timer heap ------------------------------------------------------------------------------

void ParkRuntime::siftUp(uint32_t pos) {
  Timer t = heap_[pos];
  while (pos > 0) {
    uint32_t parent = (pos - 1) / 2;
    if (!timerLess(t, heap_[parent])) break;
    heap_[pos] = heap_[parent];
    heapPos_[heap_[pos].slot] = pos;
    pos = parent;
  }
  heap_[pos] = t;
  heapPos_[t.slot] = pos;
}

void ParkRuntime::siftDown(uint32_t pos) {
  Timer t = heap_[pos];
  uint32_t n = uint32_t(heap_.size());
  for (;;) {
    uint32_t child = 2 * pos + 1;
    if (child >= n) break;
    if (child + 1 < n && timerLess(heap_[child + 1], heap_[child])) ++child;
    if (!timerLess(heap_[child], t)) break;
    heap_[pos] = heap_[child];
    heapPos_[heap_[pos].slot] = pos;
    pos = child;
  }
  heap_[pos] = t;
  heapPos_[t.slot] = pos;
}

void ParkRuntime::heapSet(uint32_t slot) {
  Timer t{dueOf(slotRef(slot)), slot};
  uint32_t pos = heapPos_[slot];
  if (pos == kNoPos) {
    heap_.push_back(t);
    siftUp(uint32_t(heap_.size() - 1));
    return;
  }
  assert(pos < heap_.size() && heap_[pos].slot == slot);
  bool earlier = timerLess(t, heap_[pos]);
  heap_[pos] = t;
  if (earlier)
    siftUp(pos);
  else
    siftDown(pos);
}

void ParkRuntime::heapRemove(uint32_t slot) {
  uint32_t pos = heapPos_[slot];
  assert(pos < heap_.size() && heap_[pos].slot == slot);
  Timer last = heap_.back();
  heap_.pop_back();
  heapPos_[slot] = kNoPos;
  if (pos < heap_.size()) {
    bool earlier = timerLess(last, heap_[pos]);
    heap_[pos] = last;
    if (earlier)
      siftUp(pos);
    else
      siftDown(pos);
  }
}

std::optional<TimeMs> ParkRuntime::nextDeadline() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.front().due;
}

void ParkRuntime::advance(TimeMs now) {
  if (now < now_) now = now_;
  while (!heap_.empty() && heap_.front().due <= now) {
    now_ = std::max(now_, heap_.front().due);
    fire(heap_.front().slot);
  }
  now_ = now;
}

// ---- records ---------------------------------------------------------------------------------

EventRecord ParkRuntime::recordFor(uint32_t slot, RecordKind kind) const {
  const Call& c = slotRef(slot);
  return recordFor(slot, kind, ranges_[c.range]->numberOf(c.orbit));
}

EventRecord ParkRuntime::recordFor(uint32_t slot, RecordKind kind, const OrbitNumber& orbit) const {
  const Call& c = slotRef(slot);
  const Range& r = *ranges_[c.range];
  EventRecord rec;
  rec.time = now_;
  rec.kind = kind;
  rec.call = idOf(slot);
  rec.orbit = orbit;
  rec.range = r.spec.name;
  rec.pool = c.pool->name;
  rec.parker = c.parker();
  rec.parked = c.parked();
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

Result ParkRuntime::refuseRetrieve(Status s, const RetrieveRequest& e, const OrbitNumber& orbit) {
  EventRecord rec;
  rec.time = now_;
  rec.kind = RecordKind::Refused;
  rec.call = e.expected;
  rec.orbit = orbit;
  rec.peer = e.retriever;
  rec.reason = statusName(s);
  record(rec);
  return Result{s, e.expected, orbit};
}

// ---- events ----------------------------------------------------------------------------------

Result ParkRuntime::handle(const Event& event, TimeMs now) {
  advance(now);
  return std::visit(
      [this](const auto& e) -> Result {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ParkRequest>)
          return park(e);
        else if constexpr (std::is_same_v<T, RetrieveRequest>)
          return retrieve(e);
        else if constexpr (std::is_same_v<T, RingbackAnswered>)
          return ringbackAnswered(e);
        else if constexpr (std::is_same_v<T, RingbackFailed>)
          return ringbackFailed(e);
        else if constexpr (std::is_same_v<T, FallbackAnswered>)
          return fallbackAnswered(e);
        else if constexpr (std::is_same_v<T, FallbackFailed>)
          return fallbackFailed(e);
        else
          return hungUp(e);
      },
      event);
}

uint32_t ParkRuntime::allocate(ActivePool& pool, uint32_t& orbit) {
  for (Group& g : pool.groups) {
    uint32_t n = uint32_t(g.ranges.size());
    uint32_t best = kNoRange;
    switch (g.strategy) {
      case Allocation::First:
        for (uint32_t ri : g.ranges)
          if (ranges_[ri]->alloc.freeCount() > 0) {
            best = ri;
            break;
          }
        if (best != kNoRange) orbit = ranges_[best]->alloc.acquire();
        break;
      case Allocation::LeastRecent:
        for (uint32_t ri : g.ranges) {
          const OrbitAllocator& a = ranges_[ri]->alloc;
          if (a.freeCount() == 0) continue;
          if (best == kNoRange || a.candidateStamp() < ranges_[best]->alloc.candidateStamp())
            best = ri;
        }
        if (best != kNoRange) orbit = ranges_[best]->alloc.acquire();
        break;
      case Allocation::Random: {
        uint64_t total = 0;
        for (uint32_t ri : g.ranges) total += ranges_[ri]->alloc.freeCount();
        if (total == 0) break;
        // xorshift64*, then a multiply-shift into [0, total): uniform over the group's orbits.
        rng_ ^= rng_ >> 12;
        rng_ ^= rng_ << 25;
        rng_ ^= rng_ >> 27;
        uint64_t pick = ((rng_ * 0x2545F4914F6CDD1Dull) >> 32) * total >> 32;
        for (uint32_t ri : g.ranges) {
          uint32_t f = ranges_[ri]->alloc.freeCount();
          if (pick < f) {
            best = ri;
            break;
          }
          pick -= f;
        }
        orbit = ranges_[best]->alloc.acquire();
        break;
      }
      case Allocation::Next: {
        uint64_t total = 0;
        for (uint32_t ri : g.ranges) total += ranges_[ri]->alloc.freeCount();
        if (total == 0) break;
        // Continue in the range where the rotation is; then enter the following ranges at their
        // low end; finally wrap into the starting range's front part (k == n).
        for (uint32_t k = 0; k <= n; ++k) {
          uint32_t gi = (g.current + k) % n;
          OrbitAllocator& a = ranges_[g.ranges[gi]]->alloc;
          if (k > 0) a.rewind();
          uint32_t o = a.acquireForward();
          if (o != OrbitAllocator::kNone) {
            g.current = gi;
            best = g.ranges[gi];
            orbit = o;
            break;
          }
        }
        break;
      }
    }
    if (best != kNoRange) {
      ranges_[best]->lastUse = ++useSeq_;
      return best;
    }
  }
  return kNoRange;
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
  if (it == poolByName_.end() || pools_[it->second].ranges.empty())
    return failed(Status::UnknownPool);
  ActivePool& pool = pools_[it->second];
  if (freeSlots_.empty() && slotCount_ >= kMaxSlots) return failed(Status::NoFreeOrbit);
  uint32_t orbit = 0;
  uint32_t ri = allocate(pool, orbit);
  if (ri == kNoRange) return failed(Status::NoFreeOrbit);
  uint32_t slot = newSlot();

  Range& r = *ranges_[ri];
  r.holder[orbit] = slot;
  ++r.held;

  Call& c = slotRef(slot);
  c.setText(e.parker, e.parked);
  c.pool = pool.info;
  ++c.pool->calls;
  c.parkedLeg = e.parkedLeg;
  c.parkedAt = now_;
  c.stateDue = after(now_, c.pool->settings.pickupTimeoutMs);
  c.range = ri;
  c.orbit = orbit;
  c.state = CallState::Parked;
  c.attempt = 0;
  ++live_;
  heapSet(slot);

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
  notify.uri = c.parker();
  notify.orbit = res.orbit;
  notify.notice = Notice::Parked;
  command(notify);
  record(recordFor(slot, RecordKind::Parked, res.orbit));
  return res;
}

Result ParkRuntime::retrieve(const RetrieveRequest& e) {
  auto parts = parseOrbit(e.orbit);
  if (!parts) return refuseRetrieve(Status::BadOrbit, e, {});
  OrbitNumber dialed = formatOrbit(parts->prefix, parts->digits, parts->value);
  uint32_t ri, orbit;
  if (!locate(orbitKey(*parts), ri, orbit, true))
    return refuseRetrieve(Status::OrbitNotFound, e, dialed);
  Range& r = *ranges_[ri];
  prefetchLine(r.alloc.nodeAddress(orbit));  // released below; independent of the call
  uint32_t slot = r.holder[orbit];
  CallId id = idOf(slot);
  if (e.expected != 0 && e.expected != id) return refuseRetrieve(Status::StaleCallId, e, dialed);
  Call& c = slotRef(slot);
  if (c.state == CallState::FallingBack) return refuse(Status::CallLeaving, id, slot);
  if (c.state == CallState::RingingBack) {
    Command cancel{CommandKind::CancelRing};
    cancel.call = id;
    cancel.parkedLeg = c.parkedLeg;
    cancel.uri = c.parker();
    cancel.orbit = dialed;
    cancel.attempt = c.attempt;
    command(cancel);
  }
  Command connect{CommandKind::Connect};
  connect.call = id;
  connect.parkedLeg = c.parkedLeg;
  connect.otherLeg = e.retrieverLeg;
  connect.orbit = dialed;
  command(connect);
  end(slot, dialed, Outcome::Retrieved, {}, e.retriever);
  return Result{Status::Ok, id, dialed};
}

Result ParkRuntime::ringbackAnswered(const RingbackAnswered& e) {
  Call* c = liveCall(e.call);
  if (!c || c->state != CallState::RingingBack || (e.attempt != 0 && e.attempt != c->attempt)) {
    Command release{CommandKind::ReleaseLeg};
    release.call = e.call;
    release.otherLeg = e.parkerLeg;
    release.attempt = e.attempt;
    command(release);
    if (!c) return refuse(Status::CallEnded, e.call);
    return refuse(Status::NotExpected, e.call, slotOf(e.call));
  }
  uint32_t slot = slotOf(e.call);
  Command connect{CommandKind::Connect};
  connect.call = e.call;
  connect.parkedLeg = c->parkedLeg;
  connect.otherLeg = e.parkerLeg;
  connect.orbit = ranges_[c->range]->numberOf(c->orbit);
  connect.attempt = c->attempt;
  command(connect);
  Result res{Status::Ok, e.call, connect.orbit};
  end(slot, res.orbit, Outcome::RangBack, {}, c->parker());
  return res;
}

Result ParkRuntime::ringbackFailed(const RingbackFailed& e) {
  Call* c = liveCall(e.call);
  if (!c) return refuse(Status::CallEnded, e.call);
  uint32_t slot = slotOf(e.call);
  if (c->state != CallState::RingingBack || (e.attempt != 0 && e.attempt != c->attempt))
    return refuse(Status::NotExpected, e.call, slot);
  EventRecord failed = recordFor(slot, RecordKind::RingbackFailed);
  failed.reason = ringFailureName(e.reason);
  record(failed);
  Result res{Status::Ok, e.call, ranges_[c->range]->numberOf(c->orbit)};
  const ParkSettings& s = c->pool->settings;
  if (c->attempt < s.maxAttempts) {
    c->state = CallState::Parked;
    c->stateDue = after(now_, s.pickupTimeoutMs);
    heapSet(slot);
  } else if (!s.onTimeoutUri.empty()) {
    c->state = CallState::FallingBack;
    c->stateDue = kNever;
    heapSet(slot);
    Command transfer{CommandKind::Transfer};
    transfer.call = e.call;
    transfer.parkedLeg = c->parkedLeg;
    transfer.uri = s.onTimeoutUri;
    transfer.orbit = res.orbit;
    transfer.attempt = c->attempt;
    command(transfer);
    EventRecord rec = recordFor(slot, RecordKind::FallbackStarted);
    rec.peer = s.onTimeoutUri;
    record(rec);
  } else {
    Command disconnect{CommandKind::Disconnect};
    disconnect.call = e.call;
    disconnect.parkedLeg = c->parkedLeg;
    disconnect.orbit = res.orbit;
    disconnect.attempt = c->attempt;
    command(disconnect);
    end(slot, res.orbit, Outcome::Disconnected, "no_fallback", {});
  }
  return res;
}

Result ParkRuntime::fallbackAnswered(const FallbackAnswered& e) {
  Call* c = liveCall(e.call);
  if (!c) return refuse(Status::CallEnded, e.call);
  uint32_t slot = slotOf(e.call);
  if (c->state != CallState::FallingBack) return refuse(Status::NotExpected, e.call, slot);
  Result res{Status::Ok, e.call, ranges_[c->range]->numberOf(c->orbit)};
  end(slot, res.orbit, Outcome::Fallback, {}, c->pool->settings.onTimeoutUri);
  return res;
}

Result ParkRuntime::fallbackFailed(const FallbackFailed& e) {
  Call* c = liveCall(e.call);
  if (!c) return refuse(Status::CallEnded, e.call);
  uint32_t slot = slotOf(e.call);
  if (c->state != CallState::FallingBack) return refuse(Status::NotExpected, e.call, slot);
  Result res{Status::Ok, e.call, ranges_[c->range]->numberOf(c->orbit)};
  Command disconnect{CommandKind::Disconnect};
  disconnect.call = e.call;
  disconnect.parkedLeg = c->parkedLeg;
  disconnect.orbit = res.orbit;
  disconnect.attempt = c->attempt;
  command(disconnect);
  end(slot, res.orbit, Outcome::Disconnected, "fallback_failed", c->pool->settings.onTimeoutUri);
  return res;
}

Result ParkRuntime::hungUp(const ParkedHungUp& e) {
  Call* c = liveCall(e.call);
  if (!c) return refuse(Status::CallEnded, e.call);
  uint32_t slot = slotOf(e.call);
  Result res{Status::Ok, e.call, ranges_[c->range]->numberOf(c->orbit)};
  if (c->state == CallState::RingingBack) {
    Command cancel{CommandKind::CancelRing};
    cancel.call = e.call;
    cancel.parkedLeg = c->parkedLeg;
    cancel.uri = c->parker();
    cancel.orbit = res.orbit;
    cancel.attempt = c->attempt;
    command(cancel);
  } else if (c->state == CallState::FallingBack) {
    Command cancel{CommandKind::CancelTransfer};
    cancel.call = e.call;
    cancel.parkedLeg = c->parkedLeg;
    cancel.uri = c->pool->settings.onTimeoutUri;
    cancel.orbit = res.orbit;
    cancel.attempt = c->attempt;
    command(cancel);
  }
  Command notify{CommandKind::NotifyParker};
  notify.call = e.call;
  notify.parkedLeg = c->parkedLeg;
  notify.uri = c->parker();
  notify.orbit = res.orbit;
  notify.notice = Notice::Abandoned;
  command(notify);
  end(slot, res.orbit, Outcome::Abandoned, {}, {});
  return res;
}

void ParkRuntime::fire(uint32_t slot) {
  Call& c = slotRef(slot);
  CallId id = idOf(slot);
  OrbitNumber orbit = ranges_[c.range]->numberOf(c.orbit);
  if (after(c.parkedAt, config_.maxLifetimeMs) <= now_) {
    if (c.state == CallState::RingingBack || c.state == CallState::FallingBack) {
      bool ringing = c.state == CallState::RingingBack;
      Command cancel{ringing ? CommandKind::CancelRing : CommandKind::CancelTransfer};
      cancel.call = id;
      cancel.parkedLeg = c.parkedLeg;
      cancel.uri = ringing ? c.parker() : std::string_view(c.pool->settings.onTimeoutUri);
      cancel.orbit = orbit;
      cancel.attempt = c.attempt;
      command(cancel);
    }
    Command disconnect{CommandKind::Disconnect};
    disconnect.call = id;
    disconnect.parkedLeg = c.parkedLeg;
    disconnect.orbit = orbit;
    disconnect.attempt = c.attempt;
    command(disconnect);
    end(slot, orbit, Outcome::Disconnected, "max_lifetime", {});
    return;
  }
  // Only a PARKED call has a state timer: the pickup wait is over, ring the parker.
  assert(c.state == CallState::Parked && c.stateDue <= now_);
  ++c.attempt;
  c.state = CallState::RingingBack;
  c.stateDue = kNever;
  heapSet(slot);
  Command ring{CommandKind::RingParker};
  ring.call = id;
  ring.parkedLeg = c.parkedLeg;
  ring.uri = c.parker();
  ring.orbit = orbit;
  ring.attempt = c.attempt;
  command(ring);
  record(recordFor(slot, RecordKind::RingbackStarted, orbit));
}

void ParkRuntime::end(uint32_t slot, const OrbitNumber& orbit, Outcome outcome,
                      std::string_view reason, std::string_view peer) {
  Call& c = slotRef(slot);
  EventRecord rec = recordFor(slot, RecordKind::Ended, orbit);
  rec.outcome = outcome;
  rec.reason = reason;
  rec.peer = peer;
  record(rec);
  heapRemove(slot);
  uint32_t ri = c.range, index = c.orbit;
  PoolInfo* info = c.pool;
  c.state = CallState::Free;
  c.pool = nullptr;
  c.stateDue = kNever;
  ++c.gen;
  --live_;
  freeSlots_.push_back(slot);
  releasePoolInfo(info);
  releaseOrbit(ri, index);
}

void ParkRuntime::releasePoolInfo(PoolInfo* info) {
  if (--info->calls > 0 || info->current) return;
  // The last call of a replaced pool version ended: its settings are no longer needed.
  auto it = std::find_if(poolInfos_.begin(), poolInfos_.end(),
                         [&](const std::unique_ptr<PoolInfo>& p) { return p.get() == info; });
  assert(it != poolInfos_.end());
  poolInfos_.erase(it);
}

void ParkRuntime::releaseOrbit(uint32_t ri, uint32_t orbit) {
  Range& r = *ranges_[ri];
  r.holder[orbit] = kNoHolder;
  --r.held;
  r.alloc.release(orbit, ++stampSeq_);
  if (r.serving) return;
  // A draining range gave the orbit back: a serving range may have been waiting for it.
  uint64_t key = r.loKey + orbit;
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
    rec.pool = r.pool;
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
    uint32_t idx = uint32_t(key - r.loKey);
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

  // The previous pool versions stay alive while calls use them.
  for (auto& info : poolInfos_) info->current = false;
  poolInfos_.erase(std::remove_if(poolInfos_.begin(), poolInfos_.end(),
                                  [](const std::unique_ptr<PoolInfo>& p) { return p->calls == 0; }),
                   poolInfos_.end());

  std::vector<ActivePool> pools;
  std::vector<uint32_t> created;
  for (const PoolSpec& ps : policy.pools) {
    ActivePool ap;
    poolInfos_.push_back(std::make_unique<PoolInfo>(PoolInfo{ps.name, ps.settings, 0, true}));
    ap.info = poolInfos_.back().get();
    for (const RangeSpec& rs : ps.ranges) {
      auto it = servingByName.find(rs.name);
      if (it != servingByName.end()) {
        Range& old = *ranges_[it->second];
        if (old.pool == ps.name && old.spec.prefix == rs.prefix && old.spec.digits == rs.digits &&
            old.spec.lo == rs.lo && old.spec.hi == rs.hi) {
          old.alloc.setStrategy(rs.allocation);
          old.spec.allocation = rs.allocation;
          ap.ranges.push_back(it->second);
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
      ranges_[ri] = std::make_unique<Range>(rs, ps.name, config_.seed);
      ap.ranges.push_back(ri);
      created.push_back(ri);
    }
    // Group the ranges by strategy, groups in order of first appearance. A `next` rotation
    // continues in the range it used last.
    for (uint32_t ri : ap.ranges) {
      Allocation a = ranges_[ri]->spec.allocation;
      auto g = std::find_if(ap.groups.begin(), ap.groups.end(),
                            [&](const Group& x) { return x.strategy == a; });
      if (g == ap.groups.end()) g = ap.groups.insert(ap.groups.end(), Group{a, {}, 0});
      g->ranges.push_back(ri);
    }
    for (Group& g : ap.groups)
      for (uint32_t i = 0; i < g.ranges.size(); ++i)
        if (ranges_[g.ranges[i]]->lastUse > ranges_[g.ranges[g.current]]->lastUse) g.current = i;
    pools.push_back(std::move(ap));
  }

  // Ranges not carried over stop serving and drain (or vanish at once when empty).
  std::vector<uint32_t> retired;
  for (const Span& s : spans_) {
    auto it = servingByName.find(ranges_[s.range]->spec.name);
    if (it != servingByName.end() && it->second == s.range) retired.push_back(s.range);
  }

  std::vector<Span> spans;
  for (const ActivePool& ap : pools)
    for (uint32_t ri : ap.ranges) spans.push_back({ranges_[ri]->loKey, ranges_[ri]->hiKey, ri});
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
    rec.pool = r.pool;
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
        uint64_t key = r.loKey + idx;
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
  v.parker = c->parker();
  v.parked = c->parked();
  v.attempt = c->attempt;
  v.parkedAt = c->parkedAt;
  v.nextDeadline = dueOf(*c);
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
  std::unordered_map<const PoolInfo*, uint32_t> callsPerInfo;
  for (uint32_t s = 0; s < slotCount_; ++s) {
    const Call& c = slotRef(s);
    if (c.state == CallState::Free) {
      if (heapPos_[s] != kNoPos) return "free slot " + std::to_string(s) + " has a timer";
      continue;
    }
    ++live;
    std::string id = std::to_string(idOf(s));
    if (c.range >= ranges_.size() || !ranges_[c.range]) return "call " + id + " has no range";
    const Range& r = *ranges_[c.range];
    if (c.orbit >= r.holder.size() || r.holder[c.orbit] != s)
      return "call " + id + " is not the holder of its orbit";
    if (heapPos_[s] >= heap_.size() || heap_[heapPos_[s]].slot != s)
      return "call " + id + " has no timer";
    if (heap_[heapPos_[s]].due != dueOf(c)) return "call " + id + " has a stale timer";
    if (c.state == CallState::Parked && c.stateDue == kNever)
      return "parked call " + id + " has no pickup timer";
    if (c.state != CallState::Parked && c.stateDue != kNever)
      return "call " + id + " has a pickup timer outside PARKED";
    if (dueOf(c) < now_) return "call " + id + " has an overdue timer";
    if (!c.pool) return "call " + id + " has no settings";
    if (c.attempt > c.pool->settings.maxAttempts) return "call " + id + " exceeded its attempts";
    if (c.state == CallState::FallingBack && c.attempt != c.pool->settings.maxAttempts)
      return "call " + id + " fell back before its last attempt";
    ++callsPerInfo[c.pool];
  }
  if (live != live_) return "live call count is off";
  if (heap_.size() != live_) return "timer count differs from live calls";
  if (freeSlots_.size() + live_ != slotCount_) return "free slot count is off";
  for (uint32_t p = 1; p < heap_.size(); ++p)
    if (timerLess(heap_[p], heap_[(p - 1) / 2])) return "timer heap out of order";
  for (const auto& info : poolInfos_) {
    auto it = callsPerInfo.find(info.get());
    uint32_t n = it == callsPerInfo.end() ? 0 : it->second;
    if (n != info->calls) return "pool " + info->name + " counts its calls wrong";
    if (!info->current && n == 0) return "an unused old version of pool " + info->name + " is kept";
    callsPerInfo.erase(info.get());
  }
  if (!callsPerInfo.empty()) return "a call uses settings the runtime does not own";
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
        if (!locate(r.loKey + i, dri, didx, true) || ranges_[dri]->serving)
          return "orbit " + r.numberOf(i).str() + " is blocked but no draining call holds it";
      } else {
        ++held;
        ++holders;
        if (h >= slotCount_ || slotRef(h).state == CallState::Free || slotRef(h).range != ri ||
            slotRef(h).orbit != i)
          return "orbit " + r.numberOf(i).str() + " names a holder that does not hold it";
        if (!heldKeys.insert(r.loKey + i).second)
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
      if (const Span* span = serving(r.loKey + i))
        if (ranges_[span->range]->holder[r.loKey + i - span->lo] != kBlocked)
          return "orbit " + r.numberOf(i).str() + " is held by a draining range but not blocked";
    }
  }
  // Every serving range is in exactly one pool's groups.
  size_t grouped = 0;
  for (const ActivePool& ap : pools_) {
    size_t inGroups = 0;
    for (const Group& g : ap.groups) {
      inGroups += g.ranges.size();
      if (g.current >= std::max<size_t>(1, g.ranges.size())) return "a rotation is lost";
      for (uint32_t ri : g.ranges)
        if (!ranges_[ri] || !ranges_[ri]->serving || ranges_[ri]->spec.allocation != g.strategy)
          return "pool " + ap.info->name + " groups a range wrongly";
    }
    if (inGroups != ap.ranges.size()) return "pool " + ap.info->name + " lost a range";
    grouped += inGroups;
  }
  if (grouped != spans_.size()) return "serving ranges and pools disagree";
  return {};
}

}  // namespace callpark::park

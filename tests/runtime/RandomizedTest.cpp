// Thousands of seeded random event sequences over a small pool. After every step the runtime's
// own invariant check must pass and the observable output must obey the contract; at the end
// every call has exactly one outcome and every orbit is free.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>
#include <set>

#include "runtime/park/ParkRuntime.h"

namespace callpark::park {
namespace {

// Checks the output stream as it happens: commands only for live calls (except ReleaseLeg),
// at most one Connect per call, one outcome per call.
class CheckingSink : public Sink {
 public:
  void onCommand(const Command& c) override {
    if (c.kind == CommandKind::ReleaseLeg) return;
    if (!parked.count(c.call)) {
      if (c.kind != CommandKind::AnswerAndHold && c.kind != CommandKind::NotifyParker)
        fail("command for a call that was never parked");
      return;
    }
    if (outcomes.count(c.call)) fail("command for an ended call");
    if (c.kind == CommandKind::Connect && !connected.insert(c.call).second)
      fail("a parked caller connected twice");
  }
  void onRecord(const EventRecord& r) override {
    if (r.kind == RecordKind::Parked) {
      if (!parked.insert(r.call).second) fail("call id reused");
      // The orbit must not be held by another live call.
      std::string orbit = r.orbit.str();
      if (orbitHolder.count(orbit)) fail("orbit " + orbit + " parked twice");
      orbitHolder[orbit] = r.call;
      orbitOf[r.call] = orbit;
    } else if (r.kind == RecordKind::Ended) {
      if (!parked.count(r.call)) fail("outcome for an unknown call");
      if (!outcomes.emplace(r.call, r.outcome).second) fail("second outcome for a call");
      if (r.outcome == Outcome::None) fail("ended without outcome");
      orbitHolder.erase(orbitOf[r.call]);
    }
  }
  void fail(std::string why) {
    if (error.empty()) error = std::move(why);
  }

  std::set<CallId> parked, connected;
  std::map<CallId, Outcome> outcomes;
  std::map<std::string, CallId> orbitHolder;
  std::map<CallId, std::string> orbitOf;
  std::string error;
};

RuntimePolicy policyVariant(int v) {
  ParkSettings a;
  a.pickupTimeoutMs = 10'000;
  a.maxAttempts = 2;
  a.onTimeoutUri = "sip:operator@contoso.com";
  ParkSettings b = a;
  b.maxAttempts = 1;
  b.onTimeoutUri.clear();
  b.pickupTimeoutMs = 7'000;
  RuntimePolicy p;
  switch (v) {
    case 0:
      p.pools.push_back({"p1",
                         a,
                         {{"A", '\0', 4, 7000, 7003, Allocation::LeastRecent},
                          {"B", '*', 3, 101, 102, Allocation::Random}}});
      p.pools.push_back({"p2", b, {{"C", '\0', 4, 8000, 8002, Allocation::Next}}});
      break;
    case 1:  // A widened under a new name (overlaps the draining A), C changes strategy
      p.pools.push_back({"p1",
                         b,
                         {{"A2", '\0', 4, 7002, 7006, Allocation::First},
                          {"B", '*', 3, 101, 102, Allocation::LeastRecent}}});
      p.pools.push_back({"p2", a, {{"C", '\0', 4, 8000, 8002, Allocation::First}}});
      break;
    default:  // B moves to p2, p1 loses everything but a new small range
      p.pools.push_back({"p1", a, {{"D", '#', 3, 500, 501, Allocation::Next}}});
      p.pools.push_back({"p2",
                         b,
                         {{"C", '\0', 4, 8000, 8002, Allocation::Random},
                          {"B", '*', 3, 101, 102, Allocation::First}}});
      break;
  }
  return p;
}

const char* kOrbits[] = {"7000", "7001", "7002", "7003", "7004", "7006", "*101",  "*102",
                         "8000", "8001", "8002", "#500", "#501", "9999", "07000", "*"};

// What the sequences exercised, summed over all seeds: the test fails if the generator stops
// reaching an outcome or a refusal (a randomized test that only parks and retrieves would pass
// for the wrong reason).
struct Coverage {
  std::map<Outcome, size_t> outcomes;
  std::map<Status, size_t> statuses;
  size_t reloads = 0;
};

void runSequence(uint32_t seed, int steps, Coverage& coverage) {
  std::mt19937_64 rng(seed);
  auto pick = [&](uint64_t n) { return rng() % n; };
  CheckingSink sink;
  ParkRuntime rt(sink, RuntimeConfig{120'000, seed});
  TimeMs now = 0;
  ASSERT_EQ(rt.replacePolicy(policyVariant(0), now), "");
  std::vector<CallId> ids;  // every id ever handed out
  auto attempt = [&]() -> uint8_t { return pick(3) ? 0 : uint8_t(pick(4)); };
  auto someId = [&]() -> CallId {
    if (ids.empty() || pick(10) == 0) return pick(1u << 30);
    return ids[ids.size() - 1 - pick(std::min<size_t>(ids.size(), 6))];
  };
  // Mostly a recent call that is in `state` (so the deep paths are reached), else any id.
  auto idIn = [&](CallState state) -> CallId {
    std::vector<CallId> match;
    for (size_t i = ids.size() > 24 ? ids.size() - 24 : 0; i < ids.size(); ++i)
      if (auto v = rt.call(ids[i]); v && v->state == state) match.push_back(ids[i]);
    if (match.empty() || pick(4) == 0) return someId();
    return match[pick(match.size())];
  };
  for (int step = 0; step < steps; ++step) {
    now += TimeMs(pick(4) == 0 ? pick(15'000) : pick(500));
    std::optional<Event> ev;
    switch (pick(12)) {
      case 0:
      case 1:
      case 2:
        ev = ParkRequest{pick(8) == 0 ? "p3" : (pick(2) ? "p1" : "p2"), "sip:a@x", "sip:b@x",
                         LegId(step + 1)};
        break;
      case 3:
      case 4:
        ev = RetrieveRequest{kOrbits[pick(std::size(kOrbits))], pick(2) ? someId() : 0,
                             LegId(1'000'000 + step), "sip:r@x"};
        break;
      case 5:
        ev = RingbackAnswered{idIn(CallState::RingingBack), LegId(2'000'000 + step), attempt()};
        break;
      case 6:
        ev = RingbackFailed{idIn(CallState::RingingBack), RingFailure(pick(3)), attempt()};
        break;
      case 7:
        ev = FallbackAnswered{idIn(CallState::FallingBack)};
        break;
      case 8:
        ev = FallbackFailed{idIn(CallState::FallingBack)};
        break;
      case 9:
        ev = ParkedHungUp{someId()};
        break;
      case 10:
        rt.advance(now);
        break;
      default:
        if (pick(4) == 0) {
          ASSERT_EQ(rt.replacePolicy(policyVariant(int(pick(3))), now), "");
          ++coverage.reloads;
        } else {
          rt.advance(now);
        }
        break;
    }
    if (ev) {
      Result r = rt.handle(*ev, now);
      ++coverage.statuses[r.status];
      if (r.ok()) {
        ASSERT_NE(r.call, 0u);
        ASSERT_FALSE(r.orbit.empty());
        if (std::holds_alternative<ParkRequest>(*ev)) ids.push_back(r.call);
      }
    }
    std::string inv = rt.checkInvariants();
    ASSERT_EQ(inv, "") << "seed " << seed << " step " << step;
    ASSERT_EQ(sink.error, "") << "seed " << seed << " step " << step;
    ASSERT_EQ(rt.liveCalls(), sink.parked.size() - sink.outcomes.size());
    // free + held + blocked = capacity in every pool
    for (const char* pool : {"p1", "p2"}) {
      auto st = rt.poolStats(pool);
      ASSERT_TRUE(st);
      ASSERT_EQ(st->free + st->held + st->blocked, st->capacity);
    }
    if (auto next = rt.nextDeadline())
      ASSERT_GT(*next, now);  // nothing overdue stays pending
    else
      ASSERT_EQ(rt.liveCalls(), 0u);
  }
  // The hard lifetime ends whatever is left: exactly one outcome per call, everything free.
  rt.advance(now + 120'000);
  ASSERT_EQ(rt.checkInvariants(), "");
  ASSERT_EQ(sink.error, "");
  ASSERT_EQ(rt.liveCalls(), 0u);
  ASSERT_FALSE(rt.nextDeadline());
  ASSERT_EQ(rt.drainingRanges(), 0u);
  for (CallId id : sink.parked) ASSERT_EQ(sink.outcomes.count(id), 1u) << "call " << id;
  ASSERT_EQ(sink.outcomes.size(), sink.parked.size());
  for (const char* pool : {"p1", "p2"}) {
    auto st = rt.poolStats(pool);
    ASSERT_EQ(st->free, st->capacity);
  }
  for (const auto& [call, outcome] : sink.outcomes) ++coverage.outcomes[outcome];
}

TEST(RuntimeRandomized, InvariantsHoldOverSeededEventSequences) {
  Coverage coverage;
  for (uint32_t seed = 1; seed <= 3000; ++seed) {
    runSequence(seed, 150, coverage);
    if (::testing::Test::HasFatalFailure()) return;
  }
  for (Outcome o : {Outcome::Retrieved, Outcome::RangBack, Outcome::Fallback, Outcome::Disconnected,
                    Outcome::Abandoned})
    EXPECT_GE(coverage.outcomes[o], 100u) << outcomeName(o);
  for (Status s : {Status::Ok, Status::UnknownPool, Status::NoFreeOrbit, Status::BadOrbit,
                   Status::OrbitNotFound, Status::StaleCallId, Status::CallEnded,
                   Status::NotExpected, Status::CallLeaving})
    EXPECT_GE(coverage.statuses[s], 10u) << statusName(s);
  EXPECT_GE(coverage.reloads, 1000u);
}

}  // namespace
}  // namespace callpark::park

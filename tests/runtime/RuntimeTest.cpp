// Deterministic tests of every path of the parked-call state machine, on a virtual clock.
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <set>

#include "runtime/park/ParkRuntime.h"
#include "tests/runtime/RecordingSink.h"

namespace callpark::park {
namespace {

using testing::RecordingSink;
using K = CommandKind;

constexpr const char* kPool = "redmond-fe01.contoso.com";
constexpr const char* kAlice = "sip:alice@contoso.com";
constexpr const char* kCaller = "sip:+14255550100@contoso.com";
constexpr const char* kOperator = "sip:operator@contoso.com";
constexpr TimeMs kPickup = 90'000;

ParkSettings settings(uint8_t attempts = 2, std::string fallback = kOperator) {
  ParkSettings s;
  s.pickupTimeoutMs = kPickup;
  s.maxAttempts = attempts;
  s.onTimeoutUri = std::move(fallback);
  s.musicOnHold = true;
  s.musicFile = "moh/redmond.wav";
  return s;
}

RuntimePolicy onePool(std::vector<RangeSpec> ranges, ParkSettings s = settings()) {
  RuntimePolicy p;
  p.pools.push_back(PoolSpec{kPool, std::move(s), std::move(ranges)});
  return p;
}

RangeSpec range(std::string name, char prefix, uint32_t lo, uint32_t hi,
                Allocation a = Allocation::LeastRecent) {
  return RangeSpec{std::move(name), prefix, 4, lo, hi, a};
}

class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(rt.replacePolicy(onePool({range("Redmond CPO 1", '*', 3000, 3009)}), 0), "");
    sink.clear();
  }
  void TearDown() override { EXPECT_EQ(rt.checkInvariants(), ""); }

  Result park(TimeMs now, LegId leg = 100, const char* pool = kPool) {
    return rt.handle(ParkRequest{pool, kAlice, kCaller, leg}, now);
  }
  Result retrieve(std::string_view orbit, TimeMs now, CallId expected = 0, LegId leg = 200) {
    return rt.handle(RetrieveRequest{orbit, expected, leg, "sip:bob@contoso.com"}, now);
  }
  Outcome outcomeOf(CallId id) const {
    auto it = sink.outcomes.find(id);
    if (it == sink.outcomes.end()) return Outcome::None;
    EXPECT_EQ(it->second.size(), 1u) << "call " << id << " ended more than once";
    return it->second.front();
  }
  uint32_t freeOrbits() const { return rt.poolStats(kPool)->free; }

  RecordingSink sink;
  ParkRuntime rt{sink};
};

TEST_F(RuntimeTest, ParkAnswersWithMusicAndTellsTheParkerTheOrbit) {
  Result r = park(1000);
  ASSERT_EQ(r.status, Status::Ok);
  EXPECT_NE(r.call, 0u);
  EXPECT_EQ(r.orbit.view(), "*3000");
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::AnswerAndHold, K::NotifyParker}));
  EXPECT_EQ(sink.commands[0].parkedLeg, 100u);
  EXPECT_TRUE(sink.commands[0].music);
  EXPECT_EQ(sink.commands[0].musicFile, "moh/redmond.wav");
  EXPECT_EQ(sink.commands[1].uri, kAlice);
  EXPECT_EQ(sink.commands[1].orbit, "*3000");
  EXPECT_EQ(sink.commands[1].notice, Notice::Parked);
  const auto* rec = sink.last(RecordKind::Parked);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->time, 1000);
  EXPECT_EQ(rec->call, r.call);
  EXPECT_EQ(rec->orbit, "*3000");
  EXPECT_EQ(rec->range, "Redmond CPO 1");
  EXPECT_EQ(rec->pool, kPool);
  EXPECT_EQ(rec->parker, kAlice);
  EXPECT_EQ(rec->parked, kCaller);
  EXPECT_EQ(rt.callOnOrbit("*3000"), r.call);
  EXPECT_EQ(rt.liveCalls(), 1u);
  EXPECT_EQ(freeOrbits(), 9u);
  EXPECT_EQ(rt.nextDeadline(), 1000 + kPickup);
  auto view = rt.call(r.call);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->state, CallState::Parked);
  EXPECT_EQ(view->settings, settings());
}

TEST_F(RuntimeTest, MusicOffMeansSilenceButTheCallIsAnswered) {
  ParkSettings s = settings();
  s.musicOnHold = false;
  ASSERT_EQ(rt.replacePolicy(onePool({range("Redmond CPO 1", '*', 3000, 3009)}, s), 0), "");
  sink.clear();
  ASSERT_TRUE(park(0).ok());
  ASSERT_EQ(sink.commands[0].kind, K::AnswerAndHold);
  EXPECT_FALSE(sink.commands[0].music);
}

TEST_F(RuntimeTest, RetrieveConnectsTheRetrieverAndFreesTheOrbit) {
  Result p = park(0);
  sink.clear();
  Result r = retrieve("*3000", 5000);
  ASSERT_EQ(r.status, Status::Ok);
  EXPECT_EQ(r.call, p.call);
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::Connect}));
  EXPECT_EQ(sink.commands[0].parkedLeg, 100u);
  EXPECT_EQ(sink.commands[0].otherLeg, 200u);
  EXPECT_EQ(outcomeOf(p.call), Outcome::Retrieved);
  EXPECT_EQ(sink.last(RecordKind::Ended)->peer, "sip:bob@contoso.com");
  EXPECT_EQ(rt.liveCalls(), 0u);
  EXPECT_EQ(freeOrbits(), 10u);
  EXPECT_FALSE(rt.nextDeadline());
  EXPECT_FALSE(rt.call(p.call));
  // Nothing is parked there any more.
  EXPECT_EQ(retrieve("*3000", 6000).status, Status::OrbitNotFound);
  EXPECT_EQ(retrieve("*3005", 6000).status, Status::OrbitNotFound);
  EXPECT_EQ(retrieve("*9999", 6000).status, Status::OrbitNotFound);  // no range serves it
  EXPECT_EQ(retrieve("3000", 6000).status, Status::OrbitNotFound);   // other family
  EXPECT_EQ(retrieve("*03", 6000).status, Status::BadOrbit);
  EXPECT_EQ(sink.last(RecordKind::Refused)->reason, "bad_orbit");
}

TEST_F(RuntimeTest, SafeRetrieveWithAStaleIdIsRefused) {
  ASSERT_EQ(rt.replacePolicy(onePool({range("Tiny", '*', 3000, 3000)}), 0), "");
  Result first = park(0);
  ASSERT_TRUE(retrieve("*3000", 10, first.call).ok());
  Result second = park(20, 101);
  ASSERT_EQ(second.orbit.view(), "*3000");  // the same orbit, another call
  EXPECT_NE(second.call, first.call);
  sink.clear();
  Result stale = retrieve("*3000", 30, first.call);
  EXPECT_EQ(stale.status, Status::StaleCallId);
  EXPECT_TRUE(sink.commands.empty());
  EXPECT_EQ(sink.last(RecordKind::Refused)->reason, "stale_call_id");
  EXPECT_EQ(rt.liveCalls(), 1u);
  Result good = retrieve("*3000", 40, second.call);
  EXPECT_EQ(good.status, Status::Ok);
  EXPECT_EQ(good.call, second.call);
}

TEST_F(RuntimeTest, TimeoutRingsTheParkerAndTheParkerAnswers) {
  Result p = park(0);
  sink.clear();
  rt.advance(kPickup - 1);
  EXPECT_TRUE(sink.commands.empty());
  rt.advance(kPickup);
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::RingParker}));
  EXPECT_EQ(sink.commands[0].uri, kAlice);
  EXPECT_EQ(sink.commands[0].attempt, 1);
  EXPECT_EQ(sink.last(RecordKind::RingbackStarted)->time, kPickup);
  EXPECT_EQ(rt.call(p.call)->state, CallState::RingingBack);
  sink.clear();
  Result a = rt.handle(RingbackAnswered{p.call, 300}, kPickup + 4000);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::Connect}));
  EXPECT_EQ(sink.commands[0].parkedLeg, 100u);
  EXPECT_EQ(sink.commands[0].otherLeg, 300u);
  EXPECT_EQ(outcomeOf(p.call), Outcome::RangBack);
  EXPECT_EQ(freeOrbits(), 10u);
}

TEST_F(RuntimeTest, AllAttemptsFailThenTheFallbackAnswers) {
  Result p = park(0);
  rt.advance(kPickup);  // ring 1
  sink.clear();
  ASSERT_TRUE(rt.handle(RingbackFailed{p.call, RingFailure::Busy}, kPickup + 1000).ok());
  EXPECT_TRUE(sink.commands.empty());  // waits the pickup timeout again
  EXPECT_EQ(sink.last(RecordKind::RingbackFailed)->reason, "busy");
  EXPECT_EQ(rt.call(p.call)->state, CallState::Parked);
  EXPECT_EQ(rt.nextDeadline(), 2 * kPickup + 1000);
  rt.advance(2 * kPickup + 999);
  EXPECT_TRUE(sink.commands.empty());
  rt.advance(2 * kPickup + 1000);
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::RingParker}));
  EXPECT_EQ(sink.commands[0].attempt, 2);
  sink.clear();
  ASSERT_TRUE(rt.handle(RingbackFailed{p.call, RingFailure::NoAnswer}, 2 * kPickup + 30000).ok());
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::Transfer}));
  EXPECT_EQ(sink.commands[0].uri, kOperator);
  EXPECT_EQ(sink.commands[0].parkedLeg, 100u);
  EXPECT_EQ(sink.last(RecordKind::FallbackStarted)->peer, kOperator);
  EXPECT_EQ(rt.call(p.call)->state, CallState::FallingBack);
  sink.clear();
  ASSERT_TRUE(rt.handle(FallbackAnswered{p.call}, 2 * kPickup + 35000).ok());
  EXPECT_TRUE(sink.commands.empty());
  EXPECT_EQ(outcomeOf(p.call), Outcome::Fallback);
  EXPECT_EQ(freeOrbits(), 10u);
}

TEST_F(RuntimeTest, AFallbackThatFailsDisconnects) {
  ASSERT_EQ(rt.replacePolicy(onePool({range("Redmond CPO 1", '*', 3000, 3009)}, settings(1)), 0),
            "");
  Result p = park(0);
  rt.advance(kPickup);
  ASSERT_TRUE(rt.handle(RingbackFailed{p.call, RingFailure::Rejected}, kPickup + 1).ok());
  sink.clear();
  ASSERT_TRUE(rt.handle(FallbackFailed{p.call}, kPickup + 2).ok());
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::Disconnect}));
  EXPECT_EQ(outcomeOf(p.call), Outcome::Disconnected);
  EXPECT_EQ(sink.last(RecordKind::Ended)->reason, "fallback_failed");
}

TEST_F(RuntimeTest, NoFallbackMeansDisconnectAfterTheLastAttempt) {
  ASSERT_EQ(
      rt.replacePolicy(onePool({range("Redmond CPO 1", '*', 3000, 3009)}, settings(1, "")), 0), "");
  Result p = park(0);
  rt.advance(kPickup);
  sink.clear();
  ASSERT_TRUE(rt.handle(RingbackFailed{p.call, RingFailure::NoAnswer}, kPickup + 20000).ok());
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::Disconnect}));
  EXPECT_EQ(sink.commands[0].parkedLeg, 100u);
  EXPECT_EQ(outcomeOf(p.call), Outcome::Disconnected);
  EXPECT_EQ(sink.last(RecordKind::Ended)->reason, "no_fallback");
  EXPECT_EQ(rt.liveCalls(), 0u);
}

TEST_F(RuntimeTest, AbandonedWhileParked) {
  Result p = park(0);
  sink.clear();
  ASSERT_TRUE(rt.handle(ParkedHungUp{p.call}, 500).ok());
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::NotifyParker}));
  EXPECT_EQ(sink.commands[0].notice, Notice::Abandoned);
  EXPECT_EQ(sink.commands[0].uri, kAlice);
  EXPECT_EQ(outcomeOf(p.call), Outcome::Abandoned);
  EXPECT_EQ(freeOrbits(), 10u);
  rt.advance(10 * kPickup);  // the timer died with the call
  EXPECT_EQ(sink.kinds(), (std::vector<K>{K::NotifyParker}));
}

TEST_F(RuntimeTest, AbandonedDuringRingbackCancelsTheRing) {
  Result p = park(0);
  rt.advance(kPickup);
  sink.clear();
  ASSERT_TRUE(rt.handle(ParkedHungUp{p.call}, kPickup + 1).ok());
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::CancelRing, K::NotifyParker}));
  EXPECT_EQ(outcomeOf(p.call), Outcome::Abandoned);
  // The parker answers too late: refused, and its leg is released.
  sink.clear();
  Result late = rt.handle(RingbackAnswered{p.call, 301}, kPickup + 2);
  EXPECT_EQ(late.status, Status::CallEnded);
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::ReleaseLeg}));
  EXPECT_EQ(sink.commands[0].otherLeg, 301u);
}

TEST_F(RuntimeTest, AbandonedDuringFallbackCancelsTheTransfer) {
  ASSERT_EQ(rt.replacePolicy(onePool({range("Redmond CPO 1", '*', 3000, 3009)}, settings(1)), 0),
            "");
  Result p = park(0);
  rt.advance(kPickup);
  rt.handle(RingbackFailed{p.call, RingFailure::NoAnswer}, kPickup + 1);
  sink.clear();
  ASSERT_TRUE(rt.handle(ParkedHungUp{p.call}, kPickup + 2).ok());
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::CancelTransfer, K::NotifyParker}));
  EXPECT_EQ(sink.commands[0].uri, kOperator);
  EXPECT_EQ(outcomeOf(p.call), Outcome::Abandoned);
  EXPECT_EQ(rt.handle(FallbackAnswered{p.call}, kPickup + 3).status, Status::CallEnded);
  EXPECT_EQ(outcomeOf(p.call), Outcome::Abandoned);
}

TEST_F(RuntimeTest, RetrieveRacingTheTimeoutWinsAndTheLateRingbackLoses) {
  Result p = park(0);
  sink.clear();
  // The retrieve arrives at the very moment the pickup timeout expires: the timer fires first
  // (the ring starts), then the retrieve takes the call and cancels the ring.
  Result r = retrieve("*3000", kPickup);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::RingParker, K::CancelRing, K::Connect}));
  EXPECT_EQ(outcomeOf(p.call), Outcome::Retrieved);
  sink.clear();
  EXPECT_EQ(rt.handle(RingbackAnswered{p.call, 301}, kPickup + 1).status, Status::CallEnded);
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::ReleaseLeg}));  // never a second Connect
  EXPECT_EQ(rt.handle(RingbackFailed{p.call, RingFailure::Busy}, kPickup + 2).status,
            Status::CallEnded);
  EXPECT_EQ(rt.handle(ParkedHungUp{p.call}, kPickup + 3).status, Status::CallEnded);
  EXPECT_EQ(outcomeOf(p.call), Outcome::Retrieved);
}

TEST_F(RuntimeTest, RingbackAnsweredFirstThenTheRetrieveFindsNothing) {
  Result p = park(0);
  rt.advance(kPickup);
  ASSERT_TRUE(rt.handle(RingbackAnswered{p.call, 300}, kPickup + 1).ok());
  sink.clear();
  EXPECT_EQ(retrieve("*3000", kPickup + 1).status, Status::OrbitNotFound);
  EXPECT_EQ(retrieve("*3000", kPickup + 1, p.call).status, Status::OrbitNotFound);
  EXPECT_TRUE(sink.commands.empty());
  EXPECT_EQ(outcomeOf(p.call), Outcome::RangBack);
}

TEST_F(RuntimeTest, RetrieveDuringFallbackIsRefusedAsLeaving) {
  ASSERT_EQ(rt.replacePolicy(onePool({range("Redmond CPO 1", '*', 3000, 3009)}, settings(1)), 0),
            "");
  Result p = park(0);
  rt.advance(kPickup);
  rt.handle(RingbackFailed{p.call, RingFailure::NoAnswer}, kPickup + 1);
  sink.clear();
  EXPECT_EQ(retrieve("*3000", kPickup + 2).status, Status::CallLeaving);
  EXPECT_TRUE(sink.commands.empty());
  EXPECT_EQ(rt.call(p.call)->state, CallState::FallingBack);
}

TEST_F(RuntimeTest, EventsThatDoNotApplyAreRefused) {
  Result p = park(0);
  sink.clear();
  EXPECT_EQ(rt.handle(RingbackFailed{p.call, RingFailure::Busy}, 1).status, Status::NotExpected);
  EXPECT_EQ(rt.handle(FallbackAnswered{p.call}, 1).status, Status::NotExpected);
  EXPECT_EQ(rt.handle(FallbackFailed{p.call}, 1).status, Status::NotExpected);
  EXPECT_EQ(rt.handle(RingbackAnswered{p.call, 9}, 1).status, Status::NotExpected);
  EXPECT_EQ(sink.kinds(), (std::vector<K>{K::ReleaseLeg}));
  EXPECT_EQ(rt.handle(ParkedHungUp{12345}, 1).status, Status::CallEnded);  // never existed
  EXPECT_EQ(rt.handle(ParkedHungUp{0}, 1).status, Status::CallEnded);
  EXPECT_EQ(rt.call(p.call)->state, CallState::Parked);
}

TEST_F(RuntimeTest, AFullPoolFailsTheParkCleanly) {
  ASSERT_EQ(rt.replacePolicy(onePool({range("Small", '*', 3000, 3002)}), 0), "");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(park(i, 100 + i).ok());
  sink.clear();
  Result r = park(10, 999);
  EXPECT_EQ(r.status, Status::NoFreeOrbit);
  EXPECT_EQ(r.call, 0u);
  EXPECT_TRUE(sink.commands.empty());  // the parker's call is left alone
  const auto* rec = sink.last(RecordKind::ParkFailed);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->reason, "no_free_orbit");
  EXPECT_EQ(rec->pool, kPool);
  EXPECT_EQ(rt.liveCalls(), 3u);
  EXPECT_EQ(park(11, 1000, "nowhere.contoso.com").status, Status::UnknownPool);
}

TEST_F(RuntimeTest, LeastRecentOrderOverParksAndRetrieves) {
  ASSERT_EQ(rt.replacePolicy(onePool({range("Small", '\0', 7000, 7003)}), 0), "");
  auto parkOrbit = [&](TimeMs t) { return park(t).orbit.str(); };
  EXPECT_EQ(parkOrbit(1), "7000");
  EXPECT_EQ(parkOrbit(2), "7001");
  ASSERT_TRUE(retrieve("7001", 3).ok());
  ASSERT_TRUE(retrieve("7000", 4).ok());
  EXPECT_EQ(parkOrbit(5), "7002");  // never used comes first
  EXPECT_EQ(parkOrbit(6), "7003");
  EXPECT_EQ(parkOrbit(7), "7001");  // freed before 7000
  EXPECT_EQ(parkOrbit(8), "7000");
  ASSERT_TRUE(retrieve("7003", 9).ok());
  ASSERT_TRUE(retrieve("7001", 9).ok());
  EXPECT_EQ(parkOrbit(10), "7003");
  EXPECT_EQ(parkOrbit(11), "7001");
}

TEST_F(RuntimeTest, LeastRecentSpansThePoolsRanges) {
  ASSERT_EQ(
      rt.replacePolicy(onePool({range("A", '\0', 7000, 7001), range("B", '\0', 8000, 8001)}), 0),
      "");
  std::vector<std::string> got;
  for (int i = 0; i < 4; ++i) got.push_back(park(i).orbit.str());
  EXPECT_EQ(got, (std::vector<std::string>{"7000", "7001", "8000", "8001"}));
  ASSERT_TRUE(retrieve("8001", 10).ok());
  ASSERT_TRUE(retrieve("7000", 11).ok());
  EXPECT_EQ(park(12).orbit.view(), "8001");  // freed longest ago, although range B comes second
  EXPECT_EQ(park(13).orbit.view(), "7000");
}

TEST_F(RuntimeTest, NextAndFirstThroughTheRuntime) {
  ASSERT_EQ(rt.replacePolicy(onePool({range("N", '\0', 7000, 7002, Allocation::Next),
                                      range("F", '\0', 8000, 8002, Allocation::First)}),
                             0),
            "");
  // Declaration order: range N is used until it is full.
  EXPECT_EQ(park(1).orbit.view(), "7000");
  EXPECT_EQ(park(2).orbit.view(), "7001");
  ASSERT_TRUE(retrieve("7000", 3).ok());
  EXPECT_EQ(park(4).orbit.view(), "7002");
  EXPECT_EQ(park(5).orbit.view(), "7000");  // wrapped around
  EXPECT_EQ(park(6).orbit.view(), "8000");
  EXPECT_EQ(park(7).orbit.view(), "8001");
  ASSERT_TRUE(retrieve("8000", 8).ok());
  EXPECT_EQ(park(9).orbit.view(), "8000");  // lowest free
}

TEST_F(RuntimeTest, ReloadKeepsParkedCallsTheirOrbitAndSettings) {
  Result old = park(0);
  ParkSettings fast = settings(1, "");
  fast.pickupTimeoutMs = 30'000;
  fast.musicFile = "moh/new.wav";
  ASSERT_EQ(rt.replacePolicy(onePool({range("Redmond CPO 1", '*', 3000, 3009)}, fast), 1000), "");
  EXPECT_EQ(sink.last(RecordKind::PolicyReplaced)->time, 1000);
  EXPECT_FALSE(sink.last(RecordKind::RangeDraining));
  EXPECT_EQ(rt.callOnOrbit("*3000"), old.call);
  EXPECT_EQ(rt.call(old.call)->settings, settings());
  sink.clear();
  Result fresh = park(1000, 101);
  EXPECT_EQ(fresh.orbit.view(), "*3001");  // the held orbit is not handed out again
  EXPECT_EQ(sink.commands[0].musicFile, "moh/new.wav");
  rt.advance(31'000);
  ASSERT_EQ(sink.commands.back().kind, K::RingParker);  // the new call: 30 s
  EXPECT_EQ(sink.commands.back().call, fresh.call);
  rt.advance(kPickup - 1);
  EXPECT_EQ(rt.call(old.call)->state, CallState::Parked);  // the old call: still 90 s
  rt.advance(kPickup);
  EXPECT_EQ(rt.call(old.call)->state, CallState::RingingBack);
  // The old call still has its old fallback and attempt count.
  ASSERT_TRUE(rt.handle(RingbackFailed{old.call, RingFailure::Busy}, kPickup + 1).ok());
  EXPECT_EQ(rt.call(old.call)->state, CallState::Parked);
}

TEST_F(RuntimeTest, ARemovedRangeDrainsWhileANewOneServes) {
  Result a = park(0);
  Result b = park(1, 101);
  RuntimePolicy next = onePool({range("Redmond CPO 2", '*', 3100, 3109)});
  ASSERT_EQ(rt.replacePolicy(next, 10), "");
  EXPECT_EQ(sink.last(RecordKind::RangeDraining)->range, "Redmond CPO 1");
  EXPECT_EQ(rt.drainingRanges(), 1u);
  Result c = park(20, 102);
  EXPECT_EQ(c.orbit.view(), "*3100");  // new range serves at once
  EXPECT_EQ(rt.poolStats(kPool)->capacity, 10u);
  // Calls of the draining range are still retrievable.
  EXPECT_EQ(rt.callOnOrbit("*3000"), a.call);
  ASSERT_TRUE(retrieve("*3000", 30).ok());
  EXPECT_EQ(rt.drainingRanges(), 1u);
  EXPECT_FALSE(sink.last(RecordKind::RangeDrained));
  ASSERT_TRUE(rt.handle(ParkedHungUp{b.call}, 40).ok());
  EXPECT_EQ(rt.drainingRanges(), 0u);
  ASSERT_TRUE(sink.last(RecordKind::RangeDrained));
  EXPECT_EQ(sink.last(RecordKind::RangeDrained)->range, "Redmond CPO 1");
  EXPECT_EQ(retrieve("*3001", 50).status, Status::OrbitNotFound);
  EXPECT_EQ(outcomeOf(a.call), Outcome::Retrieved);
  EXPECT_EQ(outcomeOf(b.call), Outcome::Abandoned);
}

TEST_F(RuntimeTest, ARemovedEmptyRangeIsDroppedAtOnce) {
  ASSERT_EQ(rt.replacePolicy(onePool({range("Other", '*', 3100, 3109)}), 0), "");
  EXPECT_TRUE(sink.last(RecordKind::RangeDraining));
  EXPECT_TRUE(sink.last(RecordKind::RangeDrained));
  EXPECT_EQ(rt.drainingRanges(), 0u);
}

TEST_F(RuntimeTest, AnOrbitHeldByADrainingRangeIsBlockedInItsSuccessor) {
  ASSERT_EQ(rt.replacePolicy(onePool({range("Old", '\0', 7000, 7002, Allocation::First)}), 0), "");
  Result held = park(0);
  ASSERT_EQ(held.orbit.view(), "7000");
  // The range is renamed and widened: the old one drains, the new one covers 7000.
  ASSERT_EQ(rt.replacePolicy(onePool({range("New", '\0', 7000, 7009, Allocation::First)}), 10), "");
  EXPECT_EQ(rt.poolStats(kPool)->blocked, 1u);
  EXPECT_EQ(rt.poolStats(kPool)->free, 9u);
  Result next = park(20, 101);
  EXPECT_EQ(next.orbit.view(), "7001");  // `first` would pick 7000, but it is taken
  EXPECT_EQ(rt.callOnOrbit("7000"), held.call);
  ASSERT_TRUE(retrieve("7000", 30, held.call).ok());
  EXPECT_EQ(rt.drainingRanges(), 0u);
  EXPECT_EQ(rt.poolStats(kPool)->blocked, 0u);
  EXPECT_EQ(park(40, 102).orbit.view(), "7000");  // unblocked
}

TEST_F(RuntimeTest, AChangedStrategyKeepsTheHeldOrbits) {
  Result a = park(0);
  Result b = park(1, 101);
  ASSERT_TRUE(retrieve("*3000", 2).ok());
  ASSERT_EQ(
      rt.replacePolicy(onePool({range("Redmond CPO 1", '*', 3000, 3009, Allocation::First)}), 3),
      "");
  EXPECT_EQ(rt.drainingRanges(), 0u);
  EXPECT_EQ(rt.callOnOrbit("*3001"), b.call);
  EXPECT_EQ(park(4, 102).orbit.view(), "*3000");
  EXPECT_EQ(park(5, 103).orbit.view(), "*3002");
  (void)a;
}

TEST_F(RuntimeTest, ARejectedPolicyChangesNothing) {
  Result a = park(0);
  RuntimePolicy bad = onePool({range("X", '*', 3000, 3009), range("Y", '*', 3005, 3010)});
  std::string error = rt.replacePolicy(bad, 10);
  EXPECT_NE(error.find("overlap"), std::string::npos);
  EXPECT_FALSE(sink.last(RecordKind::PolicyReplaced));
  EXPECT_EQ(rt.callOnOrbit("*3000"), a.call);
  EXPECT_EQ(rt.poolStats(kPool)->capacity, 10u);
  EXPECT_EQ(park(20, 101).orbit.view(), "*3001");
}

TEST_F(RuntimeTest, AMovedRangeDrainsInItsOldPool) {
  Result a = park(0);
  RuntimePolicy moved;
  moved.pools.push_back(PoolSpec{kPool, settings(), {}});
  moved.pools.push_back(
      PoolSpec{"dublin-fe01.contoso.com", settings(), {range("Redmond CPO 1", '*', 3000, 3009)}});
  ASSERT_EQ(rt.replacePolicy(moved, 10), "");
  EXPECT_EQ(rt.drainingRanges(), 1u);
  EXPECT_EQ(park(20, 101).status, Status::UnknownPool);  // the pool has no range any more
  Result d = park(21, 102, "dublin-fe01.contoso.com");
  EXPECT_EQ(d.orbit.view(), "*3001");  // *3000 is still held by the draining call
  EXPECT_EQ(rt.callOnOrbit("*3000"), a.call);
  EXPECT_EQ(rt.call(a.call)->pool, kPool);
}

TEST_F(RuntimeTest, TheHardLifetimeEndsEveryCall) {
  RecordingSink s2;
  ParkRuntime short_(s2, RuntimeConfig{200'000, 1});
  ParkSettings many = settings(10);
  ASSERT_EQ(short_.replacePolicy(onePool({range("R", '*', 3000, 3009)}, many), 0), "");
  Result a = short_.handle(ParkRequest{kPool, kAlice, kCaller, 1}, 0);
  Result b = short_.handle(ParkRequest{kPool, kAlice, kCaller, 2}, 150'000);
  short_.advance(kPickup);  // a rings
  s2.clear();
  short_.advance(199'999);
  EXPECT_TRUE(s2.commands.empty());
  short_.advance(200'000);
  ASSERT_EQ(s2.commands.size(), 2u);
  EXPECT_EQ(s2.commands[0].kind, K::CancelRing);
  EXPECT_EQ(s2.commands[1].kind, K::Disconnect);
  EXPECT_EQ(s2.last(RecordKind::Ended)->reason, "max_lifetime");
  EXPECT_EQ(s2.last(RecordKind::Ended)->call, a.call);
  EXPECT_EQ(s2.last(RecordKind::Ended)->outcome, Outcome::Disconnected);
  // Nothing is parked for ever, whatever the settings: b ends too.
  short_.advance(10'000'000);
  EXPECT_EQ(short_.liveCalls(), 0u);
  EXPECT_FALSE(short_.call(b.call));
  EXPECT_EQ(short_.checkInvariants(), "");
}

TEST_F(RuntimeTest, TimersFireInOrderAtTheirOwnTime) {
  Result a = park(0);
  Result b = park(10, 101);
  sink.clear();
  rt.advance(10 * kPickup);  // one big jump: each fires at its deadline, in order
  std::vector<TimeMs> times;
  std::vector<CallId> calls;
  for (const auto& r : sink.records)
    if (r.kind == RecordKind::RingbackStarted) {
      times.push_back(r.time);
      calls.push_back(r.call);
    }
  EXPECT_EQ(times, (std::vector<TimeMs>{kPickup, kPickup + 10}));
  EXPECT_EQ(calls, (std::vector<CallId>{a.call, b.call}));
  // Time never goes backwards: an older `now` counts as the latest one.
  Result c = park(5, 102);
  EXPECT_EQ(sink.last(RecordKind::Parked)->time, 10 * kPickup);
  EXPECT_EQ(rt.now(), 10 * kPickup);
  (void)c;
}

TEST_F(RuntimeTest, RecordsSerialiseAsJsonLines) {
  Result p = park(0);
  rt.advance(kPickup);
  retrieve("*3000", kPickup + 5);
  ASSERT_GE(sink.records.size(), 3u);
  for (const auto& r : sink.records) {
    ASSERT_EQ(r.json.back(), '\n');
    auto j = nlohmann::json::parse(r.json);
    EXPECT_EQ(j["time"], r.time);
    EXPECT_EQ(j["event"], recordName(r.kind));
  }
  auto ended = nlohmann::json::parse(sink.last(RecordKind::Ended)->json);
  EXPECT_EQ(ended["call"], p.call);
  EXPECT_EQ(ended["orbit"], "*3000");
  EXPECT_EQ(ended["outcome"], "retrieved");
  EXPECT_EQ(ended["attempt"], 1);
  EXPECT_EQ(ended["pool"], kPool);
}

TEST_F(RuntimeTest, ARetrieveJustBeforeTheTimeoutStopsTheTimer) {
  Result p = park(0);
  ASSERT_TRUE(retrieve("*3000", kPickup - 1).ok());
  sink.clear();
  rt.advance(100 * kPickup);
  EXPECT_TRUE(sink.commands.empty());  // no ringback for a call that is gone
  EXPECT_TRUE(sink.records.empty());
  EXPECT_FALSE(rt.nextDeadline());
  EXPECT_EQ(outcomeOf(p.call), Outcome::Retrieved);
}

TEST_F(RuntimeTest, ARetrieveDuringTheRingbackWinsAndTheParkersLateAnswerIsReleased) {
  Result p = park(0);
  rt.advance(kPickup);
  sink.clear();
  ASSERT_TRUE(retrieve("*3000", kPickup + 3000).ok());
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::CancelRing, K::Connect}));
  EXPECT_EQ(sink.commands[0].uri, kAlice);
  EXPECT_EQ(sink.commands[1].otherLeg, 200u);
  sink.clear();
  EXPECT_EQ(rt.handle(RingbackAnswered{p.call, 300, 1}, kPickup + 3001).status, Status::CallEnded);
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::ReleaseLeg}));
  EXPECT_EQ(sink.commands[0].otherLeg, 300u);
  EXPECT_EQ(outcomeOf(p.call), Outcome::Retrieved);
}

TEST_F(RuntimeTest, ARingbackReportAboutAnEarlierAttemptIsRefused) {
  Result p = park(0);
  rt.advance(kPickup);  // attempt 1 rings
  ASSERT_TRUE(rt.handle(RingbackFailed{p.call, RingFailure::NoAnswer, 1}, kPickup + 100).ok());
  rt.advance(2 * kPickup + 100);  // attempt 2 rings
  ASSERT_EQ(rt.call(p.call)->attempt, 2);
  sink.clear();
  // A duplicate / late report of attempt 1 must not count against attempt 2...
  EXPECT_EQ(rt.handle(RingbackFailed{p.call, RingFailure::Busy, 1}, 2 * kPickup + 200).status,
            Status::NotExpected);
  EXPECT_EQ(rt.call(p.call)->state, CallState::RingingBack);
  EXPECT_TRUE(sink.commands.empty());
  // ...nor may a late answer of attempt 1 connect: its leg is released.
  EXPECT_EQ(rt.handle(RingbackAnswered{p.call, 301, 1}, 2 * kPickup + 300).status,
            Status::NotExpected);
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::ReleaseLeg}));
  EXPECT_EQ(sink.commands[0].otherLeg, 301u);
  sink.clear();
  // The report of the ringback in progress applies.
  ASSERT_TRUE(rt.handle(RingbackAnswered{p.call, 302, 2}, 2 * kPickup + 400).ok());
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::Connect}));
  EXPECT_EQ(sink.commands[0].otherLeg, 302u);
  EXPECT_EQ(outcomeOf(p.call), Outcome::RangBack);
}

TEST_F(RuntimeTest, EveryCallGetsItsOwnIdForEver) {
  ASSERT_EQ(rt.replacePolicy(onePool({range("Tiny", '*', 3000, 3000)}), 0), "");
  std::set<CallId> ids;
  std::vector<CallId> order;
  for (int i = 0; i < 5000; ++i) {
    Result p = park(i, 100 + i);
    ASSERT_TRUE(p.ok());
    ASSERT_EQ(p.orbit.view(), "*3000");
    ASSERT_TRUE(ids.insert(p.call).second) << "id " << p.call << " handed out twice";
    order.push_back(p.call);
    if (i % 2)
      ASSERT_TRUE(retrieve("*3000", i, p.call).ok());
    else
      ASSERT_TRUE(rt.handle(ParkedHungUp{p.call}, i).ok());
  }
  Result now = park(6000, 1);
  sink.clear();
  for (CallId old : order) {
    ASSERT_EQ(retrieve("*3000", 6001, old).status, Status::StaleCallId);
    ASSERT_EQ(rt.handle(ParkedHungUp{old}, 6001).status, Status::CallEnded);
  }
  EXPECT_EQ(sink.kinds(), std::vector<K>{});  // not one command for a stale id
  EXPECT_EQ(rt.callOnOrbit("*3000"), now.call);
}

// The FreeSWITCH valet-park bug: parking onto an occupied slot bridged the two callers. Here a
// park names no orbit, never acts as a retrieve, and never gets a held orbit, whatever the
// strategy; a full pool refuses the park without touching anybody.
TEST_F(RuntimeTest, ParkingNeverTakesAnOccupiedOrbitAndNeverConnects) {
  for (Allocation a :
       {Allocation::LeastRecent, Allocation::Random, Allocation::Next, Allocation::First}) {
    RecordingSink s;
    ParkRuntime r(s);
    ASSERT_EQ(r.replacePolicy(
                  onePool({range("A", '*', 3000, 3004, a), range("B", '*', 3100, 3102, a)}), 0),
              "");
    std::map<std::string, LegId> legOf;
    // Churn first so that least_recent / next / random have a history.
    for (int i = 0; i < 50; ++i) {
      Result p = r.handle(ParkRequest{kPool, kAlice, kCaller, LegId(1000 + i)}, i);
      ASSERT_TRUE(p.ok());
      ASSERT_TRUE(r.handle(RetrieveRequest{p.orbit.view(), p.call, LegId(5000 + i), {}}, i).ok());
    }
    for (int i = 0; i < 8; ++i) {
      Result p = r.handle(ParkRequest{kPool, kAlice, kCaller, LegId(100 + i)}, 100 + i);
      ASSERT_TRUE(p.ok()) << allocationName(a);
      ASSERT_TRUE(legOf.emplace(p.orbit.str(), LegId(100 + i)).second)
          << allocationName(a) << ": orbit " << p.orbit.str() << " handed out twice";
    }
    s.clear();
    for (int i = 0; i < 3; ++i) {
      Result p = r.handle(ParkRequest{kPool, kAlice, kCaller, LegId(900 + i)}, 200 + i);
      EXPECT_EQ(p.status, Status::NoFreeOrbit);
    }
    EXPECT_TRUE(s.commands.empty()) << allocationName(a);
    // Each orbit gives back exactly the caller parked on it.
    for (const auto& [orbit, leg] : legOf) {
      s.clear();
      ASSERT_TRUE(r.handle(RetrieveRequest{orbit, 0, 7000, {}}, 300).ok());
      ASSERT_EQ(s.kinds(), (std::vector<K>{K::Connect}));
      EXPECT_EQ(s.commands[0].parkedLeg, leg);
    }
    EXPECT_EQ(r.checkInvariants(), "");
  }
}

TEST_F(RuntimeTest, NextRotatesThroughAllThePoolsRangesAndWraps) {
  ASSERT_EQ(rt.replacePolicy(onePool({range("N1", '\0', 7000, 7002, Allocation::Next),
                                      range("N2", '\0', 8000, 8001, Allocation::Next)}),
                             0),
            "");
  std::vector<std::string> got;
  for (int i = 0; i < 5; ++i) got.push_back(park(i, 100 + i).orbit.str());
  EXPECT_EQ(got, (std::vector<std::string>{"7000", "7001", "7002", "8000", "8001"}));
  ASSERT_TRUE(retrieve("7001", 10).ok());
  ASSERT_TRUE(retrieve("8000", 11).ok());
  ASSERT_TRUE(retrieve("7000", 12).ok());
  // The rotation is past 8001: it wraps to the first range and continues from there.
  EXPECT_EQ(park(20, 200).orbit.view(), "7000");
  EXPECT_EQ(park(21, 201).orbit.view(), "7001");
  EXPECT_EQ(park(22, 202).orbit.view(), "8000");  // 7002 is held: on into the next range
  ASSERT_TRUE(retrieve("7002", 23).ok());
  EXPECT_EQ(park(24, 203).orbit.view(), "7002");  // 8001 held, wrap, 7000/7001 held
  // A reload that keeps the ranges keeps the rotation where it was.
  ASSERT_TRUE(retrieve("8001", 25).ok());
  ASSERT_TRUE(retrieve("7000", 25).ok());
  ASSERT_EQ(rt.replacePolicy(onePool({range("N1", '\0', 7000, 7002, Allocation::Next),
                                      range("N2", '\0', 8000, 8001, Allocation::Next)}),
                             30),
            "");
  EXPECT_EQ(park(31, 204).orbit.view(), "8001");  // after 7002 comes 8001, not 7000
}

TEST_F(RuntimeTest, RandomIsUniformOverAllThePoolsFreeOrbits) {
  // A 2-orbit range and an 8-orbit range: drawn uniformly over the pool, the small range gets
  // about a fifth of the parks (a per-range choice would give it half or all of them).
  ASSERT_EQ(rt.replacePolicy(onePool({range("Small", '\0', 7000, 7001, Allocation::Random),
                                      range("Big", '\0', 8000, 8007, Allocation::Random)}),
                             0),
            "");
  std::map<std::string, int> hits;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    Result p = park(i, 100);
    ASSERT_TRUE(p.ok());
    ++hits[p.orbit.str()];
    ASSERT_TRUE(retrieve(p.orbit.view(), i, p.call).ok());
  }
  EXPECT_EQ(hits.size(), 10u);  // every orbit is reachable
  for (const auto& [orbit, count] : hits)
    EXPECT_NEAR(count, n / 10, n / 40) << orbit;  // expected 2000, sd ~42
}

TEST_F(RuntimeTest, FirstTakesTheLowestOrbitOfTheFirstRangeWithOne) {
  ASSERT_EQ(rt.replacePolicy(onePool({range("F1", '\0', 8000, 8001, Allocation::First),
                                      range("F2", '\0', 7000, 7001, Allocation::First)}),
                             0),
            "");
  EXPECT_EQ(park(1, 100).orbit.view(), "8000");  // declaration order first, not numeric order
  EXPECT_EQ(park(2, 101).orbit.view(), "8001");
  EXPECT_EQ(park(3, 102).orbit.view(), "7000");
  ASSERT_TRUE(retrieve("8001", 4).ok());
  ASSERT_TRUE(retrieve("7000", 5).ok());
  EXPECT_EQ(park(6, 103).orbit.view(), "8001");
  EXPECT_EQ(park(7, 104).orbit.view(), "7000");
}

TEST_F(RuntimeTest, MixedStrategiesServeAsOneGroupPerStrategy) {
  // next, first, next: the two `next` ranges rotate as one before the `first` range is used.
  ASSERT_EQ(rt.replacePolicy(onePool({range("N1", '\0', 7000, 7000, Allocation::Next),
                                      range("F", '\0', 8000, 8001, Allocation::First),
                                      range("N2", '\0', 9000, 9000, Allocation::Next)}),
                             0),
            "");
  EXPECT_EQ(park(1, 100).orbit.view(), "7000");
  EXPECT_EQ(park(2, 101).orbit.view(), "9000");
  EXPECT_EQ(park(3, 102).orbit.view(), "8000");
  ASSERT_TRUE(retrieve("7000", 4).ok());
  EXPECT_EQ(park(5, 103).orbit.view(), "7000");
}

TEST_F(RuntimeTest, SafeRetrieveReachesACallInADrainingRange) {
  Result a = park(0);
  ASSERT_EQ(rt.replacePolicy(onePool({range("Other", '*', 3100, 3109)}), 10), "");
  EXPECT_EQ(retrieve("*3000", 20, a.call + 1).status, Status::StaleCallId);
  Result r = retrieve("*3000", 21, a.call);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.call, a.call);
  EXPECT_EQ(rt.drainingRanges(), 0u);
}

TEST_F(RuntimeTest, ARefusedRetrieveIsRecordedWithTheOrbitAndTheRetriever) {
  EXPECT_EQ(retrieve("*3004", 5).status, Status::OrbitNotFound);
  const auto* rec = sink.last(RecordKind::Refused);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->orbit, "*3004");
  EXPECT_EQ(rec->peer, "sip:bob@contoso.com");
  EXPECT_EQ(rec->reason, "orbit_not_found");
  EXPECT_EQ(rec->parker, "");  // a stale or empty orbit reveals nobody's details
  Result p = park(6);
  EXPECT_EQ(retrieve("*3000", 7, p.call + (CallId(1) << 24)).status, Status::StaleCallId);
  rec = sink.last(RecordKind::Refused);
  EXPECT_EQ(rec->orbit, "*3000");
  EXPECT_EQ(rec->parker, "");
  EXPECT_EQ(rec->parked, "");
}

TEST_F(RuntimeTest, TheDefaultHardLifetimeIsOneHour) {
  EXPECT_EQ(RuntimeConfig{}.maxLifetimeMs, 3'600'000);
  // The parker's phone never reports the ringback (a lost SIP transaction): the call still ends.
  Result p = park(0);
  rt.advance(kPickup);
  ASSERT_EQ(rt.call(p.call)->state, CallState::RingingBack);
  sink.clear();
  rt.advance(3'600'000 - 1);
  EXPECT_TRUE(sink.commands.empty());
  rt.advance(3'600'000);
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::CancelRing, K::Disconnect}));
  EXPECT_EQ(outcomeOf(p.call), Outcome::Disconnected);
  EXPECT_EQ(sink.last(RecordKind::Ended)->reason, "max_lifetime");
  EXPECT_EQ(sink.last(RecordKind::Ended)->time, 3'600'000);
}

TEST_F(RuntimeTest, ALifetimeOfZeroMeansTheDefaultAndHugeClocksDoNotOverflow) {
  RecordingSink s;
  ParkRuntime r(s, RuntimeConfig{0, 1});
  ASSERT_EQ(r.replacePolicy(onePool({range("R", '*', 3000, 3009)}), 0), "");
  Result p = r.handle(ParkRequest{kPool, kAlice, kCaller, 1}, 0);
  EXPECT_EQ(r.call(p.call)->nextDeadline, kPickup);
  r.advance(3'600'000);
  EXPECT_FALSE(r.call(p.call));  // ended by the default 1 hour
  // A caller whose clock is near the end of the int64 range: deadlines saturate instead of
  // wrapping to the past (which would fire every timer at once; UBSan checks the arithmetic).
  RecordingSink s2;
  ParkRuntime big(s2, RuntimeConfig{std::numeric_limits<TimeMs>::max(), 1});
  ASSERT_EQ(big.replacePolicy(onePool({range("R", '*', 3000, 3009)}), 0), "");
  const TimeMs t = std::numeric_limits<TimeMs>::max() - 1000;
  Result q = big.handle(ParkRequest{kPool, kAlice, kCaller, 1}, t);
  ASSERT_TRUE(q.ok());
  EXPECT_GE(big.call(q.call)->nextDeadline, t);
  big.advance(t + 10);
  EXPECT_EQ(big.call(q.call)->state, CallState::Parked);
  EXPECT_TRUE(big.handle(RetrieveRequest{q.orbit.view(), q.call, 2, {}}, t + 20).ok());
}

TEST_F(RuntimeTest, TheHardLifetimeEndsAStuckFallback) {
  ASSERT_EQ(rt.replacePolicy(onePool({range("Redmond CPO 1", '*', 3000, 3009)}, settings(1)), 0),
            "");
  Result p = park(0);
  rt.advance(kPickup);
  ASSERT_TRUE(rt.handle(RingbackFailed{p.call, RingFailure::NoAnswer}, kPickup + 1).ok());
  sink.clear();
  rt.advance(3'600'000);
  ASSERT_EQ(sink.kinds(), (std::vector<K>{K::CancelTransfer, K::Disconnect}));
  EXPECT_EQ(sink.commands[0].uri, kOperator);
  EXPECT_EQ(outcomeOf(p.call), Outcome::Disconnected);
  EXPECT_EQ(rt.handle(FallbackAnswered{p.call}, 3'600'001).status, Status::CallEnded);
}

TEST_F(RuntimeTest, ReplacedSettingsLiveExactlyAsLongAsTheirCalls) {
  Result old = park(0);
  ParkSettings other = settings(3, "sip:desk@contoso.com");
  ASSERT_EQ(rt.replacePolicy(onePool({range("Redmond CPO 1", '*', 3000, 3009)}, other), 10), "");
  ASSERT_EQ(rt.replacePolicy(onePool({range("Redmond CPO 1", '*', 3000, 3009)}, settings(4)), 20),
            "");
  Result fresh = park(30, 101);
  EXPECT_EQ(rt.call(old.call)->settings, settings());
  EXPECT_EQ(rt.call(fresh.call)->settings, settings(4));
  EXPECT_EQ(rt.checkInvariants(), "");  // the unused middle version is gone, the first is kept
  ASSERT_TRUE(retrieve("*3000", 40).ok());
  EXPECT_EQ(rt.checkInvariants(), "");  // and now the first one is gone too
}

TEST_F(RuntimeTest, UrisOfEveryLengthSurviveSlotReuse) {
  // Short URIs are stored in the call's slot, long ones in a buffer the slot keeps: a slot that
  // goes from long to short to long URIs (LIFO reuse) must always give back what was parked.
  const std::string shortA = "sip:a@x", shortB = "sip:b@x";
  const std::string longA = "sip:" + std::string(70, 'a') + "@contoso.com";
  const std::string longB = "sip:" + std::string(200, 'b') + "@contoso.com";
  const std::string edgeA(32, 'p'), edgeB(32, 'q');  // exactly 64 bytes together
  const std::string overA(33, 'p');                  // 65 bytes together
  const std::pair<const std::string*, const std::string*> cases[] = {
      {&longA, &longB},  {&shortA, &shortB}, {&edgeA, &edgeB}, {&overA, &edgeB},
      {&shortA, &longB}, {&longB, &shortA},  {&edgeA, &edgeB}, {&longA, &longB}};
  TimeMs t = 0;
  for (const auto& [parker, parked] : cases) {
    Result p = rt.handle(ParkRequest{kPool, *parker, *parked, 100}, ++t);
    ASSERT_TRUE(p.ok());
    auto v = rt.call(p.call);
    EXPECT_EQ(v->parker, *parker);
    EXPECT_EQ(v->parked, *parked);
    EXPECT_EQ(sink.last(RecordKind::Parked)->parker, *parker);
    EXPECT_EQ(sink.last(RecordKind::Parked)->parked, *parked);
    EXPECT_EQ(sink.commands.back().uri, *parker);  // NotifyParker
    ASSERT_TRUE(retrieve(p.orbit.view(), ++t, p.call).ok());
    EXPECT_EQ(sink.last(RecordKind::Ended)->parked, *parked);
  }
}

TEST_F(RuntimeTest, VeryLongUrisAreCut) {
  std::string huge(100'000, 'x');
  Result p = rt.handle(ParkRequest{kPool, huge, kCaller, 100}, 0);
  ASSERT_TRUE(p.ok());
  auto v = rt.call(p.call);
  EXPECT_EQ(v->parker.size(), kMaxUriBytes);
  EXPECT_EQ(v->parked, kCaller);
}

}  // namespace
}  // namespace callpark::park

// The Dispatcher without native code: JIT setup fails (executable memory refused, through the
// option and through CALLPARK_JIT_FAIL), it falls back to the interpreter with exactly one
// warning, and answers exactly as the JIT would. Plus concurrent use of one Dispatcher.
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "compiler/dispatch/dispatcher/Dispatcher.h"
#include "tests/dispatch/Support.h"

namespace callpark::dispatch {
namespace {

const std::string kContoso = std::string(CALLPARK_SOURCE_DIR) + "/examples/contoso";

struct Warnings {
  std::vector<std::string> seen;
  DispatcherOptions options() {
    DispatcherOptions o;
    o.warn = [this](const std::string& w) { seen.push_back(w); };
    return o;
  }
};

std::vector<std::string> sampleDials() {
  std::vector<std::string> out = {"*3001",
                                  "*3199",
                                  "7001",
                                  "97001",
                                  "#4101",
                                  "#5150",
                                  "7949",
                                  "*70",
                                  "*71",
                                  "1234",
                                  "91234",
                                  "0",
                                  "5551234",
                                  "",
                                  "01234567890",
                                  "0011441234567",
                                  std::string(200, '1')};
  for (int i = 0; i < 2000; ++i) out.push_back(std::to_string(i));
  return out;
}

void expectSame(const Dispatcher& a, const Dispatcher& b) {
  for (int user = -1; user < 40; ++user) {
    cp_caller c =
        user < 0 ? cp_caller{CP_NONE, CP_INHERIT, CP_INHERIT, CP_NONE} : cp_caller{user, 0, 0, 0};
    for (const auto& d : sampleDials()) {
      cp_dispatch_result x, y;
      int sx = a.dispatch(c, d, &x), sy = b.dispatch(c, d, &y);
      ASSERT_TRUE(testing::same(sx, x, sy, y)) << d << "\n"
                                               << testing::describe(sx, x) << "\n"
                                               << testing::describe(sy, y);
    }
    EXPECT_EQ(a.mayPark(c), b.mayPark(c));
  }
  for (int p = -1; p < 5; ++p) {
    cp_park_settings x, y;
    EXPECT_EQ(a.settings(p, &x), b.settings(p, &y));
    EXPECT_EQ(x.pickup_timeout_seconds, y.pickup_timeout_seconds);
    EXPECT_STREQ(x.on_timeout, y.on_timeout);
    EXPECT_STREQ(x.music_file, y.music_file);
  }
}

TEST(Fallback, RefusedExecutableMemoryFallsBackWithOneWarning) {
  Warnings w;
  DispatcherOptions o = w.options();
  o.refuseExecutableMemory = true;
  Dispatcher::Built b = Dispatcher::fromPolicy({kContoso}, o);
  ASSERT_TRUE(b.dispatcher) << b.toolError;
  EXPECT_EQ(b.dispatcher->backend(), Backend::Interpreter);
  EXPECT_EQ(b.dispatcher->backendName(), "interpreter");
  ASSERT_EQ(w.seen.size(), 1u);
  EXPECT_NE(w.seen[0].find("cannot map executable memory"), std::string::npos) << w.seen[0];
  EXPECT_NE(w.seen[0].find("interpreter"), std::string::npos);
  EXPECT_NE(b.dispatcher->fallbackReason().find("executable memory"), std::string::npos);

  Warnings w2;
  Dispatcher::Built jit = Dispatcher::fromPolicy({kContoso}, w2.options());
  ASSERT_TRUE(jit.dispatcher);
  EXPECT_EQ(jit.dispatcher->backend(), Backend::Jit);
  EXPECT_TRUE(w2.seen.empty());
  expectSame(*b.dispatcher, *jit.dispatcher);
  // The fallback still writes bundles: object code needs a code generator, not a JIT.
  std::string bytes, error;
  EXPECT_TRUE(b.dispatcher->bundleBytes(&bytes, &error)) << error;
  Dispatcher::Built loaded = Dispatcher::loadBytes(bytes, o);
  ASSERT_TRUE(loaded.dispatcher);
  EXPECT_FALSE(loaded.recompiled);
  EXPECT_EQ(loaded.dispatcher->backend(), Backend::Interpreter);
  EXPECT_EQ(w.seen.size(), 2u);  // one more Dispatcher, one more warning
  expectSame(*loaded.dispatcher, *jit.dispatcher);
}

TEST(Fallback, EnvironmentVariableForcesTheFailure) {
  ::setenv("CALLPARK_JIT_FAIL", "1", 1);
  Warnings w;
  Dispatcher::Built b = Dispatcher::fromPolicy({kContoso}, w.options());
  ::unsetenv("CALLPARK_JIT_FAIL");
  ASSERT_TRUE(b.dispatcher);
  EXPECT_EQ(b.dispatcher->backend(), Backend::Interpreter);
  EXPECT_EQ(w.seen.size(), 1u);
  Warnings w2;
  ::setenv("CALLPARK_JIT_FAIL", "0", 1);
  Dispatcher::Built ok = Dispatcher::fromPolicy({kContoso}, w2.options());
  ::unsetenv("CALLPARK_JIT_FAIL");
  ASSERT_TRUE(ok.dispatcher);
  EXPECT_EQ(ok.dispatcher->backend(), Backend::Jit);
  EXPECT_TRUE(w2.seen.empty());
}

TEST(Fallback, InterpreterOnRequestWarnsNothing) {
  Warnings w;
  DispatcherOptions o = w.options();
  o.useJit = false;
  Dispatcher::Built b = Dispatcher::fromPolicy({kContoso}, o);
  ASSERT_TRUE(b.dispatcher);
  EXPECT_EQ(b.dispatcher->backend(), Backend::Interpreter);
  EXPECT_TRUE(w.seen.empty());
  EXPECT_EQ(b.dispatcher->fallbackReason(), "");
}

TEST(Dispatcher, DecideBySipUri) {
  Warnings w;
  Dispatcher::Built b = Dispatcher::fromPolicy({kContoso}, w.options());
  ASSERT_TRUE(b.dispatcher);
  const Dispatcher& d = *b.dispatcher;
  Decision r = d.decide("sip:Alice@Contoso.com", "*3001");
  EXPECT_TRUE(r.knownCaller);
  EXPECT_EQ(r.action, CP_ACTION_RETRIEVE);
  EXPECT_EQ(r.range, "Redmond CPO 1");
  EXPECT_EQ(r.pool, "redmond-fe01.contoso.com");
  EXPECT_EQ(r.orbit, 1);
  EXPECT_TRUE(r.mayPark);
  r = d.decide("sip:stranger@example.com", "*71");
  EXPECT_FALSE(r.knownCaller);
  EXPECT_EQ(r.action, CP_ACTION_PARK);
  EXPECT_EQ(r.pool, "dublin-fe01.contoso.com");
  EXPECT_FALSE(d.mayPark("sip:lobby-redmond@contoso.com"));
  EXPECT_TRUE(d.mayPark("sip:alice@contoso.com"));
  EXPECT_EQ(d.findPool("Sydney-FE01.contoso.com"), 3);
  EXPECT_EQ(d.findUser("sip:nobody@contoso.com"), -1);
  EXPECT_EQ(d.decide("sip:x@y", std::string(500, '1')).status, CP_STATUS_TOO_LONG);
}

TEST(Dispatcher, ConcurrentCallsGiveTheSameAnswers) {
  Warnings w;
  for (bool useJit : {true, false}) {
    DispatcherOptions o = w.options();
    o.useJit = useJit;
    Dispatcher::Built b = Dispatcher::fromPolicy({kContoso}, o);
    ASSERT_TRUE(b.dispatcher);
    const Dispatcher& d = *b.dispatcher;
    std::vector<std::string> dials = sampleDials();
    std::vector<cp_dispatch_result> expected(dials.size());
    std::vector<int> status(dials.size());
    cp_caller c{5, 0, 0, 0};
    for (size_t i = 0; i < dials.size(); ++i) status[i] = d.dispatch(c, dials[i], &expected[i]);
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        for (int round = 0; round < 5; ++round)
          for (size_t i = t; i < dials.size(); ++i) {
            cp_dispatch_result r;
            int s = d.dispatch(c, dials[i], &r);
            if (!testing::same(s, r, status[i], expected[i])) ++bad;
          }
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(bad.load(), 0) << (useJit ? "jit" : "interpreter");
  }
  EXPECT_TRUE(w.seen.empty());
}

}  // namespace
}  // namespace callpark::dispatch

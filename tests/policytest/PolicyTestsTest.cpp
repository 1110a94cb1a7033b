// Running policy tests (compiler/policytest) and the routing they share with `parkc explain`
// (compiler/analysis/Route.h): every expectation form, passing and failing, the counts, names
// that do not resolve, and the reasons given for the plan and policy that apply.
#include <gtest/gtest.h>

#include "compiler/analysis/Route.h"
#include "compiler/policytest/PolicyTests.h"
#include "tests/analysis/PolicyFixture.h"

namespace callpark::policytest {
namespace {

using callpark::testing::Policy;

const char* const kPolicy = R"(
site "Dublin"  { pool "dublin-fe01.contoso.com" }
site "Redmond" { pool "redmond-fe01.contoso.com" pool "redmond-fe02.contoso.com" }
orbit "Dublin CPO 1"  { numbers 7000..7099    pool "dublin-fe01.contoso.com" }
orbit "Redmond CPO 1" { numbers *3000..*3099  pool "redmond-fe01.contoso.com" }
orbit "Pickup"        { type group_pickup  numbers #4100..#4199  pool "redmond-fe01.contoso.com" }
park_access "*70" { pool "redmond-fe01.contoso.com" }
park_access "*71" { pool "dublin-fe01.contoso.com" }
voice_policy global { call_park off }
voice_policy site "Redmond" { call_park on }
voice_policy "Reception" { call_park on }
dialplan global { rule "US" priority 1 { pattern '^(\d{10})$'  translation '+1$1' } }
dialplan site "Dublin" {
  external_access_prefix "9"
  optimize_device_dialing on
  rule "Orbits"  priority 0 { pattern '^(70\d{2})$'  translation '$1' }
  rule "4 digit" priority 1 { pattern '^(\d{4})$'    translation '+35315550$1'  internal_extension }
}
dialplan pool "redmond-fe02.contoso.com" { rule "Op" priority 0 { pattern '^0$'  translation '+14255550100' } }
dialplan "Reception" { rule "Op" priority 0 { pattern '^0$'  translation '+14255550199' } }
user "sip:alice@contoso.com" { pool "redmond-fe01.contoso.com"  voice_policy "Reception"  dialplan "Reception" }
user "sip:bob@contoso.com"   { pool "dublin-fe01.contoso.com" }
user "sip:carol@contoso.com" { pool "redmond-fe01.contoso.com" }
user "sip:dave@contoso.com"  { pool "redmond-fe02.contoso.com" }
)";

struct TestRun {
  Policy policy;
  RunResult result;
  std::vector<Diagnostic> failures;
  explicit TestRun(const std::string& tests) : policy(std::string(kPolicy) + tests) {
    EXPECT_TRUE(policy.model);
    EXPECT_TRUE(policy.withCode("CP1").empty());
    EXPECT_TRUE(policy.withCode("CP2").empty());
    result = runTests(*policy.model, policy.diags);
    failures = policy.withCode("CP92");
  }
};

TEST(PolicyTests, EveryFormPasses) {
  TestRun r(R"(
test "all" {
  dial "*3001" as "sip:alice@contoso.com"   => orbit "Redmond CPO 1"
  dial "97042" as "sip:bob@contoso.com"     => orbit "Dublin CPO 1"
  dial "#4150" with dialplan global         => orbit "Pickup"
  dial "*70"   as "sip:carol@contoso.com"   => park pool "redmond-fe01.contoso.com"
  dial "*71"   with dialplan site "Dublin"  => park pool "dublin-fe01.contoso.com"
  dial "1234"  with dialplan site "Dublin"  => "+353155501234" internal
  dial "91234" as "sip:bob@contoso.com"     => "+353155501234"
  dial "0"     as "sip:alice@contoso.com"   => "+14255550199"
  dial "0"     as "sip:dave@contoso.com"    => "+14255550100"
  dial "0"     as "sip:carol@contoso.com"   => "0"
  dial "5555"  with dialplan global         => not_ours
  park as "sip:alice@contoso.com" => allowed
  park as "sip:carol@contoso.com" => allowed
  park as "sip:bob@contoso.com"   => denied
})");
  ASSERT_EQ(r.result.tests.size(), 1u);
  EXPECT_EQ(r.result.tests[0].expectations, 14);
  EXPECT_TRUE(r.result.tests[0].passed());
  EXPECT_EQ(r.result.passed(), 1);
  EXPECT_EQ(r.result.failed(), 0);
  EXPECT_TRUE(r.failures.empty());
}

TEST(PolicyTests, EachFormFailsWithExpectedAndActual) {
  struct Case {
    const char* line;
    const char* code;
    const char* messagePart;
  } cases[] = {
      {R"(dial "7001" with dialplan global => orbit "Redmond CPO 1")", "CP920",
       R"(expected orbit "Redmond CPO 1", got orbit 7001 of range "Dublin CPO 1")"},
      {R"(dial "7001" as "sip:carol@contoso.com" => park pool "dublin-fe01.contoso.com")", "CP920",
       R"(expected park pool "dublin-fe01.contoso.com", got orbit 7001)"},
      {R"(dial "*71" with dialplan global => park pool "redmond-fe01.contoso.com")", "CP920",
       R"(got park access number *71 of pool "dublin-fe01.contoso.com")"},
      {R"(dial "1234" with dialplan site "Dublin" => "+353155501235")", "CP920",
       R"(expected "+353155501235", got "+353155501234" internal)"},
      {R"(dial "4255550100" with dialplan global => "+14255550100" internal)", "CP920",
       R"(got "+14255550100" without the internal flag (the plan does not optimize)"},
      {R"(dial "*70" with dialplan global => not_ours)", "CP920",
       R"(expected not ours, got park access number *70)"},
      {R"(dial "7001" with dialplan global => orbit "Dublin CPO 1")", "", ""},  // holds
      {R"(park as "sip:bob@contoso.com" => allowed)", "CP921", "expected allowed, got denied"},
      {R"(park as "sip:carol@contoso.com" => denied)", "CP921", "expected denied, got allowed"},
  };
  for (const Case& c : cases) {
    TestRun r(std::string("test \"t\" {\n  ") + c.line + "\n}\n");
    ASSERT_EQ(r.result.tests.size(), 1u) << c.line;
    if (!*c.code) {
      EXPECT_TRUE(r.result.tests[0].passed()) << c.line;
      EXPECT_TRUE(r.failures.empty()) << c.line;
      continue;
    }
    EXPECT_EQ(r.result.tests[0].failed, 1) << c.line;
    EXPECT_EQ(r.result.failed(), 1) << c.line;
    ASSERT_EQ(r.failures.size(), 1u) << c.line;
    const Diagnostic& d = r.failures[0];
    EXPECT_EQ(d.code, c.code) << c.line;
    EXPECT_EQ(d.severity, Severity::Error);
    EXPECT_NE(d.message.find(c.messagePart), std::string::npos) << d.message;
    // At the expectation: line 2 of the test block, from its first keyword.
    EXPECT_EQ(d.range.col, 3u) << c.line;
    EXPECT_FALSE(d.notes.empty()) << c.line;
  }
}

TEST(PolicyTests, NotesNameThePlanTheRuleAndTheRange) {
  TestRun r(R"(
test "t" { dial "97001" as "sip:bob@contoso.com" => "+353155507001" })");
  ASSERT_EQ(r.failures.size(), 1u);
  const Diagnostic& d = r.failures[0];
  EXPECT_NE(d.message.find(R"(got "7001")"), std::string::npos) << d.message;
  ASSERT_EQ(d.notes.size(), 3u);
  EXPECT_NE(d.notes[0].message.find(R"(dialplan site "Dublin" applies)"), std::string::npos);
  EXPECT_NE(d.notes[1].message.find(R"(rule "Orbits" (priority 0))"), std::string::npos);
  EXPECT_NE(d.notes[1].message.find(R"(after removing the external access prefix "9")"),
            std::string::npos)
      << d.notes[1].message;
  EXPECT_NE(d.notes[2].message.find(R"(is in orbit range "Dublin CPO 1")"), std::string::npos);
  ASSERT_TRUE(d.fix);
  EXPECT_EQ(d.fix->message,
            "`parkc explain 97001 --as sip:bob@contoso.com` shows every rule tried and where "
            "the number goes");
}

TEST(PolicyTests, UnresolvedNamesAreNotEvaluatedButFailTheTest) {
  TestRun r(R"(
test "typos" {
  dial "7001" as "sip:nobody@contoso.com" => orbit "Dublin CPO 1"
  dial "7001" with dialplan site "Nowhere" => orbit "Dublin CPO 1"
  dial "7001" with dialplan "NoSuchTag" => orbit "Dublin CPO 1"
  dial "7001" with dialplan global => orbit "No such range"
  dial "*71"  with dialplan global => park pool "nowhere.contoso.com"
  park as "sip:nobody@contoso.com" => allowed
}
test "fine" { dial "7001" with dialplan global => orbit "Dublin CPO 1" })");
  ASSERT_EQ(r.result.tests.size(), 2u);
  EXPECT_EQ(r.result.tests[0].unresolved, 6);
  EXPECT_EQ(r.result.tests[0].failed, 0);
  EXPECT_FALSE(r.result.tests[0].passed());
  EXPECT_TRUE(r.result.tests[1].passed());
  EXPECT_EQ(r.result.passed(), 1);
  EXPECT_EQ(r.result.failed(), 1);
  EXPECT_TRUE(r.failures.empty());  // the CP91x rules report these, not the runner
}

TEST(Route, PlanChoiceFollowsUserPoolSiteGlobal) {
  Policy p(kPolicy);
  const model::Model& m = *p.model;
  auto choice = [&](const char* sip) { return analysis::choosePlan(m, m.findUser(sip)); };
  analysis::PlanChoice alice = choice("sip:alice@contoso.com");
  EXPECT_EQ(alice.plan, m.findDialPlan({ast::Scope::Tag, model::kNone, "Reception"}));
  EXPECT_EQ(alice.why, "it is assigned to sip:alice@contoso.com");
  analysis::PlanChoice dave = choice("sip:dave@contoso.com");
  EXPECT_EQ(dave.plan,
            m.findDialPlan({ast::Scope::Pool, m.findPool("redmond-fe02.contoso.com"), {}}));
  analysis::PlanChoice bob = choice("sip:bob@contoso.com");
  EXPECT_EQ(bob.plan, m.findDialPlan({ast::Scope::Site, m.findSite("Dublin"), {}}));
  EXPECT_EQ(bob.why,
            "sip:bob@contoso.com has no dial plan of their own, their pool "
            "\"dublin-fe01.contoso.com\" has none, and it is the plan of their site \"Dublin\"");
  analysis::PlanChoice carol = choice("sip:carol@contoso.com");
  EXPECT_EQ(carol.plan, m.findDialPlan({ast::Scope::Global, model::kNone, {}}));
  for (int u = 0; u < static_cast<int>(m.users.size()); ++u)
    EXPECT_EQ(analysis::choosePlan(m, u).plan, m.effectiveDialPlan(u)) << m.users[u].sip;
}

TEST(Route, CommandLineScopes) {
  Policy p(kPolicy);
  const model::Model& m = *p.model;
  std::string err;
  auto plan = [&](const char* text) {
    auto ref = analysis::parseScope(m, text, &err);
    return ref ? m.findDialPlan(*ref) : -2;
  };
  EXPECT_EQ(plan("global"), m.findDialPlan({ast::Scope::Global, model::kNone, {}}));
  EXPECT_EQ(plan("site:Dublin"), m.findDialPlan({ast::Scope::Site, m.findSite("Dublin"), {}}));
  int fe02 = m.findDialPlan({ast::Scope::Pool, m.findPool("redmond-fe02.contoso.com"), {}});
  EXPECT_EQ(plan("pool:redmond-fe02.contoso.com"), fe02);
  EXPECT_EQ(plan("service:Registrar:redmond-fe02.contoso.com"), fe02);
  int tag = m.findDialPlan({ast::Scope::Tag, model::kNone, "Reception"});
  EXPECT_EQ(plan("tag:Reception"), tag);
  EXPECT_EQ(plan("Reception"), tag);
  EXPECT_EQ(plan("site:Nowhere"), -2);
  EXPECT_EQ(err, "no site named \"Nowhere\"");
}

}  // namespace
}  // namespace callpark::policytest

// The conflict analysis: the spec's examples, each diagnostic, and the block walker against a
// brute-force per-number reference on generated policies.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "compiler/analysis/Conflicts.h"
#include "tests/analysis/PolicyFixture.h"

namespace callpark::analysis {
namespace {

using callpark::testing::Policy;

const char* const kTopology = R"(
site "Dublin" { pool "dublin-fe01.contoso.com" }
site "Redmond" { pool "redmond-fe01.contoso.com" }
orbit "Dublin CPO 1" { numbers 7000..7099  pool "dublin-fe01.contoso.com" }
orbit "Redmond CPO 1" { numbers *3000..*3099  pool "redmond-fe01.contoso.com" }
park_access "*71" { pool "dublin-fe01.contoso.com" }
)";

TEST(Conflicts, DublinWithoutPassThroughRewritesAllOrbits) {
  Policy p(std::string(kTopology) + R"(
dialplan site "Dublin" {
  rule "4 digit" priority 1 { pattern '^(\d{4})$'  translation '+35315550$1' }
})");
  ASSERT_TRUE(p.model);
  ConflictResult r = findConflicts(*p.model);
  ASSERT_EQ(r.rewrites.size(), 1u);
  const Rewrite& w = r.rewrites[0];
  EXPECT_EQ(w.orbit, p.model->orbitByName.at("Dublin CPO 1"));
  EXPECT_EQ(w.affected, 100u);
  EXPECT_EQ(w.total, 100u);
  EXPECT_EQ(w.witness, "7000");
  EXPECT_EQ(w.result, "+353155507000");

  reportConflicts(*p.model, r, p.diags);
  auto d = p.withCode("CP801");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message,
            "rule \"4 digit\" in dialplan site \"Dublin\" rewrites all 100 numbers of orbit range "
            "\"Dublin CPO 1\", e.g. 7000 becomes +353155507000");
  ASSERT_EQ(d[0].notes.size(), 2u);
  ASSERT_TRUE(d[0].fix);
  EXPECT_NE(d[0].fix->message.find("pattern '^(70\\d{2})$'  translation '$1'"), std::string::npos)
      << d[0].fix->message;
}

TEST(Conflicts, PassThroughFirstIsClean) {
  Policy p(std::string(kTopology) + R"(
dialplan site "Dublin" {
  rule "Dublin orbits" priority 0 { pattern '^(70\d{2})$'  translation '$1' }
  rule "4 digit"       priority 1 { pattern '^(\d{4})$'    translation '+35315550$1' }
})");
  ConflictResult r = findConflicts(*p.model);
  EXPECT_TRUE(r.rewrites.empty());
  EXPECT_TRUE(r.dead.empty());
}

TEST(Conflicts, MisorderedPassThroughIsDeadAndSuggestsMovingIt) {
  Policy p(std::string(kTopology) + R"(
dialplan site "Dublin" {
  rule "4 digit"       priority 1 { pattern '^(\d{4})$'    translation '+35315550$1' }
  rule "Dublin orbits" priority 2 { pattern '^(70\d{2})$'  translation '$1' }
})");
  ConflictResult r = findConflicts(*p.model);
  ASSERT_EQ(r.rewrites.size(), 1u);
  ASSERT_EQ(r.dead.size(), 1u);
  EXPECT_TRUE(r.dead[0].passThrough);
  EXPECT_EQ(r.dead[0].protectedOrbit, p.model->orbitByName.at("Dublin CPO 1"));
  reportConflicts(*p.model, r, p.diags);
  auto d801 = p.withCode("CP801");
  ASSERT_EQ(d801.size(), 1u);
  ASSERT_TRUE(d801[0].fix);
  EXPECT_EQ(d801[0].fix->message,
            "move rule \"Dublin orbits\" before rule \"4 digit\": give it a priority below 1");
  EXPECT_EQ(p.withCode("CP803").size(), 1u);
}

TEST(Conflicts, CatchAllBeforePassThrough) {
  Policy p(std::string(kTopology) + R"(
dialplan global {
  rule "Everything" priority 0 { pattern '^(\d*)'  translation '+1425$1' }
  rule "Redmond orbits" priority 1 { pattern '^(\*30\d{2})$'  translation '$1' }
  rule "Dublin orbits" priority 2 { pattern '^(70\d{2})$'  translation '$1' }
})");
  ConflictResult r = findConflicts(*p.model);
  // '*' orbits are not digit strings: the catch-all does not take them.
  ASSERT_EQ(r.rewrites.size(), 1u);
  EXPECT_EQ(r.rewrites[0].witness, "7000");
  EXPECT_EQ(r.rewrites[0].result, "+14257000");
  ASSERT_EQ(r.dead.size(), 1u);
  EXPECT_TRUE(r.dead[0].catchAll);
  EXPECT_EQ(p.model->dialPlans[0].rules[r.dead[0].rule].name, "Dublin orbits");
}

TEST(Conflicts, SubsumedRuleIsAWarning) {
  Policy p(std::string(kTopology) + R"(
dialplan global {
  rule "National" priority 0 { pattern '^0(\d{9})$'  translation '+353$1' }
  rule "Dublin national" priority 1 { pattern '^01(\d{8})$'  translation '+3531$1' }
})");
  ConflictResult r = findConflicts(*p.model);
  ASSERT_EQ(r.dead.size(), 1u);
  EXPECT_FALSE(r.dead[0].passThrough);
  EXPECT_EQ(r.dead[0].example, "0100000000");
  reportConflicts(*p.model, r, p.diags);
  auto d = p.withCode("CP804");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].severity, Severity::Warning);
}

TEST(Conflicts, ParkAccessNumberRewritten) {
  Policy p(std::string(kTopology) + R"(
dialplan global {
  rule "Stars" priority 0 { pattern '^\*(\d+)$'  translation '+1425555$1' }
  rule "Redmond orbits" priority 1 { pattern '^(\*30\d{2})$'  translation '$1' }
})");
  ConflictResult r = findConflicts(*p.model);
  // Redmond's orbits and *71 are taken by "Stars".
  ASSERT_EQ(r.rewrites.size(), 2u);
  EXPECT_EQ(r.rewrites[0].orbit, p.model->orbitByName.at("Redmond CPO 1"));
  EXPECT_EQ(r.rewrites[1].parkAccess, 0);
  EXPECT_EQ(r.rewrites[1].result, "+142555571");
  reportConflicts(*p.model, r, p.diags);
  EXPECT_EQ(p.withCode("CP802").size(), 1u);
}

TEST(Conflicts, PartialRewriteCountsAndLowestWitness) {
  Policy p(std::string(kTopology) + R"(
dialplan global {
  rule "Swap" priority 0 { pattern '^7(\d)(\d)(\d)$'  translation '7$1$3$2' }
})");
  ConflictResult r = findConflicts(*p.model);
  ASSERT_EQ(r.rewrites.size(), 1u);
  // 7abc -> 7acb changes the number unless b == c: 100 - 10 numbers.
  EXPECT_EQ(r.rewrites[0].affected, 90u);
  EXPECT_EQ(r.rewrites[0].witness, "7001");
  EXPECT_EQ(r.rewrites[0].result, "7010");
  EXPECT_EQ(r.rewrites, findRewritesBruteForce(*p.model));
}

TEST(Conflicts, ExternalAccessPrefixIsStrippedFirst) {
  Policy p(R"(
site "S" { pool "p.contoso.com" }
orbit "Nines" { numbers 9000..9199  pool "p.contoso.com" }
dialplan global {
  external_access_prefix "9"
  optimize_device_dialing on
  rule "Three" priority 0 { pattern '^(\d{3})$'  translation '9$1' }
  rule "Keep" priority 1 { pattern '^(9\d{3})$'  translation '$1' }
})");
  ConflictResult r = findConflicts(*p.model);
  // "9001" is seen as "001" and rebuilt as "9001": no rewrite.
  EXPECT_TRUE(r.rewrites.empty());
  EXPECT_EQ(r.rewrites, findRewritesBruteForce(*p.model));
}

TEST(Conflicts, PassThroughUnderAnAccessPrefixIsDecidedByBlocks) {
  // The prefix "9" is not removed from 7000..7099, so '$1' reproduces them: decided for whole
  // blocks, without evaluating numbers one by one. 97000 would have "9" removed: '$1' drops it.
  Policy p(std::string(kTopology) + R"(
orbit "Nines" { numbers 97000..97099  pool "dublin-fe01.contoso.com" }
dialplan site "Dublin" {
  external_access_prefix "9"
  optimize_device_dialing on
  rule "Orbits"  priority 0 { pattern '^(70\d{2})$'  translation '$1' }
  rule "4 digit" priority 1 { pattern '^(\d{4})$'    translation '+35315550$1' }
})");
  ConflictResult r = findConflicts(*p.model);
  EXPECT_EQ(r.stats.perNumberEvaluations, 0u);
  ASSERT_EQ(r.rewrites.size(), 1u);
  EXPECT_EQ(r.rewrites[0].orbit, p.model->orbitByName.at("Nines"));
  EXPECT_EQ(r.rewrites[0].witness, "97000");
  EXPECT_EQ(r.rewrites[0].result, "7000");
  EXPECT_EQ(r.rewrites, findRewritesBruteForce(*p.model));
}

TEST(Conflicts, RangePattern) {
  Policy p(R"(
site "S" { pool "p.contoso.com" }
orbit "A" { numbers 7000..7099  pool "p.contoso.com" }
orbit "B" { numbers *3005..*3100  pool "p.contoso.com" }
)");
  EXPECT_EQ(rangePattern(p.model->orbits[0]), "^(70\\d{2})$");
  EXPECT_EQ(rangePattern(p.model->orbits[1]), "^(\\*300[5-9]|\\*30[1-9]\\d|\\*3100)$");
}

// ---- Differential: block walker vs brute force on generated policies -------------------------

const char* const kPatternPool[][2] = {
    {R"(^(\d{4})$)", "+35315550$1"},
    {R"(^(70\d{2})$)", "$1"},
    {R"(^(7[0-4]\d{2})$)", "$1"},
    {R"(^(\d*))", "+1$1"},
    {R"(^0(\d{9})$)", "+353$1"},
    {R"(^(\d{3,5})$)", "$1"},
    {R"(^(\*\d{4})$)", "$1"},
    {R"(^\*(\d{4})$)", "$1"},
    {R"(^([*#]\d+)$)", "+$1"},
    {R"(^7(\d)(\d)(\d)$)", "7$1$3$2"},
    {R"(^(\d)(\d{3})$)", "$1$2"},
    {R"(^70(\d)5$)", "7005"},
    {R"(^(\d{2})(\d{2})$)", "$2$1"},
    {R"(^(?:70|71)(\d{2})$)", "70$1"},
    {R"(^(\d+)#$)", "$1"},
    {R"(\b(\d{4})$)", "$1"},
    {R"(^(#\d{3,4})$)", "$0"},
    {R"(^(\d{4}?)\d?$)", "$1"},
    {R"(^7\d{3}$)", "+7"},
    {R"(^(\d{3})$)", "9$1"},
    {R"(^(71|72)(\d{2})$)", "$1$2"},
    {R"(^(?:\d{2}|\d{4})$)", "$0"},
    // Pass-throughs that put a removed access prefix "7" back: identity only for the numbers
    // the plan stripped "7" from.
    {R"(^(\d{3})$)", "7$1"},
    {R"(^(0\d{2})$)", "7$1"},
};

std::string generatePolicy(std::mt19937& rng) {
  std::ostringstream s;
  s << "site \"S\" { pool \"p.contoso.com\" }\n";
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  // Non-overlapping ranges of 4 digits, optionally prefixed.
  const char* prefixes[] = {"", "*", "#"};
  for (int r = 0; r < 4; ++r) {
    std::string pre = prefixes[pick(3)];
    int lo = 7000 + r * 250 + pick(100), hi = lo + pick(150);
    s << "orbit \"R" << r << "\" { numbers " << pre << lo << ".." << pre << hi
      << "  pool \"p.contoso.com\" }\n";
  }
  s << "park_access \"*71\" { pool \"p.contoso.com\" }\n";
  int plans = 3;
  for (int d = 0; d < plans; ++d) {
    s << "dialplan \"T" << d << "\" {\n";
    if (pick(3) == 0)
      s << "  external_access_prefix \"" << (pick(2) ? "7" : "9")
        << "\"\n  optimize_device_dialing on\n";
    int n = 1 + pick(6);
    for (int k = 0; k < n; ++k) {
      const auto& pt = kPatternPool[pick(std::size(kPatternPool))];
      s << "  rule \"r" << k << "\" priority " << k << " { pattern '" << pt[0] << "'  translation '"
        << pt[1] << "' }\n";
    }
    s << "}\n";
  }
  return s.str();
}

TEST(Conflicts, BlockWalkerAgreesWithBruteForce) {
  std::mt19937 rng(20261125);
  size_t nonEmpty = 0;
  for (int iter = 0; iter < 300; ++iter) {
    std::string text = generatePolicy(rng);
    Policy p(text);
    ASSERT_TRUE(p.model);
    std::vector<Rewrite> reference = findRewritesBruteForce(*p.model);
    for (unsigned threads : {1u, 2u}) {
      ConflictOptions o;
      o.threads = threads;
      EXPECT_EQ(findConflicts(*p.model, o).rewrites, reference) << text;
    }
    ConflictOptions noDfa;
    noDfa.useAutomata = false;
    EXPECT_EQ(findConflicts(*p.model, noDfa).rewrites, reference) << text;
    nonEmpty += !reference.empty();
  }
  EXPECT_GT(nonEmpty, 50u);  // the generator exercises real conflicts
}

}  // namespace
}  // namespace callpark::analysis

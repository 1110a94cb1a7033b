// Differential tests: the interpreter, the JIT and the naive reference must agree on every
// field of every decision (status codes included) for every dial string over 0-9 * # up to
// length 5, a seeded sample of longer strings, several callers, on examples/contoso and on
// seeded generated policies. Zero disagreements.
#include <gtest/gtest.h>

#include "compiler/driver/Compilation.h"
#include "tests/dispatch/Support.h"

namespace callpark::dispatch::testing {
namespace {

constexpr uint64_t kSeed = 20251202;

class Contoso : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    comp_ = new driver::Compilation();
    driver::CompileOptions co;
    co.paths = {std::string(CALLPARK_SOURCE_DIR) + "/examples/contoso"};
    ASSERT_TRUE(comp_->run(co)) << comp_->toolError;
    ASSERT_TRUE(comp_->model);
    ASSERT_FALSE(comp_->diags.hasErrors());
    backends_ = new Backends(*comp_->model, "contoso");
  }
  static void TearDownTestSuite() {
    delete backends_;
    delete comp_;
  }
  static driver::Compilation* comp_;
  static Backends* backends_;
};
driver::Compilation* Contoso::comp_ = nullptr;
Backends* Contoso::backends_ = nullptr;

TEST_F(Contoso, LoweredIrVerifies) {
  EXPECT_TRUE(ir::verify(backends_->ir, true).empty());
  ASSERT_TRUE(backends_->native);
  EXPECT_EQ(backends_->native->version(), CP_DISPATCH_ABI_VERSION);
  // The transparency pass must have found the pass-through rules: the fast path is exercised.
  size_t known = 0;
  for (const auto& row : backends_->ir.rows)
    for (int16_t v : row) known += v != ir::kUnknown;
  EXPECT_GT(known, 0u);
}

// Exhaustive up to length 5 for users of every distinct context and for explicit callers
// (split in two so ctest can run them in parallel).
TEST_F(Contoso, ExhaustiveUsers) {
  Differ d(*backends_);
  auto callers = callersFor(*comp_->model, backends_->ir);
  size_t n = 0;
  for (const cp_caller& c : callers) {
    if (c.user < 0) continue;
    d.exhaustive(c, ++n <= 3 ? 5 : 4);
  }
  EXPECT_EQ(d.disagreements(), 0u) << "of " << d.checked();
}

TEST_F(Contoso, ExhaustiveExplicitCallers) {
  Differ d(*backends_);
  auto callers = callersFor(*comp_->model, backends_->ir);
  size_t n = 0;
  for (const cp_caller& c : callers) {
    if (c.user >= 0) continue;
    d.exhaustive(c, ++n <= 3 ? 5 : 4);
  }
  EXPECT_EQ(d.disagreements(), 0u) << "of " << d.checked();
}

TEST_F(Contoso, RandomLongerStringsAndEveryUser) {
  Differ d(*backends_);
  uint64_t seed = kSeed;
  for (const cp_caller& c : callersFor(*comp_->model, backends_->ir)) d.random(c, seed++, 4000);
  // Every user (fold-policy against the model's own resolution) on the numbers that matter.
  const model::Model& m = *comp_->model;
  std::vector<std::string> numbers = {"*3000", "*3199",   "7001", "97001",       "7949",
                                      "#4150", "#5199",   "*70",  "*73",         "1234",
                                      "91234", "5551234", "0",    "14255551234", "0011441234567"};
  for (const auto& o : m.orbits)
    if (o.usable()) numbers.push_back(o.numberAt(o.size() / 2));
  for (size_t u = 0; u < m.users.size(); ++u) {
    cp_caller c{static_cast<int32_t>(u), 0, 0, 0};
    d.checkCaller(c);
    for (const auto& n : numbers) d.check(c, n);
  }
  EXPECT_EQ(d.disagreements(), 0u) << "of " << d.checked();
}

TEST_F(Contoso, EveryOrbitEveryPlan) {
  Differ d(*backends_);
  const model::Model& m = *comp_->model;
  for (size_t p = 0; p < m.dialPlans.size(); ++p) {
    cp_caller c{CP_NONE, static_cast<int32_t>(p), CP_INHERIT, CP_NONE};
    for (const auto& o : m.orbits)
      for (uint64_t i = 0; i < o.size(); ++i) {
        d.check(c, o.numberAt(i));
        d.check(c, "9" + o.numberAt(i));
      }
  }
  EXPECT_GE(d.checked(), 5500u);  // 550 orbits, with and without the prefix, 5 plans
  EXPECT_EQ(d.disagreements(), 0u) << "of " << d.checked();
}

TEST_F(Contoso, BadCallersSettingsAndLimits) {
  Differ d(*backends_);
  const model::Model& m = *comp_->model;
  for (const cp_caller& c : badCallers(m)) {
    d.checkCaller(c);
    d.check(c, "*3001");
    cp_dispatch_result r;
    EXPECT_EQ(backends_->native->dispatch(backends_->env.get(), &c, "*3001", 5, &r),
              CP_STATUS_BAD_CALLER)
        << callerText(c);
  }
  for (const cp_caller& c : callersFor(m, backends_->ir)) d.checkCaller(c);
  for (int p = -3; p <= static_cast<int>(m.pools.size()) + 1; ++p) d.checkSettings(p);
  // Lengths around CP_MAX_NUMBER.
  cp_caller c{CP_NONE, CP_INHERIT, CP_INHERIT, CP_NONE};
  for (size_t len : {127u, 128u, 129u, 300u}) {
    d.check(c, std::string(len, '5'));
    d.check(c, "9" + std::string(len - 1, '1'));
  }
  EXPECT_EQ(d.disagreements(), 0u) << "of " << d.checked();
}

// ---- generated policies ----------------------------------------------------------------------

class Generated : public ::testing::TestWithParam<int> {};

TEST_P(Generated, AllBackEndsAgree) {
  const int index = GetParam();
  const bool allowErrors = index % 2 == 1;
  GeneratedPolicy g = generatePolicy(kSeed * 31 + index, allowErrors);
  Policy p(g.text);
  ASSERT_TRUE(p.model);
  Backends b(*p.model, "generated-" + std::to_string(index));
  ASSERT_TRUE(ir::verify(b.ir, true).empty());
  Differ d(b);
  auto callers = callersFor(*p.model, b.ir);
  for (size_t k = 0; k < callers.size(); ++k) {
    const cp_caller& c = callers[k];
    // Length 5 for two callers of each policy, 4 for the others (keeps the suite fast).
    d.exhaustive(c, k < 2 ? 5 : (k < 8 ? 4 : 3));
    d.random(c, kSeed + index * 1000 + k, 1500);
    for (const auto& s : g.samples) d.check(c, s);
    d.checkCaller(c);
  }
  for (const cp_caller& c : badCallers(*p.model)) {
    d.checkCaller(c);
    d.check(c, "123");
  }
  for (int pool = -2; pool <= static_cast<int>(p.model->pools.size()); ++pool)
    d.checkSettings(pool);
  EXPECT_EQ(d.disagreements(), 0u) << "of " << d.checked() << "\npolicy:\n" << g.text;
}

INSTANTIATE_TEST_SUITE_P(Seeded, Generated, ::testing::Range(0, 8));

// The generated policies exercise every shape the back ends have code for.
TEST(GeneratedCoverage, EveryLoweredShapeOccurs) {
  size_t tables = 0, compares = 0, exact = 0, skipped = 0, identity = 0, none = 0, unknown = 0,
         prefixes = 0, deduped = 0, searches = 0, automata = 0, noAutomaton = 0, spans = 0,
         noSpans = 0;
  for (int index = 0; index < 8; ++index) {
    GeneratedPolicy g = generatePolicy(kSeed * 31 + index, index % 2 == 1);
    Policy p(g.text);
    ir::Module m = lowerModel(*p.model);
    for (const auto& k : m.keys) {
      for (const auto& n : k.nodes) (n.kind == ir::Node::Table ? tables : compares) += 1;
      searches += k.root >= 0 && k.nodes[k.root].kind == ir::Node::Compare &&
                  k.intervals.size() >= 4;  // emitted as a branchless search
    }
    exact += m.exact.size();
    for (const auto& plan : m.plans) {
      prefixes += !plan.stripPrefix.empty();
      (plan.dfa >= 0 ? automata : noAutomaton) += 1;
      for (const auto& r : plan.rules) {
        skipped += !r.compiled;
        if (r.compiled) (r.spansKnown ? spans : noSpans) += 1;
      }
    }
    deduped += p.model->dialPlans.size() - m.plans.size();
    for (const auto& row : m.rows)
      for (int16_t v : row) (v >= 0 ? identity : v == ir::kNoRuleFires ? none : unknown) += 1;
  }
  EXPECT_GT(tables, 0u);
  EXPECT_GT(compares, 0u);
  EXPECT_GT(searches, 0u);
  EXPECT_GT(exact, 0u);
  EXPECT_GT(skipped, 0u);
  EXPECT_GT(identity, 0u);
  EXPECT_GT(none, 0u);
  EXPECT_GT(unknown, 0u);
  EXPECT_GT(prefixes, 0u);
  EXPECT_GT(deduped, 0u);
  EXPECT_GT(automata, 0u);
  EXPECT_GT(noAutomaton, 0u);
  EXPECT_GT(spans, 0u);
  EXPECT_GT(noSpans, 0u);
}

}  // namespace
}  // namespace callpark::dispatch::testing

// CompiledDialPlan: rule order, whole-string matching, external access prefix, internal flag,
// diagnostics at the right source columns, and agreement of the RE2::Set path with the
// rule-by-rule path and the trace.
#include <gtest/gtest.h>

#include "compiler/normalize/CompiledDialPlan.h"

namespace callpark::normalize {
namespace {

model::NormRule rule(std::string name, std::string pattern, std::string translation,
                     bool internal = false) {
  model::NormRule r;
  r.name = std::move(name);
  r.pattern = std::move(pattern);
  r.translation = std::move(translation);
  r.internalExtension = internal;
  return r;
}

model::DialPlan dublin() {
  model::DialPlan p;
  p.rules = {rule("Dublin orbits", R"(^(70\d{2})$)", "$1"),
             rule("4 digit", R"(^(\d{4})$)", "+35315550$1", true),
             rule("National", R"(^0(\d{9})$)", "+353$1"), rule("Unanchored", R"(1\d{2})", "+1-$0")};
  return p;
}

TEST(CompiledDialPlan, FirstMatchingRuleInOrderWins) {
  CompiledDialPlan cp = CompiledDialPlan::compile(dublin());
  Normalized n = cp.normalize("7012");
  EXPECT_EQ(n.rule, 0);
  EXPECT_EQ(n.result, "7012");
  n = cp.normalize("1234");
  EXPECT_EQ(n.rule, 1);
  EXPECT_EQ(n.result, "+353155501234");
  EXPECT_FALSE(n.internal);  // optimize_device_dialing is off: the flag is not honoured
  EXPECT_EQ(cp.normalize("0871234567").result, "+353871234567");
  EXPECT_EQ(cp.normalize("123").result, "+1-123");
  // Unanchored patterns still only fire on a whole-string match.
  n = cp.normalize("51234");
  EXPECT_EQ(n.rule, -1);
  EXPECT_EQ(n.result, "51234");
}

TEST(CompiledDialPlan, ExternalAccessPrefixIsStrippedOnlyWhenOptimizing) {
  model::DialPlan p = dublin();
  p.externalAccessPrefix = "9";
  CompiledDialPlan off = CompiledDialPlan::compile(p);
  EXPECT_EQ(off.normalize("90871234567").rule, -1);
  p.optimizeDeviceDialing = true;
  CompiledDialPlan on = CompiledDialPlan::compile(p);
  Normalized n = on.normalize("90871234567");
  EXPECT_EQ(n.rule, 2);
  EXPECT_EQ(n.result, "+353871234567");
  EXPECT_EQ(on.normalize("0871234567").result, "+353871234567");  // no prefix: unchanged input
  // Only when something remains: "9" alone is matched as "9" (and left as dialed here).
  EXPECT_EQ(on.normalize("9").result, "9");
  EXPECT_EQ(on.normalize("9").rule, -1);
  // No rule matches: the number is left as dialed, prefix included.
  EXPECT_EQ(on.normalize("9555").result, "9555");
  // Internal extension honoured now.
  n = on.normalize("91234");
  EXPECT_EQ(n.rule, 1);
  EXPECT_TRUE(n.internal);
  Trace t = on.trace("91234");
  EXPECT_TRUE(t.prefixStripped);
  EXPECT_EQ(t.input, "1234");
}

TEST(CompiledDialPlan, TraceListsEveryRule) {
  model::DialPlan p;
  p.rules = {rule("bad", R"(^(?=1)\d+$)", "$0"), rule("four", R"(^(\d{4})$)", "+1425555$1"),
             rule("any", R"(^(\d*)$)", "+$1"), rule("other", R"(^0\d+$)", "$0")};
  CompiledDialPlan cp = CompiledDialPlan::compile(p);
  Trace t = cp.trace("1234");
  ASSERT_EQ(t.steps.size(), 4u);
  EXPECT_EQ(t.steps[0].state, TraceStep::NotCompiled);
  EXPECT_EQ(t.steps[1].state, TraceStep::Matched);
  EXPECT_EQ(t.steps[1].result, "+14255551234");
  EXPECT_EQ(t.steps[2].state, TraceStep::Shadowed);
  EXPECT_EQ(t.steps[2].result, "+1234");
  EXPECT_EQ(t.steps[3].state, TraceStep::NoMatch);
  EXPECT_EQ(t.outcome.rule, 1);
  EXPECT_STREQ(traceStateName(TraceStep::Shadowed), "shadowed");
  EXPECT_FALSE(cp.ruleCompiled(0));
  ASSERT_NE(cp.ruleError(0), nullptr);
  EXPECT_EQ(cp.ruleError(0)->code, "CP701");
  EXPECT_EQ(cp.re2Pattern(1), R"(^(\d{4})$)");
}

TEST(CompiledDialPlan, SetPathAgreesWithRuleByRulePath) {
  model::DialPlan p;
  p.rules = {rule("a", R"(^\*(\d{3})$)", "$1"),         rule("b", R"(^(?:00|\+)(\d+)$)", "+$1"),
             rule("c", R"(^([2-9]\d{6})$)", "+1425$1"), rule("d", R"(^1?(\d{10})$)", "+1$1"),
             rule("e", R"(^#(?<x>\d+)#?$)", "${x}"),    rule("f", R"((\d)(\d)?)", "$2$1")};
  CompiledDialPlan cp = CompiledDialPlan::compile(p);
  const char* alphabet = "0123456789*#+";
  uint32_t seed = 12345;
  for (int k = 0; k < 20000; ++k) {
    std::string s;
    seed = seed * 1103515245 + 12345;
    int len = (seed >> 16) % 13;
    for (int j = 0; j < len; ++j) {
      seed = seed * 1103515245 + 12345;
      s += alphabet[(seed >> 16) % 13];
    }
    Normalized a = cp.normalize(s), b = cp.normalizeOneByOne(s);
    ASSERT_EQ(a.rule, b.rule) << s;
    ASSERT_EQ(a.result, b.result) << s;
    std::string out;
    ASSERT_EQ(cp.normalizeInto(s, &out), a.rule);
    ASSERT_EQ(out, a.result);
  }
}

TEST(CompiledDialPlan, DiagnosticsPointInsideTheStringLiterals) {
  SourceManager sm;
  //                  1         2         3         4         5         6         7
  //         1234567890123456789012345678901234567890123456789012345678901234567890123
  std::string line1 = "rule \"A\" priority 1 { pattern '^(?!911)(\\d{3})$'  translation '+1$2' }";
  std::string line2 = "rule \"B\" priority 2 { pattern \"^(\\\\d)\\\\1$\"  translation '$1' }";
  FileId f = sm.add("plans.park", line1 + "\n" + line2 + "\n");
  ast::RuleDecl d1, d2;
  auto str = [&](uint32_t line, std::string_view lineText, std::string_view lit) {
    ast::Str s;
    size_t at = lineText.find(lit);
    s.range = SourceRange{f, line, static_cast<uint32_t>(at + 1), line,
                          static_cast<uint32_t>(at + 1 + lit.size())};
    return s;
  };
  d1.pattern = str(1, line1, "'^(?!911)(\\d{3})$'");
  d1.translation = str(1, line1, "'+1$2'");
  d2.pattern = str(2, line2, "\"^(\\\\d)\\\\1$\"");
  d2.translation = str(2, line2, "'$1'");
  model::DialPlan p;
  p.rules = {rule("A", R"(^(?!911)(\d{3})$)", "+1$2"), rule("B", R"(^(\d)\1$)", "$1"),
             rule("C", R"(^(\d)$)", "+1$2")};
  p.rules[0].decl = &d1;
  p.rules[1].decl = &d2;
  p.rules[2].decl = &d1;  // translation error located through d1's translation literal
  DiagnosticEngine diags(sm);
  CompiledDialPlan cp = CompiledDialPlan::compile(p, &diags);
  const auto& ds = diags.diagnostics();
  ASSERT_EQ(ds.size(), 3u);
  // (?!911) in line 1: the literal starts at column 31 (the quote), content at 32.
  EXPECT_EQ(ds[0].code, "CP701");
  EXPECT_EQ(ds[0].range.line, 1u);
  EXPECT_EQ(sm.slice(ds[0].range), "(?!911)");
  EXPECT_NE(ds[0].message.find("rule \"A\""), std::string::npos);
  ASSERT_TRUE(ds[0].fix.has_value());
  // Double-quoted literal: `\\1` in the source is `\1` in the pattern.
  EXPECT_EQ(ds[1].code, "CP701");
  EXPECT_EQ(sm.slice(ds[1].range), "\\\\1");
  EXPECT_EQ(ds[2].code, "CP703");
  EXPECT_EQ(sm.slice(ds[2].range), "$2");
  EXPECT_EQ(cp.normalize("5").rule, -1);  // every rule was skipped
}

}  // namespace
}  // namespace callpark::normalize

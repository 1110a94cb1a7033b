// .NET substitution semantics of translations.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include "compiler/normalize/Pattern.h"
#include "compiler/normalize/Substitution.h"

namespace callpark::normalize {
namespace {

std::string sub(std::string_view pattern, std::string_view translation, std::string_view input) {
  CompileResult c = compilePattern(pattern);
  if (!c.ok()) return "PATTERN " + c.error->code;
  TranslationResult t = parseTranslation(translation, c.compiled->pattern);
  if (!t.ok())
    return t.error->code + "@" + std::to_string(t.error->begin) + "-" +
           std::to_string(t.error->end);
  std::vector<re2::StringPiece> g(c.compiled->re->NumberOfCapturingGroups() + 1);
  re2::StringPiece text(input.data(), input.size());
  if (!c.compiled->re->Match(text, 0, text.size(), re2::RE2::ANCHOR_BOTH, g.data(),
                             static_cast<int>(g.size())))
    return "-";
  return t.substitution->apply(g.data());
}

TEST(Substitution, DotNetReferenceForms) {
  EXPECT_EQ(sub(R"(^(\d)(\d)$)", "+$2$1", "12"), "+21");
  EXPECT_EQ(sub(R"(^(\d)(\d)$)", "${2}0${1}", "12"), "201");
  EXPECT_EQ(sub(R"(^(\d)(\d)$)", "$$1=$1", "12"), "$1=1");
  EXPECT_EQ(sub(R"(^(\d)(\d)$)", "[$0][$&][$_]", "12"), "[12][12][12]");
  EXPECT_EQ(sub(R"(^(\d)(\d)$)", "[$`][$']", "12"), "[][]");  // before/after a whole match
  EXPECT_EQ(sub(R"(^(\d)(\d)$)", "$+", "12"), "2");           // highest-numbered group
  EXPECT_EQ(sub(R"(^(?<a>\d)(\d)$)", "$+", "12"), "1");       // ... which is the named one
  EXPECT_EQ(sub(R"(^\d\d$)", "$+", "12"), "12");              // none: group 0
  EXPECT_EQ(sub(R"(^(?<area>\d{3})(\d{4})$)", "+1${area}$1|$2", "4255550"), "+14255550|425");
  EXPECT_EQ(sub(R"(^(\d)$)", "$01", "7"), "7");  // leading zeros: still group 1
  // `$` followed by anything else is literal, including a trailing `$`.
  EXPECT_EQ(sub(R"(^(\d)$)", "$a$-$ $1$", "7"), "$a$-$ 7$");
  // Ten and more groups.
  EXPECT_EQ(sub(R"(^(1)(2)(3)(4)(5)(6)(7)(8)(9)(0)(x)?$)", "$10$1$11.", "1234567890"), "01.");
}

TEST(Substitution, UnmatchedOptionalGroupsAreEmpty) {
  EXPECT_EQ(sub(R"(^(\+)?(\d+)(x(\d+))?$)", "[$1][$2][$4]", "123"), "[][123][]");
  EXPECT_EQ(sub(R"(^(a)|(b)$)", "[$1][$2]", "b"), "[][b]");
}

TEST(Substitution, MissingGroupsAreErrorsNotLiterals) {
  // .NET would emit "$2" literally; we report CP703 at the reference.
  EXPECT_EQ(sub(R"(^(\d{4})$)", "+1425$2", "1234"), "CP703@5-7");
  EXPECT_EQ(sub(R"(^\d{4}$)", "+1425$1", "1234"), "CP703@5-7");
  EXPECT_EQ(sub(R"(^(\d{4})$)", "+1${x}", "1234"), "CP703@2-6");
  EXPECT_EQ(sub(R"(^(\d{4})$)", "${5}", "1234"), "CP703@0-4");
  // `$10` is group 10 in .NET (all digits are read), never group 1 followed by "0".
  EXPECT_EQ(sub(R"(^(\d{4})$)", "+1$10", "1234"), "CP703@2-5");
  CompileResult c = compilePattern(R"(^(\d{4})$)");
  TranslationResult t = parseTranslation("+1$10", c.compiled->pattern);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error->hint.find("${1}0"), std::string::npos) << t.error->hint;
}

TEST(Substitution, MalformedBracedReferences) {
  EXPECT_EQ(sub(R"(^(\d)$)", "+${1", "1"), "CP704@1-4");
  EXPECT_EQ(sub(R"(^(\d)$)", "${}", "1"), "CP704@0-3");
  EXPECT_EQ(sub(R"(^(\d)$)", "${a b}", "1"), "CP704@0-4");
}

TEST(Substitution, ConstantTranslationsNeedNoCaptures) {
  CompileResult c = compilePattern(R"(^(111)$)");
  TranslationResult t = parseTranslation("+64111", c.compiled->pattern);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t.substitution->isConstant());
  EXPECT_EQ(t.substitution->apply(nullptr), "+64111");
  TranslationResult u = parseTranslation("+64$1", c.compiled->pattern);
  EXPECT_EQ(u.substitution->capturesNeeded(), 2);
}

// CP705: "pattern[begin-end]" of the warning, or "" when there is none.
std::string emptyLoopWarning(std::string_view pattern, std::string_view translation) {
  CompileResult c = compilePattern(pattern);
  if (!c.ok()) return "PATTERN " + c.error->code;
  TranslationResult t = parseTranslation(translation, c.compiled->pattern);
  if (!t.ok()) return t.error->code;
  if (t.warnings.empty()) return "";
  EXPECT_EQ(t.warnings.size(), 1u);
  const TextError& w = t.warnings[0];
  EXPECT_EQ(w.code, "CP705");
  EXPECT_TRUE(w.inPattern);
  return std::string(pattern.substr(w.begin, w.end - w.begin));
}

TEST(Substitution, EmptyIterationCapturesAreFlagged) {
  // New-CsDialPlan's example `^9(\d*){1,5}$`: .NET's second iteration matches empty, so Lync's
  // $1 is "" and every number becomes "+1206". RE2 expands {1,5} into five copies and agrees
  // here, but for an unbounded loop it keeps the last non-empty iteration ("123") where .NET,
  // Perl and Python record the empty one. Both are flagged; the warning underlines the loop.
  EXPECT_EQ(emptyLoopWarning(R"(^9(\d*){1,5}$)", "+1206$1"), R"((\d*){1,5})");
  EXPECT_EQ(sub(R"(^9(\d*){1,5}$)", "+1206$1", "9123"), "+1206");
  EXPECT_EQ(emptyLoopWarning(R"(^9(\d*)+$)", "+1206$1"), R"((\d*)+)");
  EXPECT_EQ(sub(R"(^9(\d*)+$)", "+1206$1", "9123"), "+1206123");  // .NET: "+1206"
  // Any group can be affected, not only the ones inside the loop: the loop's share differs.
  EXPECT_EQ(emptyLoopWarning(R"(^(?:a??)+(\*+?)[*#]$)", "$1"), R"((?:a??)+)");
  EXPECT_EQ(emptyLoopWarning(R"(^(?:\d?)*(\d)$)", "${1}"), R"((?:\d?)*)");
  EXPECT_EQ(emptyLoopWarning(R"(^(?<n>\d*)+$)", "$+"), R"((?<n>\d*)+)");
  // Not flagged: the whole match only, a body that cannot be empty, at most one iteration.
  EXPECT_EQ(emptyLoopWarning(R"(^(\d*)*$)", "+$0"), "");
  EXPECT_EQ(emptyLoopWarning(R"(^(\d*)*$)", "+1425"), "");
  EXPECT_EQ(emptyLoopWarning(R"(^(\d{4})$)", "+1$1"), "");
  EXPECT_EQ(emptyLoopWarning(R"(^(?:(\d)|x)+$)", "$1"), "");
  EXPECT_EQ(emptyLoopWarning(R"(^(\d*)?(\d*){1}$)", "$1$2"), "");
  EXPECT_EQ(emptyLoopWarning(R"(^(?:\d+|)*$)", "$0"), "");
  EXPECT_EQ(emptyLoopWarning(R"(^(?:\d+|)*(5)$)", "$1"), "(?:\\d+|)*");
  EXPECT_EQ(emptyLoopWarning(R"(^(?:^|\d)+(5)$)", "$1"), "(?:^|\\d)+");  // anchors are empty
}

}  // namespace
}  // namespace callpark::normalize

// .NET -> RE2 pattern translation: the dialect mapping, group numbering and the rejections with
// their exact byte offsets.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include "compiler/normalize/Pattern.h"
#include "compiler/normalize/Substitution.h"

namespace callpark::normalize {
namespace {

std::string re2Of(std::string_view dotnet) {
  PatternResult r = translatePattern(dotnet);
  if (!r.ok()) return "ERROR " + r.error->code + ": " + r.error->message;
  return r.pattern->re2;
}

// Full-match of `input` with the translated pattern; "-" when it does not match, else the
// translation applied.
std::string run(std::string_view pattern, std::string_view translation, std::string_view input) {
  CompileResult c = compilePattern(pattern);
  if (!c.ok()) return "ERROR " + c.error->code;
  TranslationResult t = parseTranslation(translation, c.compiled->pattern);
  if (!t.ok()) return "ERROR " + t.error->code;
  const re2::RE2& re = *c.compiled->re;
  std::vector<re2::StringPiece> g(re.NumberOfCapturingGroups() + 1);
  re2::StringPiece text(input.data(), input.size());
  if (!re.Match(text, 0, text.size(), re2::RE2::ANCHOR_BOTH, g.data(), static_cast<int>(g.size())))
    return "-";
  return t.substitution->apply(g.data());
}

TEST(PatternTranslation, MapsTheCommonSubset) {
  struct Case {
    const char* dotnet;
    const char* re2;
  } cases[] = {
      {R"(^(\d{4})$)", R"(^(\d{4})$)"},
      {R"(\A\+?1\d{10}\z)", R"(\A\+?1\d{10}\z)"},
      {R"(^\d+\Z)", R"(^\d+\z)"},
      {R"(\s\S)", R"([\t-\r\x{20}][\x{0}-\x{8}\x{E}-\x{1F}\x{21}-\x{10FFFF}])"},
      {R"([\s#])", R"([\t-\r\x{20}#])"},
      {R"([\S])", R"([\x{0}-\x{8}\x{E}-\x{1F}\x{21}-\x{10FFFF}])"},
      {R"(\w\W\D)", R"(\w\W\D)"},
      {R"((?:0|00)(\d+?))", R"((?:0|00)(\d+?))"},
      {R"((?<area>\d{3})(?'num'\d{7}))", R"((?P<area>\d{3})(?P<num>\d{7}))"},
      {R"((?i)x(?-i:y)(?m)z)", R"((?i)x(?-i:y)(?m)z)"},
      {R"((?n)(a)(?<b>c))", R"((?:a)(?P<b>c))"},
      {"(?x) 1 2 # comment\n 3", "123"},
      {R"(a(?#note)b)", "ab"},
      {R"(\x41\u0042\t\e\a\0\012)", R"(AB\x{9}\x{1B}\x{7}\x{0}\x{A})"},
      {R"([\b])", R"([\x{8}])"},
      {R"(a{,3}}{)", R"(a\{,3\}\}\{)"},
      {R"(*3\*#)", "ERROR CP702: quantifier follows nothing that can be repeated"},
      {R"(\*3\*#)", R"(\*3\*#)"},
      {R"([]a-]+)", R"([\]a\-]+)"},
      {R"([^\d*#])", R"([^\d*#])"},
      {R"(\p{Nd}\P{L})", R"([\p{Nd}][\P{L}])"},
      {R"(\.\ \-\/)", R"(\.\x{20}-/)"},
      {R"(x{2,}y{1,3}?z{0})", R"(x{2,}y{1,3}?z{0})"},
  };
  for (const Case& c : cases) EXPECT_EQ(re2Of(c.dotnet), c.re2) << c.dotnet;
}

TEST(PatternTranslation, DigitClassIsAsciiOnly) {
  // .NET's \d also matches e.g. Arabic-Indic digits; dial strings are ASCII, we map to [0-9].
  EXPECT_EQ(run(R"(^\d+$)", "$0", "0123456789"), "0123456789");
  EXPECT_EQ(run(R"(^\d+$)", "$0", "\xd9\xa3"), "-");  // U+0663 ARABIC-INDIC DIGIT THREE
}

TEST(PatternTranslation, NamedGroupsAreNumberedAfterUnnamedOnesLikeDotNet) {
  PatternResult r = translatePattern(R"((?<cc>\d)(\d)(?<area>\d)(\d))");
  ASSERT_TRUE(r.ok());
  const TranslatedPattern& p = *r.pattern;
  EXPECT_EQ(p.groupCount, 4);
  // .NET: 1 = 2nd paren, 2 = 4th paren, 3 = cc (1st paren), 4 = area (3rd paren).
  EXPECT_EQ(p.re2Group, (std::vector<int>{0, 2, 4, 1, 3}));
  EXPECT_EQ(p.names.at("cc"), 3);
  EXPECT_EQ(p.names.at("area"), 4);
  EXPECT_EQ(run(R"((?<cc>\d)(\d)(?<area>\d)(\d))", "$1$2$3$4|${cc}${area}", "abcd"), "-");
  EXPECT_EQ(run(R"((?<cc>\d)(\d)(?<area>\d)(\d))", "$1$2$3$4|${cc}${area}", "1234"), "2413|13");
}

TEST(PatternTranslation, WholeStringSemanticsWithLazyAndOptionalGroups) {
  EXPECT_EQ(run(R"((\d+?)(\d*))", "$1|$2", "12345"), "1|2345");
  EXPECT_EQ(run(R"(^0?(\d{3})(x\d+)?$)", "[$1][$2]", "0425"), "[425][]");
  EXPECT_EQ(run(R"(\d{3})", "$0", "12345"), "-");  // no anchors, but still whole-string only
  EXPECT_EQ(run(R"((?i)^sip:(\w+)$)", "$1", "SIP:Alice"), "Alice");
  EXPECT_EQ(run(R"(^(1|12)(3)?$)", "$1.$2", "123"), "12.3");  // backtracks into the alternation
  EXPECT_EQ(run(R"(^(1|12)(3)?)", "$1.$2", "123"), "12.3");
  EXPECT_EQ(run(R"((1|12)(23)?)", "$1.$2", "123"), "1.23");  // leftmost-first, like .NET
}

struct Rejection {
  const char* pattern;
  const char* code;
  size_t begin, end;
  const char* messagePart;
};

TEST(PatternTranslation, RejectsWhatRe2CannotHonourAtTheConstruct) {
  Rejection cases[] = {
      {R"(^(?=1)\d+$)", "CP701", 1, 6, "look-ahead"},
      {R"(^(?!911$)\d{3}$)", "CP701", 1, 9, "negative look-ahead"},
      {R"(^\d*(?<=5)$)", "CP701", 4, 10, "look-behind"},
      {R"(^\d*(?<!5)$)", "CP701", 4, 10, "negative look-behind"},
      {R"(^(\d)\1$)", "CP701", 5, 7, "back-reference `\\1`"},
      {R"(^(?<d>\d)\k<d>$)", "CP701", 9, 14, "back-reference `\\k<d>`"},
      {R"(^(?>\d+)5$)", "CP701", 1, 8, "atomic group"},
      {R"(^(?(1)a|b)$)", "CP701", 1, 10, "conditional"},
      {R"(^\d*+$)", "CP701", 3, 5, "possessive"},
      {R"(^\d{2}+$)", "CP701", 3, 7, "possessive"},
      {R"(^(?<a-b>\d)$)", "CP701", 1, 11, "balancing group"},
      {R"(\G\d)", "CP701", 0, 2, "\\G"},
      {R"(^(?<3>\d)$)", "CP701", 1, 6, "explicitly numbered"},
      {R"((?<a>1)|(?<a>2))", "CP701", 8, 13, "used twice"},
      {R"([0-9-[5]])", "CP701", 4, 8, "subtraction"},
      {R"(\p{IsGreek})", "CP701", 0, 11, "Unicode block"},
      {R"(\d{1001})", "CP701", 2, 8, "above 1000"},
      // invalid .NET syntax
      {R"(^(\d{4}$)", "CP702", 1, 2, "never closed"},
      {R"(^\d{4})$)", "CP702", 6, 7, "unmatched `)`"},
      {R"([0-9)", "CP702", 0, 4, "never closed"},
      {R"(^(*1))", "CP702", 2, 3, "follows nothing"},
      {R"(1|+2)", "CP702", 2, 3, "follows nothing"},
      {R"(\d**)", "CP702", 2, 4, "nested quantifier"},
      {R"(\q)", "CP702", 0, 2, "unrecognized escape"},
      {R"([9-0])", "CP702", 1, 4, "reverse order"},
      {R"(\d{3,2})", "CP702", 2, 7, "minimum above its maximum"},
      {R"((?P<x>1))", "CP702", 0, 3, "unrecognized grouping"},
      {R"(12\)", "CP702", 2, 3, "escapes nothing"},
      {R"(\x4)", "CP702", 0, 3, "hexadecimal"},
      {R"([\d-z])", "CP702", 1, 4, "cannot start a range"},
  };
  for (const Rejection& c : cases) {
    PatternResult r = translatePattern(c.pattern);
    ASSERT_FALSE(r.ok()) << c.pattern;
    EXPECT_EQ(r.error->code, c.code) << c.pattern;
    EXPECT_EQ(r.error->begin, c.begin) << c.pattern << ": " << r.error->message;
    EXPECT_EQ(r.error->end, c.end) << c.pattern << ": " << r.error->message;
    EXPECT_NE(r.error->message.find(c.messagePart), std::string::npos)
        << c.pattern << ": " << r.error->message;
  }
}

TEST(PatternTranslation, Re2ErrorsAreMappedBackToTheDotNetFragment) {
  // RE2 rejects an unknown Unicode class name; the error is reported at `\p{Xx}` in the input.
  CompileResult c = compilePattern(R"(^12\p{Xx}3$)");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error->code, "CP702");
  EXPECT_EQ(c.error->begin, 3u);
  EXPECT_EQ(c.error->end, 9u);
  // Nested repetition over RE2's limit.
  CompileResult big = compilePattern(R"(((\d{100}){100}){100})");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error->code, "CP701");
}

TEST(PatternTranslation, AnchorNoteOnlyForUnanchoredPatterns) {
  auto note = [](std::string_view p) {
    std::optional<TextError> n = anchorNote(p);
    return n ? n->code + " " + n->hint : std::string();
  };
  EXPECT_EQ(note(R"(^(\d{4})$)"), "");
  EXPECT_EQ(note(R"(\A\d+\z)"), "");
  EXPECT_EQ(note(R"(^\d+\Z)"), "");
  EXPECT_EQ(note(R"(^\d\\$)"), "");  // `\\` is a backslash; the `$` is an anchor
  EXPECT_EQ(note(R"((\d{4}))"), "CP706 write the anchors to make that explicit: '^(\\d{4})$'");
  EXPECT_EQ(note(R"(^\d+)"), "CP706 write the anchors to make that explicit: '^\\d+$'");
  EXPECT_EQ(note(R"(\d+$)"), "CP706 write the anchors to make that explicit: '^\\d+$'");
  EXPECT_EQ(note(R"(^\d\$)"), "CP706 write the anchors to make that explicit: '^\\d\\$$'");
  // Whatever the anchors, a rule only fires on a full match.
  EXPECT_EQ(run(R"(\d{4})", "+1$0", "1234"), "+11234");
  EXPECT_EQ(run(R"(\d{4})", "+1$0", "91234"), "-");
}

}  // namespace
}  // namespace callpark::normalize

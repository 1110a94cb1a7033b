// The DFA against RE2 on every short dial string, and the cover table against brute force.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include "compiler/analysis/Automaton.h"
#include "compiler/normalize/Pattern.h"

namespace callpark::analysis {
namespace {

// Every string over `alphabet` of length <= maxLen.
std::vector<std::string> allStrings(std::string_view alphabet, int maxLen) {
  std::vector<std::string> out{""};
  size_t from = 0;
  for (int len = 1; len <= maxLen; ++len) {
    size_t to = out.size();
    for (size_t i = from; i < to; ++i)
      for (char c : alphabet) out.push_back(out[i] + c);
    from = to;
  }
  return out;
}

// .NET patterns as administrators write them; translated by the engine, then compared.
const char* const kPatterns[] = {
    R"(^(\d{4})$)",
    R"(^(70\d{2})$)",
    R"(^0(\d{9})$)",
    R"(^(\d*))",
    R"(^(\d+)$)",
    R"(^\*(\d{3,4})$)",
    R"(^[*#]?[1-9]\d{0,3}$)",
    R"(^(?:1|23)+$)",
    R"(^(12|3)?4*$)",
    R"(^(?<ext>\d{2})#$)",
    R"(^\+?1?(\d{2})$)",
    R"(^(\d)(\d)?(\d)??$)",
    R"(^.{2}$)",
    R"(^[^5]\d$)",
    R"(^(?:0|00)(\d{1,3}?)$)",
    R"(^$)",
    R"(^(\d{2,})$)",
    R"(\d\d)",
    R"(^(?:\*|#)(\d{2})$)",
    R"(^1(?:2(?:3)?)?$)",
    R"(^[0-35-9]{2}$)",
    R"(^\d{0}$)",
    R"(^(1|2)$|^3$)",
    R"(^(\d{3})\d?$)",
};

TEST(Automaton, AgreesWithRe2OnEveryShortDialString) {
  std::vector<std::string> inputs = allStrings("0123*#+", 5);
  for (const char* dotnet : kPatterns) {
    normalize::CompileResult c = normalize::compilePattern(dotnet);
    ASSERT_TRUE(c.ok()) << dotnet;
    std::string why;
    std::optional<Dfa> dfa = Dfa::build(c.compiled->pattern.re2, &why);
    ASSERT_TRUE(dfa) << dotnet << ": " << why;
    for (const std::string& s : inputs) {
      bool re2 = re2::RE2::FullMatch(s, *c.compiled->re);
      ASSERT_EQ(dfa->fullMatch(s), re2) << dotnet << " on '" << s << "'";
    }
  }
}

TEST(Automaton, CoverMatchesBruteForce) {
  std::vector<std::string> prefixes = allStrings("0127*", 2);
  for (const char* dotnet : kPatterns) {
    normalize::CompileResult c = normalize::compilePattern(dotnet);
    std::optional<Dfa> dfa = Dfa::build(c.compiled->pattern.re2);
    ASSERT_TRUE(dfa);
    for (const std::string& p : prefixes) {
      for (int k = 0; k <= 3; ++k) {
        bool all = true, none = true;
        for (const std::string& s : allStrings("0123456789", k)) {
          if (static_cast<int>(s.size()) != k) continue;
          bool m = re2::RE2::FullMatch(p + s, *c.compiled->re);
          all = all && m;
          none = none && !m;
        }
        Cover want = all ? Cover::All : none ? Cover::None : Cover::Some;
        EXPECT_EQ(dfa->cover(dfa->run(0, p), k), want) << dotnet << " prefix '" << p << "' k=" << k;
      }
    }
  }
}

TEST(Automaton, RefusesWhatItCannotModel) {
  std::string why;
  EXPECT_FALSE(Dfa::build(R"(\b\d+)", &why));
  EXPECT_EQ(why, "word boundary \\b");
  EXPECT_FALSE(Dfa::build("(?i)abc", &why));
  EXPECT_FALSE(Dfa::build("\\x{E9}", &why));
  EXPECT_EQ(why, "non-ASCII character");
}

TEST(Automaton, InclusionAndCatchAll) {
  auto dfa = [](const char* dotnet) {
    return *Dfa::build(normalize::compilePattern(dotnet).compiled->pattern.re2);
  };
  Dfa four = dfa(R"(^(\d{4})$)"), orbits = dfa(R"(^(70\d{2})$)"), any = dfa(R"(^(\d*))");
  std::string ce;
  EXPECT_TRUE(includedIn(orbits, four, kDialAlphabet));
  EXPECT_FALSE(includedIn(four, orbits, kDialAlphabet, &ce));
  EXPECT_EQ(ce, "0000");
  EXPECT_TRUE(includedIn(four, any, kDialAlphabet));
  EXPECT_TRUE(any.matchesAllDigitStrings(true));
  EXPECT_FALSE(four.matchesAllDigitStrings(false));
  EXPECT_TRUE(dfa(R"(^\d+$)").matchesAllDigitStrings(false));
  EXPECT_FALSE(dfa(R"(^\d+$)").matchesAllDigitStrings(true));
  std::string ex;
  EXPECT_TRUE(acceptsSome(orbits, kDialAlphabet, &ex));
  EXPECT_EQ(ex, "7000");
  EXPECT_FALSE(acceptsSome(dfa(R"(^[a-z]+$)"), kDialAlphabet));
}

TEST(Automaton, TopLevelShape) {
  auto top = [](const char* dotnet) {
    return Dfa::build(normalize::compilePattern(dotnet).compiled->pattern.re2)->topLevel();
  };
  auto t = top(R"(^9(\d{4})$)");
  ASSERT_TRUE(t);
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0].literal, "9");
  EXPECT_EQ((*t)[1].group, 1);
  EXPECT_FALSE(top(R"(^(\d)?$)"));
  EXPECT_FALSE(top(R"(^\d(\d)$)"));
}

}  // namespace
}  // namespace callpark::analysis

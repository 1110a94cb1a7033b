// Syntax errors: recovery (every error of a file, one diagnostic per mistake), wording in the
// language's terms, the caps on size, nesting, tokens and error count, and the guarantee that
// ANTLR's own messages never reach the user, also on random mutations of a real policy.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>

#include "compiler/parse/internal/Language.h"
#include "tests/parse/Helpers.h"

namespace callpark::parse {
namespace {

using testing::Parsed;
using testing::parseInto;

std::unique_ptr<Parsed> parse(std::string text, const ParseLimits& limits = {}) {
  auto p = std::make_unique<Parsed>();
  parseInto(*p, std::move(text), limits);
  return p;
}

// Words of ANTLR's default messages; none may appear in a diagnostic.
const char* const kAntlrWords[] = {"mismatched input",        "expecting", "extraneous input",
                                   "no viable alternative",   "missing '", "<missing",
                                   "token recognition error", "<EOF>",     "failed predicate"};

// Every diagnostic is CP1xx, has a valid range inside the file, and no ANTLR wording.
void expectWellFormed(const Parsed& p, const std::string& input) {
  uint32_t lines = p.sm.lineCount(p.file);
  for (const Diagnostic& d : p.diags.diagnostics()) {
    EXPECT_EQ(d.code.rfind("CP1", 0), 0u) << d.code << " for input:\n" << input;
    EXPECT_TRUE(d.range.valid()) << Parsed::line(d) << "\ninput:\n" << input;
    EXPECT_LE(d.range.line, lines) << Parsed::line(d);
    EXPECT_FALSE(d.message.empty());
    for (const char* w : kAntlrWords)
      EXPECT_EQ(d.message.find(w), std::string::npos)
          << "ANTLR wording \"" << w << "\" in: " << Parsed::line(d) << "\ninput:\n"
          << input;
    for (const DiagNote& n : d.notes)
      for (const char* w : kAntlrWords) EXPECT_EQ(n.message.find(w), std::string::npos);
  }
}

TEST(SyntaxErrors, MissingBraceBeforeNextDeclarationRecovers) {
  auto p = parse(
      "dialplan site \"Dublin\" {\n"
      "  rule \"4\" priority 1 { pattern '^(\\d{4})$' translation '1$1' }\n"
      "orbit \"O\" { numbers 7000..7099 pool \"p\" }\n");
  ASSERT_EQ(p->codes(), std::vector<std::string>{"CP102"}) << p->dump();
  const Diagnostic& d = p->diags.diagnostics()[0];
  EXPECT_EQ(d.message, "this `dialplan` block is missing its closing `}`");
  EXPECT_EQ(p->text(d.range), "{");
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0].message, "the next declaration starts here");
  EXPECT_EQ(d.notes[0].range.line, 3u);
  // Both declarations are still there, with what they hold.
  ASSERT_EQ(p->ast.dialPlans.size(), 1u);
  EXPECT_EQ(p->ast.dialPlans[0].rules.size(), 1u);
  ASSERT_EQ(p->ast.orbits.size(), 1u);
  EXPECT_EQ(p->ast.orbits[0].numbers->end.value, "7099");
}

TEST(SyntaxErrors, MissingBraceAtEndOfFileForEveryOpenBlock) {
  auto p = parse("dialplan global {\n  rule \"r\" { pattern '^1$'\n");
  EXPECT_EQ(p->codes(), (std::vector<std::string>{"CP102", "CP102"})) << p->dump();
  for (const Diagnostic& d : p->diags.diagnostics())
    EXPECT_EQ(d.notes.at(0).message, "the file ends here");
}

TEST(SyntaxErrors, UserItemKeywordThatStartsADeclarationEndsAnOpenBlock) {
  // `dialplan "T"` is a user's setting; `dialplan "T" {` after an unclosed user is the next
  // declaration.
  auto p = parse(
      "user \"sip:a@b\" { pool \"p\" dialplan \"T\"\n"
      "dialplan \"T\" { rule \"r\" { pattern '^1$' translation '1' } }\n");
  EXPECT_EQ(p->codes(), std::vector<std::string>{"CP102"}) << p->dump();
  ASSERT_EQ(p->ast.users.size(), 1u);
  EXPECT_EQ(p->ast.users[0].dialplan->value, "T");
  EXPECT_EQ(p->ast.dialPlans.size(), 1u);
}

TEST(SyntaxErrors, EveryBadLineIsOneError) {
  auto p = parse(
      "park_settings global {\n"
      "  colour blue\n"
      "  size big\n"
      "  pickup_timeout soon\n"
      "  max_pickup_attempts 2\n"
      "}\n"
      "site \"S\" { pool \"p\" }\n");
  EXPECT_EQ(p->codes(), (std::vector<std::string>{"CP105", "CP105", "CP108"})) << p->dump();
  ASSERT_EQ(p->ast.parkSettings.size(), 1u);
  EXPECT_EQ(p->ast.parkSettings[0].maxPickupAttempts->value, 2);
  EXPECT_EQ(p->ast.sites.size(), 1u);
}

TEST(SyntaxErrors, WordingForValues) {
  struct Case {
    const char* input;
    const char* code;
    const char* message;
    const char* at;  // the text the primary range covers
  } cases[] = {
      {"orbit \"o\" { numbers 7000-7099 }", "CP107",
       "`numbers` needs a range like `*3000..*3099`; ranges are written with `..`, found "
       "`7000-7099`",
       "7000-7099"},
      {"orbit \"o\" { numbers 7000 }", "CP107",
       "`numbers` needs a range like `*3000..*3099`; a single number is written `7000..7000`",
       "7000"},
      {"orbit \"o\" { numbers 7000.. }", "CP107",
       "`numbers` needs a range like `*3000..*3099`; the range has no end", "7000.."},
      {"site \"s\" { pool fe01.contoso.com }", "CP107",
       "`pool` needs a pool name in double quotes, like `pool \"redmond-fe01.contoso.com\"`, "
       "found `fe01.contoso.com` without quotes",
       "fe01.contoso.com"},
      {"park_settings global { pickup_timeout 90 }", "CP108",
       "`90` needs a unit; expected a duration like `90s`, `1m30s` or `00:01:30` (seconds: "
       "`90s`)",
       "90"},
      {"park_settings global { pickup_timeout 1m30 }", "CP108",
       "`1m30` is not a valid duration: `30` needs a unit `h`, `m` or `s`", "1m30"},
      {"park_settings global { pickup_timeout 30s1m }", "CP108",
       "`30s1m` is not a valid duration: units go from hours to seconds, each once (`1h30m`, "
       "`1m30s`)",
       "30s1m"},
      {"voice_policy global { call_park yes }", "CP109",
       "`call_park` needs `on` or `off` (or `true` / `false`), found `yes`", "yes"},
      {"voice_policy global { call_park }", "CP109",
       "`call_park` needs `on` or `off` (or `true` "
       "/ `false`)",
       "call_park"},
      {"park_settings global { max_pickup_attempts two }", "CP110",
       "`max_pickup_attempts` needs a whole number, like `2`, found `two`", "two"},
      {"orbit \"o\" { type \"group_pickup\" }", "CP107",
       "`type` needs `callpark` or `group_pickup`; write `group_pickup` without quotes",
       "\"group_pickup\""},
      {"park_settings global { on_timeout 'sip:o@c' }", "CP107",
       "`on_timeout` needs a SIP address in double quotes, like `on_timeout "
       "\"sip:operator@contoso.com\"`; single-quoted raw strings are only for patterns and "
       "translations",
       "'sip:o@c'"},
      {"orbit { numbers 1..2 }", "CP101",
       "`orbit` needs a name in double quotes, like `orbit \"Redmond CPO 1\" { ... }`", "orbit"},
      {"orbit \"o\"\n  numbers 1..2\n}", "CP101", "expected `{` to open the `orbit` block",
       "orbit \"o\""},
      {"park_settings { pickup_timeout 90s }", "CP101",
       "`park_settings` needs a scope: `global`, `site \"Name\"`, `pool \"fqdn\"` or a tag name "
       "in double quotes",
       "park_settings"},
      {"dialplan site { }", "CP101",
       "`site` needs a site name in double quotes, like `site \"Dublin\"`", "site"},
      {"orbt \"o\" { }", "CP104", "unknown declaration `orbt`; did you mean `orbit`?", "orbt"},
      {"}", "CP103", "unmatched `}`: no block is open here", "}"},
      {"@allow(CP404)\nsite \"s\" { }", "CP115",
       "`@allow(CP404)` needs a reason in double quotes: `@allow(CP404, \"why this is "
       "accepted\")`",
       "CP404"},
      {"@allow(CP404, \"r\")", "CP115", "this `@allow` is not followed by a declaration",
       "@allow(CP404, \"r\")"},
      {"test \"t\" { dial \"1\" as \"sip:a@b\" orbit \"o\" }", "CP116",
       "expected `=>` and the expected result, found `orbit`", "orbit"},
      {"test \"t\" { park as \"sip:a@b\" => maybe }", "CP116",
       "`park as ...` expects `allowed` or `denied`, found `maybe`", "maybe"},
      {"users \"u.json\"", "CP101",
       "expected `users from \"users.json\"` (the file of a `Get-CsUser` export), found "
       "`\"u.json\"`",
       "\"u.json\""},
  };
  for (const Case& c : cases) {
    auto p = parse(c.input);
    ASSERT_FALSE(p->diags.diagnostics().empty()) << c.input;
    const Diagnostic& d = p->diags.diagnostics()[0];
    EXPECT_EQ(d.code, c.code) << c.input << "\n" << p->dump();
    EXPECT_EQ(d.message, c.message) << c.input;
    EXPECT_EQ(p->text(d.range), c.at) << c.input;
    EXPECT_EQ(p->diags.diagnostics().size(), 1u) << c.input << "\n" << p->dump();
  }
}

TEST(SyntaxErrors, UnquotedPattern) {
  auto p = parse("dialplan global { rule \"r\" { pattern ^1$ } }");
  EXPECT_EQ(p->codes(), (std::vector<std::string>{"CP114", "CP107", "CP114"})) << p->dump();
  EXPECT_EQ(p->diags.diagnostics()[1].message,
            "`pattern` needs a regular expression in single quotes, like `pattern '^(\\d{4})$'`, "
            "found `1`");
}

TEST(SyntaxErrors, AnnotationsWithRuleNamesAndLowerCaseCodes) {
  auto p = parse(
      "@allow(orbit-range-overlap, \"shared with the lab\") @allow(cp301, \"x\")\n"
      "orbit \"o\" { numbers 1..2 }\n");
  ASSERT_TRUE(p->ok) << p->dump();
  ASSERT_EQ(p->ast.orbits.at(0).annotations.size(), 2u);
  EXPECT_EQ(p->ast.orbits[0].annotations[0].code.value, "orbit-range-overlap");
  EXPECT_EQ(p->ast.orbits[0].annotations[1].code.value, "CP301");
}

// The keyword tables the wording uses (Language.cpp) agree with the grammar: inside each
// block, an item keyword of that block is never "unknown", any other keyword is.
TEST(SyntaxErrors, KeywordTablesAgreeWithTheGrammar) {
  using internal::Rule;
  struct Block {
    Rule rule;
    std::string open, close;
  } blocks[] = {
      {Rule::SiteDecl, "site \"s\" {", "}"},
      {Rule::OrbitDecl, "orbit \"o\" {", "}"},
      {Rule::ParkAccessDecl, "park_access \"*70\" {", "}"},
      {Rule::ParkSettingsDecl, "park_settings global {", "}"},
      {Rule::VoicePolicyDecl, "voice_policy global {", "}"},
      {Rule::DialPlanDecl, "dialplan global {", "}"},
      {Rule::RuleDecl, "dialplan global { rule \"r\" {", "} }"},
      {Rule::UserDecl, "user \"sip:a@b\" {", "}"},
  };
  std::vector<std::string> all = internal::declarationKeywords();
  for (Rule r : {Rule::SiteDecl, Rule::OrbitDecl, Rule::ParkSettingsDecl, Rule::VoicePolicyDecl,
                 Rule::DialPlanDecl, Rule::RuleDecl, Rule::UserDecl, Rule::TestDecl})
    for (const auto& k : internal::blockItems(r)) all.push_back(k);
  for (const Block& b : blocks) {
    const auto& items = internal::blockItems(b.rule);
    for (const std::string& kw : all) {
      if (kw == "rule" && b.rule == Rule::RuleDecl) continue;  // ends the rule (CP102)
      auto p = parse(b.open + "\n  " + kw + "\n" + b.close + "\n");
      bool unknown = false;
      for (const Diagnostic& d : p->diags.diagnostics())
        unknown |= d.code == "CP105" && d.message.find("`" + kw + "`") != std::string::npos;
      bool item = std::find(items.begin(), items.end(), kw) != items.end();
      EXPECT_EQ(unknown, !item) << "`" << kw << "` in " << b.open << "\n" << p->dump();
    }
  }
}

TEST(SyntaxLimits, NestingTooDeep) {
  auto p = parse("orbit \"x\" " + std::string(100000, '{') + std::string(100000, '}'));
  EXPECT_EQ(p->codes(), std::vector<std::string>{"CP118"}) << p->dump();
  ParseLimits l;
  l.maxNesting = 2;
  EXPECT_TRUE(parse("dialplan global { rule \"r\" { pattern '1' translation '1' } }", l)->ok);
  EXPECT_EQ(parse("site \"s\" { { { } } }", l)->codes(), std::vector<std::string>{"CP118"});
}

TEST(SyntaxLimits, FileSizeAndTokenCount) {
  ParseLimits l;
  l.maxFileBytes = 100;
  auto big = parse(std::string(200, ' ') + "site \"s\" { }", l);
  EXPECT_EQ(big->codes(), std::vector<std::string>{"CP117"});
  EXPECT_TRUE(big->ast.sites.empty());
  ParseLimits t;
  t.maxTokens = 10;
  auto many = parse("site \"a\" { } site \"b\" { } site \"c\" { }", t);
  EXPECT_EQ(many->codes(), std::vector<std::string>{"CP117"});
}

TEST(SyntaxLimits, ErrorCapKeepsTheFirstErrorsInFileOrder) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "bogus" + std::to_string(i) + "\n}\n";
  ParseLimits l;
  l.maxErrorsPerFile = 5;
  auto p = parse(text, l);
  ASSERT_EQ(p->diags.diagnostics().size(), 6u) << p->dump();
  EXPECT_EQ(p->diags.diagnostics()[0].range.line, 1u);
  EXPECT_EQ(p->diags.diagnostics()[4].range.line, 5u);
  EXPECT_EQ(p->diags.diagnostics()[5].code, "CP119");
  EXPECT_EQ(p->diags.diagnostics()[5].severity, Severity::Note);
  // A huge garbage file stops early too, and fast.
  auto junk = parse(std::string(500'000, '}'));
  EXPECT_EQ(junk->codes().size(), 51u);
  EXPECT_EQ(junk->codes().back(), "CP119");
}

TEST(SyntaxLimits, EncodingAndControlCharacters) {
  auto latin1 = parse("site \"Z\xFCrich\" { }");
  ASSERT_EQ(latin1->codes(), std::vector<std::string>{"CP100"});
  EXPECT_NE(latin1->diags.diagnostics()[0].message.find("0xFC"), std::string::npos);
  EXPECT_EQ(latin1->diags.diagnostics()[0].range.col, 8u);
  auto utf16 = parse(std::string("\xFF\xFEs\0i\0", 6));
  ASSERT_EQ(utf16->codes(), std::vector<std::string>{"CP100"});
  EXPECT_NE(utf16->diags.diagnostics()[0].message.find("UTF-16"), std::string::npos);
  auto ctl = parse("site \"s\" { }\x01\x1b[31m");
  EXPECT_FALSE(ctl->ok);
  for (const Diagnostic& d : ctl->diags.diagnostics())
    EXPECT_EQ(d.message.find('\x1b'), std::string::npos) << Parsed::line(d);
  auto nul = parse(std::string("site \"s\" {\0}", 12));
  EXPECT_EQ(nul->codes(), std::vector<std::string>{"CP114"}) << nul->dump();
}

// Many malformed inputs: every prefix of a policy, token soup, and classic mistakes.
TEST(SyntaxRobustness, NoAntlrWordingOnMalformedInputs) {
  const std::string policy =
      "@allow(CP404, \"x\")\n"
      "site \"S\" { pool \"p\" }\n"
      "orbit \"O\" { type group_pickup numbers #4100..#4199 pool \"p\" allocation next }\n"
      "park_access \"*70\" { pool \"p\" }\n"
      "park_settings pool \"p\" { pickup_timeout 1m30s max_pickup_attempts 2 music_on_hold off "
      "on_timeout \"sip:o@c\" music_file \"m.wav\" }\n"
      "voice_policy \"T\" { call_park on }\n"
      "dialplan site \"S\" { external_access_prefix \"9\" optimize_device_dialing on "
      "description \"d\"\n"
      "  @allow(CP603, \"y\") rule \"r\" priority 1 { pattern '^(\\d{4})$' translation '$1' "
      "internal_extension description 'x' }\n}\n"
      "user \"sip:a@b\" { pool \"p\" line \"tel:+1;ext=1\" voice_policy \"T\" dialplan \"D\" }\n"
      "users from \"u.json\"\n"
      "test \"t\" { dial \"1\" with dialplan site \"S\" => \"+1\" internal\n"
      "  dial *70 as \"sip:a@b\" => park pool \"p\"  dial \"2\" as \"sip:a@b\" => not_ours\n"
      "  dial \"3\" as \"sip:a@b\" => orbit \"O\"  park as \"sip:a@b\" => denied }\n";
  ASSERT_TRUE(parse(policy)->ok) << parse(policy)->dump();
  std::vector<std::string> inputs;
  for (size_t n = 0; n < policy.size(); n += 3) inputs.push_back(policy.substr(0, n));
  for (size_t n = 0; n < policy.size(); n += 7) inputs.push_back(policy.substr(n));
  const char* soup[] = {"{",     "}",    "(",      ")",    ",",    "@",  "=>",   "..",
                        "\"s\"", "'r'",  "90s",    "7",    "*70",  "#4", "x",    "a-b",
                        "orbit", "rule", "pool",   "dial", "park", "as", "with", "global",
                        "site",  "on",   "@allow", "\"",   "'",    "/*", ";"};
  std::mt19937 rng(42);
  for (int i = 0; i < 300; ++i) {
    std::string s;
    int n = 1 + static_cast<int>(rng() % 25);
    for (int k = 0; k < n; ++k) s += std::string(soup[rng() % std::size(soup)]) + " ";
    inputs.push_back(s);
  }
  for (const std::string& in : inputs) {
    auto p = parse(in);
    expectWellFormed(*p, in);
  }
}

// Random mutations of the contoso example: no crash, no ANTLR wording, bounded output.
TEST(SyntaxRobustness, MutationsOfContoso) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(CALLPARK_EXAMPLES_DIR "/contoso"))
    if (e.path().extension() == ".park") {
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      files.push_back(ss.str());
    }
  ASSERT_GE(files.size(), 5u);
  const char* inserts[] = {
      "{",  "}", "\"", "'",     "..",           "=>",       "@allow(", ")",
      "/*", "#", "\n", "orbit", "rule \"x\" {", "\xC3\xA9", "\t",      "9999999999999999999999"};
  std::mt19937 rng(20240601);
  for (int i = 0; i < 1500; ++i) {
    std::string s = files[rng() % files.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      size_t at = rng() % s.size();
      switch (rng() % 4) {
        case 0:
          s.erase(at, 1 + rng() % 12);
          break;  // delete
        case 1:
          s.insert(at, inserts[rng() % std::size(inserts)]);
          break;  // insert
        case 2:
          s.insert(at, s.substr(rng() % s.size(), 1 + rng() % 40));
          break;  // duplicate
        case 3:
          s[at] = static_cast<char>(0x20 + rng() % 0x5f);
          break;  // replace
      }
    }
    auto p = parse(s);
    expectWellFormed(*p, s);
    EXPECT_LE(p->diags.diagnostics().size(), 51u);
    if (::testing::Test::HasFailure()) break;  // one input is enough to debug
  }
}

}  // namespace
}  // namespace callpark::parse

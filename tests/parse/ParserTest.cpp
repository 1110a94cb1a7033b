// The language by example: every example of LANGUAGE.md parses and means what it says, with
// the source ranges the rest of the compiler relies on.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "tests/parse/Helpers.h"

namespace callpark::parse {
namespace {

using testing::Parsed;
using testing::parseInto;

std::unique_ptr<Parsed> parse(std::string text) {
  auto p = std::make_unique<Parsed>();
  parseInto(*p, std::move(text));
  return p;
}

// The big example of LANGUAGE.md, verbatim.
const char* kExample = R"park(// topology.park
site "Redmond" {
  pool "redmond-fe01.contoso.com"
}
site "Dublin" {
  pool "dublin-fe01.contoso.com"
}

// orbits.park
orbit "Redmond CPO 1" {
  numbers *3000..*3099
  pool "redmond-fe01.contoso.com"
}
orbit "Dublin CPO 1" {
  numbers 7000..7099
  pool "dublin-fe01.contoso.com"
  allocation next              // least_recent (default) | random | next | first
}
orbit "Redmond Pickup" {
  type group_pickup
  numbers #4100..#4199
  pool "redmond-fe01.contoso.com"
}
park_access "*70" { pool "redmond-fe01.contoso.com" }
park_access "*71" { pool "dublin-fe01.contoso.com" }

// settings.park
park_settings global {
  pickup_timeout 90s
  max_pickup_attempts 2
  music_on_hold on
  on_timeout "sip:operator@contoso.com"
}
park_settings site "Dublin" { pickup_timeout 1m }
park_settings pool "redmond-fe01.contoso.com" { music_file "moh/redmond.wav" }

// policies.park
voice_policy global { call_park off }
voice_policy site "Redmond" { call_park on }
voice_policy "Reception" { call_park on }

// dialplans.park
dialplan global {
  rule "Keep All" priority 10 { pattern '^(\d{11})$'  translation '+$1' }
}
dialplan site "Dublin" {
  external_access_prefix "9"
  optimize_device_dialing on
  rule "Dublin orbits" priority 0 { pattern '^(70\d{2})$'  translation '$1' }
  rule "4 digit"       priority 1 { pattern '^(\d{4})$'    translation '+35315550$1'  internal_extension }
  rule "National"      priority 2 { pattern '^0(\d{9})$'   translation '+353$1' }
}
dialplan "RedmondReception" {          // per-user tag
  rule "Operator" priority 0 { pattern '^0$'  translation '+14255550100' }
}

// users.park (small sets inline; large sets come from a JSON export, see below)
user "sip:alice@contoso.com" {
  pool "redmond-fe01.contoso.com"
  line "tel:+14255551000;ext=1000"
  voice_policy "Reception"
  dialplan "RedmondReception"
}
user "sip:bob@contoso.com" {           // no policy of his own: Dublin has none, global is off
  pool "dublin-fe01.contoso.com"
  line "tel:+35315550200;ext=0200"
}

// tests.park: run by `parkc test`, also part of `parkc check`
test "orbits reach the park service" {
  dial "*3001" as "sip:alice@contoso.com"   => orbit "Redmond CPO 1"
  dial "7001"  with dialplan site "Dublin" => orbit "Dublin CPO 1"
  dial "1234"  with dialplan site "Dublin" => "+353155501234" internal
  dial "*70"   as "sip:alice@contoso.com"   => park pool "redmond-fe01.contoso.com"
  park as "sip:alice@contoso.com"           => allowed
  park as "sip:bob@contoso.com"             => denied
}

// suppressions need a reason and name the rule code
@allow(CP404, "legacy range, removed after the Q3 migration")
orbit "Legacy" { numbers 5000..5009  pool "dublin-fe01.contoso.com" }
)park";

TEST(ParserExample, ParsesWithoutDiagnostics) {
  auto p = parse(kExample);
  EXPECT_TRUE(p->ok) << p->dump();
  EXPECT_TRUE(p->diags.diagnostics().empty()) << p->dump();
  ASSERT_EQ(p->ast.files.size(), 1u);
  EXPECT_EQ(p->ast.sites.size(), 2u);
  EXPECT_EQ(p->ast.orbits.size(), 4u);
  EXPECT_EQ(p->ast.parkAccess.size(), 2u);
  EXPECT_EQ(p->ast.parkSettings.size(), 3u);
  EXPECT_EQ(p->ast.voicePolicies.size(), 3u);
  EXPECT_EQ(p->ast.dialPlans.size(), 3u);
  EXPECT_EQ(p->ast.users.size(), 2u);
  EXPECT_EQ(p->ast.tests.size(), 1u);
}

TEST(ParserExample, Sites) {
  auto p = parse(kExample);
  const auto& s = p->ast.sites.at(0);
  EXPECT_EQ(s.name.value, "Redmond");
  EXPECT_EQ(p->text(s.name.range), "\"Redmond\"");  // string ranges include the quotes
  EXPECT_EQ(s.name.range.line, 2u);
  EXPECT_EQ(s.name.range.col, 6u);
  EXPECT_EQ(p->text(s.keyword), "site");
  ASSERT_EQ(s.pools.size(), 1u);
  EXPECT_EQ(s.pools[0].value, "redmond-fe01.contoso.com");
  EXPECT_EQ(p->text(s.pools[0].range), "\"redmond-fe01.contoso.com\"");
  // The declaration runs from the keyword to the closing brace.
  EXPECT_EQ(s.range.line, 2u);
  EXPECT_EQ(s.range.col, 1u);
  EXPECT_EQ(s.range.endLine, 4u);
  EXPECT_EQ(s.range.endCol, 2u);
  EXPECT_EQ(s.range.file, p->file);
}

TEST(ParserExample, Orbits) {
  auto p = parse(kExample);
  const auto& o = p->ast.orbits;
  EXPECT_EQ(o[0].name.value, "Redmond CPO 1");
  ASSERT_TRUE(o[0].numbers);
  EXPECT_EQ(o[0].numbers->start.value, "*3000");
  EXPECT_EQ(o[0].numbers->end.value, "*3099");
  EXPECT_EQ(p->text(o[0].numbers->range), "*3000..*3099");
  EXPECT_EQ(p->text(o[0].numbers->end.range), "*3099");
  EXPECT_EQ(o[0].pool->value, "redmond-fe01.contoso.com");
  EXPECT_FALSE(o[0].type);
  EXPECT_FALSE(o[0].allocation);
  EXPECT_EQ(o[1].numbers->start.value, "7000");
  EXPECT_EQ(o[1].allocation->value, "next");
  EXPECT_EQ(p->text(o[1].allocation->range), "next");
  EXPECT_EQ(o[2].type->value, "group_pickup");
  EXPECT_EQ(o[2].numbers->start.value, "#4100");  // `#` is a dial character
  EXPECT_EQ(o[2].numbers->end.value, "#4199");
  EXPECT_EQ(o[3].name.value, "Legacy");
  ASSERT_EQ(o[3].annotations.size(), 1u);
  const auto& a = o[3].annotations[0];
  EXPECT_EQ(a.code.value, "CP404");
  EXPECT_EQ(a.reason.value, "legacy range, removed after the Q3 migration");
  EXPECT_EQ(p->text(a.range), "@allow(CP404, \"legacy range, removed after the Q3 migration\")");
  EXPECT_EQ(p->text(a.code.range), "CP404");
  EXPECT_EQ(o[3].numbers->end.value, "5009");
  EXPECT_EQ(o[3].pool->value, "dublin-fe01.contoso.com");
  EXPECT_EQ(p->text(o[3].range),
            "orbit \"Legacy\" { numbers 5000..5009  pool \"dublin-fe01.contoso.com\" }");
}

TEST(ParserExample, ParkAccessAndSettings) {
  auto p = parse(kExample);
  const auto& pa = p->ast.parkAccess[0];
  EXPECT_EQ(pa.number.value, "*70");
  EXPECT_EQ(p->text(pa.number.range), "\"*70\"");
  EXPECT_EQ(pa.pool->value, "redmond-fe01.contoso.com");
  const auto& g = p->ast.parkSettings[0];
  EXPECT_EQ(g.scope.kind, ast::Scope::Global);
  EXPECT_EQ(p->text(g.scope.range), "global");
  EXPECT_EQ(g.pickupTimeout->value.seconds, 90);
  EXPECT_EQ(g.pickupTimeout->value.text, "90s");
  EXPECT_EQ(p->text(g.pickupTimeout->range), "90s");
  EXPECT_EQ(g.maxPickupAttempts->value, 2);
  EXPECT_TRUE(g.musicOnHold->value);
  EXPECT_EQ(g.onTimeout->value, "sip:operator@contoso.com");
  EXPECT_FALSE(g.musicFile);
  const auto& d = p->ast.parkSettings[1];
  EXPECT_EQ(d.scope.kind, ast::Scope::Site);
  EXPECT_EQ(d.scope.name.value, "Dublin");
  EXPECT_EQ(p->text(d.scope.range), "site \"Dublin\"");
  EXPECT_EQ(d.pickupTimeout->value.seconds, 60);
  const auto& r = p->ast.parkSettings[2];
  EXPECT_EQ(r.scope.kind, ast::Scope::Pool);
  EXPECT_EQ(r.musicFile->value, "moh/redmond.wav");
}

TEST(ParserExample, VoicePolicies) {
  auto p = parse(kExample);
  const auto& v = p->ast.voicePolicies;
  EXPECT_EQ(v[0].scope.kind, ast::Scope::Global);
  EXPECT_FALSE(v[0].callPark->value);
  EXPECT_EQ(v[1].scope.kind, ast::Scope::Site);
  EXPECT_TRUE(v[1].callPark->value);
  EXPECT_EQ(v[2].scope.kind, ast::Scope::Tag);
  EXPECT_EQ(v[2].scope.name.value, "Reception");
  EXPECT_EQ(p->text(v[2].callPark->range), "on");
}

TEST(ParserExample, DialPlans) {
  auto p = parse(kExample);
  const auto& g = p->ast.dialPlans[0];
  EXPECT_EQ(g.scope.kind, ast::Scope::Global);
  ASSERT_EQ(g.rules.size(), 1u);
  EXPECT_EQ(g.rules[0].name.value, "Keep All");
  EXPECT_EQ(g.rules[0].priority->value, 10);
  EXPECT_EQ(g.rules[0].pattern->value, "^(\\d{11})$");  // raw: the backslash stays
  EXPECT_EQ(g.rules[0].translation->value, "+$1");
  // Raw string content maps byte for byte from range.col + 1.
  const auto& pr = g.rules[0].pattern->range;
  EXPECT_EQ(p->sm.lineText(p->file, pr.line).substr(pr.col, g.rules[0].pattern->value.size()),
            g.rules[0].pattern->value);
  EXPECT_EQ(p->text(g.rules[0].range),
            "rule \"Keep All\" priority 10 { pattern '^(\\d{11})$'  translation '+$1' }");
  const auto& d = p->ast.dialPlans[1];
  EXPECT_EQ(d.scope.name.value, "Dublin");
  EXPECT_EQ(d.externalAccessPrefix->value, "9");
  EXPECT_TRUE(d.optimizeDeviceDialing->value);
  ASSERT_EQ(d.rules.size(), 3u);
  EXPECT_EQ(d.rules[0].name.value, "Dublin orbits");
  EXPECT_EQ(d.rules[0].priority->value, 0);
  EXPECT_FALSE(d.rules[0].internalExtension);
  EXPECT_TRUE(d.rules[1].internalExtension);
  EXPECT_EQ(p->text(*d.rules[1].internalExtension), "internal_extension");
  EXPECT_EQ(d.rules[1].translation->value, "+35315550$1");
  EXPECT_EQ(d.rules[2].name.value, "National");
  EXPECT_EQ(d.rules[2].pattern->value, "^0(\\d{9})$");
  const auto& t = p->ast.dialPlans[2];
  EXPECT_EQ(t.scope.kind, ast::Scope::Tag);
  EXPECT_EQ(t.scope.name.value, "RedmondReception");
  EXPECT_EQ(t.rules.at(0).translation->value, "+14255550100");
}

TEST(ParserExample, Users) {
  auto p = parse(kExample);
  const auto& a = p->ast.users[0];
  EXPECT_EQ(a.sip.value, "sip:alice@contoso.com");
  EXPECT_EQ(a.pool->value, "redmond-fe01.contoso.com");
  EXPECT_EQ(a.line->value, "tel:+14255551000;ext=1000");
  EXPECT_EQ(a.voicePolicy->value, "Reception");
  EXPECT_EQ(a.dialplan->value, "RedmondReception");
  const auto& b = p->ast.users[1];
  EXPECT_FALSE(b.voicePolicy);
  EXPECT_FALSE(b.dialplan);
}

TEST(ParserExample, Tests) {
  auto p = parse(kExample);
  const auto& t = p->ast.tests.at(0);
  EXPECT_EQ(t.name.value, "orbits reach the park service");
  ASSERT_EQ(t.expectations.size(), 6u);
  const auto& e0 = t.expectations[0];
  EXPECT_EQ(e0.kind, ast::Expectation::Dial);
  EXPECT_EQ(e0.number->value, "*3001");
  EXPECT_EQ(e0.asUser->value, "sip:alice@contoso.com");
  EXPECT_EQ(e0.result, ast::Expectation::Orbit);
  EXPECT_EQ(e0.resultName->value, "Redmond CPO 1");
  EXPECT_EQ(p->text(e0.resultRange), "orbit \"Redmond CPO 1\"");
  EXPECT_EQ(p->text(e0.range),
            "dial \"*3001\" as \"sip:alice@contoso.com\"   => orbit \"Redmond CPO 1\"");
  const auto& e1 = t.expectations[1];
  ASSERT_TRUE(e1.withDialPlan);
  EXPECT_EQ(e1.withDialPlan->kind, ast::Scope::Site);
  EXPECT_EQ(e1.withDialPlan->name.value, "Dublin");
  EXPECT_FALSE(e1.asUser);
  const auto& e2 = t.expectations[2];
  EXPECT_EQ(e2.result, ast::Expectation::Number);
  EXPECT_EQ(e2.resultName->value, "+353155501234");
  EXPECT_TRUE(e2.internal);
  EXPECT_EQ(p->text(e2.resultRange), "\"+353155501234\" internal");
  const auto& e3 = t.expectations[3];
  EXPECT_EQ(e3.result, ast::Expectation::ParkPool);
  EXPECT_EQ(e3.resultName->value, "redmond-fe01.contoso.com");
  const auto& e4 = t.expectations[4];
  EXPECT_EQ(e4.kind, ast::Expectation::Park);
  EXPECT_FALSE(e4.number);
  EXPECT_EQ(e4.result, ast::Expectation::Allowed);
  EXPECT_EQ(t.expectations[5].result, ast::Expectation::Denied);
  EXPECT_EQ(t.expectations[5].asUser->value, "sip:bob@contoso.com");
}

TEST(ParserExample, UsersFromAndNotOurs) {
  auto p = parse(
      "users from \"users.json\"\n"
      "test \"t\" { dial \"5555\" as \"sip:alice@contoso.com\" => not_ours }\n");
  EXPECT_TRUE(p->ok) << p->dump();
  ASSERT_EQ(p->ast.usersFrom.size(), 1u);
  EXPECT_EQ(p->ast.usersFrom[0].path.value, "users.json");
  EXPECT_EQ(p->text(p->ast.usersFrom[0].range), "users from \"users.json\"");
  EXPECT_EQ(p->ast.tests[0].expectations.at(0).result, ast::Expectation::NotOurs);
}

// Every ```park block of the shared LANGUAGE.md parses without a diagnostic.
TEST(ParserExample, EveryLanguageDocExampleParses) {
  std::ifstream in(std::string(CALLPARK_SHARED_DIR) + "/design/LANGUAGE.md");
  ASSERT_TRUE(in) << "LANGUAGE.md not found under " << CALLPARK_SHARED_DIR;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string doc = ss.str();
  size_t n = 0;
  for (size_t at = doc.find("```park\n"); at != std::string::npos;
       at = doc.find("```park\n", at + 1)) {
    size_t b = at + 8, e = doc.find("```", b);
    ASSERT_NE(e, std::string::npos);
    auto p = parse(doc.substr(b, e - b));
    EXPECT_TRUE(p->ok) << "example " << n << ":\n" << p->dump();
    ++n;
  }
  EXPECT_GE(n, 2u);
}

// Lexical forms.
TEST(ParserLexical, DurationsInEveryForm) {
  struct Case {
    const char* text;
    int64_t seconds;
  } cases[] = {{"90s", 90},      {"1m30s", 90},    {"10m", 600},       {"1h", 3600},
               {"00:01:30", 90}, {"1h2m3s", 3723}, {"01:00:00", 3600}, {"0s", 0}};
  for (const Case& c : cases) {
    auto p = parse(std::string("park_settings global { pickup_timeout ") + c.text + " }");
    ASSERT_TRUE(p->ok) << c.text << "\n" << p->dump();
    EXPECT_EQ(p->ast.parkSettings.at(0).pickupTimeout->value.seconds, c.seconds) << c.text;
    EXPECT_EQ(p->ast.parkSettings.at(0).pickupTimeout->value.text, c.text);
  }
}

TEST(ParserLexical, BooleansAndComments) {
  auto p = parse(
      "/* block\n comment */ voice_policy global { call_park true } // line\n"
      "voice_policy \"a\" { call_park false }\n"
      "park_settings global { music_on_hold off }\n");
  ASSERT_TRUE(p->ok) << p->dump();
  EXPECT_TRUE(p->ast.voicePolicies[0].callPark->value);
  EXPECT_EQ(p->ast.voicePolicies[0].keyword.line, 2u);
  EXPECT_EQ(p->ast.voicePolicies[0].keyword.col, 13u);
  EXPECT_FALSE(p->ast.voicePolicies[1].callPark->value);
  EXPECT_FALSE(p->ast.parkSettings[0].musicOnHold->value);
}

TEST(ParserLexical, StringEscapesAndRawStrings) {
  auto p = parse(
      "dialplan global {\n"
      "  description \"say \\\"hi\\\" \\\\ bye\"\n"
      "  rule \"r\" { pattern '^\\d+\"$' translation '\\\\$1' description 'raw \\n' }\n"
      "}\n");
  ASSERT_TRUE(p->ok) << p->dump();
  const auto& d = p->ast.dialPlans[0];
  EXPECT_EQ(d.description->value, "say \"hi\" \\ bye");
  EXPECT_EQ(d.rules[0].pattern->value, "^\\d+\"$");
  EXPECT_EQ(d.rules[0].translation->value, "\\\\$1");
  EXPECT_EQ(d.rules[0].description->value, "raw \\n");
}

TEST(ParserLexical, UnquotedDialStringsWhereAllowed) {
  auto p = parse(
      "park_access *70 { pool \"p\" }\n"
      "park_access #71 { }\n"
      "dialplan global { external_access_prefix 9 }\n"
      "test \"t\" { dial *3001 as \"sip:a@b\" => orbit \"o\" }\n");
  ASSERT_TRUE(p->ok) << p->dump();
  EXPECT_EQ(p->ast.parkAccess[0].number.value, "*70");
  EXPECT_EQ(p->text(p->ast.parkAccess[0].number.range), "*70");
  EXPECT_EQ(p->ast.parkAccess[1].number.value, "#71");
  EXPECT_FALSE(p->ast.parkAccess[1].pool);
  EXPECT_EQ(p->ast.dialPlans[0].externalAccessPrefix->value, "9");
  EXPECT_EQ(p->ast.tests[0].expectations[0].number->value, "*3001");
}

TEST(ParserLexical, SettingsInAnyOrderAndScopes) {
  auto p = parse(
      "orbit \"o\" { allocation random pool \"p\" type callpark numbers #6000..#6099 }\n"
      "dialplan pool \"p\" { optimize_device_dialing off rule \"r\" { translation '1' priority 3 "
      "internal_extension pattern '^1$' } }\n"
      "park_settings \"tag\" { music_file \"m.wav\" max_pickup_attempts 5 on_timeout \"sip:o@c\" "
      "}\n");
  ASSERT_TRUE(p->ok) << p->dump();
  EXPECT_EQ(p->ast.orbits[0].numbers->start.value, "#6000");
  EXPECT_EQ(p->ast.orbits[0].type->value, "callpark");
  EXPECT_EQ(p->ast.dialPlans[0].scope.kind, ast::Scope::Pool);
  EXPECT_EQ(p->ast.dialPlans[0].rules[0].priority->value, 3);
  EXPECT_TRUE(p->ast.dialPlans[0].rules[0].internalExtension);
  EXPECT_EQ(p->ast.parkSettings[0].scope.kind, ast::Scope::Tag);  // the model rejects it
  EXPECT_EQ(p->ast.parkSettings[0].maxPickupAttempts->value, 5);
}

TEST(ParserLexical, AnnotationsBeforeRulesAndDeclarations) {
  auto p = parse(
      "@allow(CP301, \"a\") @allow(cp302, \"b\")\n"
      "site \"s\" { }\n"
      "dialplan global {\n"
      "  @allow(CP701, \"pasted from PowerShell\")\n"
      "  rule \"r\" { pattern '^1$' translation '1' }\n"
      "}\n");
  ASSERT_TRUE(p->ok) << p->dump();
  ASSERT_EQ(p->ast.sites[0].annotations.size(), 2u);
  EXPECT_EQ(p->ast.sites[0].annotations[1].code.value, "CP302");
  const auto& r = p->ast.dialPlans[0].rules.at(0);
  ASSERT_EQ(r.annotations.size(), 1u);
  EXPECT_EQ(r.annotations[0].reason.value, "pasted from PowerShell");
  EXPECT_EQ(r.annotations[0].range.line, 4u);
  EXPECT_TRUE(p->ast.dialPlans[0].annotations.empty());
}

TEST(ParserLexical, NonAsciiInStringsKeepsByteColumns) {
  auto p = parse("site \"Zürich\" { pool \"zü.example\" }\norbit \"Ö\" { numbers 1..2 }\n");
  ASSERT_TRUE(p->ok) << p->dump();
  EXPECT_EQ(p->ast.sites[0].name.value, "Zürich");
  const auto& pool = p->ast.sites[0].pools[0];
  EXPECT_EQ(p->text(pool.range), "\"zü.example\"");
  EXPECT_EQ(pool.range.col, 23u);  // bytes, not code points
  EXPECT_EQ(p->text(p->ast.orbits[0].numbers->range), "1..2");
}

TEST(ParserLexical, MultipleFilesAppend) {
  Parsed p;
  FileId a = p.sm.add("a.park", "site \"A\" { }");
  FileId b = p.sm.add("b.park", "site \"B\" { }");
  EXPECT_TRUE(parseFile(p.sm, a, p.diags, p.ast));
  EXPECT_TRUE(parseFile(p.sm, b, p.diags, p.ast));
  ASSERT_EQ(p.ast.sites.size(), 2u);
  EXPECT_EQ(p.ast.sites[1].range.file, b);
  EXPECT_EQ(p.ast.files, (std::vector<FileId>{a, b}));
}

TEST(ParserLexical, EmptyAndCommentOnlyFiles) {
  EXPECT_TRUE(parse("")->ok);
  EXPECT_TRUE(parse("// nothing\n/* at all */\n")->ok);
  EXPECT_TRUE(parse("\xEF\xBB\xBFsite \"bom\" { }")->ok);
}

}  // namespace
}  // namespace callpark::parse

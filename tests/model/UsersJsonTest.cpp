// users from "users.json": the PowerShell export, its diagnostics with ranges in the JSON file.
#include <sstream>

#include "tests/model/TestSupport.h"

namespace callpark::model::testing {
namespace {

using ast::Scope;

class UsersJsonTest : public ModelTest {
 protected:
  void policy() {
    topology();
    voicePolicy(Scope::Global, "", false);
    voicePolicy(Scope::Tag, "Reception", true);
    dialPlan(Scope::Tag, "RedmondReception");
  }
  // The range of `needle` (the n-th occurrence) in the loaded users file.
  SourceRange find(FileId f, const std::string& needle, int nth = 0) {
    const std::string& t = sm.text(f);
    size_t at = t.find(needle);
    while (nth-- > 0) at = t.find(needle, at + 1);
    EXPECT_NE(at, std::string::npos) << needle;
    return sm.rangeOf(f, at, at + needle.size());
  }
  FileId usersFile() {
    for (FileId f = 0; f < sm.fileCount(); ++f)
      if (sm.path(f).find(".json") != std::string::npos) return f;
    ADD_FAILURE() << "users file not loaded";
    return 0;
  }
};

TEST_F(UsersJsonTest, ValidExportIsMerged) {
  policy();
  writeFile("users.json", R"([
  {
    "SipAddress":  "sip:alice@contoso.com",
    "LineURI":  "tel:+14255551000;ext=1000",
    "RegistrarPool":  "redmond-fe01.contoso.com",
    "VoicePolicy":  "Reception",
    "DialPlan":  "RedmondReception"
  },
  {
    "SipAddress":  "sip:bob@contoso.com",
    "LineURI":  null,
    "RegistrarPool":  "Registrar:DUBLIN-fe01.contoso.com",
    "VoicePolicy":  null,
    "DialPlan":  null
  }
])");
  usersFrom("users.json");
  auto m = build();
  ASSERT_TRUE(diags.diagnostics().empty()) << allDiags();
  ASSERT_EQ(m->users.size(), 2u);
  const User& a = m->users[0];
  EXPECT_EQ(a.sip, "sip:alice@contoso.com");
  EXPECT_EQ(a.pool, 0);
  EXPECT_EQ(a.lineNumber, "+14255551000");
  EXPECT_EQ(a.extension, "1000");
  EXPECT_EQ(a.voicePolicy, 1);
  EXPECT_EQ(a.dialPlan, 0);
  EXPECT_EQ(a.decl, nullptr);
  FileId f = usersFile();
  EXPECT_EQ(sm.path(f), dir() + "/users.json");
  EXPECT_EQ(a.range.file, f);
  EXPECT_EQ(a.range.line, 2u);
  EXPECT_EQ(a.range.col, 3u);
  EXPECT_EQ(a.range.endLine, 8u);
  EXPECT_EQ(a.range.endCol, 4u);
  const User& b = m->users[1];
  EXPECT_EQ(b.pool, 1);
  EXPECT_EQ(b.line, "");
  EXPECT_EQ(b.voicePolicy, kNone);  // null: inherit
  EXPECT_EQ(b.dialPlan, kNone);
  EXPECT_TRUE(m->mayPark(0));
  EXPECT_FALSE(m->mayPark(1));
  EXPECT_EQ(m->findUser("sip:BOB@contoso.com"), 1);
}

TEST_F(UsersJsonTest, KeysAreCaseInsensitiveUnknownKeysIgnoredTagPrefixStripped) {
  policy();
  writeFile("users.json",
            "\xEF\xBB\xBF"  // UTF-8 byte order mark, as some PowerShell versions write it
            R"([{"sipaddress":"sip:alice@contoso.com","REGISTRARPOOL":"redmond-fe01.contoso.com",)"
            R"("Enabled":true,"Extra":{"Nested":[1,2,{"x":null}]},"voicepolicy":"Tag:Reception",)"
            R"("dialPlan":"","DisplayName":"Alice O\u0027Hara"}])");
  usersFrom("users.json");
  auto m = build();
  ASSERT_TRUE(diags.diagnostics().empty()) << allDiags();
  ASSERT_EQ(m->users.size(), 1u);
  EXPECT_EQ(m->users[0].pool, 0);
  EXPECT_EQ(m->users[0].voicePolicy, 1);
  EXPECT_EQ(m->users[0].dialPlan, kNone);  // empty string inherits
}

TEST_F(UsersJsonTest, SingleObjectExportIsOneUser) {
  policy();
  writeFile(
      "users.json",
      R"({"SipAddress": "sip:solo@contoso.com", "RegistrarPool": "dublin-fe01.contoso.com"})");
  usersFrom("users.json");
  auto m = build();
  ASSERT_TRUE(diags.diagnostics().empty()) << allDiags();
  ASSERT_EQ(m->users.size(), 1u);
  EXPECT_EQ(m->users[0].pool, 1);
}

TEST_F(UsersJsonTest, PathIsRelativeToTheNamingFile) {
  policy();
  std::filesystem::create_directories(dir() + "/sub/data");
  writeFile("sub/data/u.json", R"([{"SipAddress":"sip:x@contoso.com"}])");
  FileId sub = sm.add(dir() + "/sub/users.park", "\n\nusers from \"data/u.json\"\n");
  ast::UsersFromDecl d;
  d.path = ast::Str{"data/u.json", sm.rangeOf(sub, 13, 26)};
  ast.usersFrom.push_back(d);
  auto m = build();
  ASSERT_TRUE(diags.diagnostics().empty()) << allDiags();
  ASSERT_EQ(m->users.size(), 1u);
  EXPECT_EQ(sm.path(m->users[0].range.file), dir() + "/sub/data/u.json");
}

TEST_F(UsersJsonTest, CP208MissingFilePointsAtThePath) {
  policy();
  auto& u = usersFrom("missing.json");
  SourceRange pathRange = u.path.range;
  auto m = build();
  auto d = withCode("CP208");
  ASSERT_EQ(d.size(), 1u) << allDiags();
  EXPECT_EQ(d[0]->range, pathRange);
  EXPECT_NE(d[0]->message.find("missing.json"), std::string::npos);
  EXPECT_TRUE(m->users.empty());
}

TEST_F(UsersJsonTest, CP208DirectoryIsNotAUsersFile) {
  policy();
  std::filesystem::create_directories(dir() + "/users.json");
  usersFrom("users.json");
  build();
  EXPECT_EQ(withCode("CP208").size(), 1u) << allDiags();
}

TEST_F(UsersJsonTest, CP209MalformedJsonHasLineAndColumn) {
  policy();
  writeFile("users.json",
            "[\n  {\"SipAddress\": \"sip:a@contoso.com\"},\n  {\"SipAddress\" "
            "\"sip:b@contoso.com\"}\n]\n");
  usersFrom("users.json");
  auto m = build();
  auto d = withCode("CP209");
  ASSERT_EQ(d.size(), 1u) << allDiags();
  // The offending token is the second string on line 3, where a ':' was expected.
  EXPECT_EQ(d[0]->range.line, 3u);
  EXPECT_EQ(d[0]->range.col, 17u);
  EXPECT_EQ(d[0]->range.endCol, 36u);
  EXPECT_EQ(d[0]->range.file, usersFile());
  EXPECT_NE(d[0]->message.find("is not valid JSON"), std::string::npos);
  EXPECT_EQ(d[0]->message.find("json.exception"), std::string::npos);
  EXPECT_EQ(m->users.size(), 1u);  // users before the error are kept
}

TEST_F(UsersJsonTest, CP209InvalidLiteralAndTruncatedFile) {
  policy();
  writeFile("a.json", "[{\"SipAddress\": nul}]");
  writeFile("b.json", "[{\"SipAddress\": \"sip:a@contoso.com\"}");
  writeFile("c.json", "");
  usersFrom("a.json");
  usersFrom("b.json");
  usersFrom("c.json");
  build();
  auto d = withCode("CP209");
  ASSERT_EQ(d.size(), 3u) << allDiags();
  EXPECT_EQ(d[0]->range.line, 1u);
  EXPECT_EQ(d[0]->range.col, 17u);  // "nul}": the invalid literal as far as it was read
  EXPECT_EQ(d[0]->range.endCol, 21u);
  EXPECT_EQ(d[1]->range.endCol, 37u);
  EXPECT_EQ(d[1]->range.line, 1u);  // at the end of the file
  EXPECT_EQ(d[1]->range.col, 37u);
  EXPECT_EQ(d[2]->range.line, 1u);
}

TEST_F(UsersJsonTest, CP209Utf16Export) {
  policy();
  writeFile("users.json", std::string("\xFF\xFE[\0]\0", 6));
  usersFrom("users.json");
  build();
  auto d = withCode("CP209");
  ASSERT_EQ(d.size(), 1u) << allDiags();
  EXPECT_NE(d[0]->message.find("UTF-16"), std::string::npos);
}

TEST_F(UsersJsonTest, CP210WrongShape) {
  policy();
  writeFile("a.json", "42");
  writeFile(
      "b.json",
      R"(["sip:a@contoso.com", [1], {"SipAddress": 7, "RegistrarPool": {"Fqdn": "x"}, "VoicePolicy": ["a"]}])");
  usersFrom("a.json");
  usersFrom("b.json");
  auto m = build();
  auto d = withCode("CP210");
  ASSERT_EQ(d.size(), 6u) << allDiags();
  EXPECT_NE(d[0]->message.find("array of user objects"), std::string::npos);
  EXPECT_NE(d[1]->message.find("must be a user object, found a string"), std::string::npos);
  EXPECT_EQ(d[1]->range.col, 2u);
  EXPECT_NE(d[2]->message.find("found an array"), std::string::npos);
  EXPECT_NE(d[3]->message.find("SipAddress must be a string or null, found a number"),
            std::string::npos);
  EXPECT_NE(d[4]->message.find("RegistrarPool must be a string or null, found an object"),
            std::string::npos);
  EXPECT_NE(d[5]->message.find("VoicePolicy must be a string or null, found an array"),
            std::string::npos);
  // The object has no usable SipAddress, but CP210 already said why: no CP211 on top.
  EXPECT_EQ(withCode("CP211").size(), 0u);
  EXPECT_TRUE(m->users.empty());
}

TEST_F(UsersJsonTest, CP211MissingSipAddress) {
  policy();
  writeFile("users.json",
            "[\n  {\"RegistrarPool\": \"redmond-fe01.contoso.com\"},\n  {\"SipAddress\": null}\n]");
  usersFrom("users.json");
  auto m = build();
  auto d = withCode("CP211");
  ASSERT_EQ(d.size(), 2u) << allDiags();
  EXPECT_EQ(d[0]->range.line, 2u);
  EXPECT_EQ(d[0]->range.col, 3u);
  EXPECT_EQ(d[0]->range.endCol, 48u);
  EXPECT_EQ(d[1]->range.line, 3u);
  EXPECT_TRUE(m->users.empty());
}

TEST_F(UsersJsonTest, UnknownReferencesNameTheUserAndPointAtTheValue) {
  policy();
  writeFile("users.json", R"([
  {
    "SipAddress": "sip:alice@contoso.com",
    "RegistrarPool": "redmond-fe02.contoso.com",
    "VoicePolicy": "Receptionist",
    "DialPlan": "Nope"
  }
])");
  usersFrom("users.json");
  auto m = build();
  FileId f = usersFile();
  auto pool = withCode("CP202");
  ASSERT_EQ(pool.size(), 1u) << allDiags();
  EXPECT_EQ(pool[0]->range, find(f, "\"redmond-fe02.contoso.com\""));
  EXPECT_EQ(pool[0]->range.line, 4u);
  EXPECT_EQ(pool[0]->range.col, 22u);
  EXPECT_NE(pool[0]->message.find("user \"sip:alice@contoso.com\""), std::string::npos);
  EXPECT_EQ(pool[0]->fix->replacement, std::optional<std::string>("\"redmond-fe01.contoso.com\""));
  auto vp = withCode("CP204");
  ASSERT_EQ(vp.size(), 1u);
  EXPECT_EQ(vp[0]->range, find(f, "\"Receptionist\""));
  EXPECT_EQ(vp[0]->fix->replacement, std::optional<std::string>("\"Reception\""));
  auto dp = withCode("CP205");
  ASSERT_EQ(dp.size(), 1u);
  EXPECT_EQ(dp[0]->range, find(f, "\"Nope\""));
  ASSERT_EQ(m->users.size(), 1u);
  EXPECT_EQ(m->users[0].pool, kNone);
}

TEST_F(UsersJsonTest, ManyUsersWithTheSameUnknownPoolAreGrouped) {
  policy();
  std::string json = "[\n";
  for (int i = 0; i < 25; ++i)
    json += std::string(i ? "," : "") + "{\"SipAddress\":\"sip:u" + std::to_string(i) +
            "@contoso.com\",\"RegistrarPool\":\"gone.contoso.com\"}\n";
  json += "]";
  writeFile("users.json", json);
  usersFrom("users.json");
  auto m = build();
  auto d = withCode("CP202");
  ASSERT_EQ(d.size(), 10u) << allDiags();
  EXPECT_TRUE(d[0]->notes.empty());
  ASSERT_EQ(d[9]->notes.size(), 1u);
  EXPECT_NE(d[9]->notes[0].message.find("15 more users"), std::string::npos);
  EXPECT_EQ(m->users.size(), 25u);
}

TEST_F(UsersJsonTest, CP201DuplicateUserAcrossInlineAndExportAndFileNamedTwice) {
  policy();
  auto& inl = user("sip:alice@contoso.com", "redmond-fe01.contoso.com");
  SourceRange inlineRange = inl.range;
  writeFile(
      "users.json",
      R"([{"SipAddress":"SIP:alice@contoso.com"},{"SipAddress":"sip:b@contoso.com"},{"SipAddress":"sip:b@contoso.com"}])");
  usersFrom("users.json");
  auto& again = usersFrom("./users.json");
  SourceRange againRange = again.path.range;
  auto m = build();
  auto d = withCode("CP201");
  ASSERT_EQ(d.size(), 3u) << allDiags();
  EXPECT_EQ(d[0]->range, find(usersFile(), "\"SIP:alice@contoso.com\""));
  EXPECT_EQ(d[0]->notes.at(0).range, inlineRange);
  EXPECT_EQ(d[1]->range, find(usersFile(), "\"sip:b@contoso.com\"", 1));
  EXPECT_EQ(d[1]->notes.at(0).range, find(usersFile(), "{\"SipAddress\":\"sip:b@contoso.com\"}"));
  EXPECT_EQ(d[2]->range, againRange);  // the same users file named twice
  EXPECT_EQ(m->users.size(), 2u);
  EXPECT_EQ(m->users[0].pool, 0);  // the inline user wins
}

TEST_F(UsersJsonTest, HundredThousandUsers) {
  // Five sites, ten pools, a voice policy and a dial plan per tag; 100,000 users spread over
  // them with a mix of spellings, nulls and assignments.
  for (int s = 0; s < 5; ++s)
    site("Site" + std::to_string(s), {"fe" + std::to_string(2 * s) + ".contoso.com",
                                      "fe" + std::to_string(2 * s + 1) + ".contoso.com"});
  voicePolicy(Scope::Global, "", false);
  voicePolicy(Scope::Site, "Site1", true);
  voicePolicy(Scope::Tag, "Park", true);
  dialPlan(Scope::Global);
  dialPlan(Scope::Tag, "Plan");
  constexpr int kUsers = 100000;
  std::ostringstream js;
  js << "[\n";
  for (int i = 0; i < kUsers; ++i) {
    int pool = i % 10;
    js << (i ? ",\n" : "") << "    {\n        \"SipAddress\":  \"sip:user" << i
       << "@contoso.com\",\n        \"LineURI\":  \"tel:+1425555" << (100000 + i) << ";ext=" << i
       << "\",\n        \"RegistrarPool\":  \"" << (i % 3 == 0 ? "Registrar:" : "") << "fe" << pool
       << ".contoso.com\",\n        \"VoicePolicy\":  " << (i % 7 == 0 ? "\"Park\"" : "null")
       << ",\n        \"DialPlan\":  " << (i % 11 == 0 ? "\"Plan\"" : "null") << "\n    }";
  }
  js << "\n]\n";
  writeFile("users.json", js.str());
  usersFrom("users.json");
  auto m = build();
  ASSERT_TRUE(diags.diagnostics().empty()) << allDiags().substr(0, 2000);
  ASSERT_EQ(m->users.size(), static_cast<size_t>(kUsers));
  size_t parkers = 0, tagPlans = 0;
  for (int i = 0; i < kUsers; ++i) {
    const User& u = m->users[i];
    ASSERT_EQ(u.pool, i % 10) << i;
    ASSERT_EQ(u.extension, std::to_string(i));
    ASSERT_EQ(u.range.line, static_cast<uint32_t>(2 + 7 * i));
    bool expectPark = i % 7 == 0 || (i % 10) / 2 == 1;
    ASSERT_EQ(m->mayPark(i), expectPark) << i;
    parkers += m->mayPark(i);
    tagPlans += m->effectiveDialPlan(i) == 1;
  }
  EXPECT_EQ(m->findUser("sip:user99999@contoso.com"), 99999);
  EXPECT_EQ(tagPlans, static_cast<size_t>((kUsers + 10) / 11));
  EXPECT_GT(parkers, 0u);
}

}  // namespace
}  // namespace callpark::model::testing

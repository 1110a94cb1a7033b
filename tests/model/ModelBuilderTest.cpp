// buildModel on hand-made ASTs: resolution, every CP2xx the builder reports for .park
// declarations, the effective-resolution functions.
#include "tests/model/TestSupport.h"

namespace callpark::model::testing {
namespace {

using ast::Scope;

TEST_F(ModelTest, ResolvesSitesPoolsOrbitsAndParkAccess) {
  topology();
  orbit("Redmond CPO 1", "*3000", "*3099", "ApplicationServer:redmond-fe01.contoso.com");
  orbit("Dublin CPO 1", "7000", "7099", "service:Registrar:DUBLIN-fe01.contoso.com");
  parkAccess("*70", "Registrar:redmond-fe01.contoso.com");
  auto m = build();
  EXPECT_TRUE(diags.diagnostics().empty()) << allDiags();
  ASSERT_EQ(m->sites.size(), 2u);
  ASSERT_EQ(m->pools.size(), 2u);
  EXPECT_EQ(m->pools[1].fqdn, "dublin-fe01.contoso.com");
  EXPECT_EQ(m->pools[1].site, 1);
  EXPECT_EQ(m->sites[0].pools, std::vector<int>{0});
  EXPECT_EQ(m->orbits[0].pool, 0);
  EXPECT_EQ(m->orbits[1].pool, 1);
  EXPECT_EQ(m->orbits[0].size(), 100u);
  EXPECT_EQ(m->orbitByName.at("Dublin CPO 1"), 1);
  EXPECT_EQ(m->parkAccess[0].pool, 0);
  EXPECT_EQ(m->findPool("service:ApplicationServer:Redmond-FE01.contoso.com"), 0);
  EXPECT_EQ(m->findSite("Dublin"), 1);
  EXPECT_EQ(m->findSite("dublin"), kNone);  // site names are exact
  EXPECT_EQ(m->ast, &ast);
}

TEST_F(ModelTest, CP201DuplicateSiteIsMergedIntoTheFirst) {
  SourceRange firstName = site("Redmond", {"a.contoso.com"}).name.range;
  SourceRange secondName = site("Redmond", {"b.contoso.com"}).name.range;
  auto m = build();
  auto d = withCode("CP201");
  ASSERT_EQ(d.size(), 1u) << allDiags();
  EXPECT_EQ(d[0]->range, secondName);
  ASSERT_EQ(d[0]->notes.size(), 1u);
  EXPECT_EQ(d[0]->notes[0].range, firstName);
  EXPECT_NE(d[0]->message.find("site \"Redmond\""), std::string::npos);
  ASSERT_EQ(m->sites.size(), 1u);
  EXPECT_EQ(m->pools[1].site, 0);
  EXPECT_EQ(m->sites[0].pools.size(), 2u);
}

TEST_F(ModelTest, CP201PoolDeclaredTwiceAcrossSpellingsAndSites) {
  SourceRange firstPool = site("Redmond", {"redmond-fe01.contoso.com"}).pools[0].range;
  SourceRange secondPool =
      site("Dublin", {"ApplicationServer:Redmond-FE01.contoso.com"}).pools[0].range;
  auto m = build();
  auto d = withCode("CP201");
  ASSERT_EQ(d.size(), 1u) << allDiags();
  EXPECT_EQ(d[0]->range, secondPool);
  EXPECT_EQ(d[0]->notes.at(0).range, firstPool);
  EXPECT_NE(d[0]->notes[0].message.find("Redmond"), std::string::npos);
  EXPECT_EQ(m->pools.size(), 1u);
  EXPECT_TRUE(m->sites[1].pools.empty());
}

TEST_F(ModelTest, CP201DuplicateOrbitNameAndParkAccessNumber) {
  topology();
  SourceRange o1r = orbit("CPO", "*3000", "*3099", "redmond-fe01.contoso.com").name.range;
  SourceRange o2r = orbit("CPO", "*4000", "*4099", "redmond-fe01.contoso.com").name.range;
  SourceRange p1r = parkAccess("*70", "redmond-fe01.contoso.com").number.range;
  SourceRange p2r = parkAccess("*70", "dublin-fe01.contoso.com").number.range;
  auto m = build();
  auto d = withCode("CP201");
  ASSERT_EQ(d.size(), 2u) << allDiags();
  EXPECT_EQ(d[0]->range, o2r);
  EXPECT_EQ(d[0]->notes.at(0).range, o1r);
  EXPECT_EQ(d[1]->range, p2r);
  EXPECT_EQ(d[1]->notes.at(0).range, p1r);
  // Both stay in the model; the name lookup finds the first.
  EXPECT_EQ(m->orbits.size(), 2u);
  EXPECT_EQ(m->orbitByName.at("CPO"), 0);
  EXPECT_EQ(m->parkAccess.size(), 2u);
}

TEST_F(ModelTest, CP201DuplicateScopedDeclarations) {
  topology();
  SourceRange s1kw = settings(Scope::Site, "Dublin").keyword;
  settings(Scope::Site, "Dublin");
  settings(Scope::Pool, "redmond-fe01.contoso.com");
  settings(Scope::Pool, "Registrar:redmond-fe01.contoso.com");  // same pool, other spelling
  settings(Scope::Global);
  voicePolicy(Scope::Global, "", false);
  voicePolicy(Scope::Global, "", true);
  voicePolicy(Scope::Tag, "Reception", true);
  voicePolicy(Scope::Tag, "Reception", true);
  voicePolicy(Scope::Tag, "reception", true);  // tags are exact: a different tag
  dialPlan(Scope::Tag, "X");
  dialPlan(Scope::Tag, "X");
  dialPlan(Scope::Site, "Redmond");
  auto m = build();
  auto d = withCode("CP201");
  ASSERT_EQ(d.size(), 5u) << allDiags();
  EXPECT_NE(d[0]->message.find("park_settings for site \"Dublin\""), std::string::npos);
  EXPECT_EQ(d[0]->notes.at(0).range, s1kw);
  EXPECT_NE(d[1]->message.find("pool \"redmond-fe01.contoso.com\""), std::string::npos);
  EXPECT_NE(d[2]->message.find("voice_policy for global"), std::string::npos);
  EXPECT_NE(d[3]->message.find("tag \"Reception\""), std::string::npos);
  EXPECT_NE(d[4]->message.find("dialplan for tag \"X\""), std::string::npos);
  // Lookups give the first declaration.
  EXPECT_EQ(m->findVoicePolicy({Scope::Global, kNone, ""}), 0);
  EXPECT_EQ(m->findVoicePolicy({Scope::Tag, kNone, "Reception"}), 2);
  EXPECT_EQ(m->findDialPlan({Scope::Tag, kNone, "X"}), 0);
}

TEST_F(ModelTest, CP201DuplicateInlineUser) {
  topology();
  SourceRange first = user("sip:alice@contoso.com", "redmond-fe01.contoso.com").range;
  SourceRange second = user("SIP:Alice@Contoso.com", "dublin-fe01.contoso.com").sip.range;
  auto m = build();
  auto d = withCode("CP201");
  ASSERT_EQ(d.size(), 1u) << allDiags();
  EXPECT_EQ(d[0]->range, second);
  EXPECT_EQ(d[0]->notes.at(0).range, first);
  ASSERT_EQ(m->users.size(), 1u);
  EXPECT_EQ(m->users[0].pool, 0);
  EXPECT_EQ(m->findUser("sip:ALICE@contoso.com"), 0);
}

TEST_F(ModelTest, CP202UnknownPoolWithSuggestion) {
  topology();
  auto& o = orbit("CPO", "*3000", "*3099", "redmond-fe02.contoso.com");
  SourceRange poolRange = o.pool->range;
  auto m = build();
  auto d = withCode("CP202");
  ASSERT_EQ(d.size(), 1u) << allDiags();
  EXPECT_EQ(d[0]->severity, Severity::Error);
  EXPECT_EQ(d[0]->range, poolRange);
  EXPECT_NE(d[0]->message.find("orbit \"CPO\""), std::string::npos);
  ASSERT_TRUE(d[0]->fix.has_value());
  EXPECT_EQ(d[0]->fix->message, "did you mean \"redmond-fe01.contoso.com\"?");
  EXPECT_EQ(d[0]->fix->replacement, std::optional<std::string>("\"redmond-fe01.contoso.com\""));
  EXPECT_EQ(m->orbits[0].pool, kNone);
}

TEST_F(ModelTest, CP202UnknownPoolEverywhereItCanBeNamed) {
  topology();
  parkAccess("*70", "nowhere.example.org");
  settings(Scope::Pool, "nowhere.example.org");
  dialPlan(Scope::Pool, "nowhere.example.org");
  user("sip:a@contoso.com", "nowhere.example.org");
  auto m = build();
  auto d = withCode("CP202");
  ASSERT_EQ(d.size(), 4u) << allDiags();
  for (auto* x : d) {
    ASSERT_TRUE(x->fix.has_value());
    EXPECT_FALSE(x->fix->replacement.has_value()) << "no close pool, no replacement";
  }
  // Unresolved scopes stay in the model but are never found.
  EXPECT_EQ(m->settings.size(), 1u);
  EXPECT_EQ(m->settings[0].scope.index, kNone);
  EXPECT_EQ(m->findSettings({Scope::Pool, kNone, ""}), kNone);
}

TEST_F(ModelTest, CP203UnknownSiteWithSuggestion) {
  topology();
  auto& ps = settings(Scope::Site, "Dublim");
  voicePolicy(Scope::Site, "Paris", true);
  dialPlan(Scope::Site, "redmond");
  SourceRange nameRange = ps.scope.name.range;
  auto m = build();
  auto d = withCode("CP203");
  ASSERT_EQ(d.size(), 3u) << allDiags();
  EXPECT_EQ(d[0]->range, nameRange);
  EXPECT_EQ(d[0]->fix->replacement, std::optional<std::string>("\"Dublin\""));
  EXPECT_FALSE(d[1]->fix.has_value());
  EXPECT_EQ(d[2]->fix->replacement, std::optional<std::string>("\"Redmond\""));
}

TEST_F(ModelTest, CP204AndCP205UnknownTagsForInlineUsers) {
  topology();
  voicePolicy(Scope::Tag, "Reception", true);
  dialPlan(Scope::Tag, "RedmondReception");
  auto& u = user("sip:alice@contoso.com", "redmond-fe01.contoso.com");
  u.voicePolicy = S("Receptoin");
  u.dialplan = S("Nothing Like It");
  SourceRange vpRange = u.voicePolicy->range, dpRange = u.dialplan->range;
  auto m = build();
  auto vp = withCode("CP204");
  auto dp = withCode("CP205");
  ASSERT_EQ(vp.size(), 1u) << allDiags();
  ASSERT_EQ(dp.size(), 1u) << allDiags();
  EXPECT_EQ(vp[0]->range, vpRange);
  EXPECT_NE(vp[0]->message.find("user \"sip:alice@contoso.com\""), std::string::npos);
  EXPECT_EQ(vp[0]->fix->replacement, std::optional<std::string>("\"Reception\""));
  EXPECT_EQ(dp[0]->range, dpRange);
  EXPECT_FALSE(dp[0]->fix->replacement.has_value());
  EXPECT_EQ(m->users[0].voicePolicy, kNone);
  EXPECT_EQ(m->users[0].dialPlan, kNone);
}

TEST_F(ModelTest, CP206InvalidOrbitTypeAndAllocation) {
  topology();
  auto& o = orbit("P", "#4100", "#4199", "redmond-fe01.contoso.com");
  o.type = S("group-pickup");
  o.allocation = S("round_robin");
  SourceRange typeRange = o.type->range;  // before the next orbit() moves the vector
  auto& ok = orbit("Q", "#5100", "#5199", "redmond-fe01.contoso.com");
  ok.type = S("group_pickup");
  ok.allocation = S("next");
  auto m = build();
  auto d = withCode("CP206");
  ASSERT_EQ(d.size(), 2u) << allDiags();
  EXPECT_EQ(d[0]->range, typeRange);
  EXPECT_NE(d[0]->message.find("expected callpark or group_pickup"), std::string::npos);
  EXPECT_EQ(d[0]->fix->replacement, std::optional<std::string>("group_pickup"));
  EXPECT_NE(d[1]->message.find("least_recent, random, next or first"), std::string::npos);
  EXPECT_FALSE(d[1]->fix.has_value());
  EXPECT_EQ(m->orbits[0].type, OrbitType::CallPark);  // defaults kept
  EXPECT_EQ(m->orbits[0].allocation, Allocation::LeastRecent);
  EXPECT_EQ(m->orbits[1].type, OrbitType::GroupPickup);
  EXPECT_EQ(m->orbits[1].allocation, Allocation::Next);
}

TEST_F(ModelTest, CP207ScopeNotAllowed) {
  topology();
  SourceRange psScope = settings(Scope::Tag, "Reception").scope.range;
  SourceRange vpScope = voicePolicy(Scope::Pool, "redmond-fe01.contoso.com", true).scope.range;
  auto m = build();
  auto d = withCode("CP207");
  ASSERT_EQ(d.size(), 2u) << allDiags();
  EXPECT_EQ(d[0]->range, psScope);
  EXPECT_EQ(d[0]->message,
            "park_settings cannot be declared for a tag; allowed scopes are global, site and pool");
  EXPECT_EQ(d[1]->range, vpScope);
  EXPECT_NE(d[1]->message.find("allowed scopes are global, site and tag"), std::string::npos);
  EXPECT_TRUE(m->settings.empty());
  EXPECT_TRUE(m->voicePolicies.empty());
  EXPECT_TRUE(withCode("CP202").empty());
}

TEST_F(ModelTest, EffectiveSettingsFieldByField) {
  topology();
  auto& g = settings(Scope::Global);
  g.pickupTimeout = ast::Duration{{120, "2m"}, at()};
  g.maxPickupAttempts = ast::Int{3, at()};
  g.onTimeout = S("sip:operator@contoso.com");
  auto& s = settings(Scope::Site, "Dublin");
  s.pickupTimeout = ast::Duration{{60, "1m"}, at()};
  auto& p = settings(Scope::Pool, "dublin-fe01.contoso.com");
  p.musicOnHold = ast::Bool{false, at()};
  p.musicFile = S("moh/dublin.wav");
  auto m = build();
  ASSERT_TRUE(diags.diagnostics().empty()) << allDiags();
  EffectiveSettings d = m->effectiveSettings(m->findPool("dublin-fe01.contoso.com"));
  EXPECT_EQ(d.pickupTimeoutSeconds, 60);
  EXPECT_EQ(d.fromPickupTimeout, 1);
  EXPECT_EQ(d.maxPickupAttempts, 3);
  EXPECT_EQ(d.fromMaxAttempts, 0);
  EXPECT_FALSE(d.musicOnHold);
  EXPECT_EQ(d.fromMusicOnHold, 2);
  EXPECT_EQ(d.onTimeout, "sip:operator@contoso.com");
  EXPECT_EQ(d.musicFile, dir() + "/moh/dublin.wav");  // relative to main.park's folder
  EXPECT_EQ(d.fromMusicFile, 2);
  EffectiveSettings r = m->effectiveSettings(m->findPool("redmond-fe01.contoso.com"));
  EXPECT_EQ(r.pickupTimeoutSeconds, 120);
  EXPECT_TRUE(r.musicOnHold);
  EXPECT_EQ(r.fromMusicOnHold, kNone);
  EXPECT_EQ(r.musicFile, "");
}

TEST_F(ModelTest, EffectiveSettingsDefaultsFromTheSpec) {
  topology();
  auto m = build();
  EffectiveSettings e = m->effectiveSettings(0);
  EXPECT_EQ(e.pickupTimeoutSeconds, 90);
  EXPECT_EQ(e.maxPickupAttempts, 1);
  EXPECT_TRUE(e.musicOnHold);
  EXPECT_EQ(e.onTimeout, "");
  EXPECT_EQ(e.fromPickupTimeout, kNone);
  EXPECT_EQ(m->effectiveSettings(kNone).pickupTimeoutSeconds, 90);
}

TEST_F(ModelTest, MusicFileAbsolutePathIsKept) {
  topology();
  settings(Scope::Global).musicFile = S("/srv/moh/default.wav");
  auto m = build();
  EXPECT_EQ(m->settings[0].musicFile, std::optional<std::string>("/srv/moh/default.wav"));
}

TEST_F(ModelTest, EffectiveVoicePolicyAndMayPark) {
  topology();
  voicePolicy(Scope::Global, "", false);
  voicePolicy(Scope::Site, "Redmond", true);
  voicePolicy(Scope::Tag, "Reception", true);
  voicePolicy(Scope::Tag, "NoPark", std::nullopt);
  user("sip:alice@contoso.com", "dublin-fe01.contoso.com").voicePolicy = S("Reception");
  user("sip:bob@contoso.com", "dublin-fe01.contoso.com");
  user("sip:carol@contoso.com", "redmond-fe01.contoso.com");
  user("sip:dave@contoso.com", "redmond-fe01.contoso.com").voicePolicy = S("NoPark");
  user("sip:eve@contoso.com");  // no pool: global
  auto m = build();
  ASSERT_TRUE(diags.diagnostics().empty()) << allDiags();
  EXPECT_EQ(m->effectiveVoicePolicy(m->findUser("sip:alice@contoso.com")), 2);
  EXPECT_TRUE(m->mayPark(m->findUser("sip:alice@contoso.com")));
  EXPECT_EQ(m->effectiveVoicePolicy(m->findUser("sip:bob@contoso.com")), 0);
  EXPECT_FALSE(m->mayPark(m->findUser("sip:bob@contoso.com")));
  EXPECT_EQ(m->effectiveVoicePolicy(m->findUser("sip:carol@contoso.com")), 1);
  EXPECT_TRUE(m->mayPark(m->findUser("sip:carol@contoso.com")));
  EXPECT_FALSE(m->mayPark(m->findUser("sip:dave@contoso.com")));  // call_park not written: off
  EXPECT_FALSE(m->voicePolicies[3].callParkWritten);
  EXPECT_EQ(m->effectiveVoicePolicy(m->findUser("sip:eve@contoso.com")), 0);
  EXPECT_EQ(m->effectiveVoicePolicy(kNone), kNone);
}

TEST_F(ModelTest, NoGlobalVoicePolicyMeansNoParking) {
  topology();
  user("sip:bob@contoso.com", "dublin-fe01.contoso.com");
  auto m = build();
  EXPECT_EQ(m->effectiveVoicePolicy(0), kNone);
  EXPECT_FALSE(m->mayPark(0));
}

TEST_F(ModelTest, EffectiveDialPlanUserPoolSiteGlobal) {
  site("Redmond", {"redmond-fe01.contoso.com", "redmond-fe02.contoso.com"});
  site("Dublin", {"dublin-fe01.contoso.com"});
  dialPlan(Scope::Global);                            // 0
  dialPlan(Scope::Site, "Redmond");                   // 1
  dialPlan(Scope::Pool, "redmond-fe02.contoso.com");  // 2
  dialPlan(Scope::Tag, "RedmondReception");           // 3
  user("sip:a@contoso.com", "redmond-fe01.contoso.com").dialplan = S("RedmondReception");
  user("sip:b@contoso.com", "redmond-fe02.contoso.com");
  user("sip:c@contoso.com", "redmond-fe01.contoso.com");
  user("sip:d@contoso.com", "dublin-fe01.contoso.com");
  auto m = build();
  ASSERT_TRUE(diags.diagnostics().empty()) << allDiags();
  EXPECT_EQ(m->effectiveDialPlan(0), 3);
  EXPECT_EQ(m->effectiveDialPlan(1), 2);
  EXPECT_EQ(m->effectiveDialPlan(2), 1);
  EXPECT_EQ(m->effectiveDialPlan(3), 0);
  EXPECT_EQ(m->findDialPlan({Scope::Pool, 2, ""}), kNone);
}

TEST_F(ModelTest, NoDialPlanAtAll) {
  topology();
  user("sip:a@contoso.com", "redmond-fe01.contoso.com");
  auto m = build();
  EXPECT_EQ(m->effectiveDialPlan(0), kNone);
}

TEST_F(ModelTest, RulesOrderedByPriorityThenDeclaration) {
  topology();
  auto& dp = dialPlan(Scope::Global);
  rule(dp, "c", 5);
  rule(dp, "no priority", std::nullopt);  // treated as priority 0
  rule(dp, "a", 0);
  rule(dp, "b", 2);
  rule(dp, "d", 5);
  rule(dp, "negative", -1);
  auto m = build();
  std::vector<std::string> names;
  for (const auto& r : m->dialPlans[0].rules) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"negative", "no priority", "a", "b", "c", "d"}));
  EXPECT_FALSE(m->dialPlans[0].rules[1].priorityWritten);
  EXPECT_EQ(m->dialPlans[0].rules[1].priority, 0);
  EXPECT_EQ(m->dialPlans[0].rules[1].declIndex, 1);
  EXPECT_TRUE(m->dialPlans[0].rules[2].priorityWritten);
  EXPECT_EQ(m->dialPlans[0].rules[5].declIndex, 4);
  EXPECT_EQ(m->dialPlans[0].rules[0].decl, &dp.rules[5]);
}

TEST_F(ModelTest, DialPlanFieldsAndRuleFields) {
  topology();
  auto& dp = dialPlan(Scope::Site, "Dublin");
  dp.externalAccessPrefix = S("9");
  dp.optimizeDeviceDialing = ast::Bool{true, at()};
  auto& r = rule(dp, "4 digit", 1);
  r.internalExtension = at();
  auto m = build();
  const DialPlan& p = m->dialPlans[0];
  EXPECT_EQ(p.scope, (ScopeRef{Scope::Site, 1, ""}));
  EXPECT_EQ(p.externalAccessPrefix, "9");
  EXPECT_TRUE(p.optimizeDeviceDialing);
  EXPECT_TRUE(p.rules[0].internalExtension);
  EXPECT_EQ(p.rules[0].pattern, "^(\\d+)$");
  EXPECT_EQ(p.rules[0].translation, "$1");
}

TEST_F(ModelTest, LineUriSplitsIntoNumberAndExtension) {
  topology();
  user("sip:a@contoso.com").line = S("tel:+14255551000;ext=1000");
  user("sip:b@contoso.com").line = S("TEL:+35315550200;phone-context=x;EXT=0200");
  user("sip:c@contoso.com").line = S("tel:+14255551001");
  auto m = build();
  EXPECT_EQ(m->users[0].line, "tel:+14255551000;ext=1000");
  EXPECT_EQ(m->users[0].lineNumber, "+14255551000");
  EXPECT_EQ(m->users[0].extension, "1000");
  EXPECT_EQ(m->users[1].lineNumber, "+35315550200");
  EXPECT_EQ(m->users[1].extension, "0200");
  EXPECT_EQ(m->users[2].lineNumber, "+14255551001");
  EXPECT_EQ(m->users[2].extension, "");
  EXPECT_EQ(m->users[0].decl, &ast.users[0]);
}

}  // namespace
}  // namespace callpark::model::testing

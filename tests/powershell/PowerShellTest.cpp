// parkc import / export.
//  - Lexer: PowerShell quoting, expansion, continuations.
//  - Importer: parameter binding (abbreviations, switches, -Name:value), identities, priorities,
//    Keep All, variables and in-memory rules, diagnostics.
//  - Corpus: every .ps1 of ../shared/corpus/lync-ps (read in place), and every code example of
//    the Microsoft reference pages there (.md), imported one example at a time; a report of what
//    was imported and skipped per file is printed; the imported dial plans are checked against
//    the documented Test-CsVoiceNormalizationRule / Test-CsEffectiveTenantDialPlan results.
//  - Round trip: every policy of the repository that builds without errors, exported to
//    PowerShell and imported back, gives the same model.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "compiler/analysis/Dispatch.h"
#include "compiler/diff/Canonical.h"
#include "compiler/model/ModelBuilder.h"
#include "compiler/normalize/CompiledDialPlan.h"
#include "compiler/parse/Parser.h"
#include "compiler/powershell/Exporter.h"
#include "compiler/powershell/Importer.h"
#include "compiler/powershell/Lexer.h"
#include "rules/Registry.h"

namespace fs = std::filesystem;
using namespace callpark;
using namespace callpark::powershell;

namespace {

std::string readFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// An imported script, turned into .park files and compiled to a model.
struct Imported {
  SourceManager sm;
  DiagnosticEngine diags{sm};
  ImportSummary summary;
  PolicyDraft draft;
  std::map<std::string, std::string> files;
  SourceManager psm;
  DiagnosticEngine pdiags{psm};
  ast::PolicyAst ast;
  std::unique_ptr<model::Model> model;
  bool parsed = true;

  explicit Imported(const std::string& script, const std::string& name = "script.ps1") {
    FileId id = sm.add(name, script);
    draft = importScript(sm, id, diags, &summary);
    diags.finish();
    files = writePark(draft, "test");
    for (const auto& [n, t] : files) psm.add(n, t);
    for (FileId f = 0; f < psm.fileCount(); ++f) parsed &= parse::parseFile(psm, f, pdiags, ast);
    model = model::buildModel(ast, psm, pdiags);
    pdiags.finish();
  }
  size_t count(const std::string& code) const {
    size_t n = 0;
    for (const auto& d : diags.diagnostics()) n += d.code == code;
    return n;
  }
  std::string codes() const {
    std::string s;
    for (const auto& d : diags.diagnostics()) s += d.code + " " + d.message + "\n";
    return s;
  }
  // Normalizes with the dial plan of a tag / site scope.
  std::string normalize(ast::Scope::Kind kind, const std::string& name,
                        const std::string& dialed) const {
    model::ScopeRef ref{kind, model::kNone, kind == ast::Scope::Tag ? name : ""};
    if (kind == ast::Scope::Site) ref.index = model->findSite(name);
    int p = model->findDialPlan(ref);
    if (p < 0) return "<no plan " + name + ">";
    auto cp = normalize::CompiledDialPlan::compile(model->dialPlans[p]);
    auto r = cp.normalize(dialed);
    return r.matched() ? r.result + " (" + model->dialPlans[p].rules[r.rule].name + ")"
                       : r.result + " (no rule)";
  }
};

std::vector<Statement> lex(const std::string& text, DiagnosticEngine*& out, SourceManager& sm) {
  FileId id = sm.add("t.ps1", text);
  static DiagnosticEngine* keep = nullptr;
  keep = new DiagnosticEngine(sm);
  out = keep;
  return tokenizeScript(sm, id, *keep);
}

}  // namespace

// ---- lexer ----------------------------------------------------------------------------------
TEST(Lexer, QuotingExpansionAndContinuation) {
  SourceManager sm;
  DiagnosticEngine* d = nullptr;
  auto st =
      lex("New-X -A 'it''s $1' -B \"+1$1 `$2 \"\"q\"\"\" `\n  -C:$true # comment\n<# block\n #> "
          "Next-Y;Z",
          d, sm);
  ASSERT_EQ(st.size(), 3u);
  ASSERT_EQ(st[0].size(), 6u);
  EXPECT_EQ(st[0][0].text, "New-X");
  EXPECT_EQ(st[0][1].kind, Elem::Parameter);
  EXPECT_EQ(st[0][2].kind, Elem::SingleQuoted);
  EXPECT_EQ(st[0][2].text, "it's $1");
  const Elem& b = st[0][4];
  ASSERT_EQ(b.kind, Elem::DoubleQuoted);
  ASSERT_EQ(b.parts.size(), 3u);
  EXPECT_EQ(b.parts[0].text, "+1");
  EXPECT_EQ(b.parts[1].kind, Part::Variable);
  EXPECT_EQ(b.parts[1].text, "1");
  EXPECT_EQ(b.parts[2].text, " $2 \"q\"");
  EXPECT_EQ(st[0][5].kind, Elem::Parameter);
  ASSERT_EQ(st[0][5].children.size(), 1u);
  EXPECT_EQ(st[0][5].children[0].kind, Elem::Variable);
  EXPECT_EQ(st[1][0].text, "Next-Y");
  EXPECT_EQ(st[2][0].text, "Z");
  EXPECT_EQ(d->diagnostics().size(), 0u);
}

TEST(Lexer, UnterminatedStringIsReported) {
  SourceManager sm;
  DiagnosticEngine* d = nullptr;
  lex("New-CsCallParkOrbit -Identity \"CPO 1 -NumberRangeStart 100\n", d, sm);
  ASSERT_EQ(d->diagnostics().size(), 1u);
  EXPECT_EQ(d->diagnostics()[0].code, "CP950");
}

// ---- importer -------------------------------------------------------------------------------
TEST(Importer, OrbitsSettingsPoliciesAndAbbreviations) {
  Imported im(
      "New-CsCallParkOrbit -Identity 'CPO 1' -NumberRangeS 100 -NumberRangeE 199 `\n"
      "    -CallParkService ApplicationServer:FE01.contoso.com\n"
      "New-CsCallParkOrbit -Identity 'Pickup' -NumberRangeStart \"#4100\" -NumberRangeEnd "
      "\"#4199\" -CallParkService fe01.contoso.com -Type GroupPickup\n"
      "Set-CsCpsConfiguration -CallPickupTimeoutThreshold 00:01:30 -MaxCallPickupAttempts 2 "
      "-OnTimeoutURI sip:op@contoso.com\n"
      "New-CsCpsConfiguration -Identity site:Redmond -EnableMusicOnHold:$false\n"
      "$moh = Get-Content -ReadCount 0 -Encoding Byte 'C:\\MoH\\soothing.wma'\n"
      "Set-CsCallParkServiceMusicOnHoldFile -Service service:ApplicationServer:fe01.contoso.com "
      "-Content $moh\n"
      "Set-CsVoicePolicy -Identity Global -EnableCallPark $true\n"
      "New-CsVoicePolicy Lobby -EnableCallPark $false -AllowSimulRing $false\n"
      "Grant-CsVoicePolicy -Identity alice@contoso.com -PolicyName Lobby\n"
      "Grant-CsVoicePolicy -Identity 'Ken Myer' -PolicyName Lobby\n"
      "Write-Host done\n");
  EXPECT_TRUE(im.parsed) << im.files["orbits.park"];
  ASSERT_EQ(im.draft.orbits.size(), 2u);
  EXPECT_EQ(im.draft.orbits[0].pool, "fe01.contoso.com");
  EXPECT_EQ(im.draft.orbits[1].type, "group_pickup");
  analysis::NumberIndex idx(*im.model);
  EXPECT_EQ(idx.classify("150").kind, analysis::Destination::Orbit);
  EXPECT_EQ(idx.classify("#4100").kind, analysis::Destination::Orbit);
  int fe01 = im.model->findPool("fe01.contoso.com");
  ASSERT_GE(fe01, 0);
  auto eff = im.model->effectiveSettings(fe01);
  EXPECT_EQ(eff.pickupTimeoutSeconds, 90);
  EXPECT_EQ(eff.maxPickupAttempts, 2);
  EXPECT_EQ(eff.onTimeout, "sip:op@contoso.com");
  EXPECT_EQ(im.count("CP959"), 1u) << im.codes();  // -AllowSimulRing
  EXPECT_EQ(im.count("CP964"), 1u) << im.codes();  // Ken Myer
  EXPECT_EQ(im.count("CP958"), 1u) << im.codes();  // Write-Host
  int alice = im.model->findUser("sip:alice@contoso.com");
  ASSERT_GE(alice, 0);
  EXPECT_FALSE(im.model->mayPark(alice));
  EXPECT_NE(im.files["settings.park"].find("music_file \"C:\\\\MoH\\\\soothing.wma\""),
            std::string::npos)
      << im.files["settings.park"];
}

TEST(Importer, ParameterErrorsAsPowerShellReportsThem) {
  Imported im(
      "New-CsVoiceNormalizationRule -Identity 'global/Ten' -P '^(\\d{10})$'\n"  // ambiguous
      "New-CsCallParkOrbit -Identity X -NumberRangStart 1 -NumberRangeEnd 2 -CallParkService "
      "p\n"  // unknown
      "New-CsCallParkOrbit -Identity X -NumberRangeStart -NumberRangeEnd 2 -CallParkService p\n"  // no value
      "$p = @{ Identity = 'Y' }\nNew-CsCallParkOrbit @p\n"      // splatting
      "Get-CsUser | Grant-CsVoicePolicy -PolicyName Lobby\n");  // pipeline
  EXPECT_EQ(im.count("CP953"), 1u) << im.codes();
  EXPECT_EQ(im.count("CP954"), 1u) << im.codes();
  EXPECT_EQ(im.count("CP955"), 1u) << im.codes();
  EXPECT_EQ(im.count("CP957"), 1u) << im.codes();
  EXPECT_EQ(im.count("CP961"), 1u) << im.codes();
  EXPECT_TRUE(im.draft.orbits.empty());
}

TEST(Importer, DialPlansRulesPrioritiesKeepAllAndDoubleQuotes) {
  Imported im(
      "New-CsDialPlan -Identity site:Redmond -ExternalAccessPrefix 9 -OptimizeDeviceDialing $true\n"
      "New-CsVoiceNormalizationRule -Parent site:Redmond -Name 'Four' -Pattern '^(\\d{4})$' "
      "-Translation \"+1425555$1\"\n"
      "New-CsVoiceNormalizationRule -Identity 'site:Redmond/Orbits' -Pattern '^(7\\d{3})$' "
      "-Translation '$1' -Priority 0\n"
      "New-CsVoiceNormalizationRule -Identity 'site:Redmond/Ten' -Pattern '^(\\d{10})$' "
      "-Translation '+1$1' -IsInternalExtension $false\n"
      "Set-CsVoiceNormalizationRule -Identity 'site:Redmond/Ten' -Priority 1\n"
      "New-CsDialPlan -Identity Reception\n"
      "Remove-CsVoiceNormalizationRule -Identity 'Reception/Keep All'\n"
      "New-CsVoiceNormalizationRule -Identity 'Reception/Op' -Pattern '^0$' -Translation "
      "'+14255550100'\n"
      "Remove-CsVoiceNormalizationRule -Identity 'site:Dublin/Nope'\n");
  EXPECT_TRUE(im.parsed);
  ASSERT_EQ(im.draft.dialPlans.size(), 2u);
  const auto& r = im.draft.dialPlans[0].rules;
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].name, "Orbits");
  EXPECT_EQ(r[1].name, "Ten");
  EXPECT_EQ(r[2].name, "Keep All");
  EXPECT_EQ(r[3].name, "Four");
  EXPECT_EQ(r[3].translation, "+1425555");  // what PowerShell passed
  EXPECT_EQ(im.count("CP951"), 1u) << im.codes();
  EXPECT_EQ(im.count("CP962"), 1u) << im.codes();  // Redmond keeps Keep All, Reception does not
  EXPECT_EQ(im.count("CP956"), 1u) << im.codes();  // site:Dublin/Nope
  EXPECT_EQ(im.normalize(ast::Scope::Site, "Redmond", "7001"), "7001 (Orbits)");
  EXPECT_EQ(im.normalize(ast::Scope::Site, "Redmond", "1234"), "+1425555 (Four)");
  EXPECT_EQ(im.normalize(ast::Scope::Site, "Redmond", "91234"), "+1425555 (Four)");
  EXPECT_EQ(im.normalize(ast::Scope::Tag, "Reception", "0"), "+14255550100 (Op)");
}

// ---- the shared corpus ----------------------------------------------------------------------
namespace {

const fs::path kCorpus = fs::path(CALLPARK_SHARED_DIR) / "corpus" / "lync-ps";

void printReport(const std::string& name, const Imported& im) {
  std::cout << "== " << name << ": " << im.summary.imported.size() << " imported from "
            << im.summary.commands << " configuration commands\n";
  for (const auto& s : im.summary.imported) std::cout << "   + " << s << "\n";
  for (const auto& [n, c] : im.summary.skipped)
    std::cout << "   - skipped " << n << " x" << c << "\n";
  for (const auto& d : im.diags.diagnostics())
    if (d.code != "CP958")
      std::cout << "   ! " << d.code << " line " << d.range.line << ": " << d.message << "\n";
}

// The code blocks of a reference page's EXAMPLES section.
std::vector<std::string> examples(const std::string& md) {
  std::vector<std::string> out;
  size_t from = md.find("## EXAMPLES");
  size_t to = md.find("## PARAMETERS");
  if (from == std::string::npos) return out;
  std::string sec = md.substr(from, to == std::string::npos ? std::string::npos : to - from);
  std::regex block("```(powershell)?\\n([\\s\\S]*?)```");
  for (std::sregex_iterator it(sec.begin(), sec.end(), block), end; it != end; ++it)
    out.push_back((*it)[2].str());
  return out;
}

}  // namespace

TEST(Corpus, EveryScriptImports) {
  ASSERT_TRUE(fs::is_directory(kCorpus)) << kCorpus;
  size_t scripts = 0;
  for (const auto& e : fs::directory_iterator(kCorpus)) {
    if (e.path().extension() != ".ps1") continue;
    ++scripts;
    Imported im(readFile(e.path()), e.path().filename().string());
    printReport(e.path().filename().string(), im);
    EXPECT_TRUE(im.parsed) << e.path() << ": the written policy does not parse";
    EXPECT_EQ(im.count("CP950"), 0u) << e.path() << "\n" << im.codes();
    EXPECT_FALSE(im.draft.dialPlans.empty()) << e.path();
    EXPECT_EQ(im.count("CP958"), 1u) << e.path();  // the skipped cmdlets are listed
  }
  EXPECT_GE(scripts, 2u);
}

TEST(Corpus, TelesmartDocumentedResults) {
  // The header of the script documents Test-CsEffectiveTenantDialPlan results.
  Imported im(readFile(kCorpus / "Telesmart-nz__anz-dialplan__patch-TenantDialPlans.ps1"));
  EXPECT_EQ(im.draft.dialPlans.size(), 9u);
  EXPECT_EQ(im.normalize(ast::Scope::Tag, "TS-NZ-TDP-04", "8014640"), "+6448014640 (TS-NZ-NR-04)");
  EXPECT_EQ(im.normalize(ast::Scope::Tag, "TS-NZ-TDP-04", "111"), "+64111 (NZ Emergency Number)");
  // "048014640 ... translated ... using the "New Zealand National" rule from the built in NZ Dial
  // Plan": that rule is not in the script, so the imported plan leaves the number alone.
  EXPECT_EQ(im.normalize(ast::Scope::Tag, "TS-NZ-TDP-04", "048014640"), "048014640 (no rule)");
  EXPECT_EQ(im.normalize(ast::Scope::Tag, "TS-AU-TDP-02", "000"), "+61000 (AUEmergency)");
  EXPECT_EQ(im.normalize(ast::Scope::Tag, "TS-AU-TDP-02", "92345678"),
            "+61292345678 (TS-AU-NR-02)");
  EXPECT_EQ(im.count("CP960"), 1u);
  EXPECT_EQ(im.count("CP965"), 1u);  // the plans are created inside if/else
}

TEST(Corpus, SbcConnectRulesMatchTheSourceLiterals) {
  const std::string text = readFile(
      kCorpus / "SBCConnect__documentation__scripts__new-tenant-australian-dial-plans.ps1");
  Imported im(text);
  ASSERT_EQ(im.draft.dialPlans.size(), 4u);
  // Independent of the tokenizer: every -Pattern '...' literal of the source is a rule pattern.
  std::set<std::string> literal, imported;
  std::regex pat("New-CsVoiceNormalizationRule .*-Pattern '([^']*)'");
  std::istringstream lines(text);
  for (std::string ln; std::getline(lines, ln);) {
    std::smatch m;
    if (std::regex_search(ln, m, pat)) literal.insert(m[1].str());
  }
  for (const auto& p : im.draft.dialPlans)
    for (const auto& r : p.rules) imported.insert(r.pattern);
  EXPECT_EQ(literal, imported);
  for (const auto& p : im.draft.dialPlans) EXPECT_EQ(p.rules.size(), 8u) << p.scope.name;
  EXPECT_EQ(im.normalize(ast::Scope::Tag, "AU-Queensland", "32345678"),
            "+61732345678 (AU-Queensland-Local)");
  EXPECT_EQ(im.normalize(ast::Scope::Tag, "AU-SouthEast", "0412345678"),
            "+61412345678 (AU-Mobile)");
  EXPECT_EQ(im.normalize(ast::Scope::Tag, "AU-CentralEast", "1800123456"),
            "+611800123456 (AU-TollFree)");
  EXPECT_EQ(im.normalize(ast::Scope::Tag, "AU-CentralEast", "000"), "000 (AU-Service)");
  EXPECT_EQ(im.normalize(ast::Scope::Tag, "AU-CentralandWest", "001144201234567"),
            "+44201234567 (AU-International)");
}

TEST(Corpus, ReferencePageExamples) {
  size_t pages = 0, blocks = 0;
  for (const auto& e : fs::directory_iterator(kCorpus)) {
    if (e.path().extension() != ".md" || e.path().filename() == "SOURCES.md") continue;
    ++pages;
    auto ex = examples(readFile(e.path()));
    for (size_t i = 0; i < ex.size(); ++i) {
      ++blocks;
      Imported im(ex[i], e.path().stem().string() + " example " + std::to_string(i + 1));
      printReport(e.path().stem().string().substr(e.path().stem().string().rfind("__") + 2) +
                      " example " + std::to_string(i + 1),
                  im);
      EXPECT_TRUE(im.parsed);
      EXPECT_EQ(im.count("CP950"), 0u) << ex[i];
    }
  }
  EXPECT_GE(pages, 8u);
  EXPECT_GE(blocks, 20u);
}

TEST(Corpus, DocumentedNormalizationExamples) {
  auto page = [](const char* cmdlet) {
    return examples(
        readFile(kCorpus / ("MicrosoftDocs__office-docs-powershell__skype-ps__SkypeForBusiness__" +
                            std::string(cmdlet) + ".md")));
  };
  // New-CsVoiceNormalizationRule example 2: "if the extension 1234 was entered, this rule would
  // translate that extension to +12065551234".
  auto nr = page("New-CsVoiceNormalizationRule");
  ASSERT_GE(nr.size(), 3u);
  Imported ex2(nr[1]);
  EXPECT_EQ(ex2.normalize(ast::Scope::Tag, "SeattleUser", "1234"),
            "+12065551234 (SeattleFourDigit)");
  // Example 3 + Test-CsVoiceNormalizationRule example 4: nr1 in tenant plan DP1, 1234 ->
  // +12065551234.
  Imported ex3(nr[2]);
  EXPECT_EQ(ex3.normalize(ast::Scope::Tag, "DP1", "1234"), "+12065551234 (nr1)");
  // New-CsDialPlan example 2: the translation "+1206$1" is double-quoted, so PowerShell stores
  // "+1206": reported, and the imported plan behaves like the deployment.
  auto dp = page("New-CsDialPlan");
  ASSERT_GE(dp.size(), 2u);
  Imported dp2(dp[1]);
  EXPECT_EQ(dp2.count("CP951"), 1u) << dp2.codes();
  EXPECT_EQ(dp2.normalize(ast::Scope::Site, "Redmond", "95551212"), "+1206 (SeattlePrefix)");
  // New-CsCallParkOrbit examples: the three documented ranges reach their orbits.
  auto orb = page("New-CsCallParkOrbit");
  ASSERT_EQ(orb.size(), 3u);
  Imported all(orb[0] + orb[1] + orb[2]);
  analysis::NumberIndex idx(*all.model);
  for (const char* n : {"100", "199", "*1000", "*1999", "#1000", "#1999"})
    EXPECT_EQ(idx.classify(n).kind, analysis::Destination::Orbit) << n;
  EXPECT_EQ(idx.classify("200").kind, analysis::Destination::NotOurs);
  // Set-CsCpsConfiguration example 3: 00:00:45 is 45 seconds.
  auto cps = page("Set-CsCpsConfiguration");
  ASSERT_GE(cps.size(), 3u);
  Imported c3(cps[2]);
  ASSERT_EQ(c3.draft.settings.size(), 1u);
  EXPECT_EQ(c3.draft.settings[0].pickupTimeoutSeconds, 45);
  Imported c2(cps[1]);  // Get-CsCpsConfiguration | Set-CsCpsConfiguration
  EXPECT_EQ(c2.count("CP961"), 1u);
}

// ---- round trip -----------------------------------------------------------------------------
TEST(RoundTrip, ExportThenImportGivesTheSameModel) {
  const fs::path root = CALLPARK_SOURCE_DIR;
  std::map<fs::path, std::vector<fs::path>> policies;
  for (const char* top : {"examples", "tests/golden"})
    for (auto it = fs::recursive_directory_iterator(root / top);
         it != fs::recursive_directory_iterator(); ++it)
      if (it->is_regular_file() && it->path().extension() == ".park")
        policies[it->path().parent_path()].push_back(it->path());
  size_t tested = 0, skipped = 0;
  diff::DumpOptions opts{false, false};
  for (const auto& [dir, paths] : policies) {
    SourceManager sm;
    DiagnosticEngine diags(sm);
    ast::PolicyAst a;
    for (const auto& p : paths) {
      std::string err;
      sm.load(p.string(), &err);
    }
    bool ok = true;
    for (FileId f = 0; f < sm.fileCount(); ++f) ok &= parse::parseFile(sm, f, diags, a);
    if (!ok) continue;
    auto m = model::buildModel(a, sm, diags);
    rules::RuleContext ctx{*m, sm};
    rules::runAll(ctx, diags);
    diags.finish();
    // Export is for policies that check clean: a policy the rules reject (an orbit range "+7000",
    // say) has no Lync equivalent, and the importer rightly refuses what Lync would refuse.
    if (diags.hasErrors()) continue;
    // Not expressible in Lync, so not expected to round-trip: two rules of one dial plan with
    // the same name (Lync identifies rules by name), an orbit without numbers or pool, a music
    // file below pool scope (Set-CsCallParkServiceMusicOnHoldFile is per pool).
    bool expressible = true;
    for (const auto& d : m->dialPlans) {
      std::set<std::string> names;
      for (const auto& r : d.rules) expressible &= names.insert(r.name).second;
    }
    for (const auto& o : m->orbits) expressible &= !o.start.text.empty() && o.pool >= 0;
    for (const auto& st : m->settings)
      expressible &= !st.musicFile || st.scope.kind == ast::Scope::Pool;
    if (!expressible) {
      ++skipped;
      continue;
    }
    std::string script = exportPowerShell(*m, dir.string());
    Imported back(script, "export.ps1");
    ASSERT_TRUE(back.parsed) << dir;
    EXPECT_FALSE(back.diags.hasErrors()) << dir << "\n" << back.codes() << script;
    EXPECT_EQ(diff::canonicalDump(*m, opts), diff::canonicalDump(*back.model, opts)) << dir << "\n"
                                                                                     << script;
    ++tested;
  }
  std::cout << "round-tripped " << tested << " policies (" << skipped
            << " not expressible in Lync PowerShell)\n";
  EXPECT_GT(tested, 10u);
}

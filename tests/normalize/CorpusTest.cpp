// The engine against the Lync / Teams PowerShell corpus in ${CALLPARK_SHARED_DIR}/corpus/lync-ps:
//  - every New-CsVoiceNormalizationRule call in the two .ps1 scripts and the Microsoft reference
//    pages is extracted (its -Pattern / -Translation as written) and must load;
//  - the worked examples (pattern, translation, dialed number, expected translated number) are
//    extracted from the files and checked:
//      Test-CsVoiceNormalizationRule.md   Example 4 ("Pattern : ...", "-DialedNumber", output)
//      New-CsVoiceNormalizationRule.md    Example 2 (the rule, and "if the extension 1234 was
//                                         entered ... to the number +12065551234")
//      Telesmart ...patch-TenantDialPlans.ps1  the header's Test-CsEffectiveTenantDialPlan runs
//                                         (DialedNumber, TranslatedNumber, MatchingRule), also
//                                         as a whole tenant dial plan built from the script.
// Result of the corpus load (compiler/normalize/README.md, "The corpus"): no corpus rule is
// rejected; one (New-CsDialPlan example 2, `^9(\d*){1,5}$`) loads with the CP705 warning. The
// test prints the full listing (file:line, rule, pattern, translation, verdict).
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>

#include "compiler/normalize/CompiledDialPlan.h"

namespace callpark::normalize {
namespace {

const std::string kCorpus = std::string(CALLPARK_SHARED_DIR) + "/corpus/lync-ps/";
const std::string kNvrDoc =
    "MicrosoftDocs__office-docs-powershell__skype-ps__SkypeForBusiness__New-"
    "CsVoiceNormalizationRule.md";
const std::string kTestDoc =
    "MicrosoftDocs__office-docs-powershell__skype-ps__SkypeForBusiness__Test-"
    "CsVoiceNormalizationRule.md";
const std::string kDialPlanDoc =
    "MicrosoftDocs__office-docs-powershell__skype-ps__SkypeForBusiness__New-CsDialPlan.md";
const std::string kSbc = "SBCConnect__documentation__scripts__new-tenant-australian-dial-plans.ps1";
const std::string kTelesmart = "Telesmart-nz__anz-dialplan__patch-TenantDialPlans.ps1";

std::string readCorpus(const std::string& name) {
  std::ifstream in(kCorpus + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << kCorpus + name;
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (s.rfind("\xEF\xBB\xBF", 0) == 0) s.erase(0, 3);  // UTF-8 BOM
  return s;
}

// PowerShell logical lines: a backtick at the end of a line continues it (in .ps1 files; in the
// Markdown pages a trailing backtick closes inline code). `firstLine` (when given) receives the
// physical 1-based line each logical line starts on.
std::vector<std::string> logicalLines(const std::string& text, bool powershell = true,
                                      std::vector<int>* firstLine = nullptr) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  static const std::regex continuation("`[ \\t]*$");
  int physical = 0;
  bool continuing = false;
  for (std::string l; std::getline(in, l);) {
    ++physical;
    if (!l.empty() && l.back() == '\r') l.pop_back();
    bool continues = powershell && std::regex_search(l, continuation);
    if (continues) l = std::regex_replace(l, continuation, " ");
    if (continuing) {
      lines.back() += l;
    } else {
      lines.push_back(l);
      if (firstLine) firstLine->push_back(physical);
    }
    continuing = continues;
  }
  return lines;
}

// The value of `-Param 'x'`, `-Param "x"` or `-Param x` in a command line (as written).
std::optional<std::string> argument(const std::string& line, const std::string& param) {
  std::smatch m;
  std::regex re("-" + param + "\\s+(?:'([^']*)'|\"([^\"]*)\"|([^\\s'\"<[-]\\S*))",
                std::regex::icase);
  if (!std::regex_search(line, m, re)) return std::nullopt;
  return m[1].matched ? m[1].str() : m[2].matched ? m[2].str() : m[3].str();
}

struct CorpusRule {
  std::string file;
  int line = 0;
  std::string variable, name, pattern, translation;
  // PowerShell expands `$1` inside double quotes before the cmdlet sees the string, so such a
  // translation is stored without its group references (the listing says so).
  bool doubleQuotedTranslation = false;
};

std::vector<CorpusRule> extractRules(const std::string& file) {
  std::vector<CorpusRule> rules;
  std::vector<int> firstLine;
  bool ps1 = file.size() > 4 && file.compare(file.size() - 4, 4, ".ps1") == 0;
  std::vector<std::string> lines = logicalLines(readCorpus(file), ps1, &firstLine);
  for (size_t k = 0; k < lines.size(); ++k) {
    const std::string& l = lines[k];
    if (l.find("New-CsVoiceNormalizationRule") == std::string::npos) continue;
    std::optional<std::string> pattern = argument(l, "Pattern");
    if (!pattern) continue;  // syntax blocks and prose mention the cmdlet without a rule
    CorpusRule r;
    r.file = file;
    r.line = firstLine[k];
    r.doubleQuotedTranslation =
        std::regex_search(l, std::regex("-Translation\\s+\"", std::regex::icase));
    r.pattern = *pattern;
    r.translation = argument(l, "Translation").value_or("+$1");  // the documented default
    r.name = argument(l, "Name").value_or(argument(l, "Identity").value_or(""));
    std::smatch m;
    if (std::regex_search(l, m, std::regex("^\\s*\\$(\\w+)\\s*\\+?="))) r.variable = m[1].str();
    rules.push_back(r);
  }
  return rules;
}

struct Fact {
  std::string source, pattern, translation, dialed, expected, ruleName;
};

std::string runRule(const std::string& pattern, const std::string& translation,
                    const std::string& dialed) {
  model::DialPlan p;
  model::NormRule r;
  r.name = "fact";
  r.pattern = pattern;
  r.translation = translation;
  p.rules.push_back(r);
  CompiledDialPlan cp = CompiledDialPlan::compile(p);
  if (!cp.ruleCompiled(0)) return "rejected: " + cp.ruleError(0)->message;
  Normalized n = cp.normalize(dialed);
  return n.matched() ? n.result : "(no match)";
}

TEST(Corpus, EveryScriptRuleLoads) {
  std::map<std::string, size_t> perFile;
  std::vector<std::string> rejected, warned;
  std::ostringstream listing;
  for (const std::string& file : {kSbc, kTelesmart, kNvrDoc, kDialPlanDoc, kTestDoc}) {
    for (const CorpusRule& r : extractRules(file)) {
      ++perFile[file];
      model::DialPlan p;
      model::NormRule nr;
      nr.name = r.name;
      nr.pattern = r.pattern;
      nr.translation = r.translation;
      p.rules.push_back(nr);
      CompiledDialPlan cp = CompiledDialPlan::compile(p);
      std::string where = file.substr(file.rfind("__") + 2) + ":" + std::to_string(r.line);
      std::string verdict = "loads";
      if (!cp.ruleCompiled(0)) {
        verdict = "REJECTED " + cp.ruleError(0)->code + ": " + cp.ruleError(0)->message;
        rejected.push_back(where + " " + r.pattern);
      } else if (!cp.ruleWarnings(0).empty()) {
        verdict = "loads with " + cp.ruleWarnings(0)[0].code + ": " + cp.ruleWarnings(0)[0].message;
        warned.push_back(where + " " + r.pattern);
      }
      if (r.doubleQuotedTranslation)
        verdict += " (translation in double quotes: PowerShell expands `$1` to \"\" first)";
      listing << where << "  " << (r.name.empty() ? "(unnamed)" : r.name) << "  '" << r.pattern
              << "' -> '" << r.translation << "'  " << verdict << "\n";
    }
  }
  std::cout << "corpus rules:\n" << listing.str();
  // The one warned rule: `(\d*){1,5}` can take an empty last iteration (see the pattern tests).
  EXPECT_EQ(warned, std::vector<std::string>{"New-CsDialPlan.md:62 ^9(\\d*){1,5}$"});
  // Counts as listed in corpus/lync-ps/SOURCES.md (32 rules, 11 distinct rules) plus the
  // reference pages' examples (New-CsVoiceNormalizationRule examples 2 and 3, New-CsDialPlan
  // example 2).
  EXPECT_EQ(perFile[kSbc], 32u);
  EXPECT_EQ(perFile[kTelesmart], 11u);
  EXPECT_EQ(perFile[kNvrDoc], 2u);
  EXPECT_EQ(perFile[kDialPlanDoc], 1u);
  std::string all;
  for (const std::string& r : rejected) all += r + "\n";
  EXPECT_TRUE(rejected.empty()) << all;
}

TEST(Corpus, MicrosoftDocExamplesGiveTheDocumentedResult) {
  std::vector<Fact> facts;
  {  // Test-CsVoiceNormalizationRule.md: rule shown as "Pattern : x" / "Translation : y", then
     // `-DialedNumber n`, then a "TranslatedNumber / ---- / value" output block.
    std::vector<std::string> lines = logicalLines(readCorpus(kTestDoc), false);
    std::string pattern, translation, dialed;
    std::smatch m;
    for (size_t k = 0; k < lines.size(); ++k) {
      const std::string& l = lines[k];
      if (std::regex_match(l, m, std::regex("Pattern\\s*:\\s*(\\S+)\\s*"))) pattern = m[1];
      if (std::regex_match(l, m, std::regex("Translation\\s*:\\s*(\\S+)\\s*"))) translation = m[1];
      if (std::regex_search(l, m, std::regex("-DialedNumber\\s+(\\S+)"))) dialed = m[1];
      if (l == "TranslatedNumber" && k + 2 < lines.size() && !pattern.empty() && !dialed.empty())
        facts.push_back({kTestDoc, pattern, translation, dialed, lines[k + 2], ""});
    }
  }
  {  // New-CsVoiceNormalizationRule.md: the example's rule and its worked prose.
    std::vector<std::string> lines = logicalLines(readCorpus(kNvrDoc), false);
    std::optional<std::string> pattern, translation;
    std::smatch m;
    std::regex prose(
        "if the extension (\\d+) was entered, this rule would translate that "
        "extension to the number (\\+?\\d+)");
    for (const std::string& l : lines) {
      if (l.find("New-CsVoiceNormalizationRule") != std::string::npos && argument(l, "Pattern")) {
        pattern = argument(l, "Pattern");
        translation = argument(l, "Translation");
      }
      if (std::regex_search(l, m, prose) && pattern && translation)
        facts.push_back({kNvrDoc, *pattern, *translation, m[1], m[2], ""});
    }
  }
  ASSERT_EQ(facts.size(), 2u);
  for (const Fact& f : facts)
    EXPECT_EQ(runRule(f.pattern, f.translation, f.dialed), f.expected)
        << f.source << ": " << f.pattern << " -> " << f.translation << " on " << f.dialed;
}

// The Telesmart script's header: `-DialedNumber n`, `TranslatedNumber : x`,
// `MatchingRule : ...;Pattern=p;Translation=t;Name=r;...`.
std::vector<Fact> telesmartFacts() {
  std::vector<Fact> facts;
  std::string dialed, translated;
  std::smatch m;
  for (const std::string& l : logicalLines(readCorpus(kTelesmart))) {
    if (std::regex_search(l, m, std::regex("-DialedNumber\\s+(\\S+)"))) dialed = m[1];
    if (std::regex_search(l, m, std::regex("^TranslatedNumber\\s*:\\s*(\\S*)"))) translated = m[1];
    if (std::regex_search(l, m,
                          std::regex("^MatchingRule\\s*:.*;Pattern=([^;]*);Translation=([^;]*);"
                                     "Name=([^;]*);")))
      facts.push_back({kTelesmart, m[1], m[2], dialed, translated, m[3]});
  }
  return facts;
}

TEST(Corpus, TelesmartWorkedResultsPerRule) {
  std::vector<Fact> facts = telesmartFacts();
  ASSERT_EQ(facts.size(), 3u);
  for (const Fact& f : facts)
    EXPECT_EQ(runRule(f.pattern, f.translation, f.dialed), f.expected)
        << f.ruleName << ": " << f.pattern << " -> " << f.translation << " on " << f.dialed;
}

TEST(Corpus, TelesmartTenantDialPlanAsAWhole) {
  // The header grants TS-NZ-TDP-04; build that plan from the script's New-CsTenantDialPlan call
  // (`-NormalizationRules @{add=$A, $B}`) and its rule variables, then check the facts whose
  // matching rule belongs to the plan (the others come from Microsoft's built-in NZ plan).
  std::string text = readCorpus(kTelesmart);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(text, m, std::regex("-PolicyName\\s+(\\S+)")));
  std::string planName = m[1];
  std::map<std::string, CorpusRule> byVariable;
  for (const CorpusRule& r : extractRules(kTelesmart)) byVariable[r.variable] = r;
  model::DialPlan plan;
  for (const std::string& l : logicalLines(text)) {
    if (l.find("New-CsTenantDialPlan -Identity \"" + planName + "\"") == std::string::npos)
      continue;
    ASSERT_TRUE(std::regex_search(l, m, std::regex("@\\{add=([^}]*)\\}")));
    std::string list = m[1];
    static const std::regex var("\\$(\\w+)");
    for (std::sregex_iterator it(list.begin(), list.end(), var), end; it != end; ++it) {
      const CorpusRule& r = byVariable.at((*it)[1]);
      model::NormRule nr;
      nr.name = r.name;
      nr.pattern = r.pattern;
      nr.translation = r.translation;
      nr.declIndex = static_cast<int>(plan.rules.size());
      plan.rules.push_back(nr);
    }
  }
  ASSERT_EQ(plan.rules.size(), 2u) << planName;
  CompiledDialPlan cp = CompiledDialPlan::compile(plan);
  int checked = 0;
  for (const Fact& f : telesmartFacts()) {
    Normalized n = cp.normalize(f.dialed);
    bool inPlan = false;
    for (const model::NormRule& r : plan.rules) inPlan |= r.name == f.ruleName;
    if (!inPlan) {
      // Not this plan's rule: this plan must not claim the number either.
      EXPECT_FALSE(n.matched()) << f.dialed;
      continue;
    }
    ++checked;
    ASSERT_TRUE(n.matched()) << f.dialed;
    EXPECT_EQ(plan.rules[n.rule].name, f.ruleName) << f.dialed;
    EXPECT_EQ(n.result, f.expected) << f.dialed;
  }
  EXPECT_EQ(checked, 2);
}

}  // namespace
}  // namespace callpark::normalize

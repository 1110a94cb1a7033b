#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "compiler/driver/Command.h"

namespace callpark::driver {

// One line per command; the implementations live in commands/.
int runCheck(const std::vector<std::string>&);
int runRules(const std::vector<std::string>&);
int runSummary(const std::vector<std::string>&);
extern const char* const kCheckUsage;
extern const char* const kRulesUsage;
extern const char* const kSummaryUsage;
int runFmt(const std::vector<std::string>&);
extern const char* const kFmtUsage;
int runDiff(const std::vector<std::string>&);
extern const char* const kDiffUsage;
int runImport(const std::vector<std::string>&);
extern const char* const kImportUsage;
int runExport(const std::vector<std::string>&);
extern const char* const kExportUsage;
int runCompile(const std::vector<std::string>&);
extern const char* const kCompileUsage;
int runTest(const std::vector<std::string>&);
extern const char* const kTestUsage;
int runExplain(const std::vector<std::string>&);
extern const char* const kExplainUsage;

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"check", "check a policy: syntax, names, every rule, tests", kCheckUsage, runCheck},
      {"rules", "list the rule catalogue, or show one rule's documentation", kRulesUsage, runRules},
      {"summary", "print what a policy declares: sites, pools, orbits, plans, users", kSummaryUsage,
       runSummary},
      {"fmt", "rewrite .park files in the canonical layout (--check, --diff)", kFmtUsage, runFmt},
      {"diff", "compare two policies by meaning: numbers, ranges, settings, users", kDiffUsage,
       runDiff},
      {"import", "write a policy from a Lync / Skype for Business PowerShell script", kImportUsage,
       runImport},
      {"export", "write the Lync / Skype for Business PowerShell that deploys a policy",
       kExportUsage, runExport},
      {"compile",
       "compile a policy to native dispatch code: a bundle for parkd (--emit=ir|llvm|obj)",
       kCompileUsage, runCompile},
      {"test", "run the policy's test blocks: N passed, M failed", kTestUsage, runTest},
      {"explain", "how a dialed number is handled: plan, rules tried, decision", kExplainUsage,
       runExplain},
  };
  return kCommands;
}

const Command* findCommand(const std::string& name) {
  for (const auto& c : commands())
    if (name == c.name) return &c;
  return nullptr;
}

int usageError(const Command& cmd, const std::string& message) {
  std::cerr << "parkc " << cmd.name << ": " << message << "\n\n" << cmd.usage;
  return 2;
}

bool wantsHelp(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") return true;
  return false;
}

bool colorForStdout(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--color=always") return true;
    if (a == "--color=never") return false;
  }
  const char* nc = std::getenv("NO_COLOR");
  if (nc && *nc) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string(term) == "dumb") return false;
  return isatty(STDOUT_FILENO);
}

}  // namespace callpark::driver

// parkc rules [CODE|NAME] [--markdown]: the catalogue.
#include <iostream>

#include "compiler/driver/Command.h"
#include "rules/Registry.h"

namespace callpark::driver {

extern const char* const kRulesUsage =
    "usage: parkc rules [CODE|NAME]\n"
    "\n"
    "Without an argument, lists every diagnostic code: code, name, default severity, summary.\n"
    "With a code (CP301) or a name (orbit-range-overlap), prints that rule's documentation.\n";

int runRules(const std::vector<std::string>& args) {
  const Command& self = *findCommand("rules");
  if (args.size() > 1) return usageError(self, "give at most one rule");
  if (args.empty()) {
    std::cout << rules::renderRuleList();
    return 0;
  }
  const rules::Rule* r = rules::findRule(args[0]);
  if (!r) {
    std::cerr << "parkc rules: no rule '" << args[0] << "' (parkc rules lists them)\n";
    return 2;
  }
  std::cout << rules::renderRuleDoc(*r);
  return 0;
}

}  // namespace callpark::driver

// parkc rules [CODE|NAME] [--markdown]: the catalogue.
#include <iomanip>
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
    for (const rules::Rule* r : rules::allRules()) {
      std::cout << r->code << "  " << std::left << std::setw(36) << r->name << std::setw(8)
                << severityName(r->severity) << " " << r->summary << "\n";
    }
    return 0;
  }
  const rules::Rule* r = rules::findRule(args[0]);
  if (!r) {
    std::cerr << "parkc rules: no rule '" << args[0] << "' (parkc rules lists them)\n";
    return 2;
  }
  std::cout << r->code << " " << r->name << " (" << r->category << ", "
            << severityName(r->severity) << " by default)\n\n"
            << r->summary << "\n\n"
            << r->doc << "\n";
  return 0;
}

}  // namespace callpark::driver

// parkc check: the whole front half, every rule, the policy's own tests.
#include <iostream>

#include "compiler/driver/Command.h"
#include "compiler/driver/commands/Common.h"

namespace callpark::driver {

extern const char* const kCheckUsage =
    "usage: parkc check [options] PATH...\n"
    "\n"
    "Checks a policy: PATH is a policy directory (searched recursively for *.park) or files.\n"
    "\n"
    "options:\n"
    "  --format FMT            text (default), json, sarif, github\n"
    "  --werror                treat warnings as errors\n"
    "  --baseline FILE         report only findings not recorded in FILE\n"
    "  --write-baseline FILE   record today's findings in FILE\n"
    "  --no-tests              do not run the policy's test blocks\n"
    "  --stop-after PHASE      stop after a pipeline phase (parse, model, rules, ...)\n"
    "  --color=auto|always|never  colour in text output (NO_COLOR is respected)\n"
    "\n"
    "exit status: 0 nothing at error level, 1 errors found, 2 the tool could not run\n";

int runCheck(const std::vector<std::string>& args) {
  const Command& self = *findCommand("check");
  CommonOptions opts;
  if (auto err = parseCommonOptions(args, opts)) return usageError(self, *err);
  Compilation c;
  if (!c.run(opts.compile)) {
    std::cerr << "parkc check: " << c.toolError << "\n";
    return 2;
  }
  std::cout << render::render(opts.format, c.diags.diagnostics(), c.sm, renderOptions(opts.color));
  return c.diags.hasErrors() ? 1 : 0;
}

}  // namespace callpark::driver

// parkc check: the whole front half, every rule, the policy's own tests; then the team controls:
// parkc.json severities and @allow (applied by Compilation::run), and baselines (here).
#include <iostream>

#include "compiler/driver/Command.h"
#include "compiler/driver/commands/Common.h"
#include "rules/Config.h"

namespace callpark::driver {

extern const char* const kCheckUsage =
    "usage: parkc check [options] PATH...\n"
    "\n"
    "Checks a policy: PATH is a policy directory (searched recursively for *.park) or files.\n"
    "parkc.json at the policy root (the first directory, or the folder of the first file) sets\n"
    "severities per code and a baseline; @allow(CODE, \"reason\") before a declaration\n"
    "suppresses one code on it.\n"
    "\n"
    "options:\n"
    "  --format FMT            text (default), json, sarif, github\n"
    "  --werror                treat warnings as errors\n"
    "  --baseline FILE         report only findings not recorded in FILE (default: the\n"
    "                          \"baseline\" of parkc.json, if any)\n"
    "  --write-baseline FILE   record today's findings in FILE and exit 0\n"
    "  --no-config             ignore parkc.json\n"
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
  render::RenderOptions ro = renderOptions(opts.color);

  if (!opts.writeBaseline.empty()) {
    std::cout << render::render(opts.format, c.diags.diagnostics(), c.sm, ro);
    if (c.syntaxErrors) {
      std::cerr << "parkc check: no baseline written: the policy has syntax errors, so names "
                   "and rules were not checked; fix them first\n";
      return 1;
    }
    std::string err;
    if (!rules::writeBaseline(opts.writeBaseline, c.diags.diagnostics(), c.sm, c.policyRoot,
                              &err)) {
      std::cerr << "parkc check: " << err << "\n";
      return 2;
    }
    size_t n = c.diags.diagnostics().size();
    std::cerr << "parkc check: recorded " << n << " finding" << (n == 1 ? "" : "s") << " in "
              << opts.writeBaseline << "; check with --baseline " << opts.writeBaseline
              << " to see only new ones\n";
    return 0;
  }

  std::string baseline = opts.baseline.empty() ? c.config.baseline : opts.baseline;
  size_t hidden = 0;
  if (!baseline.empty()) {
    SourceRange namedAt = opts.baseline.empty() ? c.config.baselineRange : SourceRange{};
    if (auto b = rules::loadBaseline(baseline, c.sm, c.diags, namedAt))
      hidden = rules::applyBaseline(*b, c.diags, c.policyRoot);
    c.diags.finish();
  }

  std::cout << render::render(opts.format, c.diags.diagnostics(), c.sm, ro);
  if (opts.format == render::Format::Text) {
    if (hidden)
      std::cout << hidden << " known finding" << (hidden == 1 ? "" : "s")
                << " not shown: recorded in the baseline " << baseline << "\n";
    if (c.syntaxErrors)
      std::cout << "names and rules are checked once every file parses: fix the syntax errors "
                   "first\n";
  }
  return c.diags.hasErrors() ? 1 : 0;
}

}  // namespace callpark::driver

// parkc export --powershell: the Lync / Skype for Business script that deploys a policy.
#include <fstream>
#include <iostream>

#include "compiler/diag/render/Render.h"
#include "compiler/driver/Command.h"
#include "compiler/driver/commands/Common.h"
#include "compiler/powershell/Exporter.h"

namespace callpark::driver {

extern const char* const kExportUsage =
    "usage: parkc export --powershell [-o FILE] PATH...\n"
    "\n"
    "Writes the Lync Server 2013 / Skype for Business Server Management Shell script that\n"
    "configures a deployment to match the policy: orbit ranges, Call Park service settings and\n"
    "music on hold, voice policies (-EnableCallPark), dial plans and normalization rules "
    "(patterns\n"
    "in single quotes), voice policy and dial plan grants. What Lync has no cmdlet for is kept in\n"
    "#parkc: comment lines, so `parkc import` of the script gives the same policy back.\n"
    "The policy must have no errors (run parkc check).\n"
    "\n"
    "options:\n"
    "  --powershell      the output language (the only one so far; required)\n"
    "  -o FILE           write to FILE instead of standard output\n"
    "\n"
    "exit status: 0 written, 1 the policy has errors (nothing written), 2 the tool could not run\n";

int runExport(const std::vector<std::string>& args) {
  const Command& self = *findCommand("export");
  bool ps = false;
  std::string out;
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--powershell")
      ps = true;
    else if (args[i] == "-o" || args[i] == "--output") {
      if (i + 1 >= args.size()) return usageError(self, "-o needs a file");
      out = args[++i];
    } else
      rest.push_back(args[i]);
  }
  if (!ps) return usageError(self, "say which output: --powershell");
  CommonOptions opts;
  if (auto err = parseCommonOptions(rest, opts)) return usageError(self, *err);
  opts.compile.stopAfter = "model";
  Compilation c;
  if (!c.run(opts.compile)) {
    std::cerr << "parkc export: " << c.toolError << "\n";
    return 2;
  }
  if (c.diags.hasErrors() || !c.model) {
    std::cerr << render::render(render::Format::Text, c.diags.diagnostics(), c.sm,
                                renderOptions(false));
    std::cerr << "parkc export: the policy has errors; nothing was written\n";
    return 1;
  }
  std::string label;
  for (size_t i = 0; i < opts.compile.paths.size(); ++i)
    label += (i ? " " : "") + opts.compile.paths[i];
  std::string script = powershell::exportPowerShell(*c.model, label);
  if (out.empty()) {
    std::cout << script;
    return 0;
  }
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << script;
  if (!f) {
    std::cerr << "parkc export: cannot write '" << out << "'\n";
    return 2;
  }
  return 0;
}

}  // namespace callpark::driver

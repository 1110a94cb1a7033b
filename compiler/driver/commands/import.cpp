// parkc import: a Lync / Skype for Business PowerShell script to a policy (compiler/powershell).
#include <filesystem>
#include <fstream>
#include <iostream>

#include "compiler/diag/render/Render.h"
#include "compiler/driver/Command.h"
#include "compiler/driver/commands/Common.h"
#include "compiler/powershell/Importer.h"

namespace fs = std::filesystem;

namespace callpark::driver {

extern const char* const kImportUsage =
    "usage: parkc import [options] FILE.ps1 -o DIR\n"
    "\n"
    "Reads a Lync Server 2013 / Skype for Business Server PowerShell script or export and writes\n"
    "an equivalent policy into DIR (topology.park, orbits.park, settings.park, policies.park,\n"
    "dialplans.park, users.park). Understands New-/Set-CsCallParkOrbit, "
    "New-/Set-CsCpsConfiguration,\n"
    "Set-CsCallParkServiceMusicOnHoldFile, New-/Set-CsVoicePolicy, Grant-CsVoicePolicy,\n"
    "New-/Set-CsDialPlan, New-/Set-/Remove-CsVoiceNormalizationRule, Grant-CsDialPlan,\n"
    "New-/Set-CsTenantDialPlan, Set-CsUser -LineURI and Move-CsUser -Target, with PowerShell's\n"
    "quoting, backtick continuations, parameter abbreviations and simple variables. Other cmdlets\n"
    "are skipped and listed; splatting is not supported. Problems are CP950..CP966 diagnostics.\n"
    "\n"
    "options:\n"
    "  -o, --output DIR   where to write the policy (created if missing; existing .park files\n"
    "                     of the same names are replaced); `-o -` prints the files instead\n"
    "  --format FMT       diagnostics as text (default), json, sarif or github\n"
    "  --dry-run          write nothing; print what would be imported\n"
    "\n"
    "exit status: 0 imported, 1 imported with errors (commands that PowerShell itself would\n"
    "reject were skipped), 2 the tool could not run\n";

int runImport(const std::vector<std::string>& args) {
  const Command& self = *findCommand("import");
  std::string input, out, fmt = "text";
  bool dryRun = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-o" || a == "--output") {
      if (i + 1 >= args.size()) return usageError(self, a + " needs a directory");
      out = args[++i];
    } else if (a.rfind("--output=", 0) == 0) {
      out = a.substr(9);
    } else if (a == "--format") {
      if (i + 1 >= args.size()) return usageError(self, "--format needs a value");
      fmt = args[++i];
    } else if (a.rfind("--format=", 0) == 0) {
      fmt = a.substr(9);
    } else if (a == "--dry-run") {
      dryRun = true;
    } else if (a.rfind("--color", 0) == 0) {
      continue;
    } else if (!a.empty() && a[0] == '-') {
      return usageError(self, "unknown option '" + a + "'");
    } else if (input.empty()) {
      input = a;
    } else {
      return usageError(self, "give one script");
    }
  }
  auto format = render::parseFormat(fmt);
  if (!format) return usageError(self, "unknown format '" + fmt + "'");
  if (input.empty()) return usageError(self, "give the PowerShell script to import");
  if (out.empty() && !dryRun) return usageError(self, "give the output directory with -o DIR");
  SourceManager sm;
  DiagnosticEngine diags(sm);
  std::string err;
  auto id = sm.load(input, &err);
  if (!id) {
    std::cerr << "parkc import: " << err << "\n";
    return 2;
  }
  powershell::ImportSummary summary;
  powershell::PolicyDraft draft = powershell::importScript(sm, *id, diags, &summary);
  auto files = powershell::writePark(
      draft, "Imported by parkc import from " + fs::path(input).filename().string() + ".");
  diags.finish();
  std::string rendered =
      render::render(*format, diags.diagnostics(), sm, renderOptions(colorForStdout(args)));
  if (*format != render::Format::Text) {
    std::cout << rendered;
  } else {
    std::cout << rendered;
    std::cout << "imported " << summary.imported.size() << " change"
              << (summary.imported.size() == 1 ? "" : "s") << " from " << summary.commands
              << " configuration command" << (summary.commands == 1 ? "" : "s") << ":\n";
    for (const auto& s : summary.imported) std::cout << "  " << s << "\n";
    int skipped = 0;
    for (const auto& [n, c] : summary.skipped) skipped += c;
    std::cout << "skipped " << skipped << " other command" << (skipped == 1 ? "" : "s") << "\n";
  }
  if (out == "-") {
    for (const auto& [name, text] : files) std::cout << "==> " << name << " <==\n" << text;
  } else if (!dryRun) {
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) {
      std::cerr << "parkc import: cannot create '" << out << "': " << ec.message() << "\n";
      return 2;
    }
    for (const auto& [name, text] : files) {
      std::ofstream f(fs::path(out) / name, std::ios::binary | std::ios::trunc);
      f << text;
      if (!f) {
        std::cerr << "parkc import: cannot write '" << (fs::path(out) / name).string() << "'\n";
        return 2;
      }
      if (*format == render::Format::Text)
        std::cout << "wrote " << (fs::path(out) / name).generic_string() << "\n";
    }
  }
  return diags.hasErrors() ? 1 : 0;
}

}  // namespace callpark::driver

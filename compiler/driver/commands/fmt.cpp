// parkc fmt: rewrite .park files in the canonical layout (compiler/format).
#include <filesystem>
#include <fstream>
#include <iostream>

#include "compiler/diag/render/Render.h"
#include "compiler/driver/Command.h"
#include "compiler/driver/Compilation.h"
#include "compiler/driver/commands/Common.h"
#include "compiler/format/Format.h"
#include "compiler/parse/Parser.h"

namespace fs = std::filesystem;

namespace callpark::driver {

extern const char* const kFmtUsage =
    "usage: parkc fmt [--check | --diff | --stdout] PATH...\n"
    "\n"
    "Rewrites .park files in the canonical layout: two-space indentation, one item per line,\n"
    "items in a fixed order inside each block (dial plan rules keep their order), comments\n"
    "kept with what they describe. PATH is a file or a directory (searched recursively).\n"
    "\n"
    "options:\n"
    "  --check    change nothing; list the files that are not formatted (exit 1 if any)\n"
    "  --diff     change nothing; print a unified diff of what formatting would change\n"
    "  --stdout   change nothing; print the formatted text of each file\n"
    "\n"
    "exit status: 0 done (or everything formatted), 1 --check/--diff found unformatted files,\n"
    "2 a file has syntax errors (it is left alone and the errors are printed) or cannot be read\n";

int runFmt(const std::vector<std::string>& args) {
  const Command& self = *findCommand("fmt");
  enum class Mode { Write, Check, Diff, Stdout } mode = Mode::Write;
  std::vector<std::string> paths;
  for (const auto& a : args) {
    if (a == "--check")
      mode = Mode::Check;
    else if (a == "--diff")
      mode = Mode::Diff;
    else if (a == "--stdout")
      mode = Mode::Stdout;
    else if (a.rfind("--color", 0) == 0)
      continue;
    else if (!a.empty() && a[0] == '-')
      return usageError(self, "unknown option '" + a + "'");
    else
      paths.push_back(a);
  }
  if (paths.empty()) return usageError(self, "give .park files or a policy directory");

  std::vector<std::string> files;
  if (std::string error; !findPolicyFiles(paths, &files, nullptr, &error)) {
    std::cerr << "parkc fmt: " << error << "\n";
    return 2;
  }
  bool syntaxErrors = false, unformatted = false, ioError = false;
  SourceManager sm;
  DiagnosticEngine diags(sm);
  for (const auto& f : files) {
    std::string err;
    auto id = sm.load(f, &err);
    if (!id) {
      std::cerr << "parkc fmt: " << err << "\n";
      ioError = true;
      continue;
    }
    ast::PolicyAst ast;
    if (!parse::parseFile(sm, *id, diags, ast)) {
      syntaxErrors = true;
      continue;
    }
    std::string formatted = format::formatFile(sm, *id, ast);
    const std::string& original = sm.text(*id);
    if (mode == Mode::Stdout) {
      std::cout << formatted;
      continue;
    }
    if (formatted == original) continue;
    unformatted = true;
    switch (mode) {
      case Mode::Check:
        std::cout << f << "\n";
        break;
      case Mode::Diff:
        std::cout << format::unifiedDiff(original, formatted, f, f);
        break;
      case Mode::Write: {
        std::ofstream out(f, std::ios::binary | std::ios::trunc);
        out << formatted;
        if (!out) {
          std::cerr << "parkc fmt: cannot write '" << f << "'\n";
          ioError = true;
        }
        break;
      }
      case Mode::Stdout:
        break;
    }
  }
  if (syntaxErrors) {
    diags.finish();
    std::cerr << render::renderText(diags.diagnostics(), sm, renderOptions(false));
    std::cerr << "parkc fmt: files with syntax errors were left unchanged\n";
  }
  if (syntaxErrors || ioError) return 2;
  if (unformatted && (mode == Mode::Check || mode == Mode::Diff)) return 1;
  return 0;
}

}  // namespace callpark::driver

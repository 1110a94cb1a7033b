// One run of the compiler front half over a policy: the pipeline every parkc command shares.
//
//   load (find .park files, read parkc.json) -> parse -> @allow -> model -> rules -> ...
//   -> finish (severities from parkc.json and --werror, @allow suppressions, unused @allow)
//
// Each phase is a named step (kPhases in Compilation.cpp) so `--stop-after=PHASE` can cut the
// pipeline; phases added after `rules` are covered by @allow and parkc.json like every other
// diagnostic, because both are applied by run(), not by a phase. When a file has syntax errors
// the pipeline stops after `parse`: a partial syntax tree would only produce misleading name
// and rule errors. User mistakes become diagnostics in `diags`; run() returns false only when
// the tool cannot go on (nothing to read). Not thread-safe; one Compilation per run.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ast/Ast.h"
#include "compiler/diag/Diagnostic.h"
#include "compiler/model/Model.h"
#include "rules/Annotations.h"
#include "rules/Config.h"

namespace callpark::driver {

struct CompileOptions {
  std::vector<std::string> paths;  // files or directories (searched recursively for *.park)
  bool werror = false;
  bool runPolicyTests = true;  // `test` blocks are part of check
  std::string stopAfter;       // a phase name, or "" for all
  bool readConfig = true;      // read parkc.json at the policy root
};

class Compilation {
 public:
  Compilation() : diags(sm) {}

  SourceManager sm;
  DiagnosticEngine diags;
  ast::PolicyAst ast;
  std::unique_ptr<model::Model> model;
  std::vector<FileId> parkFiles;  // the .park files found by load(), in path order
  std::string policyRoot;         // the first directory given, or the folder of the first file
  std::string toolError;          // why load() failed
  rules::Config config;           // parkc.json (defaults when there is none)
  rules::AllowSet allows;         // the @allow annotations (registered by run() after `parse`)
  bool syntaxErrors = false;      // parsing reported errors, so the later phases did not run
  bool complete = false;          // every phase ran (then unused @allow are reported, CP902)

  // Runs every phase up to opts.stopAfter. Returns false when the tool itself could not run
  // (no input); user mistakes never make it return false.
  bool run(const CompileOptions& opts);

  // A named phase. Phases are added by the components that own them, one entry each in
  // kPhases (Compilation.cpp).
  struct Phase {
    std::string name;
    std::string summary;
    std::function<void(Compilation&, const CompileOptions&)> run;
  };
  static const std::vector<Phase>& phases();

 private:
  bool load(const CompileOptions& opts);
};

// The .park files a list of paths names: a directory contributes every *.park file below it
// (recursively, sorted), a file itself; duplicates removed, order kept. `policyRoot` (optional)
// receives the first directory given, or the folder of the first file. False, with `error`,
// when a path does not exist, a directory cannot be read or holds no .park file, or nothing
// was given. Paths are shown normalized ("./a/../b.park" -> "b.park").
bool findPolicyFiles(const std::vector<std::string>& paths, std::vector<std::string>* files,
                     std::string* policyRoot, std::string* error);

// The tool's version, e.g. "0.1.0".
const char* toolVersion();

}  // namespace callpark::driver

// One run of the compiler front half over a policy: the pipeline every parkc command shares.
//
//   load (find .park files) -> parse -> model -> annotations -> rules -> finish
//
// Each phase is a named step (kPhases) so `--stop-after=PHASE` can cut the pipeline. User
// mistakes become diagnostics in `diags`; load() returns false only when the tool cannot go on
// (nothing to read). Not thread-safe; one Compilation per run.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ast/Ast.h"
#include "compiler/diag/Diagnostic.h"
#include "compiler/model/Model.h"

namespace callpark::driver {

struct CompileOptions {
  std::vector<std::string> paths;  // files or directories (searched recursively for *.park)
  bool werror = false;
  bool runPolicyTests = true;      // `test` blocks are part of check
  std::string stopAfter;           // a phase name, or "" for all
};

class Compilation {
 public:
  Compilation() : diags(sm) {}

  SourceManager sm;
  DiagnosticEngine diags;
  ast::PolicyAst ast;
  std::unique_ptr<model::Model> model;
  std::string policyRoot;  // the first directory given, or the folder of the first file
  std::string toolError;   // why load() failed

  // Runs every phase up to opts.stopAfter. Returns false when the tool itself could not run
  // (no input); user mistakes never make it return false.
  bool run(const CompileOptions& opts);

  // A named phase. Phases are added by the components that own them (see Phases.cpp).
  struct Phase {
    std::string name;
    std::string summary;
    std::function<void(Compilation&, const CompileOptions&)> run;
  };
  static const std::vector<Phase>& phases();

 private:
  bool load(const CompileOptions& opts);
};

// The tool's version, e.g. "0.1.0".
const char* toolVersion();

}  // namespace callpark::driver

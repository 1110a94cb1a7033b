// Builds a model from .park text for tests.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "compiler/diag/Diagnostic.h"
#include "compiler/model/Model.h"
#include "compiler/model/ModelBuilder.h"
#include "compiler/parse/Parser.h"

namespace callpark::testing {

struct Policy {
  SourceManager sm;
  DiagnosticEngine diags{sm};
  ast::PolicyAst ast;
  std::unique_ptr<model::Model> model;

  explicit Policy(const std::vector<std::pair<std::string, std::string>>& files) {
    for (const auto& [path, text] : files) sm.add(path, text);
    for (FileId f = 0; f < sm.fileCount(); ++f) parse::parseFile(sm, f, diags, ast);
    model = model::buildModel(ast, sm, diags);
  }
  explicit Policy(const std::string& text) : Policy({{"policy.park", text}}) {}
  // Diagnostics reported so far with the given code prefix ("CP8").
  std::vector<Diagnostic> withCode(const std::string& prefix) const {
    std::vector<Diagnostic> out;
    for (const Diagnostic& d : diags.diagnostics())
      if (d.code.rfind(prefix, 0) == 0) out.push_back(d);
    return out;
  }
};

}  // namespace callpark::testing

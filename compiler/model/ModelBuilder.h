// Builds the resolved Model from a PolicyAst (see Model.h).
//
// Reports CP2xx diagnostics: duplicate declarations (with both locations), unknown references
// with "did you mean" suggestions, users.json problems (malformed JSON with line and column,
// unknown pools / policies / dial plans naming the user). Loads users.json files through the
// SourceManager so their diagnostics have ranges. Never throws for user input.
#pragma once

#include <memory>

#include "compiler/ast/Ast.h"
#include "compiler/diag/Diagnostic.h"
#include "compiler/model/Model.h"

namespace callpark::model {

std::unique_ptr<Model> buildModel(const ast::PolicyAst& ast, SourceManager& sm,
                                  DiagnosticEngine& diags);

}  // namespace callpark::model

// The parser front end: .park text -> AST.
//
// This is the wall around ANTLR: compiler/parse/internal/ is the only code that includes ANTLR
// headers. Syntax errors are reported as CP1xx diagnostics in the language's own words (never
// ANTLR's raw "mismatched input" text); parsing recovers and reports every error in a file,
// with caps on file size, nesting depth and error count so no input can hang or crash it.
#pragma once

#include "compiler/ast/Ast.h"
#include "compiler/diag/Diagnostic.h"

namespace callpark::parse {

struct ParseLimits {
  size_t maxFileBytes = 16 * 1024 * 1024;
  size_t maxErrorsPerFile = 50;
  size_t maxNesting = 64;
};

// Parses one file already registered in the SourceManager and appends its declarations to
// `out` (and the file id to out.files). Never throws; returns false when the file had errors
// (whatever could be recovered is still appended).
bool parseFile(const SourceManager& sm, FileId file, DiagnosticEngine& diags, ast::PolicyAst& out,
               const ParseLimits& limits = {});

}  // namespace callpark::parse

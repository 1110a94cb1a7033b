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

// The caps that make every input safe to parse: bounded memory and time, no deep recursion.
struct ParseLimits {
  size_t maxFileBytes = 16 * 1024 * 1024;  // CP117
  size_t maxTokens = 1'000'000;            // CP117; far beyond any real policy
  size_t maxErrorsPerFile = 50;            // then one CP119 note
  size_t maxNesting = 64;                  // `{` depth, CP118
};

// Parses one file already registered in the SourceManager and appends its declarations to
// `out` (and the file id to out.files). Never throws; returns false when the file had errors
// (whatever could be recovered is still appended).
bool parseFile(const SourceManager& sm, FileId file, DiagnosticEngine& diags, ast::PolicyAst& out,
               const ParseLimits& limits = {});

}  // namespace callpark::parse

// The AST builder: the half of the parser that knows the language.
//
// Input: the tokens and `{ ... }` structure of one file (internal/Structure.h, produced by the
// ANTLR stage). Output: declarations appended to a PolicyAst, and CP1xx diagnostics for every
// mistake, in the language's words. No ANTLR here.
#pragma once

#include "compiler/ast/Ast.h"
#include "compiler/diag/Diagnostic.h"
#include "compiler/parse/Parser.h"
#include "compiler/parse/internal/Structure.h"

namespace callpark::parse {

// Reports lexical errors (stray characters, unterminated strings/comments, bad escapes) and
// builds the declarations of `st`. Returns the number of errors reported. Stops reporting and
// building after limits.maxErrorsPerFile errors (reporting CP119 once).
size_t buildAst(const SourceManager& sm, FileId file, const internal::Structure& st,
                DiagnosticEngine& diags, ast::PolicyAst& out, const ParseLimits& limits);

}  // namespace callpark::parse

// The AST builder: the half of the parser that knows what the tree means.
//
// Input: the parse of one file as plain data (internal/Cst.h: tokens, the concrete syntax tree
// of grammar/Park.g4, the syntax-error events), produced by the ANTLR adapter. Output:
// declarations appended to a PolicyAst, and CP1xx diagnostics: every syntax error (worded by
// internal/SyntaxErrors.cpp), every lexical error (stray characters, unterminated strings and
// comments, bad escapes), and what the grammar leaves to it (a setting written twice, malformed
// durations, numbers out of range). No ANTLR here.
#pragma once

#include "compiler/ast/Ast.h"
#include "compiler/diag/Diagnostic.h"
#include "compiler/parse/Parser.h"
#include "compiler/parse/internal/Cst.h"

namespace callpark::parse {

// Reports the file's syntax errors (at most limits.maxErrorsPerFile, then one CP119 note, in
// source order) and appends its declarations to `out`. A declaration whose header (name or
// scope) could not be read is left out; one with errors in its body keeps what was readable.
// Returns the number of errors reported.
size_t buildAst(const SourceManager& sm, FileId file, const internal::ParseResult& parse,
                DiagnosticEngine& diags, ast::PolicyAst& out, const ParseLimits& limits);

}  // namespace callpark::parse

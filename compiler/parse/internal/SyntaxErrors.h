// Syntax errors in the language's words.
//
// The ANTLR adapter reports what the parser saw (a SyntaxEvent: the offending token, the stack
// of grammar rules, the tokens it expected). describeSyntaxError() turns that into a CP1xx
// diagnostic that says what was expected in terms of the language ("`numbers` needs a range
// like `*3000..*3099`", "this `dialplan` block is missing its closing `}`"), points at the exact
// token, and suggests a fix where there is an obvious one. ANTLR's own messages ("mismatched
// input ... expecting {...}") never exist in this program: there is no code path that makes one.
#pragma once

#include <string_view>
#include <vector>

#include "compiler/diag/Diagnostic.h"
#include "compiler/parse/internal/Cst.h"

namespace callpark::parse::internal {

struct SyntaxSource {
  const SourceManager& sm;
  FileId file;
  std::string_view text;
  const std::vector<Token>& tokens;
};

Diagnostic describeSyntaxError(const SyntaxEvent& event, const SyntaxSource& src);

}  // namespace callpark::parse::internal

// A trivia scan of a .park file: where the comments are, and where every other token starts
// and ends, at the granularity the formatter needs.
//
// The parser (compiler/parse) drops comments in its lexer. The formatter needs them, and needs
// to know which code precedes a comment on its line. This scanner follows the same lexical
// rules as grammar/Park.g4 for the three things that can hide a comment marker: double-quoted
// strings (`\` escapes), single-quoted raw strings (no escapes) and comments themselves (`//` to
// the end of the line, `/* ... */`). Everything else is cut into words at spaces, braces,
// parentheses, commas and `@`, which is all the formatter asks of it (it never interprets
// words: the AST does that).
#pragma once

#include <string_view>
#include <vector>

namespace callpark::format::internal {

struct TriviaToken {
  enum Kind { Comment, LBrace, RBrace, Other } kind = Other;
  size_t begin = 0, end = 0;  // byte offsets, end exclusive
};

std::vector<TriviaToken> scanTrivia(std::string_view text);

}  // namespace callpark::format::internal

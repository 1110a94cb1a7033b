// The ANTLR stage of the parser, behind a wall: tokens and brace structure of one file.
//
// This header includes no ANTLR header; Structure.cpp is the only file of the project that
// runs the generated lexer/parser (grammar/Park.g4). It turns the text into a flat token list
// (byte offsets) and a tree of `{ ... }` blocks whose leaves are token indices. Everything
// about the language proper is the builder's (compiler/parse/Builder.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace callpark::parse::internal {

enum class Tok {
  LBrace, RBrace, LParen, RParen, Comma, At, Arrow, DotDot,
  Duration, Int, Dial, Ident, Word,
  String, UntermString, Raw, UntermRaw,
  UntermComment, Stray,  // off the parser's channel: lexical errors only
  Eof,
};

struct Token {
  Tok kind = Tok::Eof;
  size_t begin = 0, end = 0;  // byte offsets into the file text, end exclusive
};

inline constexpr size_t kNone = static_cast<size_t>(-1);

// A token (children empty, isBlock false) or a `{ ... }` block.
struct Element {
  bool isBlock = false;
  size_t tok = kNone;    // the token, or the block's `{`
  size_t close = kNone;  // the block's `}`; kNone when the file ended first
  std::vector<Element> children;
};

struct Structure {
  std::vector<Token> tokens;      // every token of the file, in order, including Eof
  std::vector<Element> top;       // top-level elements (a stray `}` is a token element here)
  std::vector<size_t> lexErrors;  // indices of UntermComment / Stray tokens
};

enum class StructureStatus {
  Ok,
  TooDeep,       // `{` nesting exceeded the limit at byte offset *where
  TooManyTokens, // more tokens than the limit; *where is the offset of the first one too many
};

// Tokenizes and structures `text` (valid UTF-8, checked by the caller). Never reports
// diagnostics; may throw only for internal failures (caught at parseFile's boundary).
StructureStatus buildStructure(std::string_view text, size_t maxNesting, size_t maxTokens,
                               Structure& out, size_t* where);

}  // namespace callpark::parse::internal

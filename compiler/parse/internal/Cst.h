// The parse of one file as plain data: tokens, the concrete syntax tree of grammar/Park.g4, and
// the syntax-error events of the parse. No ANTLR type appears here.
//
// compiler/parse/internal/AntlrAdapter.cpp is the only code of the project that includes ANTLR
// headers: it runs the generated lexer and parser and copies their result into a ParseResult.
// Everything that knows the language's words (the AST builder, the wording of syntax errors)
// works on these values, so it can be read and tested without ANTLR.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace callpark::parse::internal {

inline constexpr size_t kNone = static_cast<size_t>(-1);

enum class Tok : uint8_t {
  Keyword,  // one of the grammar's K_ tokens; the token's text says which (`orbit`, `pool`, ...)
  LBrace,
  RBrace,
  LParen,
  RParen,
  Comma,
  At,
  Arrow,
  DotDot,
  Duration,
  Int,
  Dial,
  Ident,
  Word,
  String,  // double-quoted; `unterminated` when the line ended first
  Raw,     // single-quoted raw string; `unterminated` likewise
  UntermComment,
  Stray,  // off the parser's channel: lexical errors only
  Eof,
};

struct Token {
  Tok kind = Tok::Eof;
  size_t begin = 0, end = 0;  // byte offsets into the file text, end exclusive
  bool unterminated = false;  // String / Raw without their closing quote
};

// The parser rules of grammar/Park.g4, one for one (ruleName() gives the grammar's spelling).
enum class Rule : uint8_t {
  File,
  Declaration,
  DeclBody,
  Annotation,
  AnnotationCode,
  SiteDecl,
  SiteItem,
  OrbitDecl,
  OrbitItem,
  DialRange,
  Dial,
  ParkAccessDecl,
  DialString,
  ParkAccessItem,
  ParkSettingsDecl,
  ParkSetting,
  Scope,
  VoicePolicyDecl,
  VoicePolicyItem,
  DialPlanDecl,
  DialPlanItem,
  RuleDecl,
  RuleItem,
  UserDecl,
  UserItem,
  UsersFromDecl,
  TestDecl,
  Expectation,
  Caller,
  DialResult,
  ParkResult,
  Text,
  Bool,
  Duration,
  KeywordValue,
  Count_,
};
const char* ruleName(Rule r);  // "orbitDecl"
// Rules that own a `{ ... }` block (the declarations with a body, and `rule`).
bool isBlockRule(Rule r);

// One node of the concrete syntax tree. Children are in source order. Tokens the parser
// invented or skipped while recovering from an error are not children.
struct Node {
  struct Child {
    bool isNode;
    size_t index;  // into ParseResult::nodes or ParseResult::tokens
  };
  Rule rule = Rule::File;
  std::vector<Child> children;
  size_t start = kNone, stop = kNone;  // first and last token the rule consumed (kNone: none)
  bool failed = false;  // the rule stopped at a syntax error; children may be missing
};

// One frame of the rule stack when an error was found (innermost first).
struct Frame {
  Rule rule;
  size_t start;           // the first token of the rule
  size_t lbrace = kNone;  // the rule's `{` (block rules), kNone when not reached or invented
};

// What the parser expected instead of the offending token: a token kind, and for keywords the
// keyword itself.
struct Expected {
  Tok kind;
  std::string keyword;  // Tok::Keyword only
};

// A syntax error as the parser saw it. compiler/parse/internal/SyntaxErrors.cpp turns it into a
// diagnostic in the language's words.
struct SyntaxEvent {
  enum Kind {
    Unexpected,      // `token` is not what the innermost rule expected (`expected` says what)
    UnknownItem,     // `token` cannot start an item of the block (or a declaration at the top)
    BlockNotClosed,  // the innermost block ends before `token`, which starts the next
                     // declaration (or rule), or is the end of the file
  } kind = Unexpected;
  size_t token = kNone;      // the offending token
  std::vector<Frame> stack;  // innermost first
  std::vector<Expected> expected;
};

struct ParseResult {
  std::vector<Token> tokens;  // every token of the file (all channels), in order, with Eof
  std::vector<Node> nodes;    // nodes[0] is the `file` rule (when the parse ran)
  std::vector<SyntaxEvent> events;
  bool cancelled = false;  // stopped after too many errors
};

enum class ParseStatus {
  Ok,
  TooDeep,        // `{` nesting exceeded the limit at byte offset *where (nothing parsed)
  TooManyTokens,  // more tokens than the limit; *where is the first one too many
};

// Lexes and parses `text` (valid UTF-8, checked by the caller). Syntax errors are events, not
// failures; parsing stops (cancelled) after `maxEvents` of them. May throw only for internal
// failures, which the caller (parseFile) turns into a CP120 diagnostic.
ParseStatus parseText(std::string_view text, size_t maxNesting, size_t maxTokens, size_t maxEvents,
                      ParseResult& out, size_t* where);

}  // namespace callpark::parse::internal

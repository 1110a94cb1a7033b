// Runs the generated ANTLR lexer and parser. Two passes over the text:
//   1. the lexer alone, recording every token compactly and checking the token count and the
//      `{` nesting depth, so that neither the parser's recursion nor its tree can grow without
//      bound (deep input would otherwise overflow the stack in ParkParser::block());
//   2. lexer + parser (the grammar accepts every token sequence, so this never recovers), then
//      a walk of the tree into Element values.
// ANTLR counts positions in code points; Structure speaks byte offsets, so a code point ->
// byte table is built when the text is not pure ASCII.
#include "compiler/parse/internal/Structure.h"

#include <antlr4-runtime.h>

#include <stdexcept>

#include "grammar/ParkLexer.h"
#include "grammar/ParkParser.h"

namespace callpark::parse::internal {
namespace {

using gen::ParkLexer;
using gen::ParkParser;

Tok kindOf(size_t type) {
  switch (type) {
    case ParkLexer::LBRACE: return Tok::LBrace;
    case ParkLexer::RBRACE: return Tok::RBrace;
    case ParkLexer::LPAREN: return Tok::LParen;
    case ParkLexer::RPAREN: return Tok::RParen;
    case ParkLexer::COMMA: return Tok::Comma;
    case ParkLexer::AT: return Tok::At;
    case ParkLexer::ARROW: return Tok::Arrow;
    case ParkLexer::DOTDOT: return Tok::DotDot;
    case ParkLexer::DURATION: return Tok::Duration;
    case ParkLexer::INT: return Tok::Int;
    case ParkLexer::DIAL: return Tok::Dial;
    case ParkLexer::IDENT: return Tok::Ident;
    case ParkLexer::WORD: return Tok::Word;
    case ParkLexer::STRING: return Tok::String;
    case ParkLexer::UNTERMINATED_STRING: return Tok::UntermString;
    case ParkLexer::RAW_STRING: return Tok::Raw;
    case ParkLexer::UNTERMINATED_RAW_STRING: return Tok::UntermRaw;
    case ParkLexer::UNTERMINATED_COMMENT: return Tok::UntermComment;
    case ParkLexer::STRAY: return Tok::Stray;
    case antlr4::Token::EOF: return Tok::Eof;
    default: throw std::logic_error("unknown token type from the .park lexer");
  }
}

// The grammar is total, so this fires only on an internal inconsistency.
class ThrowingListener : public antlr4::BaseErrorListener {
 public:
  void syntaxError(antlr4::Recognizer*, antlr4::Token*, size_t line, size_t col,
                   const std::string& msg, std::exception_ptr) override {
    throw std::logic_error("the .park grammar rejected input at " + std::to_string(line) + ":" +
                           std::to_string(col) + ": " + msg);
  }
};

struct Walker {
  std::vector<Element> walkChildren(antlr4::ParserRuleContext* ctx, Element* block) {
    std::vector<Element> out;
    size_t n = ctx->children.size();
    for (size_t i = 0; i < n; ++i) {
      antlr4::tree::ParseTree* child = ctx->children[i];
      if (auto* b = dynamic_cast<ParkParser::BlockContext*>(child)) {
        Element e;
        e.isBlock = true;
        e.children = walkChildren(b, &e);
        out.push_back(std::move(e));
        continue;
      }
      auto* t = dynamic_cast<antlr4::tree::TerminalNode*>(child);
      if (!t) throw std::logic_error("unexpected node in the .park parse tree");
      antlr4::Token* sym = t->getSymbol();
      if (sym->getType() == antlr4::Token::EOF) continue;
      size_t idx = sym->getTokenIndex();
      if (block && i == 0 && sym->getType() == ParkLexer::LBRACE) {
        block->tok = idx;
      } else if (block && i + 1 == n && sym->getType() == ParkLexer::RBRACE) {
        block->close = idx;
      } else {
        Element e;
        e.tok = idx;
        out.push_back(std::move(e));
      }
    }
    return out;
  }
};

}  // namespace

StructureStatus buildStructure(std::string_view text, size_t maxNesting, size_t maxTokens,
                               Structure& out, size_t* where) {
  out = Structure{};
  // The 4.9 runtime drops a leading UTF-8 BOM itself; drop it here so positions stay aligned.
  size_t base = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    base = 3;
    text.remove_prefix(3);
  }
  std::vector<size_t> cpToByte;  // empty when the text is ASCII (identity)
  bool ascii = true;
  for (unsigned char c : text)
    if (c >= 0x80) {
      ascii = false;
      break;
    }
  if (!ascii) {
    for (size_t i = 0; i < text.size(); ++i)
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) cpToByte.push_back(i);
    cpToByte.push_back(text.size());
  }
  auto byteOf = [&](size_t cp) {
    if (ascii) return base + std::min(cp, text.size());
    return base + (cp < cpToByte.size() ? cpToByte[cp] : text.size());
  };

  // Pass 1: lexer only.
  antlr4::ANTLRInputStream input(text.data(), text.size());
  ParkLexer lexer(&input);
  lexer.removeErrorListeners();
  ThrowingListener listener;
  lexer.addErrorListener(&listener);
  size_t depth = 0;
  for (;;) {
    std::unique_ptr<antlr4::Token> t = lexer.nextToken();
    Token tok;
    tok.kind = kindOf(t->getType());
    if (tok.kind == Tok::Eof) {
      tok.begin = tok.end = base + text.size();
    } else {
      tok.begin = byteOf(t->getStartIndex());
      tok.end = byteOf(t->getStopIndex() + 1);
    }
    if (out.tokens.size() >= maxTokens && tok.kind != Tok::Eof) {
      if (where) *where = tok.begin;
      return StructureStatus::TooManyTokens;
    }
    if (tok.kind == Tok::LBrace && ++depth > maxNesting) {
      if (where) *where = tok.begin;
      return StructureStatus::TooDeep;
    }
    if (tok.kind == Tok::RBrace && depth > 0) --depth;
    if (tok.kind == Tok::UntermComment || tok.kind == Tok::Stray)
      out.lexErrors.push_back(out.tokens.size());
    out.tokens.push_back(tok);
    if (tok.kind == Tok::Eof) break;
  }

  // Pass 2: the structure.
  antlr4::ANTLRInputStream input2(text.data(), text.size());
  ParkLexer lexer2(&input2);
  lexer2.removeErrorListeners();
  lexer2.addErrorListener(&listener);
  antlr4::CommonTokenStream stream(&lexer2);
  ParkParser parser(&stream);
  parser.removeErrorListeners();
  parser.addErrorListener(&listener);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  ParkParser::FileContext* file = parser.file();
  if (stream.size() != out.tokens.size())
    throw std::logic_error("the .park lexer is not deterministic");
  Walker w;
  out.top = w.walkChildren(file, nullptr);
  return StructureStatus::Ok;
}

}  // namespace callpark::parse::internal

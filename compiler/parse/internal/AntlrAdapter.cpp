// The ANTLR adapter: the one file of the project that includes ANTLR headers. It lexes and
// parses a .park file with the parser generated from grammar/Park.g4 and copies the result into
// the plain values of Cst.h. Nothing ANTLR prints or says reaches the user: the console
// listeners are removed, and every syntax error becomes a SyntaxEvent that SyntaxErrors.cpp words
// in the language's terms.
//
// How it works.
//
// 1. A first pass runs the lexer alone. It records every token compactly (byte offsets), stops
//    at a token count limit, tracks the `{` nesting depth against a limit, and finds which `{`
//    have no matching `}` (by counting, as an editor would). Nothing is kept from ANTLR.
// 2. A second pass runs lexer + parser with the error strategy below, then copies the parse tree
//    into Node values. Tokens that ANTLR invented or skipped while recovering are left out.
//
// Error recovery. ANTLR's default strategy (single-token insertion and deletion, resynchronising
// on the follow sets of the rules being parsed) is kept for errors inside an item or a header,
// with three changes that make it fit a language of keyword-led items written one per line:
//   - sync() at the item loop of a block (and at the top level) reports a token that cannot
//     start an item as one event and skips it together with the rest of its line (a `{ ... }`
//     is skipped whole), then carries on with the next item; every bad line is one error.
//   - a declaration keyword inside a block whose `{` is never closed ends that block: the event
//     is "block not closed" with the keyword as the place the next declaration starts, and the
//     parse continues with that declaration. `rule` inside a rule always ends the rule. An item
//     keyword that is also a declaration keyword (`dialplan` in a user block) ends the block only
//     when a `{` follows it within a few tokens.
//   - recover() skips to the follow set like ANTLR, but never past the end of the line of the
//     offending token (and over `{ ... }` as a whole), so the next line's item is parsed.
// A missing `}` at the end of the file is reported for every open block. After `maxEvents`
// events the parse is cancelled (ParseCancellationException), bounding time and memory.
//
// Positions: ANTLR counts code points; Token offsets are bytes, so a code point -> byte table is
// built when the text is not ASCII.
#include <antlr4-runtime.h>

#include <memory>
#include <stdexcept>

#include "compiler/parse/internal/Cst.h"
#include "grammar/ParkLexer.h"
#include "grammar/ParkParser.h"

namespace callpark::parse::internal {
namespace {

using antlr4::misc::IntervalSet;
using gen::ParkLexer;
using gen::ParkParser;

// Maps ANTLR token types and rule indices to the neutral kinds of Cst.h.
struct Tables {
  std::vector<Tok> tokOf;              // by token type
  std::vector<std::string> keywordOf;  // keyword text by token type ("" otherwise)
  std::vector<Rule> ruleOf;            // by ANTLR rule index

  explicit Tables(const antlr4::dfa::Vocabulary& vocab, const std::vector<std::string>& rules) {
    size_t maxType = vocab.getMaxTokenType();
    tokOf.assign(maxType + 1, Tok::Stray);
    keywordOf.assign(maxType + 1, "");
    for (size_t t = 1; t <= maxType; ++t) {
      std::string sym = vocab.getSymbolicName(t);
      if (sym.rfind("K_", 0) == 0) {
        std::string lit = vocab.getLiteralName(t);  // "'orbit'"
        if (lit.size() < 3) throw std::logic_error("keyword " + sym + " has no literal");
        tokOf[t] = Tok::Keyword;
        keywordOf[t] = lit.substr(1, lit.size() - 2);
        continue;
      }
      tokOf[t] = kindOf(t);
    }
    ruleOf.assign(rules.size(), Rule::File);
    for (size_t i = 0; i < rules.size(); ++i) {
      bool found = false;
      for (size_t r = 0; r < static_cast<size_t>(Rule::Count_); ++r) {
        if (rules[i] == ruleName(static_cast<Rule>(r))) {
          ruleOf[i] = static_cast<Rule>(r);
          found = true;
        }
      }
      if (!found) throw std::logic_error("grammar rule '" + rules[i] + "' is unknown to Cst.h");
    }
  }

  static Tok kindOf(size_t type) {
    switch (type) {
      case ParkLexer::LBRACE:
        return Tok::LBrace;
      case ParkLexer::RBRACE:
        return Tok::RBrace;
      case ParkLexer::LPAREN:
        return Tok::LParen;
      case ParkLexer::RPAREN:
        return Tok::RParen;
      case ParkLexer::COMMA:
        return Tok::Comma;
      case ParkLexer::AT:
        return Tok::At;
      case ParkLexer::ARROW:
        return Tok::Arrow;
      case ParkLexer::DOTDOT:
        return Tok::DotDot;
      case ParkLexer::DURATION:
        return Tok::Duration;
      case ParkLexer::INT:
        return Tok::Int;
      case ParkLexer::DIAL:
        return Tok::Dial;
      case ParkLexer::IDENT:
        return Tok::Ident;
      case ParkLexer::WORD:
        return Tok::Word;
      case ParkLexer::STRING:
        return Tok::String;  // also unterminated ones (type(STRING))
      case ParkLexer::RAW_STRING:
        return Tok::Raw;
      case ParkLexer::UNTERMINATED_COMMENT:
        return Tok::UntermComment;
      default:
        return Tok::Stray;  // STRAY, and skipped tokens that never reach us
    }
  }

  Tok tok(size_t type) const {
    if (type == antlr4::Token::EOF) return Tok::Eof;
    if (type >= tokOf.size()) throw std::logic_error("unknown token type from the .park lexer");
    return tokOf[type];
  }
};

// Whether a string token's text is closed by its quote (the lexer also returns strings cut off
// by the end of the line as STRING / RAW_STRING).
bool terminated(Tok kind, std::string_view t) {
  if (kind == Tok::Raw) return t.size() >= 2 && t.back() == '\'';
  for (size_t i = 1; i < t.size(); ++i) {
    if (t[i] == '\\') {
      ++i;
    } else if (t[i] == '"') {
      return i + 1 == t.size();
    }
  }
  return false;
}

class Recovery : public antlr4::DefaultErrorStrategy {
 public:
  Recovery(ParseResult& out, const Tables& tables, const std::vector<bool>& unclosed,
           size_t maxEvents, const antlr4::atn::ATN& atn)
      : out_(out), tables_(tables), unclosed_(unclosed), maxEvents_(maxEvents) {
    declStarts_ = atn.nextTokens(atn.ruleToStartState[ParkParser::RuleDeclBody]);
  }

  void reportError(antlr4::Parser* p, const antlr4::RecognitionException& e) override {
    if (blockEnd_.active) {
      blockEnd_.active = false;
      beginErrorCondition(p);
      if (!blockEnd_.invented)
        emit(SyntaxEvent::BlockNotClosed, blockEnd_.ctx, blockEnd_.token, IntervalSet());
      return;
    }
    auto* ctx = dynamic_cast<antlr4::ParserRuleContext*>(e.getCtx());
    antlr4::Token* t = e.getOffendingToken();
    if (!t) t = p->getCurrentToken();
    IntervalSet expected = e.getExpectedTokens();
    // A `}` missing at the end of the file is reported for every open block.
    bool closeAtEof = t->getType() == antlr4::Token::EOF &&
                      expected.contains(static_cast<size_t>(ParkParser::RBRACE));
    if (inErrorRecoveryMode(p) && !closeAtEof) return;
    beginErrorCondition(p);
    emit(SyntaxEvent::Unexpected, ctx ? ctx : p->getContext(), t, expected);
  }

  void recover(antlr4::Parser* p, std::exception_ptr) override {
    size_t index = p->getInputStream()->index();
    if (lastErrorIndex == static_cast<int>(index) && lastErrorStates.contains(p->getState()) &&
        p->getInputStream()->LA(1) != antlr4::Token::EOF) {
      // Another error at the same token and state: consume one token to guarantee progress.
      p->consume();
    }
    lastErrorIndex = static_cast<int>(p->getInputStream()->index());
    lastErrorStates.add(p->getState());
    skipLine(p, getErrorRecoverySet(p));
  }

  void sync(antlr4::Parser* p) override {
    antlr4::ParserRuleContext* ctx = p->getContext();
    const auto& atn = p->getATN();
    antlr4::atn::ATNState* s = atn.states[p->getState()];
    auto type = s->getStateType();
    if (type != antlr4::atn::ATNState::STAR_LOOP_ENTRY &&
        type != antlr4::atn::ATNState::STAR_LOOP_BACK)
      return;
    Rule rule = tables_.ruleOf[ctx->getRuleIndex()];
    bool top = rule == Rule::File;
    if (!top && !isBlockRule(rule)) return;  // annotation loops: the rule that follows reports
    IntervalSet next = atn.nextTokens(s);
    auto* in = p->getTokenStream();
    for (;;) {
      size_t la = in->LA(1);
      if (la == antlr4::Token::EOF) return;  // `match(RBRACE)` / `match(EOF)` handle it
      if (!top && endsBlock(p, ctx, rule, next.contains(la))) {
        blockEnd_ = {true, ctx, p->getCurrentToken(), lbraceInvented(ctx)};
        throw antlr4::InputMismatchException(p);
      }
      if (next.contains(la)) return;
      // A token that cannot start an item here: one event, then skip it and its line. A token
      // that an error inside the last item already complained about is skipped silently.
      if (p->getCurrentToken()->getTokenIndex() != lastEventToken_)
        emit(SyntaxEvent::UnknownItem, ctx, p->getCurrentToken(), next);
      beginErrorCondition(p);
      if (top) {
        bool brace = la == ParkParser::RBRACE;
        consumeBalanced(p);
        if (!brace) {
          while (true) {
            size_t t = in->LA(1);
            if (t == antlr4::Token::EOF || t == ParkParser::RBRACE || next.contains(t)) break;
            consumeBalanced(p);
          }
        }
      } else {
        IntervalSet stop = next;
        stop.add(ParkParser::AT);
        if (unclosed(ctx)) stop.addAll(declStarts_);
        consumeBalanced(p);  // the offending token itself, even when it is a stop token (`@`)
        skipRestOfLine(p, stop);
      }
      endErrorCondition(p);
    }
  }

 protected:
  void reportUnwantedToken(antlr4::Parser* p) override {
    if (inErrorRecoveryMode(p)) return;
    beginErrorCondition(p);
    emit(SyntaxEvent::Unexpected, p->getContext(), p->getCurrentToken(), p->getExpectedTokens());
  }

  void reportMissingToken(antlr4::Parser* p) override {
    IntervalSet expected = p->getExpectedTokens();
    antlr4::Token* t = p->getCurrentToken();
    bool closeAtEof = t->getType() == antlr4::Token::EOF &&
                      expected.contains(static_cast<size_t>(ParkParser::RBRACE));
    if (inErrorRecoveryMode(p) && !closeAtEof) return;
    beginErrorCondition(p);
    if (closeAtEof && lbraceInvented(p->getContext())) return;  // the missing `{` was reported
    emit(SyntaxEvent::Unexpected, p->getContext(), t, expected);
  }

 private:
  // Whether the token at LA(1) ends the block of `ctx`: the next declaration starts there.
  bool endsBlock(antlr4::Parser* p, antlr4::ParserRuleContext* ctx, Rule rule, bool isItem) {
    size_t la = p->getTokenStream()->LA(1);
    if (rule == Rule::RuleDecl && la == ParkParser::K_RULE) return true;
    if (!unclosed(ctx)) return false;
    if (la == ParkParser::AT) return rule != Rule::DialPlanDecl;
    if (!declStarts_.contains(la)) return false;
    return !isItem || blockAhead(p);
  }

  // A `{` within the next few tokens, before any `}`: `dialplan "Tag" {`, `voice_policy site
  // "X" {` start a declaration, `dialplan "Tag"` alone is a user's setting.
  static bool blockAhead(antlr4::Parser* p) {
    for (ssize_t i = 2; i <= 4; ++i) {
      size_t t = p->getTokenStream()->LA(i);
      if (t == ParkParser::LBRACE) return true;
      if (t == ParkParser::RBRACE || t == antlr4::Token::EOF) return false;
    }
    return false;
  }

  static antlr4::Token* lbraceOf(antlr4::ParserRuleContext* ctx) {
    antlr4::tree::TerminalNode* lb = ctx ? ctx->getToken(ParkParser::LBRACE, 0) : nullptr;
    return lb ? lb->getSymbol() : nullptr;
  }
  static bool lbraceInvented(antlr4::ParserRuleContext* ctx) {
    antlr4::Token* lb = lbraceOf(ctx);
    return lb && lb->getTokenIndex() == INVALID_INDEX;
  }
  // A block whose `{` has no matching `}` in the file (or was invented by recovery).
  bool unclosed(antlr4::ParserRuleContext* ctx) const {
    antlr4::Token* lb = lbraceOf(ctx);
    if (!lb || lb->getTokenIndex() == INVALID_INDEX) return true;
    size_t i = lb->getTokenIndex();
    return i < unclosed_.size() && unclosed_[i];
  }

  // Consumes one token, or a whole `{ ... }` (to its matching `}` or the end of the file).
  static void consumeBalanced(antlr4::Parser* p) {
    auto* in = p->getTokenStream();
    if (in->LA(1) != ParkParser::LBRACE) {
      p->consume();
      return;
    }
    size_t depth = 0;
    do {
      size_t t = in->LA(1);
      if (t == antlr4::Token::EOF) return;
      if (t == ParkParser::LBRACE) ++depth;
      if (t == ParkParser::RBRACE) --depth;
      p->consume();
    } while (depth > 0);
  }

  // Skips the offending token (unless it is in `stop`) and what follows it on the same line,
  // up to a token in `stop`.
  static void skipLine(antlr4::Parser* p, const IntervalSet& stop) {
    auto* in = p->getTokenStream();
    if (in->LA(1) == antlr4::Token::EOF || stop.contains(in->LA(1))) return;
    consumeBalanced(p);
    skipRestOfLine(p, stop);
  }
  // Skips what follows the last consumed token on its line, up to a token in `stop`.
  static void skipRestOfLine(antlr4::Parser* p, const IntervalSet& stop) {
    auto* in = p->getTokenStream();
    size_t line = in->LT(-1) ? lastLine(in->LT(-1)) : 0;
    while (in->LA(1) != antlr4::Token::EOF && !stop.contains(in->LA(1)) &&
           in->LT(1)->getLine() == line) {
      consumeBalanced(p);
      line = lastLine(in->LT(-1));
    }
  }
  // The line a token ends on (a token never spans lines, except a block comment, which is not
  // on the parser's channel).
  static size_t lastLine(antlr4::Token* t) { return t->getLine(); }

  void emit(SyntaxEvent::Kind kind, antlr4::ParserRuleContext* ctx, antlr4::Token* t,
            const IntervalSet& expected) {
    if (out_.events.size() >= maxEvents_) {
      out_.cancelled = true;
      throw antlr4::ParseCancellationException("too many syntax errors");
    }
    SyntaxEvent ev;
    ev.kind = kind;
    ev.token = t && t->getTokenIndex() != INVALID_INDEX ? t->getTokenIndex() : kNone;
    for (antlr4::RuleContext* c = ctx; c; c = dynamic_cast<antlr4::RuleContext*>(c->parent)) {
      auto* prc = dynamic_cast<antlr4::ParserRuleContext*>(c);
      if (!prc) break;
      Frame f{tables_.ruleOf.at(prc->getRuleIndex()), kNone, kNone};
      if (prc->getStart() && prc->getStart()->getTokenIndex() != INVALID_INDEX)
        f.start = prc->getStart()->getTokenIndex();
      antlr4::Token* lb = lbraceOf(prc);
      if (lb && lb->getTokenIndex() != INVALID_INDEX) f.lbrace = lb->getTokenIndex();
      ev.stack.push_back(f);
    }
    for (ssize_t type : expected.toList()) {
      if (static_cast<size_t>(type) == antlr4::Token::EPSILON) continue;
      size_t u = static_cast<size_t>(type);
      Expected x{tables_.tok(u), {}};
      if (x.kind == Tok::Keyword) x.keyword = tables_.keywordOf[u];
      ev.expected.push_back(std::move(x));
    }
    lastEventToken_ = ev.token;
    out_.events.push_back(std::move(ev));
  }

  struct BlockEnd {
    bool active = false;
    antlr4::ParserRuleContext* ctx = nullptr;
    antlr4::Token* token = nullptr;
    bool invented = false;  // the block's `{` was invented: its absence is already reported
  };

  ParseResult& out_;
  const Tables& tables_;
  const std::vector<bool>& unclosed_;
  size_t maxEvents_;
  IntervalSet declStarts_;
  BlockEnd blockEnd_;
  size_t lastEventToken_ = kNone;
};

// Copies the parse tree into out.nodes (pre-order, parents before children).
class TreeCopier {
 public:
  TreeCopier(const Tables& tables, ParseResult& out) : tables_(tables), out_(out) {}

  size_t copy(antlr4::ParserRuleContext* ctx) {
    size_t id = out_.nodes.size();
    out_.nodes.emplace_back();
    Node n;
    n.rule = tables_.ruleOf.at(ctx->getRuleIndex());
    n.failed = ctx->exception != nullptr;
    if (ctx->getStart() && ctx->getStart()->getTokenIndex() != INVALID_INDEX &&
        ctx->getStart()->getType() != antlr4::Token::EOF)
      n.start = ctx->getStart()->getTokenIndex();
    if (ctx->getStop() && ctx->getStop()->getTokenIndex() != INVALID_INDEX &&
        ctx->getStop()->getType() != antlr4::Token::EOF && n.start != kNone &&
        ctx->getStop()->getTokenIndex() >= n.start)
      n.stop = ctx->getStop()->getTokenIndex();
    for (antlr4::tree::ParseTree* child : ctx->children) {
      if (auto* sub = dynamic_cast<antlr4::ParserRuleContext*>(child)) {
        size_t c = copy(sub);
        n.children.push_back({true, c});
        continue;
      }
      if (dynamic_cast<antlr4::tree::ErrorNode*>(child)) continue;  // invented or skipped
      auto* term = dynamic_cast<antlr4::tree::TerminalNode*>(child);
      if (!term) throw std::logic_error("unexpected node in the .park parse tree");
      antlr4::Token* sym = term->getSymbol();
      if (sym->getType() == antlr4::Token::EOF) continue;
      if (sym->getTokenIndex() == INVALID_INDEX) continue;
      n.children.push_back({false, sym->getTokenIndex()});
    }
    out_.nodes[id] = std::move(n);
    return id;
  }

 private:
  const Tables& tables_;
  ParseResult& out_;
};

// Remembers the first rule entered: the root of the tree even when the parse is cancelled.
class RootGrabber : public antlr4::tree::ParseTreeListener {
 public:
  antlr4::ParserRuleContext* root = nullptr;
  void enterEveryRule(antlr4::ParserRuleContext* ctx) override {
    if (!root) root = ctx;
  }
  void visitTerminal(antlr4::tree::TerminalNode*) override {}
  void visitErrorNode(antlr4::tree::ErrorNode*) override {}
  void exitEveryRule(antlr4::ParserRuleContext*) override {}
};

// The lexer never fails (STRAY matches any character); a listener that throws makes sure an
// internal inconsistency cannot go unnoticed or reach the console.
class ThrowingListener : public antlr4::BaseErrorListener {
 public:
  void syntaxError(antlr4::Recognizer*, antlr4::Token*, size_t line, size_t col, const std::string&,
                   std::exception_ptr) override {
    throw std::logic_error("the .park lexer failed at " + std::to_string(line) + ":" +
                           std::to_string(col));
  }
};

}  // namespace

ParseStatus parseText(std::string_view text, size_t maxNesting, size_t maxTokens, size_t maxEvents,
                      ParseResult& out, size_t* where) {
  out = ParseResult{};
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
  ThrowingListener listener;

  // Pass 1: the lexer alone.
  std::vector<bool> unclosed;
  {
    antlr4::ANTLRInputStream input(text.data(), text.size());
    ParkLexer lexer(&input);
    lexer.removeErrorListeners();
    lexer.addErrorListener(&listener);
    Tables tables(lexer.getVocabulary(), {});
    std::vector<size_t> open;
    for (;;) {
      std::unique_ptr<antlr4::Token> t = lexer.nextToken();
      Token tok;
      tok.kind = tables.tok(t->getType());
      if (tok.kind == Tok::Eof) {
        tok.begin = tok.end = base + text.size();
      } else {
        tok.begin = byteOf(t->getStartIndex());
        tok.end = byteOf(t->getStopIndex() + 1);
      }
      if (out.tokens.size() >= maxTokens && tok.kind != Tok::Eof) {
        if (where) *where = tok.begin;
        return ParseStatus::TooManyTokens;
      }
      if (tok.kind == Tok::LBrace) {
        open.push_back(out.tokens.size());
        if (open.size() > maxNesting) {
          if (where) *where = tok.begin;
          return ParseStatus::TooDeep;
        }
      }
      if (tok.kind == Tok::RBrace && !open.empty()) open.pop_back();
      if (tok.kind == Tok::String || tok.kind == Tok::Raw)
        tok.unterminated = !terminated(tok.kind, t->getText());
      out.tokens.push_back(tok);
      if (tok.kind == Tok::Eof) break;
    }
    unclosed.assign(out.tokens.size(), false);
    for (size_t i : open) unclosed[i] = true;
  }

  // Pass 2: lexer + parser.
  antlr4::ANTLRInputStream input(text.data(), text.size());
  ParkLexer lexer(&input);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&listener);
  antlr4::CommonTokenStream stream(&lexer);
  ParkParser parser(&stream);
  parser.removeErrorListeners();  // syntax errors are events (Recovery), never console text
  Tables tables(parser.getVocabulary(), parser.getRuleNames());
  auto recovery = std::make_shared<Recovery>(out, tables, unclosed, maxEvents, parser.getATN());
  parser.setErrorHandler(recovery);
  RootGrabber root;
  parser.addParseListener(&root);
  try {
    parser.file();
  } catch (const antlr4::ParseCancellationException&) {
    out.cancelled = true;
  }
  parser.removeParseListeners();
  stream.fill();
  if (stream.size() != out.tokens.size())
    throw std::logic_error("the .park lexer is not deterministic");
  if (root.root) {
    TreeCopier copier(tables, out);
    copier.copy(root.root);
  }
  return ParseStatus::Ok;
}

}  // namespace callpark::parse::internal

// How a SyntaxEvent becomes a sentence.
//
// The innermost grammar rule of the event says where the parser was: in a declaration's header,
// in an item (`pickup_timeout ...`), in a value rule under an item, in a test expectation, in an
// annotation, or at the top level. Items are led by a keyword, so the item's first token says
// which value was wanted; each keyword has a phrase with an example ("`pool` needs a pool name in
// double quotes, like ..."). The offending token is quoted when it plausibly is the (wrong)
// value; when it is the next item's keyword, a `}` or the end of the file, the value is missing
// and the keyword itself is underlined instead. Every branch ends in a message of our own; the
// last resort lists the expected tokens in words ("a string in double quotes", "`{`").
#include "compiler/parse/internal/SyntaxErrors.h"

#include <algorithm>

#include "compiler/parse/Codes.h"
#include "compiler/parse/internal/Language.h"
#include "compiler/support/Strings.h"

namespace callpark::parse::internal {
namespace {

class Describer {
 public:
  Describer(const SyntaxEvent& ev, const SyntaxSource& src) : ev_(ev), src_(src) {
    for (const Frame& f : ev.stack)
      if (isBlockRule(f.rule)) {
        block_ = &f;
        break;
      }
  }

  Diagnostic run() {
    switch (ev_.kind) {
      case SyntaxEvent::BlockNotClosed:
        return blockNotClosed();
      case SyntaxEvent::UnknownItem:
        return unknownItem();
      case SyntaxEvent::Unexpected:
        return unexpected();
    }
    return fallback();
  }

 private:
  // ---- tokens --------------------------------------------------------------------------
  const Token& tok(size_t i) const { return src_.tokens[i]; }
  Tok kind(size_t i) const { return i == kNone ? Tok::Eof : tok(i).kind; }
  std::string_view text(size_t i) const {
    if (i == kNone) return {};
    return src_.text.substr(tok(i).begin, tok(i).end - tok(i).begin);
  }
  bool isKw(size_t i, std::string_view w) const { return kind(i) == Tok::Keyword && text(i) == w; }
  SourceRange range(size_t i) const {
    if (i == kNone) return eofRange();
    return src_.sm.rangeOf(src_.file, tok(i).begin, tok(i).end);
  }
  // Where "the file ends": just after its last token (not on the empty line after it).
  SourceRange eofRange() const {
    size_t last = prev(kNone);
    size_t at = last == kNone ? src_.text.size() : tok(last).end;
    return src_.sm.rangeOf(src_.file, at, at);
  }
  SourceRange cover(size_t a, size_t b) const { return SourceRange::cover(range(a), range(b)); }
  uint32_t line(size_t i) const { return range(i).line; }
  // The token the parser saw before `i` (skipping tokens off its channel).
  size_t prev(size_t i) const {
    size_t j = i == kNone ? src_.tokens.size() : i;
    while (j-- > 0) {
      Tok k = tok(j).kind;
      if (k != Tok::UntermComment && k != Tok::Stray && k != Tok::Eof) return j;
    }
    return kNone;
  }
  size_t offending() const { return ev_.token; }
  bool atEof() const { return kind(offending()) == Tok::Eof; }

  // How a token is quoted in a message.
  std::string show(size_t i) const {
    if (kind(i) == Tok::Eof) return "the end of the file";
    std::string_view t = text(i);
    if (t.size() > 40) return "`" + std::string(t.substr(0, 37)) + "...`";
    return "`" + std::string(t) + "`";
  }

  // Whether token i can be taken as the (wrong) value of what came before it: anything but the
  // end, a brace, an annotation, or a keyword that starts the next item or declaration.
  bool valueLike(size_t i) const {
    Tok k = kind(i);
    if (k == Tok::Eof || k == Tok::LBrace || k == Tok::RBrace || k == Tok::At) return false;
    if (k != Tok::Keyword) return true;
    const auto& decls = declarationKeywords();
    if (std::find(decls.begin(), decls.end(), text(i)) != decls.end()) return false;
    if (block_) {
      const auto& items = blockItems(block_->rule);
      if (std::find(items.begin(), items.end(), text(i)) != items.end()) return false;
    }
    return true;
  }

  bool expects(Tok k) const {
    return std::any_of(ev_.expected.begin(), ev_.expected.end(),
                       [&](const Expected& x) { return x.kind == k; });
  }
  bool expectsKeyword(std::string_view w) const {
    return std::any_of(ev_.expected.begin(), ev_.expected.end(),
                       [&](const Expected& x) { return x.kind == Tok::Keyword && x.keyword == w; });
  }
  const Frame* frame(Rule r) const {
    for (const Frame& f : ev_.stack)
      if (f.rule == r) return &f;
    return nullptr;
  }
  Rule innermost() const { return ev_.stack.empty() ? Rule::File : ev_.stack.front().rule; }

  // ---- building the diagnostic -----------------------------------------------------------
  Diagnostic make(const char* code, SourceRange r, std::string msg) const {
    Diagnostic d;
    d.code = code;
    d.severity = Severity::Error;
    d.range = r;
    d.message = std::move(msg);
    return d;
  }
  // `what`, pointing at the offending token when it looks like the value (", found X"), else
  // at `fallbackRange` (usually the keyword whose value is missing).
  Diagnostic expectedHere(const char* code, const std::string& what,
                          SourceRange fallbackRange) const {
    size_t t = offending();
    if (valueLike(t)) return make(code, range(t), what + ", found " + show(t));
    return make(code, fallbackRange, what);
  }

  // ---- the three kinds of events ----------------------------------------------------------
  Diagnostic blockNotClosed() const {
    const Frame* f = ev_.stack.empty() ? nullptr : &ev_.stack.front();
    if (!f || f->lbrace == kNone) return fallback();
    Diagnostic d =
        make(codes::kMissingBrace, range(f->lbrace),
             std::string("this `") + blockKeyword(f->rule) + "` block is missing its closing `}`");
    size_t t = offending();
    if (kind(t) == Tok::Eof)
      d.note(eofRange(), "the file ends here");
    else if (f->rule == Rule::RuleDecl && isKw(t, "rule"))
      d.note(range(t), "the next rule starts here");
    else
      d.note(range(t), "the next declaration starts here");
    return d;
  }

  Diagnostic unknownItem() const {
    size_t t = offending();
    Rule r = innermost();
    if (r == Rule::File) return unknownDeclaration(t);
    if (!isBlockRule(r)) return fallback();
    const auto& items = blockItems(r);
    std::string in = std::string("`") + blockKeyword(r) + "`";
    if (r == Rule::TestDecl)
      return make(codes::kBadExpectation, range(t),
                  "expected a test line starting with `dial` or `park`, found " + show(t));
    Tok k = kind(t);
    if (k == Tok::At)
      return make(codes::kBadAnnotation, annotationRange(t),
                  "`@allow` goes before a declaration or a rule, not inside this " + in + " block");
    if (k == Tok::LBrace)
      return make(codes::kUnexpected, range(t),
                  "unexpected `{` in this " + in +
                      " block; a block follows a declaration or a `rule` header");
    size_t p = prev(t);
    if (r == Rule::RuleDecl && isKw(p, "internal_extension") &&
        (isKw(t, "on") || isKw(t, "off") || isKw(t, "true") || isKw(t, "false")))
      return make(codes::kUnexpected, range(t),
                  "`internal_extension` is a flag and takes no value; write "
                  "`internal_extension` alone, or leave it out");
    if (k == Tok::Ident || k == Tok::Keyword) {
      std::string w(text(t));
      std::string m = "unknown setting `" + w + "` in " + in;
      std::string guess = closestMatch(w, items);
      if (!guess.empty())
        m += "; did you mean `" + guess + "`?";
      else
        m += "; it takes " + listOf(items);
      Diagnostic d = make(codes::kUnknownSetting, range(t), m);
      if (!guess.empty()) d.suggest("use `" + guess + "`", range(t), guess);
      return d;
    }
    return make(codes::kUnexpected, range(t),
                "unexpected " + show(t) + " in this " + in + " block; it takes " + listOf(items));
  }

  // The `@allow(...)` starting at token `at`, up to the end of its line or its `)`.
  SourceRange annotationRange(size_t at) const {
    size_t last = at;
    for (size_t j = at + 1; j < src_.tokens.size(); ++j) {
      Tok k = tok(j).kind;
      if (k == Tok::Eof || line(j) != line(at)) break;
      if (k == Tok::UntermComment || k == Tok::Stray) continue;
      last = j;
      if (k == Tok::RParen) break;
    }
    return cover(at, last);
  }

  Diagnostic unknownDeclaration(size_t t) const {
    Tok k = kind(t);
    if (k == Tok::RBrace)
      return make(codes::kUnmatchedBrace, range(t), "unmatched `}`: no block is open here");
    if (k == Tok::LBrace)
      return make(codes::kUnexpected, range(t),
                  "unexpected `{`; a block follows a declaration header like `orbit \"Name\"`");
    std::string w(text(t));
    if (k == Tok::Keyword && isItemKeyword(w))
      return make(codes::kUnknownDecl, range(t),
                  "`" + w +
                      "` is a setting, not a declaration; it belongs inside a block such as "
                      "`orbit \"Name\" { ... }` (is a `}` closing a block too early?)");
    if (k == Tok::Ident || k == Tok::Keyword) {
      std::string guess = closestMatch(w, declarationKeywords());
      if (!guess.empty()) {
        Diagnostic d = make(codes::kUnknownDecl, range(t),
                            "unknown declaration `" + w + "`; did you mean `" + guess + "`?");
        d.suggest("use `" + guess + "`", range(t), guess);
        return d;
      }
      return make(codes::kUnknownDecl, range(t),
                  "unknown declaration `" + w + "`; a policy file declares " +
                      listOf(declarationKeywords()));
    }
    std::string m =
        "unexpected " + show(t) + "; expected a declaration such as `orbit \"Name\" { ... }`";
    if (!w.empty() && w[0] == '#')
      m += " (`#` is a dial character, not a comment; comments start with `//`)";
    return make(codes::kUnexpected, range(t), m);
  }

  Diagnostic unexpected() const {
    size_t t = offending();
    // A block cut short by the end of the file.
    if (atEof() && expects(Tok::RBrace)) {
      const Frame* b = block_;
      if (b && b->lbrace != kNone) {
        Diagnostic d = make(
            codes::kMissingBrace, range(b->lbrace),
            std::string("this `") + blockKeyword(b->rule) + "` block is missing its closing `}`");
        d.note(eofRange(), "the file ends here");
        return d;
      }
    }
    switch (innermost()) {
      case Rule::Declaration:
      case Rule::DeclBody: {
        const Frame* f = frame(Rule::Declaration);
        if (f && kind(f->start) == Tok::At) {
          size_t p = prev(t);
          return make(codes::kBadAnnotation, p != kNone ? cover(f->start, p) : range(f->start),
                      "this `@allow` is not followed by a declaration");
        }
        return fallback();
      }
      case Rule::Annotation:
      case Rule::AnnotationCode:
        return annotation();
      case Rule::DialPlanItem: {
        const Frame& f = ev_.stack.front();
        if (kind(f.start) == Tok::At) {
          size_t p = prev(t);
          return make(codes::kBadAnnotation, p != kNone ? cover(f.start, p) : range(f.start),
                      "this `@allow` is not followed by a rule (annotations precede `rule`, "
                      "not settings)");
        }
        return itemValue(f.start);
      }
      case Rule::RuleDecl: {
        // `@allow(...)` in a dial plan followed by something other than `rule`.
        const Frame* item = frame(Rule::DialPlanItem);
        if (t == ev_.stack.front().start && item && kind(item->start) == Tok::At) {
          size_t p = prev(t);
          return make(codes::kBadAnnotation,
                      p != kNone ? cover(item->start, p) : range(item->start),
                      "this `@allow` is not followed by a rule (inside a dial plan, annotations "
                      "precede `rule`, not settings)");
        }
        return header(ev_.stack.front());
      }
      case Rule::SiteDecl:
      case Rule::OrbitDecl:
      case Rule::ParkAccessDecl:
      case Rule::ParkSettingsDecl:
      case Rule::VoicePolicyDecl:
      case Rule::DialPlanDecl:
      case Rule::UserDecl:
      case Rule::TestDecl:
      case Rule::UsersFromDecl:
        return header(ev_.stack.front());
      case Rule::Scope:
        return scope();
      case Rule::Expectation:
      case Rule::Caller:
      case Rule::DialResult:
      case Rule::ParkResult:
        return expectation();
      case Rule::DialString:
      case Rule::Dial:
      case Rule::DialRange:
      case Rule::Text:
      case Rule::Bool:
      case Rule::Duration:
      case Rule::KeywordValue:
      case Rule::SiteItem:
      case Rule::OrbitItem:
      case Rule::ParkAccessItem:
      case Rule::ParkSetting:
      case Rule::VoicePolicyItem:
      case Rule::RuleItem:
      case Rule::UserItem:
        return valueInContext();
      default:
        return fallback();
    }
  }

  // ---- headers ------------------------------------------------------------------------------
  Diagnostic header(const Frame& f) const {
    size_t t = offending();
    std::string kw = blockKeyword(f.rule);
    size_t p = prev(t);
    SourceRange hdr = p != kNone && p >= f.start ? cover(f.start, p) : range(f.start);
    if (f.rule == Rule::UsersFromDecl) {
      if (expectsKeyword("from"))
        return expectedHere(codes::kUnexpected,
                            "expected `users from \"users.json\"` (the file of a `Get-CsUser` "
                            "export)",
                            hdr);
      return stringValueError(codes::kUnexpected,
                              "`users from` needs the JSON file's path in double quotes, like "
                              "`users from \"users.json\"`",
                              hdr);
    }
    if (expects(Tok::LBrace) && !(f.rule == Rule::RuleDecl && expects(Tok::String))) {
      std::string what = "expected `{` to open the `" + kw + "` block";
      if (f.rule == Rule::RuleDecl && isKw(p, "priority"))
        return expectedHere(codes::kInvalidNumber,
                            "`priority` needs a whole number, like `rule \"4 digit\" priority 1 "
                            "{ ... }`",
                            range(p));
      return expectedHere(codes::kUnexpected, what, hdr);
    }
    if (f.rule == Rule::RuleDecl && expects(Tok::Int))
      return expectedHere(codes::kInvalidNumber,
                          "`priority` needs a whole number, like `rule \"4 digit\" priority 1 "
                          "{ ... }`",
                          range(p));
    if (expects(Tok::String)) {
      std::string example = f.rule == Rule::SiteDecl    ? "\"Redmond\""
                            : f.rule == Rule::OrbitDecl ? "\"Redmond CPO 1\""
                            : f.rule == Rule::UserDecl  ? "\"sip:alice@contoso.com\""
                            : f.rule == Rule::RuleDecl  ? "\"4 digit\" priority 1"
                                                        : "\"orbits reach the park service\"";
      return stringValueError(
          codes::kUnexpected,
          "`" + kw + "` needs a name in double quotes, like `" + kw + " " + example + " { ... }`",
          range(f.start));
    }
    return fallback();
  }

  // ---- scopes -------------------------------------------------------------------------------
  Diagnostic scope() const {
    const Frame& f = ev_.stack.front();
    size_t t = offending();
    std::string owner = "the declaration";
    SourceRange ownerRange = range(f.start);
    if (ev_.stack.size() > 1) {
      const Frame& parent = ev_.stack[1];
      if (parent.rule == Rule::Caller) {
        owner = "with dialplan";
        ownerRange = cover(parent.start, prev(f.start));
      } else {
        owner = blockKeyword(parent.rule);
        ownerRange = range(parent.start);
      }
    }
    if (t != f.start && f.start != kNone && (isKw(f.start, "site") || isKw(f.start, "pool"))) {
      std::string w(text(f.start));
      return stringValueError(codes::kUnexpected,
                              "`" + w + "` needs a " + w + " name in double quotes, like `" + w +
                                  (w == "site" ? " \"Dublin\"`" : " \"dublin-fe01.contoso.com\"`"),
                              range(f.start));
    }
    std::string what = "`" + owner +
                       "` needs a scope: `global`, `site \"Name\"`, `pool \"fqdn\"` or a tag name "
                       "in double quotes";
    Diagnostic d = expectedHere(codes::kUnexpected, what, ownerRange);
    if (valueLike(t) && (kind(t) == Tok::Ident || kind(t) == Tok::Keyword)) {
      std::string guess = closestMatch(text(t), {"global", "site", "pool"});
      if (!guess.empty()) {
        d.message += "; did you mean `" + guess + "`?";
        d.suggest("use `" + guess + "`", range(t), guess);
      }
    }
    return d;
  }

  // ---- values of items ------------------------------------------------------------------------
  // The first token of the innermost item frame: the keyword that leads the item.
  size_t itemKeyword() const {
    for (const Frame& f : ev_.stack) {
      switch (f.rule) {
        case Rule::SiteItem:
        case Rule::OrbitItem:
        case Rule::ParkAccessItem:
        case Rule::ParkSetting:
        case Rule::VoicePolicyItem:
        case Rule::DialPlanItem:
        case Rule::RuleItem:
        case Rule::UserItem:
          return f.start;
        case Rule::ParkAccessDecl:
        case Rule::Expectation:
          return f.start;  // the value is the header's dial string
        default:
          break;
      }
    }
    return kNone;
  }

  Diagnostic valueInContext() const {
    if (frame(Rule::Expectation)) return expectation();
    size_t kw = itemKeyword();
    if (kw == kNone) return fallback();
    if (isKw(kw, "park_access")) {
      const Frame* f = frame(Rule::ParkAccessDecl);
      return expectedHere(codes::kUnexpected,
                          "`park_access` needs the access number, like `park_access \"*70\" { "
                          "pool \"redmond-fe01.contoso.com\" }`",
                          range(f ? f->start : kw));
    }
    return itemValue(kw);
  }

  // A value that is a double-quoted string: extra advice for raw strings and unquoted words.
  Diagnostic stringValueError(const char* code, const std::string& what,
                              SourceRange fallbackRange) const {
    size_t t = offending();
    Tok k = kind(t);
    if (k == Tok::Raw)
      return make(code, range(t),
                  what + "; single-quoted raw strings are only for patterns and translations");
    if ((k == Tok::Word || k == Tok::Ident || k == Tok::Dial || k == Tok::Int ||
         k == Tok::Keyword) &&
        valueLike(t)) {
      std::string w(text(t));
      Diagnostic d = make(code, range(t), what + ", found `" + w + "` without quotes");
      d.suggest("put it in double quotes", range(t), "\"" + w + "\"");
      return d;
    }
    return expectedHere(code, what, fallbackRange);
  }

  Diagnostic itemValue(size_t kw) const {
    std::string w(text(kw));
    SourceRange at = range(kw);
    size_t t = offending();
    Tok k = kind(t);
    if (w == "numbers") return numbers(kw);
    if (w == "pool")
      return stringValueError(codes::kInvalidValue,
                              "`pool` needs a pool name in double quotes, like `pool "
                              "\"redmond-fe01.contoso.com\"`",
                              at);
    if (w == "line")
      return stringValueError(codes::kInvalidValue,
                              "`line` needs a tel URI in double quotes, like `line "
                              "\"tel:+14255551000;ext=1000\"`",
                              at);
    if (w == "voice_policy")
      return stringValueError(codes::kInvalidValue,
                              "`voice_policy` needs a policy tag in double quotes, like "
                              "`voice_policy \"Reception\"`",
                              at);
    if (w == "dialplan")
      return stringValueError(codes::kInvalidValue,
                              "`dialplan` needs a dial plan tag in double quotes, like "
                              "`dialplan \"RedmondReception\"`",
                              at);
    if (w == "on_timeout")
      return stringValueError(codes::kInvalidValue,
                              "`on_timeout` needs a SIP address in double quotes, like "
                              "`on_timeout \"sip:operator@contoso.com\"`",
                              at);
    if (w == "music_file")
      return stringValueError(codes::kInvalidValue,
                              "`music_file` needs a file path in double quotes, like `music_file "
                              "\"moh/redmond.wav\"`",
                              at);
    if (w == "external_access_prefix")
      return stringValueError(codes::kInvalidValue,
                              "`external_access_prefix` needs the prefix in double quotes, like "
                              "`external_access_prefix \"9\"`",
                              at);
    if (w == "description" || w == "pattern" || w == "translation") {
      std::string what =
          w == "description" ? "`description` needs text in quotes, like `description \"Dublin "
                               "users\"`"
          : w == "pattern"   ? "`pattern` needs a regular expression in single quotes, like "
                               "`pattern '^(\\d{4})$'`"
                             : "`translation` needs the result in single quotes, like "
                               "`translation '+1425555$1'`";
      if (valueLike(t) && k != Tok::String && k != Tok::Raw) {
        std::string v(text(t));
        Diagnostic d = make(codes::kInvalidValue, range(t), what + ", found `" + v + "`");
        d.suggest("quote it", range(t),
                  (w == "description" ? "\"" : "'") + v + (w == "description" ? "\"" : "'"));
        return d;
      }
      return expectedHere(codes::kInvalidValue, what, at);
    }
    if (w == "type" || w == "allocation") {
      std::string what = w == "type"
                             ? "`type` needs `callpark` or `group_pickup`"
                             : "`allocation` needs one of `least_recent`, `random`, `next` or "
                               "`first`";
      if (k == Tok::String) {
        std::string v = stringValue(text(t), k, tok(t).unterminated);
        Diagnostic d =
            make(codes::kInvalidValue, range(t), what + "; write `" + v + "` without quotes");
        d.suggest("drop the quotes", range(t), v);
        return d;
      }
      return expectedHere(codes::kInvalidValue, what, at);
    }
    if (w == "pickup_timeout") return duration(kw);
    if (w == "max_pickup_attempts" || w == "priority")
      return expectedHere(
          codes::kInvalidNumber,
          "`" + w + "` needs a whole number, like `" + (w == "priority" ? "0" : "2") + "`", at);
    if (w == "music_on_hold" || w == "call_park" || w == "optimize_device_dialing") {
      std::string what = "`" + w + "` needs `on` or `off`";
      if (k == Tok::String) {
        std::string v = stringValue(text(t), k, tok(t).unterminated);
        Diagnostic d =
            make(codes::kInvalidBoolean, range(t), what + " without quotes, found " + show(t));
        if (v == "on" || v == "off" || v == "true" || v == "false")
          d.suggest("drop the quotes", range(t), v);
        return d;
      }
      return expectedHere(codes::kInvalidBoolean, what + " (or `true` / `false`)", at);
    }
    return fallback();
  }

  Diagnostic duration(size_t kw) const {
    size_t t = offending();
    Tok k = kind(t);
    const std::string what = "expected a duration like `90s`, `1m30s` or `00:01:30`";
    if (k == Tok::Int) {
      std::string v(text(t));
      Diagnostic d = make(codes::kInvalidDuration, range(t),
                          "`" + v + "` needs a unit; " + what + " (seconds: `" + v + "s`)");
      d.suggest("add the unit", range(t), v + "s");
      return d;
    }
    if (k == Tok::Word && !text(t).empty() && text(t)[0] >= '0' && text(t)[0] <= '9') {
      int64_t secs = 0;
      std::string why;
      if (!parseDuration(text(t), secs, why))
        return make(codes::kInvalidDuration, range(t),
                    show(t) + " is not a valid duration: " + why);
    }
    return expectedHere(codes::kInvalidDuration, what + " after `" + std::string(text(kw)) + "`",
                        range(kw));
  }

  Diagnostic numbers(size_t kw) const {
    size_t t = offending();
    Tok k = kind(t);
    const std::string what = "`numbers` needs a range like `*3000..*3099`";
    if (k == Tok::Word && text(t).find('-') != std::string_view::npos) {
      std::string v(text(t));
      Diagnostic d = make(codes::kInvalidValue, range(t),
                          what + "; ranges are written with `..`, found " + show(t));
      size_t dash = v.find('-');
      if (v.find('-', dash + 1) == std::string::npos)
        d.suggest("write the range with `..`", range(t),
                  v.substr(0, dash) + ".." + v.substr(dash + 1));
      return d;
    }
    if (k == Tok::String)
      return make(codes::kInvalidValue, range(t),
                  what + " (dial strings, without quotes), found " + show(t));
    size_t p = prev(t);
    Tok pk = kind(p);
    if ((pk == Tok::Dial || pk == Tok::Int) && isKw(prev(p), "numbers") && k != Tok::DotDot) {
      std::string v(text(p));
      Diagnostic d = make(codes::kInvalidValue, range(p),
                          what + "; a single number is written `" + v + ".." + v + "`");
      d.suggest("make it a one-number range", range(p), v + ".." + v);
      return d;
    }
    if (pk == Tok::DotDot) {
      size_t start = prev(p);
      SourceRange r =
          (kind(start) == Tok::Dial || kind(start) == Tok::Int) ? cover(start, p) : range(p);
      return expectedHere(codes::kInvalidValue, what + "; the range has no end", r);
    }
    return expectedHere(codes::kInvalidValue, what, range(kw));
  }

  // ---- test expectations --------------------------------------------------------------------
  Diagnostic expectation() const {
    size_t t = offending();
    const Frame* ex = frame(Rule::Expectation);
    size_t kw = ex ? ex->start : prev(t);
    // Point at the offending token when it is on the line of the expectation and could be a
    // misplaced value; otherwise at what was written so far.
    auto here = [&](const std::string& what) {
      Tok k = kind(t);
      bool sameLine = kind(t) != Tok::Eof && line(t) == line(kw);
      if (sameLine && k != Tok::LBrace && k != Tok::RBrace && k != Tok::At && !isKw(t, "dial") &&
          !(isKw(t, "park") && innermost() != Rule::DialResult))
        return make(codes::kBadExpectation, range(t), what + ", found " + show(t));
      size_t p = prev(t);
      return make(codes::kBadExpectation, p != kNone && p >= kw ? cover(kw, p) : range(kw), what);
    };
    const Frame& f = ev_.stack.front();
    switch (f.rule) {
      case Rule::Caller:
        if (t == f.start)
          return here(
              "expected who dials: `as \"sip:alice@contoso.com\"` or `with dialplan site "
              "\"Dublin\"`");
        if (isKw(f.start, "as"))
          return here(
              "`as` needs a user's SIP address in double quotes, like `as "
              "\"sip:alice@contoso.com\"`");
        return here("expected `with dialplan` and a scope, like `with dialplan site \"Dublin\"`");
      case Rule::DialResult:
        if (t == f.start) {
          if (isKw(t, "allowed") || isKw(t, "denied"))
            return make(codes::kBadExpectation, range(t),
                        "`allowed` and `denied` are results of `park as ...`; a `dial` expects "
                        "`orbit \"Name\"`, a number in double quotes, `park pool \"fqdn\"` or "
                        "`not_ours`");
          return here(
              "a `dial` expects `orbit \"Name\"`, a number in double quotes (optionally "
              "`internal`), `park pool \"fqdn\"` or `not_ours`");
        }
        if (isKw(f.start, "orbit"))
          return here(
              "`=> orbit` needs the orbit's name in double quotes, like `=> orbit \"Redmond CPO "
              "1\"`");
        if (expectsKeyword("pool"))
          return here("expected `=> park pool \"fqdn\"`: the pool whose park service answers");
        return here(
            "`park pool` needs the pool name in double quotes, like `=> park pool "
            "\"redmond-fe01.contoso.com\"`");
      case Rule::ParkResult:
        return here("`park as ...` expects `allowed` or `denied`");
      case Rule::DialString:
      case Rule::Dial:
        return here("`dial` needs the number to dial in double quotes, like `dial \"*3001\"`");
      default:
        break;
    }
    if (expects(Tok::Arrow)) return here("expected `=>` and the expected result");
    return here(
        "expected a test line like `dial \"*3001\" as \"sip:alice@contoso.com\" => orbit "
        "\"Redmond CPO 1\"`");
  }

  // ---- annotations --------------------------------------------------------------------------
  Diagnostic annotation() const {
    size_t t = offending();
    const Frame* f = frame(Rule::Annotation);
    size_t at = f ? f->start : prev(t);
    size_t p = prev(t);
    const char* code = codes::kBadAnnotation;
    if (p == at) {
      Tok k = kind(t);
      if (k == Tok::Ident || k == Tok::Keyword || k == Tok::Word) {
        std::string w(text(t));
        std::string m = "unknown annotation `@" + w + "`";
        if (!closestMatch(w, {"allow"}).empty())
          m += "; did you mean `@allow`?";
        else
          m += "; the only annotation is `@allow(CP404, \"reason\")`";
        return make(code, cover(at, t), m);
      }
      return make(code, range(at), "`@` starts an annotation like `@allow(CP404, \"reason\")`");
    }
    if (isKw(p, "allow"))
      return make(code, cover(at, p),
                  "`@allow` needs the rule code and a reason in parentheses, like "
                  "`@allow(CP404, \"legacy range\")`");
    if (kind(p) == Tok::LParen) {
      if (valueLike(t) && kind(t) != Tok::RParen)
        return make(code, range(t), "`@allow` needs a rule code like `CP404`, found " + show(t));
      return make(code, range(p), "`@allow` needs a rule code like `CP404`");
    }
    if (kind(p) == Tok::Ident || kind(p) == Tok::Word || kind(p) == Tok::Comma) {
      size_t c = kind(p) == Tok::Comma ? prev(p) : p;
      std::string cv(text(c));
      std::string m = "`@allow(" + cv + ")` needs a reason in double quotes: `@allow(" + cv +
                      ", \"why this is accepted\")`";
      if (kind(p) == Tok::Comma && valueLike(t) && kind(t) != Tok::RParen)
        return make(code, range(t), m + ", found " + show(t));
      return make(code, range(c), m);
    }
    if (kind(p) == Tok::String)
      return make(code, range(p), "`@allow(...)` is missing its closing `)`");
    return make(code, range(at), "`@allow` is written `@allow(CP404, \"reason\")`");
  }

  // ---- last resort --------------------------------------------------------------------------
  static std::string word(const Expected& x) {
    switch (x.kind) {
      case Tok::Keyword:
        return "`" + x.keyword + "`";
      case Tok::LBrace:
        return "`{`";
      case Tok::RBrace:
        return "`}`";
      case Tok::LParen:
        return "`(`";
      case Tok::RParen:
        return "`)`";
      case Tok::Comma:
        return "`,`";
      case Tok::At:
        return "an annotation `@allow(...)`";
      case Tok::Arrow:
        return "`=>`";
      case Tok::DotDot:
        return "`..`";
      case Tok::Duration:
        return "a duration like `90s`";
      case Tok::Int:
        return "a whole number";
      case Tok::Dial:
        return "a dial string like `*3000`";
      case Tok::Ident:
        return "a word";
      case Tok::Word:
        return "a name";
      case Tok::String:
        return "a string in double quotes";
      case Tok::Raw:
        return "a single-quoted pattern";
      case Tok::Eof:
        return "the end of the file";
      default:
        return "something else";
    }
  }

  Diagnostic fallback() const {
    size_t t = offending();
    std::vector<std::string> words;
    for (const Expected& x : ev_.expected) {
      std::string w = word(x);
      if (std::find(words.begin(), words.end(), w) == words.end()) words.push_back(w);
    }
    std::string m = "unexpected " + show(t);
    if (!words.empty()) {
      if (words.size() > 6) {
        words.resize(6);
        words.back() = "...";
      }
      m += "; expected ";
      for (size_t i = 0; i < words.size(); ++i) {
        if (i) m += i + 1 == words.size() ? " or " : ", ";
        m += words[i];
      }
    }
    return make(codes::kUnexpected, range(t), m);
  }

  const SyntaxEvent& ev_;
  const SyntaxSource& src_;
  const Frame* block_ = nullptr;
};

}  // namespace

Diagnostic describeSyntaxError(const SyntaxEvent& event, const SyntaxSource& src) {
  return Describer(event, src).run();
}

}  // namespace callpark::parse::internal

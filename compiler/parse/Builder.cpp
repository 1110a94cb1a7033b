// The AST builder.
//
// How it works. The ANTLR stage hands over a tree whose inner nodes are `{ ... }` blocks and
// whose leaves are tokens. Newlines mean nothing in the language, so what separates one setting
// from the next is knowledge of the keywords: each block kind has a table of item keywords, and
// each keyword knows which values it takes. The builder walks a block's elements with a Cursor;
// an item keyword consumes its values, anything else is reported and skipped up to the next
// item keyword of that block (panic-mode recovery at item granularity), so one mistake gives
// one diagnostic and every mistake of the file is found.
//
// Missing `}`. When a block is not closed, ANTLR's tree makes the rest of the file its
// children. Inside such a block, a keyword that starts a declaration (and is not an item of
// that block) means the block ended there: CP102 is reported at the block's `{` with a note at
// that keyword, and the remaining elements are handed back to the enclosing level (the Cursor
// keeps a stack of element lists for this), so the next declarations parse normally. A `rule`
// inside a rule means the first rule was not closed; its leftover goes back to the dial plan.
//
// Every message names what was expected in the language's terms; ANTLR's own messages never
// reach the user (the grammar is total, see grammar/Park.g4).
#include "compiler/parse/Builder.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <map>
#include <set>

#include "compiler/parse/Codes.h"
#include "compiler/support/Strings.h"

namespace callpark::parse {
namespace {

using internal::Element;
using internal::kNone;
using internal::Tok;
using internal::Token;

enum class Kind { Top, Site, Orbit, ParkAccess, ParkSettings, VoicePolicy, DialPlan, Rule, User,
                  Test };

const char* kindKeyword(Kind k) {
  switch (k) {
    case Kind::Top: return "file";
    case Kind::Site: return "site";
    case Kind::Orbit: return "orbit";
    case Kind::ParkAccess: return "park_access";
    case Kind::ParkSettings: return "park_settings";
    case Kind::VoicePolicy: return "voice_policy";
    case Kind::DialPlan: return "dialplan";
    case Kind::Rule: return "rule";
    case Kind::User: return "user";
    case Kind::Test: return "test";
  }
  return "block";
}

const std::vector<std::string>& topKeywords() {
  static const std::vector<std::string> k = {"site",     "orbit", "park_access", "park_settings",
                                             "voice_policy", "dialplan", "user", "users",
                                             "test"};
  return k;
}

const std::vector<std::string>& itemKeywords(Kind k) {
  static const std::vector<std::string> none;
  static const std::vector<std::string> site = {"pool"};
  static const std::vector<std::string> orbit = {"numbers", "pool", "type", "allocation"};
  static const std::vector<std::string> access = {"pool"};
  static const std::vector<std::string> settings = {"pickup_timeout", "max_pickup_attempts",
                                                    "music_on_hold", "on_timeout", "music_file"};
  static const std::vector<std::string> voice = {"call_park"};
  static const std::vector<std::string> dialplan = {"external_access_prefix",
                                                    "optimize_device_dialing", "description",
                                                    "rule"};
  static const std::vector<std::string> rule = {"pattern", "translation", "priority",
                                                "internal_extension", "description"};
  static const std::vector<std::string> user = {"pool", "line", "voice_policy", "dialplan"};
  static const std::vector<std::string> test = {"dial", "park"};
  switch (k) {
    case Kind::Top: return topKeywords();
    case Kind::Site: return site;
    case Kind::Orbit: return orbit;
    case Kind::ParkAccess: return access;
    case Kind::ParkSettings: return settings;
    case Kind::VoicePolicy: return voice;
    case Kind::DialPlan: return dialplan;
    case Kind::Rule: return rule;
    case Kind::User: return user;
    case Kind::Test: return test;
  }
  return none;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// "`a`, `b` or `c`"
std::string listOf(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += i + 1 == v.size() ? " or " : ", ";
    s += "`" + v[i] + "`";
  }
  return s;
}

// A stack of element lists: the block's own children at the bottom, leftovers of an unclosed
// inner block (which belong to this level) on top.
class Cursor {
 public:
  struct Frame {
    const std::vector<Element>* list;
    size_t i;
  };
  explicit Cursor(const std::vector<Element>& list) { frames_.push_back({&list, 0}); }

  const Element* peek(size_t k = 0) const {
    for (size_t f = frames_.size(); f-- > 0;) {
      size_t rem = frames_[f].list->size() - frames_[f].i;
      if (k < rem) return &(*frames_[f].list)[frames_[f].i + k];
      k -= rem;
    }
    return nullptr;
  }
  void next() {
    while (!frames_.empty() && frames_.back().i >= frames_.back().list->size()) frames_.pop_back();
    if (!frames_.empty()) ++frames_.back().i;
  }
  std::vector<Frame> rest() const { return frames_; }
  void push(const std::vector<Frame>& frames) {
    frames_.insert(frames_.end(), frames.begin(), frames.end());
  }

 private:
  std::vector<Frame> frames_;
};
using Leftover = std::vector<Cursor::Frame>;

class Builder {
 public:
  Builder(const SourceManager& sm, FileId file, const internal::Structure& st,
          DiagnosticEngine& diags, ast::PolicyAst& out, const ParseLimits& limits)
      : sm_(sm), file_(file), text_(sm.text(file)), st_(st), diags_(diags), out_(out),
        limits_(limits) {}

  size_t run() {
    lexicalErrors();
    Cursor c(st_.top);
    parseTop(c);
    return errors_;
  }

 private:
  // ---- tokens and ranges ------------------------------------------------------------------
  const Token& tok(size_t i) const { return st_.tokens[i]; }
  std::string_view text(size_t i) const {
    const Token& t = tok(i);
    return std::string_view(text_).substr(t.begin, t.end - t.begin);
  }
  SourceRange range(size_t i) const { return sm_.rangeOf(file_, tok(i).begin, tok(i).end); }
  SourceRange range(const Element& e) const { return range(e.tok); }
  uint32_t line(size_t i) const { return sm_.rangeOf(file_, tok(i).begin, tok(i).begin).line; }
  SourceRange eofRange() const { return sm_.rangeOf(file_, text_.size(), text_.size()); }
  bool isTok(const Element* e, Tok k) const { return e && !e->isBlock && tok(e->tok).kind == k; }
  bool isIdent(const Element* e, std::string_view word) const {
    return isTok(e, Tok::Ident) && text(e->tok) == word;
  }
  // How a token is quoted in a message.
  std::string show(const Element* e) const {
    if (!e) return "the end of the block";
    if (e->isBlock) return "`{`";
    std::string_view t = text(e->tok);
    if (t.size() > 40) return "`" + std::string(t.substr(0, 37)) + "...`";
    return "`" + std::string(t) + "`";
  }

  // ---- diagnostics ------------------------------------------------------------------------
  Diagnostic& error(const char* code, SourceRange r, std::string msg) {
    if (stopped_) return sink_;
    // An unterminated string garbles the rest of its line; only the string itself is reported.
    if (std::string_view(code) != codes::kUnterminatedString && r.valid() &&
        untermLines_.count(r.line))
      return sink_;
    if (errors_ >= limits_.maxErrorsPerFile) {
      stopped_ = true;
      diags_.report(codes::kTooManyErrors, Severity::Note, r,
                    "too many syntax errors in this file (" + std::to_string(errors_) +
                        "); stopped looking for more");
      return sink_;
    }
    ++errors_;
    return diags_.report(code, Severity::Error, r, std::move(msg));
  }

  void lexicalErrors() {
    for (const Token& t : st_.tokens)
      if (t.kind == Tok::UntermString || t.kind == Tok::UntermRaw)
        untermLines_.insert(sm_.rangeOf(file_, t.begin, t.begin).line);
    for (size_t i : st_.lexErrors) {
      const Token& t = tok(i);
      if (t.kind == Tok::UntermComment) {
        error(codes::kUnterminatedComment, sm_.rangeOf(file_, t.begin, t.begin + 2),
              "this `/*` comment is never closed; add `*/` where it should end")
            .note(eofRange(), "the file ends inside the comment");
      } else {
        strayCharacter(i);
      }
    }
    for (size_t i = 0; i < st_.tokens.size(); ++i) {
      const Token& t = tok(i);
      if (t.kind == Tok::UntermString || t.kind == Tok::UntermRaw) {
        char q = t.kind == Tok::UntermString ? '"' : '\'';
        error(codes::kUnterminatedString, range(i),
              std::string("this string is missing its closing `") + q +
                  "` (strings end on the line they start)");
      }
      if (t.kind == Tok::String || t.kind == Tok::UntermString) checkEscapes(i);
    }
  }

  void strayCharacter(size_t i) {
    std::string_view ch = text(i);
    std::string shown;
    unsigned char c0 = ch.empty() ? 0 : static_cast<unsigned char>(ch[0]);
    if (c0 < 0x20 || c0 == 0x7f) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "U+%04X", c0);
      shown = buf;
    } else {
      shown = "`" + std::string(ch) + "`";
    }
    std::string msg = "stray character " + shown + " is not part of the policy language";
    if (ch == ";") msg += "; settings need no `;` between them";
    else if (ch == "=") msg += "; a test expectation uses `=>`";
    else if (ch == ".") msg += "; a range is written `*3000..*3099`";
    else if (ch == "\xE2\x80\x9C" || ch == "\xE2\x80\x9D" || ch == "\xE2\x80\x98" ||
             ch == "\xE2\x80\x99")
      msg += "; strings use straight quotes `\"` or `'`";
    error(codes::kStrayCharacter, range(i), msg);
  }

  void checkEscapes(size_t i) {
    std::string_view t = text(i);
    for (size_t k = 1; k < t.size(); ++k) {
      if (t[k] != '\\') continue;
      if (k + 1 >= t.size()) break;
      char n = t[k + 1];
      if (n != '"' && n != '\\') {
        size_t b = tok(i).begin + k;
        size_t len = 2;
        while (b + len < tok(i).begin + t.size() && (static_cast<unsigned char>(text_[b + len]) & 0xC0) == 0x80) ++len;
        error(codes::kInvalidEscape, sm_.rangeOf(file_, b, b + len),
              "`" + std::string(text_.substr(b, len)) +
                  "` is not an escape in a double-quoted string (only `\\\"` and `\\\\` are); "
                  "write regex patterns and translations as single-quoted raw strings, "
                  "like '^(\\d{4})$'");
      }
      ++k;
    }
  }

  // ---- values -----------------------------------------------------------------------------
  // The text of a string token: unescaped for double quotes, raw for single quotes.
  std::string stringValue(size_t i) const {
    std::string_view t = text(i);
    const Token& k = tok(i);
    bool closed = k.kind == Tok::String || k.kind == Tok::Raw;
    std::string_view body = t.substr(1, t.size() - (closed ? 2 : 1));
    if (k.kind == Tok::Raw || k.kind == Tok::UntermRaw) return std::string(body);
    std::string s;
    for (size_t j = 0; j < body.size(); ++j) {
      if (body[j] == '\\' && j + 1 < body.size() && (body[j + 1] == '"' || body[j + 1] == '\\')) {
        s += body[++j];
      } else {
        s += body[j];
      }
    }
    return s;
  }
  bool isDouble(const Element* e) const {
    return isTok(e, Tok::String) || isTok(e, Tok::UntermString);
  }
  bool isRaw(const Element* e) const { return isTok(e, Tok::Raw) || isTok(e, Tok::UntermRaw); }
  bool isDial(const Element* e) const {
    if (isTok(e, Tok::Dial)) return true;
    return isTok(e, Tok::Int) && text(e->tok)[0] != '-';
  }
  ast::Str strOf(const Element* e) {
    return ast::Str{isDouble(e) || isRaw(e) ? stringValue(e->tok) : std::string(text(e->tok)),
                    range(*e)};
  }

  // Whether `e` can be taken as the (wrong) value of the setting just read: anything but a
  // block, an annotation or a keyword that starts the next item of the current block.
  bool valueLike(const Element* e) const {
    if (!e || e->isBlock) return false;
    Tok k = tok(e->tok).kind;
    if (k == Tok::At || k == Tok::RBrace) return false;
    if (k == Tok::Ident) {
      std::string_view w = text(e->tok);
      if (contains(itemKeywords(kind_), w) || contains(topKeywords(), w)) return false;
    }
    return true;
  }

  // Reports a bad or missing value. The offending token (if it looks like a value) is consumed.
  void badValue(Cursor& c, const char* code, SourceRange kw, const std::string& what) {
    const Element* e = c.peek();
    if (valueLike(e)) {
      error(code, range(*e), what + ", found " + show(e));
      consume(c);
      // `numbers 7000-7099 x`: swallow the rest of a garbled value on the same line.
    } else {
      error(code, kw, what);
    }
  }

  void consume(Cursor& c) {
    if (const Element* e = c.peek()) last_ = e->isBlock ? (e->close != kNone ? e->close : e->tok) : e->tok;
    c.next();
  }

  std::optional<ast::Str> valString(Cursor& c, SourceRange kw, const std::string& what,
                                    bool allowDial = false, bool allowRaw = false) {
    const Element* e = c.peek();
    if (isDouble(e) || (allowRaw && isRaw(e)) || (allowDial && isDial(e))) {
      ast::Str s = strOf(e);
      consume(c);
      return s;
    }
    if (isRaw(e)) {
      error(codes::kInvalidValue, range(*e), what + "; single-quoted raw strings are only for "
                                                    "patterns and translations");
      consume(c);
      return std::nullopt;
    }
    if ((isTok(e, Tok::Word) || isTok(e, Tok::Ident) || isDial(e)) && valueLike(e)) {
      std::string t(text(e->tok));
      error(codes::kInvalidValue, range(*e), what + ", found `" + t + "` without quotes")
          .suggest("put it in double quotes", range(*e), "\"" + t + "\"");
      consume(c);
      return std::nullopt;
    }
    badValue(c, codes::kInvalidValue, kw, what);
    return std::nullopt;
  }

  std::optional<ast::Str> valIdent(Cursor& c, SourceRange kw, const std::string& what) {
    const Element* e = c.peek();
    if (isTok(e, Tok::Ident) && valueLike(e)) {
      ast::Str s = strOf(e);
      consume(c);
      return s;
    }
    if (isDouble(e)) {
      error(codes::kInvalidValue, range(*e),
            what + "; write `" + stringValue(e->tok) + "` without quotes");
      consume(c);
      return std::nullopt;
    }
    badValue(c, codes::kInvalidValue, kw, what);
    return std::nullopt;
  }

  std::optional<ast::Bool> valBool(Cursor& c, SourceRange kw, std::string_view name) {
    const Element* e = c.peek();
    std::string what = "`" + std::string(name) + "` needs `on` or `off`";
    if (isTok(e, Tok::Ident)) {
      std::string_view w = text(e->tok);
      if (w == "on" || w == "true" || w == "off" || w == "false") {
        ast::Bool b{w == "on" || w == "true", range(*e)};
        consume(c);
        return b;
      }
    }
    if (isDouble(e)) {
      error(codes::kInvalidBoolean, range(*e), what + " without quotes, found " + show(e));
      consume(c);
      return std::nullopt;
    }
    badValue(c, codes::kInvalidBoolean, kw, what + " (or `true` / `false`)");
    return std::nullopt;
  }

  std::optional<ast::Int> valInt(Cursor& c, SourceRange kw, std::string_view name,
                                 std::string_view example) {
    const Element* e = c.peek();
    std::string what =
        "`" + std::string(name) + "` needs a whole number, like `" + std::string(example) + "`";
    if (isTok(e, Tok::Int)) {
      std::string_view t = text(e->tok);
      int64_t v = 0;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      if (ec != std::errc() || p != t.data() + t.size()) {
        error(codes::kInvalidNumber, range(*e), "`" + std::string(t) + "` is too large a number");
        consume(c);
        return std::nullopt;
      }
      ast::Int i{v, range(*e)};
      consume(c);
      return i;
    }
    badValue(c, codes::kInvalidNumber, kw, what);
    return std::nullopt;
  }

  // Parses `90s`, `1m30s`, `1h`, `00:01:30`. Returns false with *why set when malformed.
  static bool parseDuration(std::string_view t, int64_t& secs, std::string& why) {
    const int64_t kMax = int64_t{1} << 40;
    secs = 0;
    if (t.find(':') != std::string_view::npos) {
      std::vector<int64_t> parts;
      size_t b = 0;
      while (true) {
        size_t e = t.find(':', b);
        std::string_view p = t.substr(b, e == std::string_view::npos ? t.npos : e - b);
        if (p.empty() || p.size() > 9) {
          why = "the parts of a clock duration are `hh:mm:ss`";
          return false;
        }
        int64_t v = 0;
        std::from_chars(p.data(), p.data() + p.size(), v);
        parts.push_back(v);
        if (e == std::string_view::npos) break;
        b = e + 1;
      }
      if (parts.size() != 3) {
        why = "a clock duration has three parts, `hh:mm:ss`";
        return false;
      }
      if (parts[1] > 59 || parts[2] > 59) {
        why = "minutes and seconds go up to 59";
        return false;
      }
      secs = parts[0] * 3600 + parts[1] * 60 + parts[2];
      return true;
    }
    const std::string order = "hms";
    size_t lastUnit = 0;  // index+1 in order of the previous unit
    size_t i = 0;
    while (i < t.size()) {
      size_t b = i;
      while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
      if (i == b || i >= t.size() || i - b > 9) {
        why = "each number needs a unit `h`, `m` or `s`";
        return false;
      }
      size_t u = order.find(t[i]);
      if (u == std::string::npos) {
        why = "the units are `h`, `m` and `s`";
        return false;
      }
      if (u + 1 <= lastUnit) {
        why = "units go from hours to seconds, each once (`1h30m`, `1m30s`)";
        return false;
      }
      lastUnit = u + 1;
      int64_t v = 0;
      std::from_chars(t.data() + b, t.data() + i, v);
      secs += v * (u == 0 ? 3600 : u == 1 ? 60 : 1);
      if (secs > kMax) {
        why = "the duration is far too long";
        return false;
      }
      ++i;
    }
    return true;
  }

  std::optional<ast::Duration> valDuration(Cursor& c, SourceRange kw, std::string_view name) {
    const Element* e = c.peek();
    const std::string what = "expected a duration like `90s`, `1m30s` or `00:01:30`";
    if (isTok(e, Tok::Duration)) {
      std::string_view t = text(e->tok);
      int64_t secs = 0;
      std::string why;
      if (parseDuration(t, secs, why)) {
        ast::Duration d{ast::DurationValue{secs, std::string(t)}, range(*e)};
        consume(c);
        return d;
      }
      error(codes::kInvalidDuration, range(*e), "`" + std::string(t) + "` is not a valid duration: " + why);
      consume(c);
      return std::nullopt;
    }
    if (isTok(e, Tok::Int)) {
      std::string t(text(e->tok));
      error(codes::kInvalidDuration, range(*e),
            "`" + t + "` needs a unit; " + what + " (seconds: `" + t + "s`)")
          .suggest("add the unit", range(*e), t + "s");
      consume(c);
      return std::nullopt;
    }
    badValue(c, codes::kInvalidDuration, kw, what + " after `" + std::string(name) + "`");
    return std::nullopt;
  }

  std::optional<ast::DialRange> valRange(Cursor& c, SourceRange kw) {
    const std::string what = "`numbers` needs a range like `*3000..*3099`";
    const Element* a = c.peek();
    if (!isDial(a)) {
      if (isTok(a, Tok::Word) && text(a->tok).find('-') != std::string_view::npos) {
        error(codes::kInvalidValue, range(*a), what + "; ranges are written with `..`, found " + show(a));
        consume(c);
        return std::nullopt;
      }
      if (isDouble(a)) {
        error(codes::kInvalidValue, range(*a), what + " (dial strings, without quotes), found " + show(a));
        consume(c);
        return std::nullopt;
      }
      badValue(c, codes::kInvalidValue, kw, what);
      return std::nullopt;
    }
    ast::Str start = strOf(a);
    consume(c);
    if (!isTok(c.peek(), Tok::DotDot)) {
      error(codes::kInvalidValue, start.range,
            what + "; a single number is written `" + start.value + ".." + start.value + "`")
          .suggest("make it a one-number range", start.range, start.value + ".." + start.value);
      return std::nullopt;
    }
    consume(c);
    const Element* b = c.peek();
    if (!isDial(b)) {
      badValue(c, codes::kInvalidValue, start.range, what + "; the range has no end");
      return std::nullopt;
    }
    ast::Str end = strOf(b);
    consume(c);
    return ast::DialRange{start, end, SourceRange::cover(start.range, end.range)};
  }

  // `global` | `site "X"` | `pool "X"` | `"tag"`
  std::optional<ast::Scope> parseScope(Cursor& c, SourceRange kw, std::string_view owner) {
    const Element* e = c.peek();
    ast::Scope s;
    if (isIdent(e, "global")) {
      s.kind = ast::Scope::Global;
      s.range = range(*e);
      consume(c);
      return s;
    }
    if (isIdent(e, "site") || isIdent(e, "pool")) {
      s.kind = isIdent(e, "site") ? ast::Scope::Site : ast::Scope::Pool;
      SourceRange r = range(*e);
      std::string word(text(e->tok));
      consume(c);
      if (!isDouble(c.peek())) {
        badValue(c, codes::kUnexpected, r,
                 "`" + word + "` needs a " + word + " name in double quotes, like `" + word +
                     (word == "site" ? " \"Dublin\"`" : " \"dublin-fe01.contoso.com\"`"));
        return std::nullopt;
      }
      s.name = strOf(c.peek());
      consume(c);
      s.range = SourceRange::cover(r, s.name.range);
      return s;
    }
    if (isDouble(e)) {
      s.kind = ast::Scope::Tag;
      s.name = strOf(e);
      s.range = s.name.range;
      consume(c);
      return s;
    }
    std::string what = "`" + std::string(owner) +
                       "` needs a scope: `global`, `site \"Name\"`, `pool \"fqdn\"` or a tag name "
                       "in double quotes";
    const Element* n = c.peek();
    if (n && !n->isBlock && valueLike(n)) {
      error(codes::kUnexpected, range(*n), what + ", found " + show(n));
      consume(c);
    } else {
      error(codes::kUnexpected, kw, what);
    }
    return std::nullopt;
  }

  // ---- annotations ------------------------------------------------------------------------
  // At `@`: parses `@allow(CODE, "reason")` into pending_ (when well-formed enough).
  void parseAnnotation(Cursor& c) {
    const Element* at = c.peek();
    SourceRange start = range(*at);
    consume(c);
    const Element* name = c.peek();
    if (!isIdent(name, "allow")) {
      if (isTok(name, Tok::Ident)) {
        std::string w(text(name->tok));
        std::string m = "unknown annotation `@" + w + "`";
        if (!closestMatch(w, {"allow"}).empty()) m += "; did you mean `@allow`?";
        else m += "; the only annotation is `@allow(CP404, \"reason\")`";
        error(codes::kBadAnnotation, SourceRange::cover(start, range(*name)), m);
        consume(c);
      } else {
        error(codes::kBadAnnotation, start,
              "`@` starts an annotation like `@allow(CP404, \"reason\")`");
      }
      skipAnnotationRest(c);
      return;
    }
    consume(c);
    ast::Annotation a;
    if (!isTok(c.peek(), Tok::LParen)) {
      error(codes::kBadAnnotation, SourceRange::cover(start, range(last_)),
            "`@allow` needs the rule code and a reason in parentheses, like "
            "`@allow(CP404, \"legacy range\")`");
      return;
    }
    consume(c);
    const Element* code = c.peek();
    std::string_view ct = code && !code->isBlock ? text(code->tok) : std::string_view{};
    bool codeOk = isTok(code, Tok::Ident) && ct.size() == 5 && (ct[0] == 'C' || ct[0] == 'c') &&
                  (ct[1] == 'P' || ct[1] == 'p') &&
                  std::all_of(ct.begin() + 2, ct.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (!codeOk) {
      if (code && valueLike(code) && !isTok(code, Tok::RParen)) {
        error(codes::kBadAnnotation, range(*code),
              "`@allow` needs a rule code like `CP404`, found " + show(code));
      } else {
        error(codes::kBadAnnotation, range(last_), "`@allow` needs a rule code like `CP404`");
      }
      skipAnnotationRest(c, /*inParens=*/true);
      return;
    }
    a.code = ast::Str{toUpperCode(ct), range(*code)};
    consume(c);
    bool ok = true;
    if (isTok(c.peek(), Tok::Comma)) {
      consume(c);
      if (isDouble(c.peek())) {
        a.reason = strOf(c.peek());
        consume(c);
      } else {
        ok = false;
      }
    } else {
      ok = false;
    }
    if (!ok) {
      error(codes::kBadAnnotation, a.code.range,
            "`@allow(" + a.code.value +
                ")` needs a reason in double quotes: `@allow(" + a.code.value +
                ", \"why this is accepted\")`");
      a.reason = ast::Str{};
      // Tolerate a raw-string reason or junk up to `)`.
      while (c.peek() && !c.peek()->isBlock && valueLike(c.peek()) &&
             !isTok(c.peek(), Tok::RParen) && !isTok(c.peek(), Tok::At))
        consume(c);
    }
    if (isTok(c.peek(), Tok::RParen)) {
      consume(c);
    } else if (ok) {
      error(codes::kBadAnnotation, range(last_), "`@allow(...)` is missing its closing `)`");
    }
    a.range = SourceRange::cover(start, range(last_));
    pending_.push_back(std::move(a));
  }

  static std::string toUpperCode(std::string_view s) {
    std::string r(s);
    for (char& ch : r) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return r;
  }

  // Skips the rest of a malformed `@name(...)`: only when inside or right before `(`.
  void skipAnnotationRest(Cursor& c, bool inParens = false) {
    if (!inParens && !isTok(c.peek(), Tok::LParen)) return;
    while (const Element* e = c.peek()) {
      if (e->isBlock || !valueLike(e)) return;
      bool close = isTok(e, Tok::RParen);
      consume(c);
      if (close) return;
    }
  }

  void flushPending(const char* where) {
    for (const ast::Annotation& a : pending_)
      error(codes::kBadAnnotation, a.range,
            std::string("this `@allow` is not followed by a declaration or a rule") +
                (*where ? " " : "") + where);
    pending_.clear();
  }

  // ---- blocks -----------------------------------------------------------------------------
  // Whether the element at the cursor starts a construct of an enclosing level while inside a
  // block of kind k: a declaration keyword that is not an item of k (or, for the keywords that
  // are both, one followed by a `{`), or `rule` inside a rule.
  bool foreignStart(const Cursor& c, Kind k) const {
    const Element* e = c.peek();
    if (isTok(e, Tok::At)) return k != Kind::DialPlan;
    if (!isTok(e, Tok::Ident)) return false;
    std::string_view w = text(e->tok);
    if (k == Kind::Rule && w == "rule") return true;
    if (!contains(topKeywords(), w)) return false;
    if (!contains(itemKeywords(k), w)) return true;
    for (size_t i = 1; i <= 3; ++i) {
      const Element* n = c.peek(i);
      if (!n) return false;
      if (n->isBlock) return true;
    }
    return false;
  }

  // Skips after an error to the next item keyword of block kind k (or what ends the block).
  // Settings are written one per line by convention, so a new line also ends the skip.
  void skipToItem(Cursor& c, Kind k, bool unclosed) {
    uint32_t errLine = line(last_);
    while (const Element* e = c.peek()) {
      if (line(e->tok) > errLine) return;
      if (isTok(e, Tok::At)) return;
      if (unclosed && foreignStart(c, k)) return;
      if (k == Kind::Rule && isIdent(e, "rule")) return;
      // In a test, `park` after `=>` is part of a result, not the next line.
      if (k == Kind::Test && isIdent(e, "park") && tok(last_).kind == Tok::Arrow) {
        consume(c);
        continue;
      }
      if (isTok(e, Tok::Ident) && contains(itemKeywords(k), text(e->tok))) return;
      if (isTok(e, Tok::RBrace)) return;
      consume(c);
    }
  }

  // The block after a header, or a CP101. Returns nullptr (nothing consumed) when absent.
  const Element* expectBlock(Cursor& c, std::string_view kw, SourceRange header) {
    const Element* e = c.peek();
    if (e && e->isBlock) return e;
    std::string m = "expected `{` to open the `" + std::string(kw) + "` block";
    if (e && valueLike(e)) {
      error(codes::kUnexpected, range(*e), m + ", found " + show(e));
    } else {
      error(codes::kUnexpected, header, m);
    }
    return nullptr;
  }

  using ItemFn = bool (Builder::*)(Cursor&, size_t kwTok, std::map<std::string, SourceRange>&);

  // Parses the items of block `blk` of kind k. Returns the elements that belong to the
  // enclosing level when the block turned out to be missing its `}` (empty otherwise).
  Leftover parseBody(const Element& blk, Kind k, ItemFn item) {
    Kind savedKind = kind_;
    kind_ = k;
    Cursor c(blk.children);
    bool unclosed = blk.close == kNone;
    bool saveShift = shifted_;
    shifted_ = false;
    std::map<std::string, SourceRange> seen;
    Leftover leftover;
    while (!stopped_) {
      const Element* e = c.peek();
      if (!e) break;
      if ((unclosed && foreignStart(c, k)) || (k == Kind::Rule && isIdent(e, "rule"))) {
        if (k == Kind::Rule && !unclosed) shiftedParent_ = true;
        if (!shifted_)
          error(codes::kMissingBrace, range(blk.tok),
                std::string("this `") + kindKeyword(k) + "` block is missing its closing `}`")
              .note(range(*e), isIdent(e, "rule") ? "the next rule starts here"
                                                   : "the next declaration starts here");
        leftover = c.rest();
        unclosed = false;  // reported
        break;
      }
      if (e->isBlock) {
        error(codes::kUnexpected, range(*e),
              std::string("unexpected `{` in this `") + kindKeyword(k) +
                  "` block; a block follows a declaration or a `rule` header");
        consume(c);
        continue;
      }
      if (isTok(e, Tok::At)) {
        if (k == Kind::DialPlan) {
          parseAnnotation(c);
        } else {
          size_t before = pending_.size();
          parseAnnotation(c);
          for (size_t i = before; i < pending_.size(); ++i)
            error(codes::kBadAnnotation, pending_[i].range,
                  "`@allow` goes before a declaration or a rule, not inside this `" +
                      std::string(kindKeyword(k)) + "` block");
          pending_.resize(before);
        }
        continue;
      }
      if (isTok(e, Tok::Ident) && (this->*item)(c, e->tok, seen)) continue;
      unknownItem(c, k);
      skipToItem(c, k, unclosed);
    }
    if (!pending_.empty() && k == Kind::DialPlan) flushPending("in this dial plan");
    if (unclosed && !shifted_ && !stopped_)
      error(codes::kMissingBrace, range(blk.tok),
            std::string("this `") + kindKeyword(k) + "` block is missing its closing `}`")
          .note(eofRange(), "the file ends here");
    last_ = blk.close != kNone && leftover.empty() ? blk.close : last_;
    shifted_ = saveShift;
    kind_ = savedKind;
    return leftover;
  }

  void unknownItem(Cursor& c, Kind k) {
    const Element* e = c.peek();
    const auto& items = itemKeywords(k);
    std::string in = std::string("`") + kindKeyword(k) + "`";
    if (k == Kind::Test) {
      error(codes::kBadExpectation, range(*e),
            "expected a test line starting with `dial` or `park`, found " + show(e));
    } else if (isTok(e, Tok::Ident)) {
      std::string w(text(e->tok));
      std::string m = "unknown setting `" + w + "` in " + in;
      std::string guess = closestMatch(w, items);
      if (!guess.empty()) m += "; did you mean `" + guess + "`?";
      else m += "; it takes " + listOf(items);
      Diagnostic& d = error(codes::kUnknownSetting, range(*e), m);
      if (!guess.empty()) d.suggest("use `" + guess + "`", range(*e), guess);
    } else {
      error(codes::kUnexpected, range(*e),
            "unexpected " + show(e) + " in this " + in + " block; it takes " + listOf(items));
    }
    consume(c);
  }

  // Records a setting; reports CP106 when the block already has it. Returns true if new.
  bool once(std::map<std::string, SourceRange>& seen, const std::string& name, SourceRange r,
            Kind k) {
    auto [it, inserted] = seen.emplace(name, r);
    if (!inserted) {
      error(codes::kDuplicateSetting, r,
            "`" + name + "` is set twice in this `" + kindKeyword(k) + "` block")
          .note(it->second, "first set here");
    }
    return inserted;
  }

  template <class T>
  void setOnce(std::optional<T>& slot, std::optional<T> v, bool first) {
    if (first && v) slot = std::move(v);
  }

  // ---- item handlers (return false when the word is not an item of the block) --------------
  bool siteItem(Cursor& c, size_t kw, std::map<std::string, SourceRange>&) {
    if (text(kw) != "pool") return false;
    SourceRange r = range(kw);
    consume(c);
    if (auto s = valString(c, r, "`pool` needs a pool name in double quotes, like `pool "
                                 "\"redmond-fe01.contoso.com\"`"))
      cur_.site->pools.push_back(*s);
    return true;
  }

  bool orbitItem(Cursor& c, size_t kw, std::map<std::string, SourceRange>& seen) {
    std::string w(text(kw));
    if (!contains(itemKeywords(Kind::Orbit), w)) return false;
    SourceRange r = range(kw);
    consume(c);
    bool first = once(seen, w, r, Kind::Orbit);
    ast::OrbitDecl& o = *cur_.orbit;
    if (w == "numbers") setOnce(o.numbers, valRange(c, r), first);
    else if (w == "pool")
      setOnce(o.pool,
              valString(c, r,
                        "`pool` needs a pool name in double quotes, like `pool "
                        "\"redmond-fe01.contoso.com\"`"),
              first);
    else if (w == "type")
      setOnce(o.type, valIdent(c, r, "`type` needs `callpark` or `group_pickup`"), first);
    else
      setOnce(o.allocation,
              valIdent(c, r,
                       "`allocation` needs one of `least_recent`, `random`, `next` or `first`"),
              first);
    return true;
  }

  bool accessItem(Cursor& c, size_t kw, std::map<std::string, SourceRange>& seen) {
    if (text(kw) != "pool") return false;
    SourceRange r = range(kw);
    consume(c);
    bool first = once(seen, "pool", r, Kind::ParkAccess);
    setOnce(cur_.access->pool,
            valString(c, r,
                      "`pool` needs a pool name in double quotes, like `pool "
                      "\"redmond-fe01.contoso.com\"`"),
            first);
    return true;
  }

  bool settingsItem(Cursor& c, size_t kw, std::map<std::string, SourceRange>& seen) {
    std::string w(text(kw));
    if (!contains(itemKeywords(Kind::ParkSettings), w)) return false;
    SourceRange r = range(kw);
    consume(c);
    bool first = once(seen, w, r, Kind::ParkSettings);
    ast::ParkSettingsDecl& p = *cur_.settings;
    if (w == "pickup_timeout") setOnce(p.pickupTimeout, valDuration(c, r, w), first);
    else if (w == "max_pickup_attempts") setOnce(p.maxPickupAttempts, valInt(c, r, w, "2"), first);
    else if (w == "music_on_hold") setOnce(p.musicOnHold, valBool(c, r, w), first);
    else if (w == "on_timeout")
      setOnce(p.onTimeout,
              valString(c, r,
                        "`on_timeout` needs a SIP address in double quotes, like `on_timeout "
                        "\"sip:operator@contoso.com\"`"),
              first);
    else
      setOnce(p.musicFile,
              valString(c, r,
                        "`music_file` needs a file path in double quotes, like `music_file "
                        "\"moh/redmond.wav\"`"),
              first);
    return true;
  }

  bool voiceItem(Cursor& c, size_t kw, std::map<std::string, SourceRange>& seen) {
    if (text(kw) != "call_park") return false;
    SourceRange r = range(kw);
    consume(c);
    bool first = once(seen, "call_park", r, Kind::VoicePolicy);
    setOnce(cur_.voice->callPark, valBool(c, r, "call_park"), first);
    return true;
  }

  bool dialplanItem(Cursor& c, size_t kw, std::map<std::string, SourceRange>& seen) {
    std::string w(text(kw));
    if (!contains(itemKeywords(Kind::DialPlan), w)) return false;
    if (w == "rule") {
      parseRule(c);
      return true;
    }
    if (!pending_.empty()) flushPending("(annotations precede `rule`, not settings)");
    SourceRange r = range(kw);
    consume(c);
    bool first = once(seen, w, r, Kind::DialPlan);
    ast::DialPlanDecl& d = *cur_.dialplan;
    if (w == "external_access_prefix")
      setOnce(d.externalAccessPrefix,
              valString(c, r,
                        "`external_access_prefix` needs the prefix in double quotes, like "
                        "`external_access_prefix \"9\"`",
                        /*allowDial=*/true),
              first);
    else if (w == "optimize_device_dialing")
      setOnce(d.optimizeDeviceDialing, valBool(c, r, w), first);
    else
      setOnce(d.description,
              valString(c, r, "`description` needs text in quotes", false, /*allowRaw=*/true),
              first);
    return true;
  }

  void parseRule(Cursor& c) {
    size_t kw = c.peek()->tok;
    ast::RuleDecl rule;
    rule.keyword = range(kw);
    rule.annotations = std::move(pending_);
    pending_.clear();
    consume(c);
    bool named = false;
    if (isDouble(c.peek())) {
      rule.name = strOf(c.peek());
      consume(c);
      named = true;
    } else {
      badValue(c, codes::kUnexpected, rule.keyword,
               "`rule` needs a name in double quotes, like `rule \"4 digit\" priority 1 { ... }`");
    }
    std::map<std::string, SourceRange> seen;
    if (isIdent(c.peek(), "priority")) {
      SourceRange r = range(c.peek()->tok);
      consume(c);
      seen.emplace("priority", r);
      rule.priority = valInt(c, r, "priority", "0");
    }
    const Element* blk = expectBlock(c, "rule", SourceRange::cover(rule.keyword, range(last_)));
    if (!blk) return;
    consume(c);
    ast::RuleDecl* saved = cur_.rule;
    cur_.rule = &rule;
    ruleSeen_ = &seen;
    bool savedShift = shiftedParent_;
    shiftedParent_ = false;
    Leftover rest = parseBody(*blk, Kind::Rule, &Builder::ruleItem);
    if (shiftedParent_) shifted_ = true;  // the rule took the dial plan's `}`
    shiftedParent_ = savedShift;
    cur_.rule = saved;
    rule.range = SourceRange::cover(rule.keyword, range(last_));
    if (named) cur_.dialplan->rules.push_back(std::move(rule));
    c.push(rest);
  }

  bool ruleItem(Cursor& c, size_t kw, std::map<std::string, SourceRange>& seen0) {
    (void)seen0;
    std::map<std::string, SourceRange>& seen = *ruleSeen_;
    std::string w(text(kw));
    if (!contains(itemKeywords(Kind::Rule), w)) return false;
    SourceRange r = range(kw);
    consume(c);
    bool first = once(seen, w, r, Kind::Rule);
    ast::RuleDecl& rule = *cur_.rule;
    if (w == "pattern")
      setOnce(rule.pattern,
              valString(c, r,
                        "`pattern` needs a regular expression in single quotes, like `pattern "
                        "'^(\\d{4})$'`",
                        false, true),
              first);
    else if (w == "translation")
      setOnce(rule.translation,
              valString(c, r,
                        "`translation` needs the result in single quotes, like `translation "
                        "'+1425555$1'`",
                        false, true),
              first);
    else if (w == "priority") setOnce(rule.priority, valInt(c, r, w, "0"), first);
    else if (w == "internal_extension") {
      if (first) rule.internalExtension = r;
      const Element* n = c.peek();
      if (isIdent(n, "on") || isIdent(n, "off") || isIdent(n, "true") || isIdent(n, "false")) {
        error(codes::kUnexpected, range(*n),
              "`internal_extension` is a flag and takes no value; write `internal_extension` "
              "alone, or leave it out");
        consume(c);
      }
    } else
      setOnce(rule.description,
              valString(c, r, "`description` needs text in quotes", false, true), first);
    return true;
  }

  bool userItem(Cursor& c, size_t kw, std::map<std::string, SourceRange>& seen) {
    std::string w(text(kw));
    if (!contains(itemKeywords(Kind::User), w)) return false;
    SourceRange r = range(kw);
    consume(c);
    bool first = once(seen, w, r, Kind::User);
    ast::UserDecl& u = *cur_.user;
    if (w == "pool")
      setOnce(u.pool,
              valString(c, r, "`pool` needs a pool name in double quotes, like `pool "
                              "\"redmond-fe01.contoso.com\"`"),
              first);
    else if (w == "line")
      setOnce(u.line,
              valString(c, r, "`line` needs a tel URI in double quotes, like `line "
                              "\"tel:+14255551000;ext=1000\"`"),
              first);
    else if (w == "voice_policy")
      setOnce(u.voicePolicy,
              valString(c, r, "`voice_policy` needs a policy tag in double quotes, like "
                              "`voice_policy \"Reception\"`"),
              first);
    else
      setOnce(u.dialplan,
              valString(c, r, "`dialplan` needs a dial plan tag in double quotes, like "
                              "`dialplan \"RedmondReception\"`"),
              first);
    return true;
  }

  // ---- test expectations ------------------------------------------------------------------
  bool testItem(Cursor& c, size_t kw, std::map<std::string, SourceRange>&) {
    std::string w(text(kw));
    if (w != "dial" && w != "park") return false;
    ast::Expectation x;
    SourceRange r = range(kw);
    consume(c);
    auto fail = [&](const std::string& what) {
      const Element* e = c.peek();
      if (e && !e->isBlock && !isTok(e, Tok::At) && !isIdent(e, "dial") &&
          !isIdent(e, "park") && line(e->tok) == line(last_)) {
        error(codes::kBadExpectation, range(*e), what + ", found " + show(e));
      } else {
        error(codes::kBadExpectation, SourceRange::cover(r, range(last_)), what);
      }
      skipToItem(c, Kind::Test, false);
      return true;
    };
    if (w == "dial") {
      x.kind = ast::Expectation::Dial;
      const Element* n = c.peek();
      if (isDouble(n) || isDial(n)) {
        x.number = strOf(n);
        consume(c);
      } else {
        return fail("`dial` needs the number to dial in double quotes, like `dial \"*3001\"`");
      }
    } else {
      x.kind = ast::Expectation::Park;
    }
    // The caller.
    if (isIdent(c.peek(), "as")) {
      consume(c);
      if (!isDouble(c.peek()))
        return fail("`as` needs a user's SIP address in double quotes, like `as "
                    "\"sip:alice@contoso.com\"`");
      x.asUser = strOf(c.peek());
      consume(c);
    } else if (isIdent(c.peek(), "with")) {
      consume(c);
      if (!isIdent(c.peek(), "dialplan"))
        return fail("expected `with dialplan` and a scope, like `with dialplan site \"Dublin\"`");
      SourceRange dr = range(c.peek()->tok);
      consume(c);
      auto s = parseScope(c, dr, "with dialplan");
      if (!s) {
        skipToItem(c, Kind::Test, false);
        return true;
      }
      x.withDialPlan = *s;
    } else {
      return fail("expected who dials: `as \"sip:alice@contoso.com\"` or `with dialplan site "
                  "\"Dublin\"`");
    }
    if (!isTok(c.peek(), Tok::Arrow)) return fail("expected `=>` and the expected result");
    consume(c);
    const Element* res = c.peek();
    if (!res || res->isBlock) return fail("expected the result after `=>`");
    SourceRange rs = range(*res);
    if (x.kind == ast::Expectation::Park) {
      if (isIdent(res, "allowed") || isIdent(res, "denied")) {
        x.result = isIdent(res, "allowed") ? ast::Expectation::Allowed : ast::Expectation::Denied;
        consume(c);
      } else {
        return fail("`park as ...` expects `allowed` or `denied`");
      }
    } else if (isIdent(res, "orbit")) {
      consume(c);
      if (!isDouble(c.peek()))
        return fail("`=> orbit` needs the orbit's name in double quotes, like `=> orbit "
                    "\"Redmond CPO 1\"`");
      x.result = ast::Expectation::Orbit;
      x.resultName = strOf(c.peek());
      consume(c);
    } else if (isIdent(res, "park")) {
      consume(c);
      if (!isIdent(c.peek(), "pool"))
        return fail("expected `=> park pool \"fqdn\"`: the pool whose park service answers");
      consume(c);
      if (!isDouble(c.peek()))
        return fail("`park pool` needs the pool name in double quotes, like `=> park pool "
                    "\"redmond-fe01.contoso.com\"`");
      x.result = ast::Expectation::ParkPool;
      x.resultName = strOf(c.peek());
      consume(c);
    } else if (isIdent(res, "not_ours")) {
      x.result = ast::Expectation::NotOurs;
      consume(c);
    } else if (isDouble(res)) {
      x.result = ast::Expectation::Number;
      x.resultName = strOf(res);
      consume(c);
      if (isIdent(c.peek(), "internal")) {
        x.internal = true;
        consume(c);
      }
    } else if (isIdent(res, "allowed") || isIdent(res, "denied")) {
      return fail("`allowed` and `denied` are results of `park as ...`; a `dial` expects "
                  "`orbit \"Name\"`, a number in double quotes, `park pool \"fqdn\"` or "
                  "`not_ours`");
    } else {
      return fail("a `dial` expects `orbit \"Name\"`, a number in double quotes (optionally "
                  "`internal`), `park pool \"fqdn\"` or `not_ours`");
    }
    x.resultRange = SourceRange::cover(rs, range(last_));
    x.range = SourceRange::cover(r, range(last_));
    cur_.test->expectations.push_back(std::move(x));
    return true;
  }

  // ---- declarations -----------------------------------------------------------------------
  template <class D>
  void startDecl(D& d, size_t kw) {
    d.keyword = range(kw);
    d.annotations = std::move(pending_);
    pending_.clear();
  }

  // Parses a declaration's block (already checked present) and pushes leftovers.
  template <class D>
  void body(Cursor& c, D& d, Kind k, ItemFn fn) {
    const Element* blk = c.peek();
    consume(c);
    Leftover rest = parseBody(*blk, k, fn);
    d.range = SourceRange::cover(d.keyword, range(last_));
    c.push(rest);
  }

  // A quoted name after the keyword, or a CP101 (nothing consumed unless value-like).
  std::optional<ast::Str> declName(Cursor& c, std::string_view kw, SourceRange r,
                                   std::string_view example) {
    if (isDouble(c.peek())) {
      ast::Str s = strOf(c.peek());
      consume(c);
      return s;
    }
    badValue(c, codes::kUnexpected, r,
             "`" + std::string(kw) + "` needs a name in double quotes, like `" +
                 std::string(kw) + " " + std::string(example) + " { ... }`");
    return std::nullopt;
  }

  void parseDecl(Cursor& c) {
    size_t kw = c.peek()->tok;
    std::string w(text(kw));
    SourceRange r = range(kw);
    consume(c);
    if (w == "users") {
      ast::UsersFromDecl u;
      startDecl(u, kw);
      if (!isIdent(c.peek(), "from")) {
        badValue(c, codes::kUnexpected, r,
                 "expected `users from \"users.json\"` (the file of a `Get-CsUser` export)");
        return;
      }
      consume(c);
      if (!isDouble(c.peek())) {
        badValue(c, codes::kUnexpected, SourceRange::cover(r, range(last_)),
                 "`users from` needs the JSON file's path in double quotes, like `users from "
                 "\"users.json\"`");
        return;
      }
      u.path = strOf(c.peek());
      consume(c);
      u.range = SourceRange::cover(r, range(last_));
      if (c.peek() && c.peek()->isBlock) {
        error(codes::kUnexpected, range(*c.peek()), "`users from \"...\"` takes no `{ ... }` block");
        consume(c);
      }
      out_.usersFrom.push_back(std::move(u));
      return;
    }

    // Header.
    std::optional<ast::Str> name;
    std::optional<ast::Scope> scope;
    bool headerOk = true;
    if (w == "site") name = declName(c, w, r, "\"Redmond\"");
    else if (w == "orbit") name = declName(c, w, r, "\"Redmond CPO 1\"");
    else if (w == "user") name = declName(c, w, r, "\"sip:alice@contoso.com\"");
    else if (w == "test") name = declName(c, w, r, "\"orbits reach the park service\"");
    else if (w == "park_access") {
      const Element* e = c.peek();
      if (isDouble(e) || isDial(e)) {
        name = strOf(e);
        consume(c);
      } else {
        badValue(c, codes::kUnexpected, r,
                 "`park_access` needs the access number, like `park_access \"*70\" { pool "
                 "\"redmond-fe01.contoso.com\" }`");
      }
    } else {
      scope = parseScope(c, r, w);
      headerOk = scope.has_value();
    }
    if (w != "park_settings" && w != "voice_policy" && w != "dialplan") headerOk = name.has_value();
    // A garbled header: skip to the block if it is right there.
    if (!headerOk) {
      while (c.peek() && !c.peek()->isBlock && valueLike(c.peek()) &&
             !isTok(c.peek(), Tok::At))
        consume(c);
    }
    Tok lastKind = tok(last_).kind;
    bool untermHeader = lastKind == Tok::UntermString || lastKind == Tok::UntermRaw;
    if (!(c.peek() && c.peek()->isBlock)) {
      // The `{` is missing (or was swallowed by an unterminated string, already reported):
      // skip what would have been the body, up to the next declaration or a `}`.
      if (!untermHeader) expectBlock(c, w, SourceRange::cover(r, range(last_)));
      pending_.clear();
      while (const Element* n = c.peek()) {
        if (isTok(n, Tok::At)) break;
        if (isTok(n, Tok::Ident) && contains(topKeywords(), text(n->tok))) break;
        bool close = isTok(n, Tok::RBrace);
        consume(c);
        if (close) break;
      }
      return;
    }
    auto finish = [&](auto& d, Kind k, ItemFn fn, auto& list, auto*& slot) {
      startDecl(d, kw);
      slot = &d;
      body(c, d, k, fn);
      slot = nullptr;
      if (headerOk) list.push_back(std::move(d));
    };
    if (w == "site") {
      ast::SiteDecl d;
      if (name) d.name = *name;
      finish(d, Kind::Site, &Builder::siteItem, out_.sites, cur_.site);
    } else if (w == "orbit") {
      ast::OrbitDecl d;
      if (name) d.name = *name;
      finish(d, Kind::Orbit, &Builder::orbitItem, out_.orbits, cur_.orbit);
    } else if (w == "park_access") {
      ast::ParkAccessDecl d;
      if (name) d.number = *name;
      finish(d, Kind::ParkAccess, &Builder::accessItem, out_.parkAccess, cur_.access);
    } else if (w == "park_settings") {
      ast::ParkSettingsDecl d;
      if (scope) d.scope = *scope;
      finish(d, Kind::ParkSettings, &Builder::settingsItem, out_.parkSettings, cur_.settings);
    } else if (w == "voice_policy") {
      ast::VoicePolicyDecl d;
      if (scope) d.scope = *scope;
      finish(d, Kind::VoicePolicy, &Builder::voiceItem, out_.voicePolicies, cur_.voice);
    } else if (w == "dialplan") {
      ast::DialPlanDecl d;
      if (scope) d.scope = *scope;
      finish(d, Kind::DialPlan, &Builder::dialplanItem, out_.dialPlans, cur_.dialplan);
    } else if (w == "user") {
      ast::UserDecl d;
      if (name) d.sip = *name;
      finish(d, Kind::User, &Builder::userItem, out_.users, cur_.user);
    } else {
      ast::TestDecl d;
      if (name) d.name = *name;
      finish(d, Kind::Test, &Builder::testItem, out_.tests, cur_.test);
    }
  }

  void parseTop(Cursor& c) {
    kind_ = Kind::Top;
    while (!stopped_) {
      const Element* e = c.peek();
      if (!e) break;
      if (e->isBlock) {
        error(codes::kUnexpected, range(*e),
              "unexpected `{`; a block follows a declaration header like `orbit \"Name\"`");
        consume(c);
        continue;
      }
      const Token& t = tok(e->tok);
      if (t.kind == Tok::RBrace) {
        error(codes::kUnmatchedBrace, range(*e), "unmatched `}`: no block is open here");
        consume(c);
        continue;
      }
      if (t.kind == Tok::At) {
        parseAnnotation(c);
        continue;
      }
      if (t.kind == Tok::Ident && contains(topKeywords(), text(e->tok))) {
        parseDecl(c);
        continue;
      }
      if (!pending_.empty()) flushPending("");
      std::string w(text(e->tok));
      if (t.kind == Tok::Ident) {
        std::string guess = closestMatch(w, topKeywords());
        bool setting = false;
        for (Kind k : {Kind::Site, Kind::Orbit, Kind::ParkSettings, Kind::VoicePolicy,
                       Kind::DialPlan, Kind::Rule, Kind::User, Kind::Test})
          if (contains(itemKeywords(k), w)) setting = true;
        if (setting) {
          error(codes::kUnknownDecl, range(*e),
                "`" + w + "` is a setting, not a declaration; it belongs inside a block such as "
                          "`orbit \"Name\" { ... }` (is a `}` closing a block too early?)");
        } else if (!guess.empty()) {
          error(codes::kUnknownDecl, range(*e),
                "unknown declaration `" + w + "`; did you mean `" + guess + "`?")
              .suggest("use `" + guess + "`", range(*e), guess);
        } else {
          error(codes::kUnknownDecl, range(*e),
                "unknown declaration `" + w + "`; a policy file declares " + listOf(topKeywords()));
        }
      } else {
        std::string m =
            "unexpected " + show(e) + "; expected a declaration such as `orbit \"Name\" { ... }`";
        if (text(e->tok)[0] == '#')
          m += " (`#` is a dial character, not a comment; comments start with `//`)";
        error(codes::kUnexpected, range(*e), m);
      }
      consume(c);
      // Skip to the next declaration.
      while (const Element* n = c.peek()) {
        if (isTok(n, Tok::At) || isTok(n, Tok::RBrace)) break;
        if (isTok(n, Tok::Ident) && contains(topKeywords(), text(n->tok))) break;
        consume(c);
      }
    }
    if (!pending_.empty()) flushPending("");
  }

  const SourceManager& sm_;
  FileId file_;
  const std::string& text_;
  const internal::Structure& st_;
  DiagnosticEngine& diags_;
  ast::PolicyAst& out_;
  const ParseLimits& limits_;

  size_t errors_ = 0;
  bool stopped_ = false;
  Diagnostic sink_;
  size_t last_ = 0;  // the last token consumed
  Kind kind_ = Kind::Top;
  bool shifted_ = false;        // this block's `}` was taken by an unclosed rule inside it
  bool shiftedParent_ = false;  // set by a closed rule that found `rule` inside itself
  std::vector<ast::Annotation> pending_;
  std::set<uint32_t> untermLines_;
  std::map<std::string, SourceRange>* ruleSeen_ = nullptr;
  struct Current {
    ast::SiteDecl* site = nullptr;
    ast::OrbitDecl* orbit = nullptr;
    ast::ParkAccessDecl* access = nullptr;
    ast::ParkSettingsDecl* settings = nullptr;
    ast::VoicePolicyDecl* voice = nullptr;
    ast::DialPlanDecl* dialplan = nullptr;
    ast::RuleDecl* rule = nullptr;
    ast::UserDecl* user = nullptr;
    ast::TestDecl* test = nullptr;
  } cur_;
};

}  // namespace

size_t buildAst(const SourceManager& sm, FileId file, const internal::Structure& st,
                DiagnosticEngine& diags, ast::PolicyAst& out, const ParseLimits& limits) {
  Builder b(sm, file, st, diags, out, limits);
  return b.run();
}

}  // namespace callpark::parse

// The AST builder: walks the concrete syntax tree of one file and fills the AST.
//
// The grammar has already decided the shape: each declaration node holds its header tokens and
// one node per item, each item node starts with its keyword. So building is reading: the
// keyword says which AST field the item fills, the value is the item's token (or the single
// token of its value rule). A node marked `failed` stopped at a syntax error that has been
// reported; whatever it lacks is simply not filled in. The checks that are the builder's own are
// those a context-free grammar does not express: a setting written twice in one block, the
// contents of durations and numbers, escapes in strings.
//
// Diagnostics are collected first, sorted by position, and only then reported, so the cap on
// errors per file keeps the first errors of the file, not the first found.
#include "compiler/parse/Builder.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "compiler/parse/Codes.h"
#include "compiler/parse/internal/Language.h"
#include "compiler/parse/internal/SyntaxErrors.h"
#include "compiler/support/Strings.h"

namespace callpark::parse {
namespace {

using internal::kNone;
using internal::Node;
using internal::Rule;
using internal::Tok;
using internal::Token;

class Builder {
 public:
  Builder(const SourceManager& sm, FileId file, const internal::ParseResult& parse,
          DiagnosticEngine& diags, ast::PolicyAst& out, const ParseLimits& limits)
      : sm_(sm),
        file_(file),
        text_(sm.text(file)),
        p_(parse),
        diags_(diags),
        out_(out),
        limits_(limits) {}

  size_t run() {
    lexicalErrors();
    internal::SyntaxSource src{sm_, file_, text_, p_.tokens};
    for (const auto& ev : p_.events) found_.push_back(internal::describeSyntaxError(ev, src));
    if (!p_.nodes.empty()) file(p_.nodes[0]);
    return flush();
  }

 private:
  // ---- tokens and nodes ---------------------------------------------------------------------
  const Token& tok(size_t i) const { return p_.tokens[i]; }
  std::string_view text(size_t i) const {
    return std::string_view(text_).substr(tok(i).begin, tok(i).end - tok(i).begin);
  }
  SourceRange range(size_t i) const { return sm_.rangeOf(file_, tok(i).begin, tok(i).end); }
  bool isKw(size_t i, std::string_view w) const {
    return i != kNone && tok(i).kind == Tok::Keyword && text(i) == w;
  }
  const Node& node(size_t i) const { return p_.nodes[i]; }

  // The k-th child node of rule r, or nullptr.
  const Node* child(const Node& n, Rule r, size_t k = 0) const {
    for (const auto& c : n.children)
      if (c.isNode && node(c.index).rule == r && k-- == 0) return &node(c.index);
    return nullptr;
  }
  std::vector<const Node*> children(const Node& n, Rule r) const {
    std::vector<const Node*> v;
    for (const auto& c : n.children)
      if (c.isNode && node(c.index).rule == r) v.push_back(&node(c.index));
    return v;
  }
  // The k-th token child of the given kind, or kNone.
  size_t token(const Node& n, Tok kind, size_t k = 0) const {
    for (const auto& c : n.children)
      if (!c.isNode && tok(c.index).kind == kind && k-- == 0) return c.index;
    return kNone;
  }
  // The first token child (an item's or declaration's keyword), or kNone.
  size_t firstToken(const Node& n) const {
    for (const auto& c : n.children)
      if (!c.isNode) return c.index;
    return kNone;
  }
  // The token of a one-token value rule (`dial`, `text`, `boolean`, ...), or kNone.
  size_t only(const Node* n) const {
    if (!n) return kNone;
    for (const auto& c : n->children) {
      if (!c.isNode) return c.index;
      size_t inner = only(&node(c.index));
      if (inner != kNone) return inner;
    }
    return kNone;
  }
  // From the first token of `n` to the last it consumed.
  SourceRange span(const Node& n) const {
    if (n.start == kNone) return {};
    return SourceRange::cover(range(n.start), range(n.stop == kNone ? n.start : n.stop));
  }

  ast::Str str(size_t i) const {
    const Token& t = tok(i);
    if (t.kind == Tok::String || t.kind == Tok::Raw)
      return {internal::stringValue(text(i), t.kind, t.unterminated), range(i)};
    return {std::string(text(i)), range(i)};
  }
  std::optional<ast::Str> strToken(const Node& n, Tok kind) const {
    size_t i = token(n, kind);
    if (i == kNone) return std::nullopt;
    return str(i);
  }
  std::optional<ast::Str> strOf(const Node* valueRule) const {
    size_t i = only(valueRule);
    if (i == kNone) return std::nullopt;
    return str(i);
  }

  // ---- diagnostics ---------------------------------------------------------------------------
  Diagnostic& error(const char* code, SourceRange r, std::string msg) {
    Diagnostic d;
    d.code = code;
    d.severity = Severity::Error;
    d.range = r;
    d.message = std::move(msg);
    found_.push_back(std::move(d));
    return found_.back();
  }

  // Reports what was found: sorted, capped, minus the errors on a line that an unterminated
  // string garbled (only the string itself is reported there).
  // A block whose `}` seems missing after an unterminated string lost it to the string (which
  // ran to the end of its line): only the string is reported then, too.
  size_t flush() {
    std::set<uint32_t> garbled;
    std::vector<size_t> untermAt;
    for (const Token& t : p_.tokens)
      if (t.unterminated) {
        garbled.insert(sm_.rangeOf(file_, t.begin, t.begin).line);
        untermAt.push_back(t.begin);
      }
    std::vector<Diagnostic> keep;
    for (auto& d : found_) {
      if (d.code != codes::kUnterminatedString && d.range.valid() && garbled.count(d.range.line))
        continue;
      if (d.code == codes::kMissingBrace && !untermAt.empty() && !d.notes.empty()) {
        size_t open = sm_.offset(file_, d.range.line, d.range.col);
        size_t end = sm_.offset(file_, d.notes[0].range.line, d.notes[0].range.col);
        if (std::any_of(untermAt.begin(), untermAt.end(),
                        [&](size_t at) { return at > open && at < end; }))
          continue;
      }
      keep.push_back(std::move(d));
    }
    std::stable_sort(keep.begin(), keep.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::make_pair(a.range.line, a.range.col) < std::make_pair(b.range.line, b.range.col);
    });
    size_t cap = std::max<size_t>(1, limits_.maxErrorsPerFile);
    size_t reported = 0;
    for (auto& d : keep) {
      if (reported == cap) {
        diags_.report(codes::kTooManyErrors, Severity::Note, d.range,
                      "too many syntax errors in this file (" + std::to_string(cap) +
                          " reported); stopped looking for more");
        return reported;
      }
      diags_.report(std::move(d));
      ++reported;
    }
    if (p_.cancelled) {
      SourceRange at = reported ? diags_.diagnostics().back().range : sm_.rangeOf(file_, 0, 0);
      diags_.report(codes::kTooManyErrors, Severity::Note, at,
                    "too many syntax errors in this file; stopped looking for more");
    }
    return reported;
  }

  void lexicalErrors() {
    for (size_t i = 0; i < p_.tokens.size(); ++i) {
      const Token& t = tok(i);
      switch (t.kind) {
        case Tok::UntermComment:
          error(codes::kUnterminatedComment, sm_.rangeOf(file_, t.begin, t.begin + 2),
                "this `/*` comment is never closed; add `*/` where it should end")
              .note(endOfText(), "the file ends inside the comment");
          break;
        case Tok::Stray:
          strayCharacter(i);
          break;
        case Tok::String:
        case Tok::Raw:
          if (t.unterminated) {
            char q = t.kind == Tok::String ? '"' : '\'';
            error(codes::kUnterminatedString, range(i),
                  std::string("this string is missing its closing `") + q +
                      "` (strings end on the line they start)");
          }
          if (t.kind == Tok::String) checkEscapes(i);
          break;
        default:
          break;
      }
    }
  }

  // Just after the last character that is not white space.
  SourceRange endOfText() const {
    size_t at = text_.find_last_not_of(" \t\r\n\f");
    at = at == std::string::npos ? 0 : at + 1;
    return sm_.rangeOf(file_, at, at);
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
    if (ch == ";")
      msg += "; settings need no `;` between them";
    else if (ch == "=")
      msg += "; a setting is written `max_pickup_attempts 2`, a test expectation uses `=>`";
    else if (ch == ".")
      msg += "; a range is written `*3000..*3099`";
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
        while (b + len < tok(i).end && (static_cast<unsigned char>(text_[b + len]) & 0xC0) == 0x80)
          ++len;
        error(codes::kInvalidEscape, sm_.rangeOf(file_, b, b + len),
              "`" + std::string(text_.substr(b, len)) +
                  "` is not an escape in a double-quoted string (only `\\\"` and `\\\\` are); "
                  "write regex patterns and translations as single-quoted raw strings, "
                  "like '^(\\d{4})$'");
      }
      ++k;
    }
  }

  // Records a setting of a block; CP106 when the block already has it. True when new.
  bool once(std::map<std::string, SourceRange>& seen, const std::string& name, SourceRange r,
            const char* block) {
    auto [it, inserted] = seen.emplace(name, r);
    if (!inserted)
      error(codes::kDuplicateSetting, r,
            "`" + name + "` is set twice in this `" + block + "` block")
          .note(it->second, "first set here");
    return inserted;
  }

  // ---- values --------------------------------------------------------------------------------
  std::optional<ast::Bool> boolOf(const Node* n) const {
    size_t i = only(n);
    if (i == kNone) return std::nullopt;
    return ast::Bool{isKw(i, "on") || isKw(i, "true"), range(i)};
  }

  std::optional<ast::Int> intOf(size_t i) {
    if (i == kNone) return std::nullopt;
    auto v = internal::parseInteger(text(i));
    if (!v) {
      error(codes::kInvalidNumber, range(i),
            "`" + std::string(text(i)) + "` is too large a number");
      return std::nullopt;
    }
    return ast::Int{*v, range(i)};
  }

  std::optional<ast::Duration> durationOf(const Node* n) {
    size_t i = only(n);
    if (i == kNone) return std::nullopt;
    int64_t secs = 0;
    std::string why;
    if (!internal::parseDuration(text(i), secs, why)) {
      error(codes::kInvalidDuration, range(i),
            "`" + std::string(text(i)) + "` is not a valid duration: " + why);
      return std::nullopt;
    }
    return ast::Duration{ast::DurationValue{secs, std::string(text(i))}, range(i)};
  }

  std::optional<ast::Scope> scopeOf(const Node* n) const {
    if (!n || n->failed || n->start == kNone) return std::nullopt;
    ast::Scope s;
    s.range = span(*n);
    size_t first = firstToken(*n);
    if (isKw(first, "global")) {
      s.kind = ast::Scope::Global;
      return s;
    }
    size_t name = token(*n, Tok::String);
    if (name == kNone) return std::nullopt;
    s.name = str(name);
    s.kind = isKw(first, "site")   ? ast::Scope::Site
             : isKw(first, "pool") ? ast::Scope::Pool
                                   : ast::Scope::Tag;
    return s;
  }

  std::optional<ast::Annotation> annotationOf(const Node& n) const {
    if (n.failed) return std::nullopt;
    size_t code = only(child(n, Rule::AnnotationCode));
    size_t reason = token(n, Tok::String);
    if (code == kNone || reason == kNone) return std::nullopt;
    ast::Annotation a;
    std::string c(text(code));
    bool shaped = c.size() == 5 && (c[0] == 'c' || c[0] == 'C') && (c[1] == 'p' || c[1] == 'P');
    if (shaped)
      for (char& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    a.code = ast::Str{c, range(code)};
    a.reason = str(reason);
    a.range = span(n);
    return a;
  }

  std::vector<ast::Annotation> annotationsOf(const Node& n) const {
    std::vector<ast::Annotation> v;
    for (const Node* a : children(n, Rule::Annotation))
      if (auto x = annotationOf(*a)) v.push_back(std::move(*x));
    return v;
  }

  // ---- declarations --------------------------------------------------------------------------
  void file(const Node& f) {
    for (const Node* d : children(f, Rule::Declaration)) {
      const Node* body = child(*d, Rule::DeclBody);
      if (!body || body->children.empty() || !body->children[0].isNode) continue;
      const Node& decl = node(body->children[0].index);
      std::vector<ast::Annotation> annotations = annotationsOf(*d);
      declaration(decl, std::move(annotations));
    }
  }

  template <class D>
  bool header(D& d, const Node& n, std::vector<ast::Annotation> annotations) {
    size_t kw = firstToken(n);
    if (kw == kNone) return false;
    d.keyword = range(kw);
    d.range = span(n);
    d.annotations = std::move(annotations);
    return true;
  }

  void declaration(const Node& n, std::vector<ast::Annotation> annotations) {
    switch (n.rule) {
      case Rule::SiteDecl: {
        ast::SiteDecl d;
        auto name = strToken(n, Tok::String);
        if (!header(d, n, std::move(annotations)) || !name) return;
        d.name = *name;
        for (const Node* item : children(n, Rule::SiteItem))
          if (auto v = strToken(*item, Tok::String)) d.pools.push_back(*v);
        out_.sites.push_back(std::move(d));
        return;
      }
      case Rule::OrbitDecl:
        return orbit(n, std::move(annotations));
      case Rule::ParkAccessDecl: {
        ast::ParkAccessDecl d;
        auto number = strOf(child(n, Rule::DialString));
        if (!header(d, n, std::move(annotations)) || !number) return;
        d.number = *number;
        std::map<std::string, SourceRange> seen;
        for (const Node* item : children(n, Rule::ParkAccessItem)) {
          size_t kw = firstToken(*item);
          bool first = once(seen, "pool", range(kw), "park_access");
          if (auto v = strToken(*item, Tok::String); v && first) d.pool = *v;
        }
        out_.parkAccess.push_back(std::move(d));
        return;
      }
      case Rule::ParkSettingsDecl:
        return parkSettings(n, std::move(annotations));
      case Rule::VoicePolicyDecl: {
        ast::VoicePolicyDecl d;
        auto scope = scopeOf(child(n, Rule::Scope));
        if (!header(d, n, std::move(annotations)) || !scope) return;
        d.scope = *scope;
        std::map<std::string, SourceRange> seen;
        for (const Node* item : children(n, Rule::VoicePolicyItem)) {
          bool first = once(seen, "call_park", range(firstToken(*item)), "voice_policy");
          if (auto v = boolOf(child(*item, Rule::Bool)); v && first) d.callPark = *v;
        }
        out_.voicePolicies.push_back(std::move(d));
        return;
      }
      case Rule::DialPlanDecl:
        return dialPlan(n, std::move(annotations));
      case Rule::UserDecl:
        return user(n, std::move(annotations));
      case Rule::UsersFromDecl: {
        ast::UsersFromDecl d;
        auto path = strToken(n, Tok::String);
        if (!header(d, n, std::move(annotations)) || !path) return;
        d.path = *path;
        out_.usersFrom.push_back(std::move(d));
        return;
      }
      case Rule::TestDecl:
        return test(n, std::move(annotations));
      default:
        return;
    }
  }

  void orbit(const Node& n, std::vector<ast::Annotation> annotations) {
    ast::OrbitDecl d;
    auto name = strToken(n, Tok::String);
    if (!header(d, n, std::move(annotations)) || !name) return;
    d.name = *name;
    std::map<std::string, SourceRange> seen;
    for (const Node* item : children(n, Rule::OrbitItem)) {
      size_t kw = firstToken(*item);
      std::string w(text(kw));
      bool first = once(seen, w, range(kw), "orbit");
      if (!first) continue;
      if (w == "numbers") {
        const Node* r = child(*item, Rule::DialRange);
        if (!r || r->failed) continue;
        size_t a = only(child(*r, Rule::Dial, 0)), b = only(child(*r, Rule::Dial, 1));
        if (a == kNone || b == kNone) continue;
        d.numbers = ast::DialRange{str(a), str(b), SourceRange::cover(range(a), range(b))};
      } else if (w == "pool") {
        d.pool = strToken(*item, Tok::String);
      } else if (w == "type") {
        d.type = strOf(child(*item, Rule::KeywordValue));
      } else if (w == "allocation") {
        d.allocation = strOf(child(*item, Rule::KeywordValue));
      }
    }
    out_.orbits.push_back(std::move(d));
  }

  void parkSettings(const Node& n, std::vector<ast::Annotation> annotations) {
    ast::ParkSettingsDecl d;
    auto scope = scopeOf(child(n, Rule::Scope));
    if (!header(d, n, std::move(annotations)) || !scope) return;
    d.scope = *scope;
    std::map<std::string, SourceRange> seen;
    for (const Node* item : children(n, Rule::ParkSetting)) {
      size_t kw = firstToken(*item);
      std::string w(text(kw));
      bool first = once(seen, w, range(kw), "park_settings");
      if (w == "pickup_timeout") {
        auto v = durationOf(child(*item, Rule::Duration));
        if (first) d.pickupTimeout = v;
      } else if (w == "max_pickup_attempts") {
        auto v = intOf(token(*item, Tok::Int));
        if (first) d.maxPickupAttempts = v;
      } else if (w == "music_on_hold") {
        if (first) d.musicOnHold = boolOf(child(*item, Rule::Bool));
      } else if (w == "on_timeout") {
        if (first) d.onTimeout = strToken(*item, Tok::String);
      } else if (w == "music_file") {
        if (first) d.musicFile = strToken(*item, Tok::String);
      }
    }
    out_.parkSettings.push_back(std::move(d));
  }

  void dialPlan(const Node& n, std::vector<ast::Annotation> annotations) {
    ast::DialPlanDecl d;
    auto scope = scopeOf(child(n, Rule::Scope));
    bool ok = header(d, n, std::move(annotations)) && scope;
    if (scope) d.scope = *scope;
    std::map<std::string, SourceRange> seen;
    for (const Node* item : children(n, Rule::DialPlanItem)) {
      if (const Node* r = child(*item, Rule::RuleDecl)) {
        if (auto rule = ruleOf(*r, annotationsOf(*item))) d.rules.push_back(std::move(*rule));
        continue;
      }
      size_t kw = firstToken(*item);
      if (kw == kNone) continue;
      std::string w(text(kw));
      bool first = once(seen, w, range(kw), "dialplan");
      if (!first) continue;
      if (w == "external_access_prefix")
        d.externalAccessPrefix = strOf(child(*item, Rule::DialString));
      else if (w == "optimize_device_dialing")
        d.optimizeDeviceDialing = boolOf(child(*item, Rule::Bool));
      else if (w == "description")
        d.description = strOf(child(*item, Rule::Text));
    }
    if (ok) out_.dialPlans.push_back(std::move(d));
  }

  std::optional<ast::RuleDecl> ruleOf(const Node& n, std::vector<ast::Annotation> annotations) {
    ast::RuleDecl r;
    size_t kw = firstToken(n);
    size_t name = token(n, Tok::String);
    if (kw == kNone || name == kNone) return std::nullopt;
    r.keyword = range(kw);
    r.range = span(n);
    r.annotations = std::move(annotations);
    r.name = str(name);
    std::map<std::string, SourceRange> seen;
    for (const auto& c : n.children) {  // `priority N` in the header
      if (c.isNode || !isKw(c.index, "priority")) continue;
      seen.emplace("priority", range(c.index));
      r.priority = intOf(token(n, Tok::Int));
    }
    for (const Node* item : children(n, Rule::RuleItem)) {
      size_t ikw = firstToken(*item);
      std::string w(text(ikw));
      bool first = once(seen, w, range(ikw), "rule");
      if (w == "priority") {
        auto v = intOf(token(*item, Tok::Int));
        if (first) r.priority = v;
      } else if (!first) {
        continue;
      } else if (w == "pattern") {
        r.pattern = strOf(child(*item, Rule::Text));
      } else if (w == "translation") {
        r.translation = strOf(child(*item, Rule::Text));
      } else if (w == "internal_extension") {
        r.internalExtension = range(ikw);
      } else if (w == "description") {
        r.description = strOf(child(*item, Rule::Text));
      }
    }
    return r;
  }

  void user(const Node& n, std::vector<ast::Annotation> annotations) {
    ast::UserDecl d;
    auto sip = strToken(n, Tok::String);
    if (!header(d, n, std::move(annotations)) || !sip) return;
    d.sip = *sip;
    std::map<std::string, SourceRange> seen;
    for (const Node* item : children(n, Rule::UserItem)) {
      size_t kw = firstToken(*item);
      std::string w(text(kw));
      if (!once(seen, w, range(kw), "user")) continue;
      auto v = strToken(*item, Tok::String);
      if (w == "pool")
        d.pool = v;
      else if (w == "line")
        d.line = v;
      else if (w == "voice_policy")
        d.voicePolicy = v;
      else if (w == "dialplan")
        d.dialplan = v;
    }
    out_.users.push_back(std::move(d));
  }

  void test(const Node& n, std::vector<ast::Annotation> annotations) {
    ast::TestDecl d;
    auto name = strToken(n, Tok::String);
    if (!header(d, n, std::move(annotations)) || !name) return;
    d.name = *name;
    for (const Node* e : children(n, Rule::Expectation))
      if (auto x = expectation(*e)) d.expectations.push_back(std::move(*x));
    out_.tests.push_back(std::move(d));
  }

  std::optional<ast::Expectation> expectation(const Node& n) const {
    if (n.failed) return std::nullopt;
    ast::Expectation x;
    size_t kw = firstToken(n);
    x.range = span(n);
    if (isKw(kw, "dial")) {
      x.kind = ast::Expectation::Dial;
      x.number = strOf(child(n, Rule::DialString));
      if (!x.number) return std::nullopt;
    } else {
      x.kind = ast::Expectation::Park;
    }
    const Node* caller = child(n, Rule::Caller);
    if (!caller || caller->failed) return std::nullopt;
    if (isKw(firstToken(*caller), "as")) {
      x.asUser = strToken(*caller, Tok::String);
      if (!x.asUser) return std::nullopt;
    } else {
      x.withDialPlan = scopeOf(child(*caller, Rule::Scope));
      if (!x.withDialPlan) return std::nullopt;
    }
    if (x.kind == ast::Expectation::Park) {
      const Node* r = child(n, Rule::ParkResult);
      size_t t = only(r);
      if (t == kNone) return std::nullopt;
      x.result = isKw(t, "allowed") ? ast::Expectation::Allowed : ast::Expectation::Denied;
      x.resultRange = span(*r);
      return x;
    }
    const Node* r = child(n, Rule::DialResult);
    if (!r || r->failed) return std::nullopt;
    size_t first = firstToken(*r);
    x.resultRange = span(*r);
    if (isKw(first, "orbit")) {
      x.result = ast::Expectation::Orbit;
      x.resultName = strToken(*r, Tok::String);
    } else if (isKw(first, "park")) {
      x.result = ast::Expectation::ParkPool;
      x.resultName = strToken(*r, Tok::String);
    } else if (isKw(first, "not_ours")) {
      x.result = ast::Expectation::NotOurs;
      return x;
    } else {
      x.result = ast::Expectation::Number;
      x.resultName = strToken(*r, Tok::String);
      x.internal = token(*r, Tok::Keyword) != kNone;
    }
    if (!x.resultName) return std::nullopt;
    return x;
  }

  const SourceManager& sm_;
  FileId file_;
  const std::string& text_;
  const internal::ParseResult& p_;
  DiagnosticEngine& diags_;
  ast::PolicyAst& out_;
  const ParseLimits& limits_;
  std::vector<Diagnostic> found_;
};

}  // namespace

size_t buildAst(const SourceManager& sm, FileId file, const internal::ParseResult& parse,
                DiagnosticEngine& diags, ast::PolicyAst& out, const ParseLimits& limits) {
  return Builder(sm, file, parse, diags, out, limits).run();
}

}  // namespace callpark::parse

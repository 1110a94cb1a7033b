// The formatter.
//
// How it works. The file's declarations (from the AST) become a tree of Units: a leaf is one
// printed line (`pool "x"`, `pattern '...'`, a test expectation), a block has a header, braces
// and children. Every unit knows its source span (from its keyword, found with the trivia scan,
// to the end of its value or its `}`).
//
// Comments are then attached to units by position (attach()):
//  - a comment with code before it on its line belongs to the unit that code belongs to
//    (trailing); right after a `{` it is a header comment of that block;
//  - a comment alone on its line is leading: it belongs to the next unit of the same block, or,
//    when none follows, stays before the `}` (dangling);
//  - comments inside a block's span recurse into that block.
// Each comment and unit remembers whether a blank line preceded it in the source.
//
// Units are then stable-sorted by their block's canonical item order and printed. Because the
// printer's choices (one-line block, blank lines, order) depend only on facts the output
// preserves, printing the output again gives the same text (idempotence, tested on every .park
// file of the repository).
#include "compiler/format/Format.h"

#include <algorithm>
#include <functional>
#include <sstream>

#include "compiler/format/internal/Trivia.h"

namespace callpark::format {
namespace {

using internal::TriviaToken;

struct Comment {
  size_t begin = 0, end = 0;
  bool blankBefore = false;
};

struct Unit {
  size_t begin = 0, end = 0;  // source span
  size_t keyword = 0;         // where the keyword starts (after annotations)
  std::string head;           // leaf: the whole line; block: the header without `{`
  std::vector<std::string> annotations;
  bool isBlock = false;
  bool isRule = false;
  size_t nameLen = 0;                // rules: length of `rule "Name"` (aligned in runs)
  size_t split = std::string::npos;  // expectations: where ` => ` starts (aligned in runs)
  size_t lbrace = 0, rbrace = 0;
  bool oneLineInSource = false;
  int rank = 0;  // canonical position in the parent block
  bool blankBefore = false;
  std::vector<Comment> leading, trailing, afterAnnotations, header, dangling;
  std::vector<Unit> children;
};

class Formatter {
 public:
  Formatter(const SourceManager& sm, FileId file, const FormatOptions& opts)
      : sm_(sm),
        file_(file),
        text_(sm.text(file)),
        opts_(opts),
        toks_(internal::scanTrivia(text_)) {}

  std::string run(const ast::PolicyAst& a);

 private:
  const SourceManager& sm_;
  FileId file_;
  const std::string& text_;
  FormatOptions opts_;
  std::vector<TriviaToken> toks_;

  bool mine(const SourceRange& r) const { return r.valid() && r.file == file_; }
  size_t off(const SourceRange& r) const { return sm_.offset(file_, r.line, r.col); }
  size_t offEnd(const SourceRange& r) const { return sm_.offset(file_, r.endLine, r.endCol); }
  std::string src(const SourceRange& r) const { return std::string(sm_.slice(r)); }

  // Index of the last token ending at or before `pos` that is not a comment (or -1).
  long prevCode(size_t pos) const {
    long best = -1;
    for (long i = 0; i < static_cast<long>(toks_.size()); ++i) {
      if (toks_[i].begin >= pos) break;
      if (toks_[i].kind != TriviaToken::Comment && toks_[i].end <= pos) best = i;
    }
    return best;
  }
  // Start of the token right before the one starting at `pos` (the item keyword).
  size_t keywordBefore(size_t pos) const {
    size_t best = pos;
    for (const auto& t : toks_) {
      if (t.begin >= pos) break;
      if (t.kind != TriviaToken::Comment) best = t.begin;
    }
    return best;
  }
  bool newlineBetween(size_t a, size_t b) const { return text_.find('\n', a) < b; }
  bool blankBefore(size_t pos) const {
    size_t prevEnd = 0;
    for (const auto& t : toks_) {
      if (t.end > pos) break;
      prevEnd = t.end;
    }
    if (prevEnd == 0) return false;
    int nl = 0;
    for (size_t i = prevEnd; i < pos && i < text_.size(); ++i)
      if (text_[i] == '\n') ++nl;
    return nl >= 2;
  }

  static std::string boolText(const ast::Bool& b) { return b.value ? "on" : "off"; }
  std::string scopeText(const ast::Scope& s) const {
    switch (s.kind) {
      case ast::Scope::Global:
        return "global";
      case ast::Scope::Site:
        return "site " + src(s.name.range);
      case ast::Scope::Pool:
        return "pool " + src(s.name.range);
      case ast::Scope::Tag:
        return src(s.name.range);
    }
    return "global";
  }
  std::string annotationText(const ast::Annotation& an) const {
    return "@allow(" + an.code.value + ", " + src(an.reason.range) + ")";
  }

  Unit leaf(const std::string& keyword, const SourceRange& value, const std::string& valueText,
            int rank) const {
    Unit u;
    u.keyword = u.begin = keywordBefore(off(value));
    u.end = offEnd(value);
    u.head = keyword.empty() ? valueText : keyword + " " + valueText;
    u.rank = rank;
    return u;
  }
  Unit leafStr(const std::string& keyword, const ast::Str& v, int rank) const {
    return leaf(keyword, v.range, src(v.range), rank);
  }

  void blockSpan(Unit& u, const ast::DeclBase& d) const {
    blockSpan(u, d.range, d.keyword, d.annotations);
  }
  void blockSpan(Unit& u, const SourceRange& range, const SourceRange& keyword,
                 const std::vector<ast::Annotation>& anns) const {
    u.isBlock = true;
    u.keyword = off(keyword);
    u.begin = u.keyword;
    for (const auto& an : anns) {
      if (mine(an.range)) u.begin = std::min(u.begin, off(an.range));
      u.annotations.push_back(annotationText(an));
    }
    u.end = offEnd(range);
    u.lbrace = u.rbrace = u.end;
    for (const auto& t : toks_) {
      if (t.begin < u.keyword || t.end > u.end) continue;
      if (t.kind == TriviaToken::LBrace && u.lbrace == u.end) u.lbrace = t.begin;
      if (t.kind == TriviaToken::RBrace) u.rbrace = t.begin;
    }
    u.oneLineInSource = !newlineBetween(u.lbrace, u.rbrace);
  }

  std::vector<Unit> collect(const ast::PolicyAst& a) const;
  Unit expectation(const ast::Expectation& x, int rank) const;
  void attach(Unit& container, size_t lo, size_t hi, const std::vector<size_t>& comments,
              bool isRoot);
  void markBlanks(Unit& u);

  // Printing.
  std::string commentText(const Comment& c) const {
    std::string s = text_.substr(c.begin, c.end - c.begin);
    if (s.rfind("//", 0) == 0)
      while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
    return s;
  }
  std::string trailingText(const std::vector<Comment>& cs) const {
    std::string s;
    for (size_t i = 0; i < cs.size(); ++i) s += (i ? " " : "  ") + commentText(cs[i]);
    return s;
  }
  bool printsOneLine(const Unit& u, size_t indent) const;
  std::string oneLineBody(const Unit& u) const;
  void printUnits(std::vector<Unit>& units, size_t indent, std::string& out, bool top) const;
  void printUnit(const Unit& u, size_t indent, std::string& out, size_t headPad,
                 size_t firstChildPad, size_t namePad) const;
  void printComments(const std::vector<Comment>& cs, size_t indent, std::string& out,
                     bool& atStart) const;
};

Unit Formatter::expectation(const ast::Expectation& x, int rank) const {
  std::string s = x.kind == ast::Expectation::Dial ? "dial " + src(x.number->range) : "park";
  if (x.asUser) s += " as " + src(x.asUser->range);
  if (x.withDialPlan) s += " with dialplan " + scopeText(*x.withDialPlan);
  s += " => ";
  switch (x.result) {
    case ast::Expectation::Orbit:
      s += "orbit " + src(x.resultName->range);
      break;
    case ast::Expectation::Number:
      s += src(x.resultName->range);
      if (x.internal) s += " internal";
      break;
    case ast::Expectation::ParkPool:
      s += "park pool " + src(x.resultName->range);
      break;
    case ast::Expectation::NotOurs:
      s += "not_ours";
      break;
    case ast::Expectation::Allowed:
      s += "allowed";
      break;
    case ast::Expectation::Denied:
      s += "denied";
      break;
  }
  Unit u;
  u.begin = u.keyword = off(x.range);
  u.end = offEnd(x.range);
  u.head = s;
  u.split = s.find(" => ");
  u.rank = rank;
  return u;
}

std::vector<Unit> Formatter::collect(const ast::PolicyAst& a) const {
  std::vector<Unit> top;
  for (const auto& d : a.sites) {
    if (!mine(d.range)) continue;
    Unit u;
    blockSpan(u, d);
    u.head = "site " + src(d.name.range);
    for (const auto& p : d.pools) u.children.push_back(leafStr("pool", p, 0));
    top.push_back(std::move(u));
  }
  for (const auto& d : a.orbits) {
    if (!mine(d.range)) continue;
    Unit u;
    blockSpan(u, d);
    u.head = "orbit " + src(d.name.range);
    if (d.type) u.children.push_back(leafStr("type", *d.type, 0));
    if (d.numbers)
      u.children.push_back(leaf("numbers", d.numbers->range,
                                src(d.numbers->start.range) + ".." + src(d.numbers->end.range), 1));
    if (d.pool) u.children.push_back(leafStr("pool", *d.pool, 2));
    if (d.allocation) u.children.push_back(leafStr("allocation", *d.allocation, 3));
    top.push_back(std::move(u));
  }
  for (const auto& d : a.parkAccess) {
    if (!mine(d.range)) continue;
    Unit u;
    blockSpan(u, d);
    u.head = "park_access " + src(d.number.range);
    if (d.pool) u.children.push_back(leafStr("pool", *d.pool, 0));
    top.push_back(std::move(u));
  }
  for (const auto& d : a.parkSettings) {
    if (!mine(d.range)) continue;
    Unit u;
    blockSpan(u, d);
    u.head = "park_settings " + scopeText(d.scope);
    if (d.pickupTimeout)
      u.children.push_back(
          leaf("pickup_timeout", d.pickupTimeout->range, src(d.pickupTimeout->range), 0));
    if (d.maxPickupAttempts)
      u.children.push_back(leaf("max_pickup_attempts", d.maxPickupAttempts->range,
                                src(d.maxPickupAttempts->range), 1));
    if (d.musicOnHold)
      u.children.push_back(
          leaf("music_on_hold", d.musicOnHold->range, boolText(*d.musicOnHold), 2));
    if (d.musicFile) u.children.push_back(leafStr("music_file", *d.musicFile, 3));
    if (d.onTimeout) u.children.push_back(leafStr("on_timeout", *d.onTimeout, 4));
    top.push_back(std::move(u));
  }
  for (const auto& d : a.voicePolicies) {
    if (!mine(d.range)) continue;
    Unit u;
    blockSpan(u, d);
    u.head = "voice_policy " + scopeText(d.scope);
    if (d.callPark)
      u.children.push_back(leaf("call_park", d.callPark->range, boolText(*d.callPark), 0));
    top.push_back(std::move(u));
  }
  for (const auto& d : a.dialPlans) {
    if (!mine(d.range)) continue;
    Unit u;
    blockSpan(u, d);
    u.head = "dialplan " + scopeText(d.scope);
    if (d.description) u.children.push_back(leafStr("description", *d.description, 0));
    if (d.externalAccessPrefix)
      u.children.push_back(leafStr("external_access_prefix", *d.externalAccessPrefix, 1));
    if (d.optimizeDeviceDialing)
      u.children.push_back(leaf("optimize_device_dialing", d.optimizeDeviceDialing->range,
                                boolText(*d.optimizeDeviceDialing), 2));
    for (const auto& r : d.rules) {
      Unit ru;
      blockSpan(ru, r.range, r.keyword, r.annotations);
      ru.isRule = true;
      ru.rank = 3;
      ru.head = "rule " + src(r.name.range);
      ru.nameLen = ru.head.size();
      if (r.priority) ru.head += " priority " + src(r.priority->range);
      if (r.description) ru.children.push_back(leafStr("description", *r.description, 0));
      if (r.pattern) ru.children.push_back(leafStr("pattern", *r.pattern, 1));
      if (r.translation) ru.children.push_back(leafStr("translation", *r.translation, 2));
      if (r.internalExtension) {
        Unit ie;
        ie.begin = ie.keyword = off(*r.internalExtension);
        ie.end = offEnd(*r.internalExtension);
        ie.head = "internal_extension";
        ie.rank = 3;
        ru.children.push_back(std::move(ie));
      }
      u.children.push_back(std::move(ru));
    }
    top.push_back(std::move(u));
  }
  for (const auto& d : a.users) {
    if (!mine(d.range)) continue;
    Unit u;
    blockSpan(u, d);
    u.head = "user " + src(d.sip.range);
    if (d.pool) u.children.push_back(leafStr("pool", *d.pool, 0));
    if (d.line) u.children.push_back(leafStr("line", *d.line, 1));
    if (d.voicePolicy) u.children.push_back(leafStr("voice_policy", *d.voicePolicy, 2));
    if (d.dialplan) u.children.push_back(leafStr("dialplan", *d.dialplan, 3));
    top.push_back(std::move(u));
  }
  for (const auto& d : a.usersFrom) {
    if (!mine(d.range)) continue;
    Unit u;
    u.keyword = off(d.keyword);
    u.begin = u.keyword;
    for (const auto& an : d.annotations) {
      if (mine(an.range)) u.begin = std::min(u.begin, off(an.range));
      u.annotations.push_back(annotationText(an));
    }
    u.end = offEnd(d.range);
    u.head = "users from " + src(d.path.range);
    top.push_back(std::move(u));
  }
  for (const auto& d : a.tests) {
    if (!mine(d.range)) continue;
    Unit u;
    blockSpan(u, d);
    u.head = "test " + src(d.name.range);
    for (const auto& x : d.expectations) u.children.push_back(expectation(x, 0));
    top.push_back(std::move(u));
  }
  return top;
}

// Attaches the comments (token indices, sorted) lying in (lo, hi) of `container` to its
// children, recursing into child blocks.
void Formatter::attach(Unit& container, size_t lo, size_t hi, const std::vector<size_t>& comments,
                       bool isRoot) {
  auto& kids = container.children;
  std::sort(kids.begin(), kids.end(),
            [](const Unit& x, const Unit& y) { return x.begin < y.begin; });
  std::vector<std::vector<size_t>> inside(kids.size());
  for (size_t ci : comments) {
    const TriviaToken& c = toks_[ci];
    if (c.begin < lo || c.end > hi) continue;
    Comment cm{c.begin, c.end, blankBefore(c.begin)};
    // Inside a child's span?
    long within = -1;
    for (size_t k = 0; k < kids.size(); ++k)
      if (kids[k].begin <= c.begin && c.end <= kids[k].end) within = static_cast<long>(k);
    if (within >= 0) {
      Unit& u = kids[within];
      if (!u.isBlock) {
        u.trailing.push_back(cm);
      } else if (c.begin < u.keyword) {
        u.afterAnnotations.push_back(cm);
      } else if (c.begin < u.lbrace) {
        u.header.push_back(cm);
      } else {
        inside[within].push_back(ci);
      }
      continue;
    }
    long p = prevCode(c.begin);
    bool sameLine = p >= 0 && !newlineBetween(toks_[p].end, c.begin);
    if (sameLine && (isRoot || toks_[p].end > lo)) {
      long owner = -1;
      for (size_t k = 0; k < kids.size(); ++k)
        if (kids[k].begin <= toks_[p].begin) owner = static_cast<long>(k);
      if (owner >= 0) {
        kids[owner].trailing.push_back(cm);
        continue;
      }
    }
    if (sameLine && !isRoot && toks_[p].end <= lo) {
      container.header.push_back(cm);
      continue;
    }
    bool placed = false;
    for (auto& u : kids)
      if (u.begin >= c.end) {
        u.leading.push_back(cm);
        placed = true;
        break;
      }
    if (!placed) container.dangling.push_back(cm);
  }
  for (size_t k = 0; k < kids.size(); ++k) {
    Unit& u = kids[k];
    u.blankBefore = blankBefore(u.begin);
    if (u.isBlock) attach(u, u.lbrace + 1, u.rbrace, inside[k], false);
  }
  std::stable_sort(kids.begin(), kids.end(),
                   [](const Unit& x, const Unit& y) { return x.rank < y.rank; });
}

bool Formatter::printsOneLine(const Unit& u, size_t indent) const {
  if (!u.isBlock) return true;
  if (!u.oneLineInSource || !u.header.empty() || !u.dangling.empty()) return false;
  for (const auto& c : u.children)
    if (c.isBlock || !c.leading.empty() || !c.trailing.empty()) return false;
  return indent + u.head.size() + oneLineBody(u).size() + 1 <= opts_.maxWidth;
}

std::string Formatter::oneLineBody(const Unit& u) const {
  if (u.children.empty()) return " {}";
  std::string s = " {";
  for (const auto& c : u.children) s += " " + c.head;
  return s + " }";
}

void Formatter::printComments(const std::vector<Comment>& cs, size_t indent, std::string& out,
                              bool& atStart) const {
  for (const auto& c : cs) {
    if (c.blankBefore && !atStart) out += "\n";
    out += std::string(indent, ' ') + commentText(c) + "\n";
    atStart = false;
  }
}

void Formatter::printUnit(const Unit& u, size_t indent, std::string& out, size_t headPad,
                          size_t firstChildPad, size_t namePad) const {
  std::string pad(indent, ' ');
  bool dummy = false;
  for (const auto& an : u.annotations) out += pad + an + "\n";
  printComments(u.afterAnnotations, indent, out, dummy);
  std::string head = u.head;
  if (u.isRule && namePad > u.nameLen) head.insert(u.nameLen, namePad - u.nameLen, ' ');
  if (!u.isBlock && u.split != std::string::npos && namePad > u.split)
    head.insert(u.split, namePad - u.split, ' ');
  if (head.size() < headPad) head.resize(headPad, ' ');
  if (!u.isBlock) {
    out += pad + head + trailingText(u.trailing) + "\n";
    return;
  }
  if (printsOneLine(u, indent)) {
    std::string body;
    if (u.children.empty()) {
      body = " {}";
    } else {
      body = " {";
      for (size_t i = 0; i < u.children.size(); ++i) {
        std::string h = u.children[i].head;
        if (i == 0 && u.children.size() > 1 && h.size() < firstChildPad)
          h.resize(firstChildPad, ' ');
        body += " " + h;
      }
      body += " }";
    }
    out += pad + head + body + trailingText(u.trailing) + "\n";
    return;
  }
  out += pad + u.head + " {" + trailingText(u.header) + "\n";
  std::vector<Unit> kids = u.children;
  printUnits(kids, indent + opts_.indent, out, false);
  bool atStart = kids.empty();
  printComments(u.dangling, indent + opts_.indent, out, atStart);
  out += pad + "}" + trailingText(u.trailing) + "\n";
}

void Formatter::printUnits(std::vector<Unit>& units, size_t indent, std::string& out,
                           bool top) const {
  bool atStart = true;
  bool prevMulti = false;
  for (size_t i = 0; i < units.size(); ++i) {
    const Unit& u = units[i];
    bool oneLine = printsOneLine(u, indent) && u.annotations.empty();
    bool multi = !oneLine;
    if (!atStart) {
      bool blank = u.leading.empty() ? u.blankBefore : u.leading.front().blankBefore;
      if (top && (multi || prevMulti)) blank = true;
      if (blank) out += "\n";
    }
    bool inner = true;  // blank lines inside the leading comment group
    for (size_t k = 0; k < u.leading.size(); ++k) {
      if (k > 0 && u.leading[k].blankBefore) out += "\n";
      out += std::string(indent, ' ') + commentText(u.leading[k]) + "\n";
    }
    if (!u.leading.empty() && u.blankBefore) out += "\n";
    (void)inner;
    // Alignment of a run of one-line rules.
    size_t headPad = 0, childPad = 0, namePad = 0;
    if (!u.isBlock && u.split != std::string::npos) {
      // A run of test expectations: align their `=>`.
      size_t start = i, end = i;
      auto joins = [&](size_t k) {
        return !units[k].isBlock && units[k].split != std::string::npos;
      };
      while (start > 0 && joins(start - 1) && units[start].leading.empty() &&
             !units[start].blankBefore)
        --start;
      while (end < units.size() && joins(end) &&
             (end == start || (units[end].leading.empty() && !units[end].blankBefore)))
        ++end;
      for (size_t k = start; k < end; ++k) namePad = std::max(namePad, units[k].split);
      if (end - start < 2) namePad = 0;
    }
    if (u.isRule && printsOneLine(u, indent)) {
      size_t j = i;
      // The run this rule belongs to: back to its start, forward to its end.
      size_t start = i;
      auto joins = [&](size_t k) {
        const Unit& r = units[k];
        return r.isRule && printsOneLine(r, indent) && r.annotations.empty();
      };
      while (start > 0 && joins(start - 1) && units[start].leading.empty() &&
             !units[start].blankBefore && units[start].annotations.empty())
        --start;
      j = start;
      size_t end = start;
      while (end < units.size() && joins(end) &&
             (end == start || (units[end].leading.empty() && !units[end].blankBefore)))
        ++end;
      for (size_t k = start; k < end; ++k) namePad = std::max(namePad, units[k].nameLen);
      for (size_t k = start; k < end; ++k) {
        headPad = std::max(headPad, units[k].head.size() + (namePad - units[k].nameLen));
        if (units[k].children.size() > 1)
          childPad = std::max(childPad, units[k].children[0].head.size());
      }
      (void)j;
      if (end - start < 2) headPad = childPad = namePad = 0;
    }
    printUnit(u, indent, out, headPad, childPad, namePad);
    atStart = false;
    prevMulti = multi;
  }
}

std::string Formatter::run(const ast::PolicyAst& a) {
  Unit root;
  root.children = collect(a);
  std::vector<size_t> comments;
  for (size_t i = 0; i < toks_.size(); ++i)
    if (toks_[i].kind == TriviaToken::Comment) comments.push_back(i);
  attach(root, 0, text_.size(), comments, true);
  // Top level keeps source order (attach sorted by begin; ranks are all 0).
  std::string out;
  printUnits(root.children, 0, out, true);
  bool atStart = root.children.empty();
  printComments(root.dangling, 0, out, atStart);
  return out;
}

}  // namespace

std::string formatFile(const SourceManager& sm, FileId file, const ast::PolicyAst& ast,
                       const FormatOptions& opts) {
  Formatter f(sm, file, opts);
  return f.run(ast);
}

}  // namespace callpark::format

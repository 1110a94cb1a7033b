#include "compiler/normalize/Pattern.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdio>

namespace callpark::normalize {
namespace {

bool isWordChar(unsigned char c) {
  return std::isalnum(c) || c == '_';
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isSpaceX(char c) {  // what RegexOptions.IgnorePatternWhitespace skips
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string hexEscape(uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\x{%X}", cp);
  return buf;
}

// A literal code point outside a character class, in readable RE2 syntax.
std::string literalOutside(uint32_t cp) {
  if (cp < 0x20 || cp == 0x7F || cp > 0x7F) return hexEscape(cp);
  char c = static_cast<char>(cp);
  if (std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos)
    return std::string("\\") + c;
  if (c == ' ') return "\\x{20}";
  if (c == '#') return "#";
  return std::string(1, c);
}

// A literal code point inside a character class.
std::string literalInside(uint32_t cp) {
  if (cp < 0x20 || cp == 0x7F || cp > 0x7F) return hexEscape(cp);
  char c = static_cast<char>(cp);
  if (std::string_view("\\]-^[").find(c) != std::string_view::npos) return std::string("\\") + c;
  if (c == ' ') return "\\x{20}";
  return std::string(1, c);
}

// Decodes one UTF-8 sequence at p[i]; returns the code point and sets *len. Invalid bytes are
// returned as themselves (RE2 then reports invalid UTF-8).
uint32_t decodeUtf8(std::string_view p, size_t i, size_t* len) {
  unsigned char c = p[i];
  int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + n > p.size()) n = 1;
  uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < n; ++k) {
    unsigned char d = p[i + k];
    if ((d & 0xC0) != 0x80) {
      *len = 1;
      return c;
    }
    cp = (cp << 6) | (d & 0x3F);
  }
  *len = n;
  return cp;
}

struct Flags {
  bool explicitCapture = false;   // n
  bool ignoreWhitespace = false;  // x
};

// A parsed class item, or the element of an escape.
struct ClassItem {
  enum Kind { Char, Class } kind = Char;
  uint32_t cp = 0;
  std::string re2;  // for Class: RE2 text usable inside [...]
};

class Translator {
 public:
  explicit Translator(std::string_view p) : p_(p) {}

  PatternResult run() {
    Flags flags;
    parseAlternation(flags, /*depth=*/0);
    if (!err_ && i_ < p_.size() && p_[i_] == ')')
      fail(kInvalidPattern, i_, i_ + 1, "unmatched `)`: there are too many closing parentheses",
           "remove it, or add the `(` it was meant to close");
    PatternResult r;
    if (err_) {
      r.error = std::move(err_);
      return r;
    }
    TranslatedPattern t;
    t.re2 = std::move(out_);
    t.sourceMap = std::move(map_);
    // .NET numbering: unnamed groups 1..U in order, then named groups in order of appearance.
    std::vector<int> order;  // RE2 index - 1 of each .NET group, in .NET order
    for (size_t k = 0; k < groups_.size(); ++k)
      if (groups_[k].empty()) order.push_back(static_cast<int>(k));
    for (size_t k = 0; k < groups_.size(); ++k)
      if (!groups_[k].empty()) order.push_back(static_cast<int>(k));
    t.groupCount = static_cast<int>(order.size());
    t.emptyLoop = emptyLoop_;
    t.re2Group.push_back(0);
    t.groupNames.push_back("");
    for (int k : order) {
      int num = static_cast<int>(t.re2Group.size());
      t.re2Group.push_back(k + 1);
      t.groupNames.push_back(groups_[k]);
      if (!groups_[k].empty()) t.names[groups_[k]] = num;
    }
    r.pattern = std::move(t);
    return r;
  }

 private:
  std::string_view p_;
  size_t i_ = 0;
  std::string out_;
  std::vector<std::pair<uint32_t, uint32_t>> map_;
  std::vector<std::string> groups_;                     // capturing groups in RE2 order; name or ""
  std::optional<std::pair<size_t, size_t>> emptyLoop_;  // first repetition of a nullable body
  bool nullable_ = false;  // whether the atom parsed last can match the empty string
  std::optional<PatternError> err_;

  void emit(std::string_view s, size_t b, size_t e) {
    out_.append(s);
    for (size_t k = 0; k < s.size(); ++k)
      map_.push_back({static_cast<uint32_t>(b), static_cast<uint32_t>(e)});
  }
  void fail(const char* code, size_t b, size_t e, std::string msg, std::string hint = {}) {
    if (err_) return;
    if (e > p_.size()) e = p_.size();
    if (b > e) b = e;
    if (e == b && e < p_.size()) ++e;
    if (e == b && b > 0) --b;
    err_ = PatternError{b, e, code, std::move(msg), std::move(hint)};
  }
  bool atEnd() const { return i_ >= p_.size(); }

  void skipIgnored(const Flags& f) {
    if (!f.ignoreWhitespace) return;
    while (i_ < p_.size()) {
      if (isSpaceX(p_[i_])) {
        ++i_;
      } else if (p_[i_] == '#') {
        while (i_ < p_.size() && p_[i_] != '\n') ++i_;
      } else {
        break;
      }
    }
  }

  // The offset just past the `)` closing the group opened at `open`, or the pattern's end.
  size_t groupEnd(size_t open) const {
    int depth = 0;
    for (size_t k = open; k < p_.size(); ++k) {
      char c = p_[k];
      if (c == '\\') {
        ++k;
      } else if (c == '[') {
        ++k;
        if (k < p_.size() && p_[k] == '^') ++k;
        if (k < p_.size() && p_[k] == ']') ++k;
        while (k < p_.size() && p_[k] != ']') {
          if (p_[k] == '\\') ++k;
          ++k;
        }
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        if (--depth == 0) return k + 1;
      }
    }
    return p_.size();
  }

  // {n}, {n,}, {n,m} at i_? Sets min/max (max -1: unbounded) and the length.
  bool scanCounted(size_t at, long* mn, long* mx, size_t* len) const {
    size_t k = at;
    if (k >= p_.size() || p_[k] != '{') return false;
    ++k;
    auto number = [&](long* v) {
      size_t s = k;
      long n = 0;
      while (k < p_.size() && isDigit(p_[k])) {
        if (n < 100000000) n = n * 10 + (p_[k] - '0');
        ++k;
      }
      *v = n;
      return k > s;
    };
    if (!number(mn)) return false;
    *mx = *mn;
    if (k < p_.size() && p_[k] == ',') {
      ++k;
      if (!number(mx)) *mx = -1;
    }
    if (k >= p_.size() || p_[k] != '}') return false;
    *len = k + 1 - at;
    return true;
  }
  bool quantifierAt(size_t at) const {
    if (at >= p_.size()) return false;
    char c = p_[at];
    long a, b;
    size_t n;
    return c == '*' || c == '+' || c == '?' || scanCounted(at, &a, &b, &n);
  }

  // Returns whether the alternation can match the empty string.
  bool parseAlternation(Flags flags, int depth) {
    bool nullable = parseSequence(flags, depth);
    while (!err_ && !atEnd() && p_[i_] == '|') {
      emit("|", i_, i_ + 1);
      ++i_;
      nullable = parseSequence(flags, depth) || nullable;
    }
    return nullable;
  }

  // Returns whether the sequence can match the empty string.
  bool parseSequence(Flags& flags, int depth) {
    bool nullable = true;
    while (!err_) {
      skipIgnored(flags);
      if (atEnd() || p_[i_] == '|' || p_[i_] == ')') return nullable;
      size_t start = i_;
      nullable_ = true;
      bool quantifiable = parseAtom(flags, depth);
      if (err_) return nullable;
      bool atomNullable = nullable_;
      skipIgnored(flags);
      if (quantifierAt(i_)) {
        if (!quantifiable) {
          size_t e = i_ + 1;
          long a, b;
          size_t n;
          if (scanCounted(i_, &a, &b, &n)) e = i_ + n;
          fail(kInvalidPattern, i_, e, "quantifier follows nothing that can be repeated",
               "escape it (`\\" + std::string(1, p_[i_]) + "`) to match it literally");
          return nullable;
        }
        long mn = 0, mx = 0;
        parseQuantifier(start, flags, &mn, &mx);
        // A repetition whose body can match the empty string: .NET (like Perl and Python) runs
        // one more, empty, iteration when the body can match empty and then leaves the loop;
        // RE2 never records an empty iteration, so captures can differ (README.md, CP705).
        if (atomNullable && (mx < 0 || mx > 1) && !emptyLoop_) emptyLoop_.emplace(start, i_);
        if (mn == 0) atomNullable = true;
      }
      nullable = nullable && atomNullable;
    }
    return nullable;
  }

  // Parses the quantifier at i_; *mn / *mx receive its bounds (*mx -1: unbounded).
  void parseQuantifier(size_t atomStart, const Flags& flags, long* mn, long* mx) {
    size_t q = i_;
    char c = p_[i_];
    std::string text;
    if (c == '{') {
      long lo, hi;
      size_t n;
      scanCounted(i_, &lo, &hi, &n);
      if (hi >= 0 && lo > hi) {
        fail(kInvalidPattern, q, q + n,
             "repetition `{" + std::to_string(lo) + "," + std::to_string(hi) +
                 "}` has its minimum above its maximum",
             "swap the two numbers");
        return;
      }
      if (lo > 1000 || hi > 1000) {
        fail(kUnsupportedConstruct, q, q + n,
             "repetition count above 1000 is beyond what RE2 supports",
             "use a smaller count or `*`/`+`");
        return;
      }
      text = "{" + std::to_string(lo) + (hi == lo ? "" : ",") +
             (hi > lo ? std::to_string(hi) : "") + "}";
      *mn = lo;
      *mx = hi;
      i_ += n;
    } else {
      text = std::string(1, c);
      *mn = c == '+' ? 1 : 0;
      *mx = c == '?' ? 1 : -1;
      ++i_;
    }
    bool lazy = false;
    if (i_ < p_.size() && p_[i_] == '?') {
      text += '?';
      ++i_;
      lazy = true;
    }
    emit(text, q, i_);
    size_t afterLazy = i_;
    Flags f = flags;
    skipIgnored(f);
    if (quantifierAt(i_)) {
      if (p_[i_] == '+' && afterLazy == i_ && !lazy) {
        fail(kUnsupportedConstruct, q, i_ + 1,
             "possessive quantifier `" + std::string(p_.substr(q, i_ + 1 - q)) +
                 "` is not supported (.NET and RE2 have no possessive quantifiers)",
             "drop the trailing `+`; without backtracking control the match is the same for "
             "full-string dial patterns");
      } else {
        fail(kInvalidPattern, q, i_ + 1,
             "nested quantifier: `" + std::string(1, p_[i_]) +
                 "` repeats something already repeated",
             "wrap the repeated part in a group, e.g. `(?:x*)+`");
      }
    }
    (void)atomStart;
  }

  // Returns whether the atom can take a quantifier; sets nullable_ (whether it can match the
  // empty string; the caller initialises it to true).
  bool parseAtom(Flags& flags, int depth) {
    size_t s = i_;
    char c = p_[i_];
    if (c != '(' && c != '^' && c != '$' && c != '\\') nullable_ = false;
    switch (c) {
      case '(':
        return parseGroup(flags, depth);
      case '[':
        parseClass();
        return true;
      case '\\':
        parseEscape();
        return true;
      case '.':
      case '^':
      case '$':
        emit(std::string(1, c), s, s + 1);
        ++i_;
        return true;
      case '*':
      case '+':
      case '?':
        return false;  // caller reports the quantifier following nothing
      case '{': {
        long a, b;
        size_t n;
        if (scanCounted(i_, &a, &b, &n)) return false;
        emit("\\{", s, s + 1);
        ++i_;
        return true;
      }
      case '}':
        emit("\\}", s, s + 1);
        ++i_;
        return true;
      default: {
        size_t len;
        uint32_t cp = decodeUtf8(p_, i_, &len);
        if (cp >= 0x80 && len > 1)
          emit(p_.substr(i_, len), s, s + len);
        else
          emit(literalOutside(cp), s, s + len);
        i_ += len;
        return true;
      }
    }
  }

  bool parseGroup(Flags& flags, int depth) {
    size_t open = i_;
    ++i_;
    if (atEnd() || p_[i_] != '?') {
      // Plain group: capturing unless RegexOptions.ExplicitCapture (n) is on.
      if (flags.explicitCapture) {
        emit("(?:", open, open + 1);
      } else {
        emit("(", open, open + 1);
        groups_.push_back("");
      }
      return finishGroup(open, flags, depth);
    }
    ++i_;  // past '?'
    if (atEnd()) {
      fail(kInvalidPattern, open, i_, "unrecognized grouping construct `(?`");
      return false;
    }
    char c = p_[i_];
    size_t whole = groupEnd(open);
    auto construct = [&] { return std::string(p_.substr(open, whole - open)); };
    auto shortText = [&] {
      std::string t = construct();
      if (t.size() > 24) t = t.substr(0, 20) + "...";
      return t;
    };
    switch (c) {
      case ':':
        ++i_;
        emit("(?:", open, i_);
        return finishGroup(open, flags, depth);
      case '=':
      case '!':
        fail(kUnsupportedConstruct, open, whole,
             std::string(c == '=' ? "look-ahead" : "negative look-ahead") + " `" + shortText() +
                 "` is not supported by RE2",
             "express the condition with the pattern itself (alternation, character classes), or "
             "split the rule in two with different priorities");
        return false;
      case '>':
        fail(kUnsupportedConstruct, open, whole,
             "atomic group `" + shortText() + "` is not supported by RE2",
             "replace `(?>` with `(?:`; RE2 never backtracks, so the result only differs for "
             "patterns that relied on the group failing");
        return false;
      case '(':
        fail(kUnsupportedConstruct, open, whole,
             "conditional `" + shortText() + "` is not supported by RE2",
             "write the alternatives as separate rules or as an alternation `(a|b)`");
        return false;
      case '#': {
        size_t k = i_;
        while (k < p_.size() && p_[k] != ')') ++k;
        if (k >= p_.size()) {
          fail(kInvalidPattern, open, p_.size(), "unterminated comment `(?#...`",
               "close the comment with `)`");
          return false;
        }
        i_ = k + 1;
        return false;  // a comment is not an atom
      }
      case '<':
      case '\'': {
        if (c == '<' && i_ + 1 < p_.size() && (p_[i_ + 1] == '=' || p_[i_ + 1] == '!')) {
          fail(kUnsupportedConstruct, open, whole,
               std::string(p_[i_ + 1] == '=' ? "look-behind" : "negative look-behind") + " `" +
                   shortText() + "` is not supported by RE2",
               "match the preceding text with the pattern itself, e.g. capture it in a group");
          return false;
        }
        char close = c == '<' ? '>' : '\'';
        size_t nameStart = i_ + 1, k = nameStart;
        while (k < p_.size() && p_[k] != close && p_[k] != ')') ++k;
        if (k >= p_.size() || p_[k] != close) {
          fail(kInvalidPattern, open, std::min(k + 1, p_.size()),
               "group name is not terminated with `" + std::string(1, close) + "`");
          return false;
        }
        std::string_view name = p_.substr(nameStart, k - nameStart);
        if (name.find('-') != std::string_view::npos) {
          fail(kUnsupportedConstruct, open, whole,
               "balancing group `" + shortText() + "` is not supported by RE2",
               "balancing groups count nesting, which dial strings never need; use a plain group");
          return false;
        }
        if (name.empty() || !std::all_of(name.begin(), name.end(),
                                         [](char ch) { return isWordChar(ch) || (ch & 0x80); })) {
          fail(kInvalidPattern, open, k + 1, "invalid group name `" + std::string(name) + "`",
               "group names consist of letters, digits and `_`");
          return false;
        }
        if (isDigit(name[0])) {
          fail(kUnsupportedConstruct, open, k + 1,
               "explicitly numbered group `" + std::string(p_.substr(open, k + 1 - open)) +
                   "` is not supported",
               "use a plain group `(` or a name that starts with a letter");
          return false;
        }
        for (const std::string& g : groups_)
          if (g == name) {
            fail(kUnsupportedConstruct, open, k + 1,
                 "group name `" + std::string(name) + "` is used twice",
                 "give each group its own name");
            return false;
          }
        i_ = k + 1;
        bool asciiName = std::all_of(name.begin(), name.end(),
                                     [](char ch) { return isWordChar(ch) && !(ch & 0x80); });
        if (asciiName)
          emit("(?P<" + std::string(name) + ">", open, i_);
        else
          emit("(", open, i_);
        groups_.push_back(std::string(name));
        return finishGroup(open, flags, depth);
      }
      default:
        break;
    }
    // Inline options: (?imnsx-imnsx) or (?imnsx-imnsx:...)
    size_t k = i_;
    bool neg = false, sawNeg = false;
    std::string on, off;
    Flags nf = flags;
    while (k < p_.size() && p_[k] != ')' && p_[k] != ':') {
      char o = p_[k];
      if (o == '-' && !sawNeg) {
        neg = sawNeg = true;
      } else if (o == 'i' || o == 'm' || o == 's') {
        (neg ? off : on) += o;
      } else if (o == 'n') {
        nf.explicitCapture = !neg;
      } else if (o == 'x') {
        nf.ignoreWhitespace = !neg;
      } else {
        std::string hint;
        if (o == 'P' && k == i_) hint = "named groups are written `(?<name>...)` in .NET";
        fail(kInvalidPattern, open, std::min(k + 1, p_.size()),
             "unrecognized grouping construct `" + std::string(p_.substr(open, k + 1 - open)) + "`",
             hint);
        return false;
      }
      ++k;
    }
    if (k >= p_.size()) {
      fail(kInvalidPattern, open, k, "unrecognized grouping construct: missing `)`");
      return false;
    }
    std::string re2flags = on + (off.empty() ? "" : "-" + off);
    if (p_[k] == ')') {
      i_ = k + 1;
      if (!re2flags.empty()) emit("(?" + re2flags + ")", open, i_);
      flags = nf;  // applies to the rest of the enclosing group
      return false;
    }
    i_ = k + 1;
    emit("(?" + re2flags + ":", open, i_);
    return finishGroup(open, nf, depth);
  }

  bool finishGroup(size_t open, Flags inner, int depth) {
    bool nullable = parseAlternation(inner, depth + 1);
    if (err_) return false;
    nullable_ = nullable;
    if (atEnd()) {
      fail(kInvalidPattern, open, open + 1, "this `(` is never closed", "add the missing `)`");
      return false;
    }
    emit(")", i_, i_ + 1);
    ++i_;
    return true;
  }

  // Parses an escape at i_ (a '\'); inClass: inside [...]. Returns the item.
  std::optional<ClassItem> scanEscape(bool inClass) {
    size_t s = i_;
    if (i_ + 1 >= p_.size()) {
      fail(kInvalidPattern, s, s + 1, "`\\` at the end of the pattern escapes nothing",
           "write `\\\\` for a literal backslash");
      return std::nullopt;
    }
    char c = p_[i_ + 1];
    i_ += 2;
    auto ch = [](uint32_t cp) { return ClassItem{ClassItem::Char, cp, {}}; };
    auto cls = [](std::string t) { return ClassItem{ClassItem::Class, 0, std::move(t)}; };
    switch (c) {
      case 'd':
        return cls("\\d");
      case 'D':
        return cls("\\D");
      case 'w':
        return cls("\\w");
      case 'W':
        return cls("\\W");
      case 's':
        return cls("\\t-\\r\\x{20}");
      case 'S':
        return cls("\\x{0}-\\x{8}\\x{E}-\\x{1F}\\x{21}-\\x{10FFFF}");
      case 'p':
      case 'P': {
        if (i_ >= p_.size() || p_[i_] != '{') {
          fail(kInvalidPattern, s, i_, "`\\" + std::string(1, c) + "` needs a `{name}`");
          return std::nullopt;
        }
        size_t k = p_.find('}', i_);
        if (k == std::string_view::npos) {
          fail(kInvalidPattern, s, p_.size(), "`\\" + std::string(1, c) + "{` is not closed");
          return std::nullopt;
        }
        std::string name(p_.substr(i_ + 1, k - i_ - 1));
        i_ = k + 1;
        if (name.rfind("Is", 0) == 0) {
          fail(kUnsupportedConstruct, s, i_,
               "Unicode block `" + std::string(p_.substr(s, i_ - s)) + "` is not supported by RE2",
               "use a character range like `[\\x{0370}-\\x{03FF}]` instead");
          return std::nullopt;
        }
        return cls("\\" + std::string(1, c) + "{" + name + "}");
      }
      case 'a':
        return ch(0x07);
      case 'e':
        return ch(0x1B);
      case 't':
        return ch('\t');
      case 'n':
        return ch('\n');
      case 'v':
        return ch('\v');
      case 'f':
        return ch('\f');
      case 'r':
        return ch('\r');
      case 'x':
      case 'u': {
        int want = c == 'x' ? 2 : 4;
        uint32_t v = 0;
        for (int n = 0; n < want; ++n) {
          int h = i_ < p_.size() ? hexValue(p_[i_]) : -1;
          if (h < 0) {
            fail(kInvalidPattern, s, std::min(i_ + 1, p_.size()),
                 "`\\" + std::string(1, c) + "` needs exactly " + std::to_string(want) +
                     " hexadecimal digits");
            return std::nullopt;
          }
          v = v * 16 + h;
          ++i_;
        }
        if (v >= 0xD800 && v <= 0xDFFF) {
          fail(kUnsupportedConstruct, s, i_,
               "UTF-16 surrogate `" + std::string(p_.substr(s, i_ - s)) +
                   "` cannot be matched by RE2");
          return std::nullopt;
        }
        return ch(v);
      }
      case 'c': {
        if (i_ >= p_.size() || !std::isalpha(static_cast<unsigned char>(p_[i_]))) {
          fail(kInvalidPattern, s, std::min(i_ + 1, p_.size()), "`\\c` needs a control letter");
          return std::nullopt;
        }
        uint32_t v = std::toupper(static_cast<unsigned char>(p_[i_])) ^ 0x40;
        ++i_;
        return ch(v);
      }
      case 'b':
        if (inClass) return ch(0x08);
        break;
      default:
        break;
    }
    if (c >= '0' && c <= '7' && (c == '0' || inClass)) {
      // Octal: up to three digits in total.
      uint32_t v = c - '0';
      for (int n = 1; n < 3 && i_ < p_.size() && p_[i_] >= '0' && p_[i_] <= '7'; ++n, ++i_)
        v = v * 8 + (p_[i_] - '0');
      return ch(v & 0xFF);
    }
    if (inClass) {
      if (isWordChar(static_cast<unsigned char>(c))) {
        fail(kInvalidPattern, s, i_, "unrecognized escape sequence `\\" + std::string(1, c) + "`",
             "remove the backslash, or write `\\\\` for a backslash");
        return std::nullopt;
      }
      size_t len;
      uint32_t cp = decodeUtf8(p_, i_ - 1, &len);
      i_ += len - 1;
      return ch(cp);
    }
    return std::nullopt;  // the caller handles the rest
  }

  void parseEscape() {
    size_t s = i_;
    if (i_ + 1 < p_.size()) {
      char c = p_[i_ + 1];
      switch (c) {
        // Zero-width assertions: nullable_ stays true.
        case 'b':
          emit("\\b", s, s + 2);
          i_ += 2;
          return;
        case 'B':
          emit("\\B", s, s + 2);
          i_ += 2;
          return;
        case 'A':
          emit("\\A", s, s + 2);
          i_ += 2;
          return;
        case 'z':
        case 'Z':
          emit("\\z", s, s + 2);
          i_ += 2;
          return;
        case 'G':
          fail(kUnsupportedConstruct, s, s + 2,
               "`\\G` (match where the previous match ended) is not supported by RE2",
               "a normalization pattern matches the whole dialed string once; use `^`");
          return;
        case 'k': {
          size_t e = s + 2;
          if (e < p_.size() && (p_[e] == '<' || p_[e] == '\'' || p_[e] == '{')) {
            char close = p_[e] == '<' ? '>' : p_[e] == '{' ? '}' : '\'';
            size_t k = p_.find(close, e + 1);
            e = k == std::string_view::npos ? p_.size() : k + 1;
            fail(
                kUnsupportedConstruct, s, e,
                "back-reference `" + std::string(p_.substr(s, e - s)) + "` is not supported by RE2",
                "RE2 cannot require a repeat of captured text; list the allowed digits instead");
          } else {
            fail(kInvalidPattern, s, e, "malformed `\\k` escape", "write `\\k<name>`");
          }
          return;
        }
        default:
          break;
      }
      if (c >= '1' && c <= '9') {
        size_t e = s + 1;
        while (e < p_.size() && isDigit(p_[e])) ++e;
        fail(kUnsupportedConstruct, s, e,
             "back-reference `" + std::string(p_.substr(s, e - s)) + "` is not supported by RE2",
             "RE2 cannot require a repeat of captured text; list the allowed digits instead");
        return;
      }
    }
    nullable_ = false;  // every other escape matches one character
    std::optional<ClassItem> item = scanEscape(false);
    if (err_) return;
    if (item) {
      if (item->kind == ClassItem::Class) {
        if (item->re2.size() > 2 || item->re2[0] != '\\')  // \s, \S expansions need brackets
          emit("[" + item->re2 + "]", s, i_);
        else
          emit(item->re2, s, i_);
      } else {
        emit(literalOutside(item->cp), s, i_);
      }
      return;
    }
    // Not a known escape: a word character is an error in .NET, anything else is literal.
    char c = p_[s + 1];
    if (isWordChar(static_cast<unsigned char>(c))) {
      i_ = s + 2;
      fail(kInvalidPattern, s, s + 2, "unrecognized escape sequence `\\" + std::string(1, c) + "`",
           "remove the backslash, or write `\\\\` for a backslash");
      return;
    }
    size_t len;
    uint32_t cp = decodeUtf8(p_, s + 1, &len);
    i_ = s + 1 + len;
    if (cp >= 0x80 && len > 1)
      emit(p_.substr(s + 1, len), s, i_);
    else
      emit(literalOutside(cp), s, i_);
  }

  void parseClass() {
    size_t open = i_;
    ++i_;
    std::string body;
    bool negated = false;
    if (i_ < p_.size() && p_[i_] == '^') {
      negated = true;
      ++i_;
    }
    bool first = true;
    std::optional<ClassItem> pending;  // the previous item, when it may start a range
    while (!err_) {
      if (atEnd()) {
        fail(kInvalidPattern, open, p_.size(), "character class `[` is never closed",
             "add the missing `]`");
        return;
      }
      char c = p_[i_];
      if (c == ']' && !first) {
        ++i_;
        break;
      }
      first = false;
      size_t itemStart = i_;
      if (c == '-' && i_ + 1 < p_.size() && p_[i_ + 1] == '[' && itemStart > open + 1 + negated) {
        size_t e = p_.find(']', i_ + 2);
        e = e == std::string_view::npos ? p_.size() : e + 1;
        fail(kUnsupportedConstruct, i_, e,
             "character class subtraction `" + std::string(p_.substr(i_, e - i_)) +
                 "` is not supported by RE2",
             "list the remaining characters or ranges explicitly");
        return;
      }
      std::optional<ClassItem> item = readClassItem();
      if (err_) return;
      // A range?
      if (i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        if (p_[i_ + 1] == '[') {
          size_t e = p_.find(']', i_ + 2);
          e = e == std::string_view::npos ? p_.size() : e + 1;
          fail(kUnsupportedConstruct, i_, e,
               "character class subtraction `" + std::string(p_.substr(i_, e - i_)) +
                   "` is not supported by RE2",
               "list the remaining characters or ranges explicitly");
          return;
        }
        if (item->kind == ClassItem::Class) {
          fail(kInvalidPattern, itemStart, i_ + 1,
               "a class like `" + std::string(p_.substr(itemStart, i_ - itemStart)) +
                   "` cannot start a range",
               "escape the `-` as `\\-`");
          return;
        }
        size_t dash = i_;
        ++i_;
        size_t hiStart = i_;
        std::optional<ClassItem> hi = readClassItem();
        if (err_) return;
        if (hi->kind == ClassItem::Class) {
          fail(kInvalidPattern, hiStart, i_,
               "a class like `" + std::string(p_.substr(hiStart, i_ - hiStart)) +
                   "` cannot end a range",
               "escape the `-` as `\\-`");
          return;
        }
        if (hi->cp < item->cp) {
          fail(kInvalidPattern, itemStart, i_,
               "range `" + std::string(p_.substr(itemStart, i_ - itemStart)) +
                   "` is in reverse order",
               "write the smaller character first");
          return;
        }
        (void)dash;
        body += literalInside(item->cp) + "-" + literalInside(hi->cp);
        continue;
      }
      body += item->kind == ClassItem::Class ? item->re2 : literalInside(item->cp);
    }
    if (err_) return;
    emit("[" + std::string(negated ? "^" : "") + body + "]", open, i_);
  }

  std::optional<ClassItem> readClassItem() {
    if (p_[i_] == '\\') return scanEscape(true);
    size_t len;
    uint32_t cp = decodeUtf8(p_, i_, &len);
    i_ += len;
    return ClassItem{ClassItem::Char, cp, {}};
  }
};

int mapRe2Error(re2::RE2::ErrorCode code) {
  return code == re2::RE2::ErrorRepeatSize || code == re2::RE2::ErrorPatternTooLarge ? 701 : 702;
}

}  // namespace

PatternResult translatePattern(std::string_view dotnet) {
  return Translator(dotnet).run();
}

std::optional<TextError> anchorNote(std::string_view p) {
  bool begins = p.rfind("^", 0) == 0 || p.rfind("\\A", 0) == 0;
  size_t backslashes = 0;  // before the last character: an even count leaves it unescaped
  for (size_t k = p.size() >= 2 ? p.size() - 1 : 0; k > 0 && p[k - 1] == '\\'; --k) ++backslashes;
  bool ends = !p.empty() && ((p.back() == '$' && backslashes % 2 == 0) ||
                             ((p.back() == 'z' || p.back() == 'Z') && backslashes % 2 == 1));
  if (begins && ends) return std::nullopt;
  std::string anchored = std::string(begins ? "" : "^") + std::string(p) + (ends ? "" : "$");
  return TextError{0, p.size(), kWithoutAnchors,
                   std::string("the pattern has no ") +
                       (!begins && !ends ? "`^` and `$` anchors"
                        : !begins        ? "`^` anchor"
                                         : "`$` anchor") +
                       "; like every pattern, it only fires when it matches the whole dialed "
                       "string",
                   "write the anchors to make that explicit: '" + anchored + "'"};
}

CompileResult compilePattern(std::string_view dotnet) {
  CompileResult r;
  PatternResult t = translatePattern(dotnet);
  if (!t.ok()) {
    r.error = std::move(t.error);
    return r;
  }
  re2::RE2::Options opt;
  opt.set_log_errors(false);
  auto re = std::make_shared<re2::RE2>(t.pattern->re2, opt);
  if (!re->ok()) {
    const std::string& arg = re->error_arg();
    const TranslatedPattern& tp = *t.pattern;
    // The last occurrence: for nested repetitions RE2 names the outer operator, which comes last.
    size_t at = arg.empty() ? std::string::npos : tp.re2.rfind(arg);
    size_t b = 0, e = dotnet.size();
    if (at != std::string::npos && !arg.empty()) {
      b = SIZE_MAX;
      e = 0;
      for (size_t k = at; k < at + arg.size() && k < tp.sourceMap.size(); ++k) {
        b = std::min<size_t>(b, tp.sourceMap[k].first);
        e = std::max<size_t>(e, tp.sourceMap[k].second);
      }
      if (b == SIZE_MAX) b = 0, e = dotnet.size();
    }
    if (e <= b) e = std::min(b + 1, dotnet.size());
    bool unsupported = mapRe2Error(re->error_code()) == 701;
    std::string what = unsupported ? "RE2 cannot run this pattern: " : "invalid pattern: ";
    r.error = PatternError{
        b, e, unsupported ? kUnsupportedConstruct : kInvalidPattern, what + re->error(),
        unsupported ? "make the repeated parts smaller" : "check the marked part of the pattern"};
    return r;
  }
  r.compiled = CompiledPattern{std::move(*t.pattern), std::move(re)};
  return r;
}

}  // namespace callpark::normalize

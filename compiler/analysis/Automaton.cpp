// From an RE2-syntax pattern to a DFA with a digit-cover table.
//
// How it works. The pattern is parsed into a small syntax tree (only the subset the
// normalization engine emits; see Automaton.h). The tree is compiled into a Thompson NFA by
// continuation passing: compile(node, next) returns the entry state of a fragment that continues
// with `next`, so counted repetitions are expanded by compiling the same node several times.
// Anchors are zero-width NFA states that may only be crossed at the start (^, \A) or at the end
// (\$, \z) of the input: the subset construction follows ^-states only in the start state's
// closure, and follows $-states only when deciding whether a DFA state accepts.
//
// Character classes are restricted to ASCII (dial strings are ASCII; a pattern with non-ASCII
// literals is refused). The 128 characters are partitioned into equivalence classes (characters
// that belong to exactly the same sets of the pattern), so a DFA row has one column per class.
//
// cover(s, k) is a table: cover(s, 0) is accept(s); cover(s, k) is All when every digit leads to
// a state with cover All at k-1, None when every digit leads to None, Some otherwise. That is
// exact because "every k-digit suffix is accepted from s" means "for every first digit d, every
// (k-1)-digit suffix is accepted from step(s, d)".
#include "compiler/analysis/Automaton.h"

#include <algorithm>
#include <bitset>
#include <deque>
#include <map>
#include <memory>

namespace callpark::analysis {
namespace {

using CharSet = std::bitset<128>;

constexpr int kMaxNfaStates = 20000;
constexpr int kMaxDfaStates = 5000;
constexpr int kMaxRepeat = 1000;

struct Node {
  enum Kind { Empty, Set, Cat, Alt, Rep, Cap, Begin, End } kind = Empty;
  CharSet set;
  std::vector<Node> kids;
  int min = 0, max = 0;  // Rep; max -1: unbounded
  int cap = 0;           // Cap: RE2 group index
};

class Parser {
 public:
  explicit Parser(std::string_view p) : p_(p) {}

  std::optional<Node> parse(std::string* why) {
    Node n = parseAlt();
    if (!err_.empty() || i_ != p_.size()) {
      if (err_.empty()) err_ = "unbalanced `)`";
      if (why) *why = err_;
      return std::nullopt;
    }
    return n;
  }

 private:
  std::string_view p_;
  size_t i_ = 0;
  int caps_ = 0;
  std::string err_;

  bool fail(std::string why) {
    if (err_.empty()) err_ = std::move(why);
    return false;
  }
  bool more() const { return i_ < p_.size() && err_.empty(); }

  Node parseAlt() {
    Node first = parseCat();
    if (!more() || p_[i_] != '|') return first;
    Node alt;
    alt.kind = Node::Alt;
    alt.kids.push_back(std::move(first));
    while (more() && p_[i_] == '|') {
      ++i_;
      alt.kids.push_back(parseCat());
    }
    return alt;
  }

  Node parseCat() {
    Node cat;
    cat.kind = Node::Cat;
    while (more() && p_[i_] != '|' && p_[i_] != ')') {
      Node atom;
      if (!parseAtom(atom)) return cat;
      parseQuantifiers(atom);
      cat.kids.push_back(std::move(atom));
    }
    if (cat.kids.size() == 1) return std::move(cat.kids[0]);
    return cat;
  }

  static bool isDigit(char c) { return c >= '0' && c <= '9'; }

  // {n}, {n,}, {n,m} at i_; returns false (and leaves i_) when it is not a repetition.
  bool scanBraces(int& lo, int& hi) {
    size_t k = i_ + 1;
    auto num = [&](int& out) {
      size_t s = k;
      long v = 0;
      while (k < p_.size() && isDigit(p_[k]) && v <= 100000) v = v * 10 + (p_[k++] - '0');
      out = static_cast<int>(v);
      return k > s;
    };
    if (!num(lo)) return false;
    hi = lo;
    if (k < p_.size() && p_[k] == ',') {
      ++k;
      if (k < p_.size() && p_[k] == '}')
        hi = -1;
      else if (!num(hi))
        return false;
    }
    if (k >= p_.size() || p_[k] != '}') return false;
    i_ = k + 1;
    return true;
  }

  void parseQuantifiers(Node& atom) {
    while (more()) {
      char c = p_[i_];
      int lo, hi;
      if (c == '*') {
        lo = 0, hi = -1, ++i_;
      } else if (c == '+') {
        lo = 1, hi = -1, ++i_;
      } else if (c == '?') {
        lo = 0, hi = 1, ++i_;
      } else if (c == '{' && scanBraces(lo, hi)) {
        if (lo > kMaxRepeat || hi > kMaxRepeat || (hi >= 0 && hi < lo)) {
          fail("repetition count out of range");
          return;
        }
      } else {
        return;
      }
      if (more() && p_[i_] == '?') ++i_;  // lazy: same language under full match
      Node rep;
      rep.kind = Node::Rep;
      rep.min = lo;
      rep.max = hi;
      rep.kids.push_back(std::move(atom));
      atom = std::move(rep);
    }
  }

  static CharSet digits() {
    CharSet s;
    for (char c = '0'; c <= '9'; ++c) s.set(c);
    return s;
  }
  static CharSet word() {
    CharSet s = digits();
    for (char c = 'a'; c <= 'z'; ++c) s.set(c);
    for (char c = 'A'; c <= 'Z'; ++c) s.set(c);
    s.set('_');
    return s;
  }
  static CharSet space() {
    CharSet s;
    for (char c : std::string_view("\t\n\v\f\r ")) s.set(static_cast<unsigned char>(c));
    return s;
  }

  // An escape at i_ ('\\'). Sets `set` (a class or one char) or an anchor kind.
  bool parseEscape(CharSet& set, Node::Kind& anchor, bool inClass) {
    anchor = Node::Set;
    if (i_ + 1 >= p_.size()) return fail("trailing backslash");
    char c = p_[i_ + 1];
    i_ += 2;
    switch (c) {
      case 'd':
        set = digits();
        return true;
      case 'D':
        set = ~digits();
        return true;
      case 'w':
        set = word();
        return true;
      case 'W':
        set = ~word();
        return true;
      case 's':
        set = space();
        return true;
      case 'S':
        set = ~space();
        return true;
      case 'n':
        set.set('\n');
        return true;
      case 't':
        set.set('\t');
        return true;
      case 'r':
        set.set('\r');
        return true;
      case 'f':
        set.set('\f');
        return true;
      case 'v':
        set.set('\v');
        return true;
      case 'a':
        set.set('\a');
        return true;
      case 'A':
      case 'z':
        if (inClass) return fail("anchor inside a class");
        anchor = c == 'A' ? Node::Begin : Node::End;
        return true;
      case 'x': {
        long v = 0;
        if (i_ < p_.size() && p_[i_] == '{') {
          size_t k = i_ + 1;
          while (k < p_.size() && std::isxdigit(static_cast<unsigned char>(p_[k])) && v < 0x110000)
            v = v * 16 + std::stoi(std::string(1, p_[k++]), nullptr, 16);
          if (k >= p_.size() || p_[k] != '}') return fail("malformed \\x{...}");
          i_ = k + 1;
        } else {
          if (i_ + 2 > p_.size()) return fail("malformed \\x");
          for (int n = 0; n < 2; ++n) {
            char h = p_[i_++];
            if (!std::isxdigit(static_cast<unsigned char>(h))) return fail("malformed \\x");
            v = v * 16 + std::stoi(std::string(1, h), nullptr, 16);
          }
        }
        if (v >= 128) return fail("non-ASCII character");
        set.set(static_cast<size_t>(v));
        return true;
      }
      default:
        break;
    }
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      if (c == 'b' || c == 'B') return fail("word boundary \\b");
      if (c == 'p' || c == 'P') return fail("Unicode class \\p");
      return fail(std::string("escape \\") + c);
    }
    if (static_cast<unsigned char>(c) >= 128) return fail("non-ASCII character");
    set.set(static_cast<unsigned char>(c));
    return true;
  }

  bool parseClass(CharSet& out) {
    ++i_;  // '['
    bool neg = false;
    if (i_ < p_.size() && p_[i_] == '^') neg = true, ++i_;
    CharSet set;
    bool first = true;
    while (true) {
      if (i_ >= p_.size()) return fail("unterminated class");
      char c = p_[i_];
      if (c == ']' && !first) {
        ++i_;
        break;
      }
      first = false;
      if (c == '[' && i_ + 1 < p_.size() && p_[i_ + 1] == ':') return fail("POSIX class");
      CharSet item;
      int lo = -1;
      if (c == '\\') {
        Node::Kind a;
        if (!parseEscape(item, a, true)) return false;
        if (item.count() == 1)
          for (int k = 0; k < 128; ++k)
            if (item.test(k)) lo = k;
      } else {
        if (static_cast<unsigned char>(c) >= 128) return fail("non-ASCII character");
        item.set(static_cast<unsigned char>(c));
        lo = static_cast<unsigned char>(c);
        ++i_;
      }
      // A range lo-hi.
      if (lo >= 0 && i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        ++i_;
        int hi;
        if (p_[i_] == '\\') {
          CharSet h;
          Node::Kind a;
          if (!parseEscape(h, a, true)) return false;
          if (h.count() != 1) return fail("class range ending in a class");
          hi = 0;
          for (int k = 0; k < 128; ++k)
            if (h.test(k)) hi = k;
        } else {
          if (static_cast<unsigned char>(p_[i_]) >= 128) return fail("non-ASCII character");
          hi = static_cast<unsigned char>(p_[i_++]);
        }
        if (hi < lo) return fail("reversed class range");
        for (int k = lo; k <= hi; ++k) item.set(k);
      }
      set |= item;
    }
    out = neg ? ~set : set;
    return true;
  }

  bool parseAtom(Node& atom) {
    char c = p_[i_];
    switch (c) {
      case '(': {
        ++i_;
        bool capture = true;
        if (i_ < p_.size() && p_[i_] == '?') {
          if (i_ + 1 < p_.size() && p_[i_ + 1] == ':') {
            capture = false;
            i_ += 2;
          } else if (i_ + 1 < p_.size() && p_[i_ + 1] == 'P') {
            size_t k = p_.find('>', i_);
            if (k == std::string_view::npos) return fail("malformed named group");
            i_ = k + 1;
          } else {
            return fail("inline flags");
          }
        }
        int index = capture ? ++caps_ : 0;
        Node inner = parseAlt();
        if (!err_.empty()) return false;
        if (i_ >= p_.size() || p_[i_] != ')') return fail("unclosed group");
        ++i_;
        if (capture) {
          atom.kind = Node::Cap;
          atom.cap = index;
          atom.kids.push_back(std::move(inner));
        } else {
          atom = std::move(inner);
        }
        return true;
      }
      case '[':
        atom.kind = Node::Set;
        return parseClass(atom.set);
      case '\\': {
        Node::Kind a;
        if (!parseEscape(atom.set, a, false)) return false;
        atom.kind = a;
        return true;
      }
      case '.':
        ++i_;
        atom.kind = Node::Set;
        atom.set.set();
        atom.set.reset('\n');
        return true;
      case '^':
        ++i_;
        atom.kind = Node::Begin;
        return true;
      case '$':
        ++i_;
        atom.kind = Node::End;
        return true;
      case '*':
      case '+':
      case '?':
        return fail("repetition of nothing");
      default:
        if (static_cast<unsigned char>(c) >= 128) return fail("non-ASCII character");
        ++i_;
        atom.kind = Node::Set;
        atom.set.set(static_cast<unsigned char>(c));
        return true;
    }
  }
};

struct NfaState {
  enum Kind { Char, Eps, Begin, End, Match } kind = Eps;
  int set = -1;           // Char: index into sets
  std::vector<int> outs;  // Char/Begin/End: one; Eps: any number
};

class NfaBuilder {
 public:
  std::vector<NfaState> states;
  std::vector<CharSet> sets;
  bool overflow = false;

  int add(NfaState s) {
    if (states.size() >= static_cast<size_t>(kMaxNfaStates)) {
      overflow = true;
      return 0;
    }
    states.push_back(std::move(s));
    return static_cast<int>(states.size()) - 1;
  }

  int compile(const Node& n, int next) {
    if (overflow) return next;
    switch (n.kind) {
      case Node::Empty:
        return next;
      case Node::Set: {
        int idx = -1;
        for (size_t k = 0; k < sets.size(); ++k)
          if (sets[k] == n.set) idx = static_cast<int>(k);
        if (idx < 0) {
          sets.push_back(n.set);
          idx = static_cast<int>(sets.size()) - 1;
        }
        return add({NfaState::Char, idx, {next}});
      }
      case Node::Cat:
        for (auto it = n.kids.rbegin(); it != n.kids.rend(); ++it) next = compile(*it, next);
        return next;
      case Node::Alt: {
        NfaState e{NfaState::Eps, -1, {}};
        for (const Node& k : n.kids) e.outs.push_back(compile(k, next));
        return add(std::move(e));
      }
      case Node::Cap:
        return compile(n.kids[0], next);
      case Node::Begin:
        return add({NfaState::Begin, -1, {next}});
      case Node::End:
        return add({NfaState::End, -1, {next}});
      case Node::Rep: {
        const Node& kid = n.kids[0];
        int cur = next;
        if (n.max < 0) {
          int loop = add({NfaState::Eps, -1, {}});
          if (overflow) return next;
          int body = compile(kid, loop);
          states[loop].outs = {body, next};
          cur = loop;
        } else {
          for (int k = 0; k < n.max - n.min && !overflow; ++k) {
            int body = compile(kid, cur);
            cur = add({NfaState::Eps, -1, {body, next}});
          }
        }
        for (int k = 0; k < n.min && !overflow; ++k) cur = compile(kid, cur);
        return cur;
      }
    }
    return next;
  }
};

std::optional<std::vector<TopPiece>> topLevelOf(const Node& root) {
  std::vector<const Node*> items;
  if (root.kind == Node::Cat) {
    for (const Node& k : root.kids) items.push_back(&k);
  } else {
    items.push_back(&root);
  }
  // Leading ^/\A and trailing $/\z are dropped; anywhere else the shape is not simple.
  size_t b = 0, e = items.size();
  while (b < e && items[b]->kind == Node::Begin) ++b;
  while (e > b && items[e - 1]->kind == Node::End) --e;
  std::vector<TopPiece> out;
  for (size_t k = b; k < e; ++k) {
    const Node& n = *items[k];
    if (n.kind == Node::Set && n.set.count() == 1) {
      char c = 0;
      for (int j = 0; j < 128; ++j)
        if (n.set.test(j)) c = static_cast<char>(j);
      if (!out.empty() && out.back().kind == TopPiece::Literal)
        out.back().literal += c;
      else
        out.push_back({TopPiece::Literal, std::string(1, c), 0});
    } else if (n.kind == Node::Cap) {
      out.push_back({TopPiece::Group, "", n.cap});
    } else if (n.kind == Node::Empty) {
      continue;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

struct DfaBuilder {
  static std::optional<Dfa> build(std::string_view pattern, std::string* why) {
    Parser parser(pattern);
    std::optional<Node> root = parser.parse(why);
    if (!root) return std::nullopt;

    NfaBuilder nfa;
    int match = nfa.add({NfaState::Match, -1, {}});
    int startNfa = nfa.compile(*root, match);
    if (nfa.overflow) {
      if (why) *why = "pattern too large for the automaton";
      return std::nullopt;
    }

    Dfa dfa;
    dfa.top_ = topLevelOf(*root);

    // Character classes: characters with the same membership in every set.
    std::map<std::vector<bool>, int> signature;
    std::vector<int> representative;
    for (int c = 0; c < 128; ++c) {
      std::vector<bool> sig(nfa.sets.size());
      for (size_t k = 0; k < nfa.sets.size(); ++k) sig[k] = nfa.sets[k].test(c);
      auto [it, fresh] = signature.emplace(sig, static_cast<int>(signature.size()));
      if (fresh) representative.push_back(c);
      dfa.classOf_[c] = static_cast<uint8_t>(it->second);
    }
    dfa.classes_ = static_cast<int>(representative.size());

    const auto& st = nfa.states;
    std::vector<uint8_t> mark(st.size(), 0);
    uint8_t epoch = 0;
    // Closure: follows Eps always, Begin when allowBegin, End when allowEnd. Keeps Char, Match
    // and (unfollowed) End states.
    auto closure = [&](const std::vector<int>& seeds, bool allowBegin, bool allowEnd) {
      if (++epoch == 0) {
        std::fill(mark.begin(), mark.end(), 0);
        epoch = 1;
      }
      std::vector<int> out, stack(seeds.rbegin(), seeds.rend());
      while (!stack.empty()) {
        int s = stack.back();
        stack.pop_back();
        if (mark[s] == epoch) continue;
        mark[s] = epoch;
        const NfaState& n = st[s];
        switch (n.kind) {
          case NfaState::Char:
          case NfaState::Match:
            out.push_back(s);
            break;
          case NfaState::Eps:
            for (auto it = n.outs.rbegin(); it != n.outs.rend(); ++it) stack.push_back(*it);
            break;
          case NfaState::Begin:
            if (allowBegin) stack.push_back(n.outs[0]);
            break;
          case NfaState::End:
            if (allowEnd)
              stack.push_back(n.outs[0]);
            else
              out.push_back(s);
            break;
        }
      }
      std::sort(out.begin(), out.end());
      return out;
    };

    std::map<std::vector<int>, int> index;  // non-start states
    std::vector<std::vector<int>> sets;
    auto accepts = [&](const std::vector<int>& s, bool isStart) {
      std::vector<int> c = closure(s, isStart, true);
      return std::binary_search(c.begin(), c.end(), match);
    };
    sets.push_back(closure({startNfa}, true, false));
    dfa.accept_.push_back(accepts(sets[0], true));
    auto intern = [&](std::vector<int> s) -> int {
      auto it = index.find(s);
      if (it != index.end()) return it->second;
      int id = static_cast<int>(sets.size());
      index.emplace(s, id);
      dfa.accept_.push_back(accepts(s, false));
      sets.push_back(std::move(s));
      return id;
    };
    dfa.dead_ = intern({});
    for (size_t d = 0; d < sets.size(); ++d) {
      if (sets.size() > static_cast<size_t>(kMaxDfaStates)) {
        if (why) *why = "automaton too large";
        return std::nullopt;
      }
      for (int cls = 0; cls < dfa.classes_; ++cls) {
        int c = representative[cls];
        std::vector<int> next;
        for (int s : sets[d])
          if (st[s].kind == NfaState::Char && nfa.sets[st[s].set].test(c))
            next.push_back(st[s].outs[0]);
        int t = intern(next.empty() ? std::vector<int>{} : closure(next, false, false));
        dfa.trans_.push_back(t);
      }
    }

    // Digit-cover table.
    size_t n = dfa.accept_.size();
    dfa.coverTable_.assign((Dfa::kMaxSuffix + 1) * n, 0);
    for (size_t s = 0; s < n; ++s)
      dfa.coverTable_[s] = static_cast<uint8_t>(dfa.accept_[s] ? Cover::All : Cover::None);
    for (int k = 1; k <= Dfa::kMaxSuffix; ++k) {
      for (size_t s = 0; s < n; ++s) {
        bool all = true, none = true;
        for (char c = '0'; c <= '9'; ++c) {
          int t = dfa.step(static_cast<int>(s), static_cast<unsigned char>(c));
          Cover v = static_cast<Cover>(dfa.coverTable_[(k - 1) * n + t]);
          all = all && v == Cover::All;
          none = none && v == Cover::None;
        }
        dfa.coverTable_[k * n + s] = static_cast<uint8_t>(all    ? Cover::All
                                                          : none ? Cover::None
                                                                 : Cover::Some);
      }
    }
    return dfa;
  }
};

std::optional<Dfa> Dfa::build(std::string_view re2Pattern, std::string* why) {
  return DfaBuilder::build(re2Pattern, why);
}

bool Dfa::matchesAllDigitStrings(bool includingEmpty) const {
  std::vector<uint8_t> seen(accept_.size(), 0);
  std::vector<int> stack{0};
  seen[0] = 1;
  while (!stack.empty()) {
    int s = stack.back();
    stack.pop_back();
    bool isEmptyString = s == 0;  // only the start state is reached by the empty string first
    if (!accept_[s] && !(isEmptyString && !includingEmpty)) return false;
    for (char c = '0'; c <= '9'; ++c) {
      int t = step(s, static_cast<unsigned char>(c));
      if (!seen[t]) seen[t] = 1, stack.push_back(t);
    }
  }
  return true;
}

namespace {

// Breadth-first search over the product of two DFAs; `bad(a, b)` says whether a pair is a
// counterexample. Returns true (and the shortest string) when a bad pair is reachable.
template <class Bad>
bool searchProduct(const Dfa& a, const Dfa* b, std::string_view alphabet, Bad bad,
                   std::string* example) {
  int nb = b ? b->stateCount() : 1;
  size_t total = static_cast<size_t>(a.stateCount()) * nb;
  std::vector<int> parent(total, -2);
  std::vector<char> via(total, 0);
  std::deque<int> queue;
  auto key = [&](int x, int y) { return x * nb + y; };
  int k0 = key(a.start(), b ? b->start() : 0);
  parent[k0] = -1;
  queue.push_back(k0);
  while (!queue.empty()) {
    int k = queue.front();
    queue.pop_front();
    int x = k / nb, y = k % nb;
    if (bad(x, y)) {
      if (example) {
        std::string s;
        for (int c = k; parent[c] != -1; c = parent[c]) s += via[c];
        std::reverse(s.begin(), s.end());
        *example = s;
      }
      return true;
    }
    if (x == a.dead()) continue;
    for (char c : alphabet) {
      int nx = a.step(x, static_cast<unsigned char>(c));
      int ny = b ? b->step(y, static_cast<unsigned char>(c)) : 0;
      int nk = key(nx, ny);
      if (parent[nk] != -2) continue;
      parent[nk] = k;
      via[nk] = c;
      queue.push_back(nk);
    }
  }
  return false;
}

}  // namespace

bool includedIn(const Dfa& inner, const Dfa& outer, std::string_view alphabet,
                std::string* counterexample) {
  return !searchProduct(
      inner, &outer, alphabet,
      [&](int x, int y) { return inner.accepting(x) && !outer.accepting(y); }, counterexample);
}

bool acceptsSome(const Dfa& dfa, std::string_view alphabet, std::string* example) {
  return searchProduct(
      dfa, nullptr, alphabet, [&](int x, int) { return dfa.accepting(x); }, example);
}

}  // namespace callpark::analysis

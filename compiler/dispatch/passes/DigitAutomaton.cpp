#include "compiler/dispatch/passes/DigitAutomaton.h"

#include <algorithm>
#include <unordered_map>

namespace callpark::dispatch {

namespace {

constexpr uint16_t kAll = 0xFFF;
constexpr uint16_t kDigits = 0x3FF;
constexpr size_t kMaxStates = 6000;

int symbolOf(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c == '*') return 10;
  if (c == '#') return 11;
  return -1;
}
uint16_t maskOf(char c) {
  int s = symbolOf(c);
  return s < 0 ? 0 : static_cast<uint16_t>(1u << s);
}
uint16_t maskOfRange(unsigned char a, unsigned char b) {
  uint16_t m = 0;
  for (const char c : std::string_view("0123456789*#"))
    if (static_cast<unsigned char>(c) >= a && static_cast<unsigned char>(c) <= b) m |= maskOf(c);
  return m;
}

struct Ast {
  enum Kind { Set, Cat, Alt, Rep, Group, Bol, Eol } kind = Set;
  uint16_t mask = 0;
  int min = 0, max = 0;  // Rep; max -1: unbounded
  int cap = 0;           // Group: RE2 group index, 0 for (?: )
  std::vector<std::unique_ptr<Ast>> kids;
};
using AstP = std::unique_ptr<Ast>;

AstP make(Ast::Kind k) {
  auto a = std::make_unique<Ast>();
  a->kind = k;
  return a;
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}
  AstP parse() {
    AstP a = alt();
    if (!ok_ || i_ != s_.size()) return nullptr;
    return a;
  }

 private:
  bool more() const { return i_ < s_.size(); }
  char peek() const { return s_[i_]; }
  AstP fail() {
    ok_ = false;
    return make(Ast::Set);
  }

  AstP alt() {
    AstP first = cat();
    if (!more() || peek() != '|') return first;
    AstP a = make(Ast::Alt);
    a->kids.push_back(std::move(first));
    while (ok_ && more() && peek() == '|') {
      ++i_;
      a->kids.push_back(cat());
    }
    return a;
  }

  AstP cat() {
    AstP c = make(Ast::Cat);
    while (ok_ && more() && peek() != '|' && peek() != ')') c->kids.push_back(repeat());
    return c;
  }

  // Parses {n}, {n,}, {n,m} at i_ (pointing at '{'); false (i_ unchanged) when not a repeat.
  bool counted(int* mn, int* mx) {
    size_t j = i_ + 1;
    auto num = [&](int* out) {
      size_t b = j;
      long v = 0;
      while (j < s_.size() && s_[j] >= '0' && s_[j] <= '9' && v <= 100000)
        v = v * 10 + (s_[j++] - '0');
      *out = static_cast<int>(v);
      return j > b;
    };
    if (!num(mn)) return false;
    *mx = *mn;
    if (j < s_.size() && s_[j] == ',') {
      ++j;
      if (!num(mx)) *mx = -1;
    }
    if (j >= s_.size() || s_[j] != '}') return false;
    i_ = j + 1;
    return true;
  }

  AstP repeat() {
    AstP a = atom();
    while (ok_ && more()) {
      int mn = 0, mx = 0;
      char c = peek();
      if (c == '*')
        mn = 0, mx = -1, ++i_;
      else if (c == '+')
        mn = 1, mx = -1, ++i_;
      else if (c == '?')
        mn = 0, mx = 1, ++i_;
      else if (c == '{' && counted(&mn, &mx)) {
      } else
        break;
      if (mn > 1000 || mx > 1000 || (mx >= 0 && mx < mn)) return fail();
      if (more() && peek() == '?') ++i_;  // lazy: same language
      AstP r = make(Ast::Rep);
      r->min = mn;
      r->max = mx;
      r->kids.push_back(std::move(a));
      a = std::move(r);
    }
    return a;
  }

  // An escape after '\' at i_ (pointing past the backslash): a class mask, or fails.
  bool escapeMask(uint16_t* m, bool inClass) {
    if (!more()) return false;
    char c = s_[i_++];
    switch (c) {
      case 'd':
        *m = kDigits;
        return true;
      case 'D':
        *m = kAll & ~kDigits;
        return true;
      case 'w':
        *m = kDigits;
        return true;
      case 'W':
        *m = kAll & ~kDigits;
        return true;
      case 's':
        *m = 0;
        return true;
      case 'S':
        *m = kAll;
        return true;
      case 'n':
      case 'r':
      case 't':
      case 'f':
      case 'v':
        *m = 0;
        return true;
      default:
        break;
    }
    (void)inClass;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
      return false;  // \b \p \x \1 ... : outside the subset
    *m = maskOf(c);
    return true;
  }

  AstP atom() {
    char c = s_[i_];
    if (c == '(') {
      ++i_;
      int cap = 0;
      if (more() && peek() == '?') {
        if (s_.substr(i_, 2) == "?:") {
          i_ += 2;
        } else if (s_.substr(i_, 3) == "?P<") {
          size_t close = s_.find('>', i_);
          if (close == std::string_view::npos) return fail();
          i_ = close + 1;
          cap = ++groups_;
        } else {
          return fail();  // flags
        }
      } else {
        cap = ++groups_;
      }
      AstP g = make(Ast::Group);
      g->cap = cap;
      g->kids.push_back(alt());
      if (!more() || peek() != ')') return fail();
      ++i_;
      return g;
    }
    if (c == '[') return klass();
    ++i_;
    if (c == '.') {
      AstP a = make(Ast::Set);
      a->mask = kAll;
      return a;
    }
    if (c == '^') return make(Ast::Bol);
    if (c == '$') return make(Ast::Eol);
    if (c == '\\') {
      if (more() && peek() == 'A') return ++i_, make(Ast::Bol);
      if (more() && peek() == 'z') return ++i_, make(Ast::Eol);
      AstP a = make(Ast::Set);
      if (!escapeMask(&a->mask, false)) return fail();
      return a;
    }
    if (c == '*' || c == '+' || c == '?' || c == ')') return fail();
    AstP a = make(Ast::Set);
    a->mask = maskOf(c);
    return a;
  }

  AstP klass() {
    ++i_;  // '['
    bool neg = false;
    if (more() && peek() == '^') neg = true, ++i_;
    uint16_t m = 0;
    bool first = true;
    while (true) {
      if (!more()) return fail();
      char c = peek();
      if (c == ']' && !first) {
        ++i_;
        break;
      }
      first = false;
      if (c == '[' && s_.substr(i_, 2) == "[:") return fail();
      // One item: a char (maybe starting a range) or an escape class.
      int lo;
      if (c == '\\') {
        ++i_;
        if (!more()) return fail();
        char e = peek();
        if (std::string_view("dDwWsSnrtfv").find(e) != std::string_view::npos) {
          uint16_t em = 0;
          if (!escapeMask(&em, true)) return fail();
          m |= em;
          continue;
        }
        if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9'))
          return fail();
        lo = static_cast<unsigned char>(e);
        ++i_;
      } else {
        lo = static_cast<unsigned char>(c);
        ++i_;
      }
      int hi = lo;
      if (i_ + 1 < s_.size() && peek() == '-' && s_[i_ + 1] != ']') {
        ++i_;
        char h = peek();
        if (h == '\\') {
          ++i_;
          if (!more()) return fail();
          h = peek();
          if ((h >= 'a' && h <= 'z') || (h >= 'A' && h <= 'Z') || (h >= '0' && h <= '9'))
            return fail();
        }
        hi = static_cast<unsigned char>(h);
        ++i_;
        if (hi < lo) return fail();
      }
      m |= maskOfRange(static_cast<unsigned char>(lo), static_cast<unsigned char>(hi));
    }
    AstP a = make(Ast::Set);
    a->mask = neg ? static_cast<uint16_t>(kAll & ~m) : m;
    return a;
  }

  std::string_view s_;
  size_t i_ = 0;
  bool ok_ = true;
  int groups_ = 0;
};

}  // namespace

namespace {

struct Builder {
  std::vector<std::vector<std::tuple<uint16_t, int8_t, int>>> out;
  bool ok = true;
  int state() {
    if (out.size() >= kMaxStates) ok = false;
    out.emplace_back();
    return static_cast<int>(out.size()) - 1;
  }
  void eps(int a, int b, int8_t as = 0) { out[a].emplace_back(0, as, b); }
  // Returns (start, end).
  std::pair<int, int> build(const Ast& a) {
    if (!ok) return {0, 0};
    switch (a.kind) {
      case Ast::Set: {
        int s = state(), e = state();
        if (!ok) return {0, 0};
        if (a.mask) out[s].emplace_back(a.mask, 0, e);
        return {s, e};
      }
      case Ast::Bol:
      case Ast::Eol: {
        int s = state(), e = state();
        if (!ok) return {0, 0};
        eps(s, e, a.kind == Ast::Bol ? 1 : 2);
        return {s, e};
      }
      case Ast::Group:
        return build(*a.kids[0]);
      case Ast::Cat: {
        int s = state();
        int cur = s;
        for (const auto& k : a.kids) {
          auto [ks, ke] = build(*k);
          if (!ok) return {0, 0};
          eps(cur, ks);
          cur = ke;
        }
        return {s, cur};
      }
      case Ast::Alt: {
        int s = state(), e = state();
        for (const auto& k : a.kids) {
          auto [ks, ke] = build(*k);
          if (!ok) return {0, 0};
          eps(s, ks);
          eps(ke, e);
        }
        return {s, e};
      }
      case Ast::Rep: {
        int s = state();
        int cur = s;
        for (int i = 0; i < a.min && ok; ++i) {
          auto [ks, ke] = build(*a.kids[0]);
          if (!ok) return {0, 0};
          eps(cur, ks);
          cur = ke;
        }
        if (a.max < 0) {
          int loop = state();
          auto [ks, ke] = build(*a.kids[0]);
          if (!ok) return {0, 0};
          eps(cur, loop);
          eps(loop, ks);
          eps(ke, loop);
          int e = state();
          eps(loop, e);
          return {s, e};
        }
        int e = state();
        for (int i = a.min; i < a.max && ok; ++i) {
          auto [ks, ke] = build(*a.kids[0]);
          if (!ok) return {0, 0};
          eps(cur, ks);
          eps(cur, e);
          cur = ke;
        }
        eps(cur, e);
        return {s, e};
      }
    }
    return {0, 0};
  }
};

int wholeGroupOf(const Ast& root) {
  const Ast* a = &root;
  if (a->kind == Ast::Cat) {
    const Ast* only = nullptr;
    size_t n = a->kids.size(), b = 0, e = n;
    while (b < n && a->kids[b]->kind == Ast::Bol) ++b;
    while (e > b && a->kids[e - 1]->kind == Ast::Eol) --e;
    if (e - b != 1) return -1;
    only = a->kids[b].get();
    a = only;
  }
  if (a->kind == Ast::Group && a->cap > 0) return a->cap;
  return -1;
}

}  // namespace

std::optional<DigitAutomaton> DigitAutomaton::parse(std::string_view re2) {
  Parser p(re2);
  AstP ast = p.parse();
  if (!ast) return std::nullopt;
  Builder b;
  auto [s, e] = b.build(*ast);
  if (!b.ok) return std::nullopt;
  DigitAutomaton d;
  d.nfa_ = std::make_shared<Nfa>();
  d.nfa_->out.resize(b.out.size());
  for (size_t i = 0; i < b.out.size(); ++i)
    for (auto [m, as, to] : b.out[i]) d.nfa_->out[i].push_back({m, as, to});
  d.nfa_->start = s;
  d.nfa_->accept = e;
  d.dfa_ = std::make_shared<Dfa>();
  d.dead_ = d.stateOf({});
  d.start_ = d.stateOf(d.closure({s}, true));
  d.wholeGroup_ = wholeGroupOf(*ast);
  return d;
}

namespace {

// Width of what a node matches: (min, max), max -1 for unbounded.
std::pair<long, long> widthOf(const Ast& a) {
  switch (a.kind) {
    case Ast::Set:
      return {1, 1};
    case Ast::Bol:
    case Ast::Eol:
      return {0, 0};
    case Ast::Group:
      return widthOf(*a.kids[0]);
    case Ast::Cat: {
      long mn = 0, mx = 0;
      for (const auto& k : a.kids) {
        auto [a1, b1] = widthOf(*k);
        mn += a1;
        mx = (mx < 0 || b1 < 0) ? -1 : mx + b1;
      }
      return {mn, mx};
    }
    case Ast::Alt: {
      long mn = -1, mx = 0;
      for (const auto& k : a.kids) {
        auto [a1, b1] = widthOf(*k);
        mn = mn < 0 ? a1 : std::min(mn, a1);
        mx = (mx < 0 || b1 < 0) ? -1 : std::max(mx, b1);
      }
      return {std::max(mn, 0L), mx};
    }
    case Ast::Rep: {
      auto [a1, b1] = widthOf(*a.kids[0]);
      long mn = a1 * a.min;
      long mx = (a.max < 0 || b1 < 0) ? (b1 == 0 ? 0 : -1) : b1 * a.max;
      return {mn, mx};
    }
  }
  return {0, -1};
}

}  // namespace

std::optional<std::vector<CaptureSpan>> DigitAutomaton::captureSpans(
    std::string_view re2, const std::vector<int>& groups) {
  Parser p(re2);
  AstP ast = p.parse();
  if (!ast) return std::nullopt;
  std::vector<const Ast*> items;
  if (ast->kind == Ast::Cat)
    for (const auto& k : ast->kids) items.push_back(k.get());
  else
    items.push_back(ast.get());
  std::vector<long> width(items.size());
  int variable = -1;
  for (size_t i = 0; i < items.size(); ++i) {
    auto [mn, mx] = widthOf(*items[i]);
    if (mn != mx) {
      if (variable >= 0) return std::nullopt;
      variable = static_cast<int>(i);
    }
    width[i] = mn;
  }
  auto sum = [&](size_t b, size_t e) {
    long t = 0;
    for (size_t i = b; i < e; ++i) t += width[i];
    return static_cast<int>(t);
  };
  std::vector<CaptureSpan> out;
  for (int g : groups) {
    CaptureSpan sp;
    sp.group = g;
    if (g == 0) {
      sp.endFromEnd = true;  // [0, len - 0)
      out.push_back(sp);
      continue;
    }
    int at = -1;
    for (size_t i = 0; i < items.size(); ++i)
      if (items[i]->kind == Ast::Group && items[i]->cap == g) at = static_cast<int>(i);
    if (at < 0) return std::nullopt;  // nested, repeated or absent
    size_t i = static_cast<size_t>(at);
    if (variable < 0 || at <= variable) {
      sp.begin = sum(0, i);
    } else {
      sp.beginFromEnd = true;
      sp.begin = sum(i, items.size());
    }
    if (variable < 0 || at < variable) {
      sp.end = sum(0, i + 1);
    } else {
      sp.endFromEnd = true;
      sp.end = sum(i + 1, items.size());
    }
    out.push_back(sp);
  }
  return out;
}

std::optional<FirstMatchDfa> DigitAutomaton::firstMatch(const std::vector<std::string>& patterns,
                                                        size_t maxStates) {
  // The union NFA: one start with an epsilon edge to each pattern's start; acceptTag marks
  // each pattern's accept state with the pattern's index.
  struct Edge {
    uint16_t mask;
    int8_t assert;
    int to;
  };
  std::vector<std::vector<Edge>> out(1);
  std::vector<int> acceptTag(1, -1);
  for (size_t k = 0; k < patterns.size(); ++k) {
    Parser p(patterns[k]);
    AstP ast = p.parse();
    if (!ast) return std::nullopt;
    Builder b;
    auto [s, e] = b.build(*ast);
    if (!b.ok) return std::nullopt;
    int base = static_cast<int>(out.size());
    for (auto& edges : b.out) {
      out.emplace_back();
      for (auto [m, as, to] : edges) out.back().push_back({m, as, to + base});
    }
    acceptTag.resize(out.size(), -1);
    acceptTag[e + base] = static_cast<int>(k);
    out[0].push_back({0, 0, s + base});
    if (out.size() > kMaxStates * 4) return std::nullopt;
  }
  const size_t n = out.size();
  // Subset construction. Scratch space is reused across steps (a generation-stamped mark
  // array instead of a fresh `seen` vector per closure): a plan of 30 rules needs a few
  // thousand closures, and an XL organisation has hundreds of distinct plans.
  std::vector<uint32_t> mark(n, 0);
  uint32_t generation = 0;
  std::vector<int> stack, res;
  auto closure = [&](std::vector<int>& seeds, bool atBegin) {
    ++generation;
    stack.assign(seeds.begin(), seeds.end());
    res.clear();
    for (int x : seeds) mark[x] = generation;
    while (!stack.empty()) {
      int x = stack.back();
      stack.pop_back();
      res.push_back(x);
      for (const auto& e : out[x]) {
        if (e.mask || e.assert == 2 || (e.assert == 1 && !atBegin) || mark[e.to] == generation)
          continue;
        mark[e.to] = generation;
        stack.push_back(e.to);
      }
    }
    std::sort(res.begin(), res.end());
    return res;
  };
  // At the end of a non-empty text: plain and end-of-text epsilons reach which accepts?
  auto acceptOf = [&](const std::vector<int>& set) {
    ++generation;
    stack.assign(set.begin(), set.end());
    for (int x : stack) mark[x] = generation;
    int best = -1;
    while (!stack.empty()) {
      int x = stack.back();
      stack.pop_back();
      if (acceptTag[x] >= 0 && (best < 0 || acceptTag[x] < best)) best = acceptTag[x];
      for (const auto& e : out[x]) {
        if (e.mask || e.assert == 1 || mark[e.to] == generation) continue;
        mark[e.to] = generation;
        stack.push_back(e.to);
      }
    }
    return best;
  };
  struct SetHash {
    size_t operator()(const std::vector<int>& v) const {
      uint64_t h = 1469598103934665603ull;
      for (int x : v) h = (h ^ static_cast<uint32_t>(x)) * 1099511628211ull;
      return static_cast<size_t>(h);
    }
  };
  FirstMatchDfa d;
  std::unordered_map<std::vector<int>, int, SetHash> ids;
  std::vector<std::vector<int>> sets;
  auto stateOf = [&](const std::vector<int>& set) -> int {
    auto [it, fresh] = ids.try_emplace(set, static_cast<int>(sets.size()));
    if (fresh) sets.push_back(set);
    return it->second;
  };
  std::vector<int> seeds{0};
  stateOf({});  // 0: dead
  d.start = stateOf(closure(seeds, true));
  std::array<std::vector<int>, 12> bySym;
  for (size_t st = 0; st < sets.size(); ++st) {
    if (sets.size() > maxStates || sets.size() > 0xFFFF) return std::nullopt;
    for (auto& v : bySym) v.clear();
    for (int x : sets[st])
      for (const auto& e : out[x])
        for (uint16_t m = e.mask; m; m &= static_cast<uint16_t>(m - 1))
          bySym[__builtin_ctz(m)].push_back(e.to);
    for (int sym = 0; sym < 12; ++sym) {
      std::vector<int>& sd = bySym[sym];
      std::sort(sd.begin(), sd.end());
      sd.erase(std::unique(sd.begin(), sd.end()), sd.end());
      int to = sd.empty() ? 0 : stateOf(closure(sd, false));
      d.next.push_back(static_cast<uint16_t>(to));
    }
    d.accept.push_back(static_cast<int16_t>(st == 0 ? -1 : acceptOf(sets[st])));
  }
  if (sets.size() > maxStates) return std::nullopt;
  return d;
}

std::vector<int> DigitAutomaton::closure(std::vector<int> seeds, bool atBegin) const {
  std::vector<char> seen(nfa_->out.size(), 0);
  std::vector<int> stack = seeds, out;
  for (int x : seeds) seen[x] = 1;
  while (!stack.empty()) {
    int x = stack.back();
    stack.pop_back();
    out.push_back(x);
    for (const auto& e : nfa_->out[x]) {
      if (e.mask || e.assert == 2 || (e.assert == 1 && !atBegin) || seen[e.to]) continue;
      seen[e.to] = 1;
      stack.push_back(e.to);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

int DigitAutomaton::stateOf(std::vector<int> set) {
  auto it = dfa_->ids.find(set);
  if (it != dfa_->ids.end()) return it->second;
  int id = static_cast<int>(dfa_->sets.size());
  dfa_->ids.emplace(set, id);
  dfa_->sets.push_back(std::move(set));
  std::array<int, 12> n;
  n.fill(-2);
  dfa_->next.push_back(n);
  dfa_->accepting.push_back(-1);
  return id;
}

int DigitAutomaton::step(int d, int sym) {
  int& slot = dfa_->next[d][sym];
  if (slot != -2) return slot;
  std::vector<int> seeds;
  for (int x : dfa_->sets[d])
    for (const auto& e : nfa_->out[x])
      if (e.mask & (1u << sym)) seeds.push_back(e.to);
  std::sort(seeds.begin(), seeds.end());
  seeds.erase(std::unique(seeds.begin(), seeds.end()), seeds.end());
  int id = stateOf(closure(std::move(seeds), false));
  dfa_->next[d][sym] = id;  // `slot` may dangle after stateOf grew the vector
  return id;
}

bool DigitAutomaton::accepting(int d) {
  if (dfa_->accepting[d] >= 0) return dfa_->accepting[d];
  // At the end of a non-empty text: follow plain and end-of-text epsilons.
  std::vector<char> seen(nfa_->out.size(), 0);
  std::vector<int> stack = dfa_->sets[d];
  for (int x : stack) seen[x] = 1;
  bool acc = false;
  while (!stack.empty() && !acc) {
    int x = stack.back();
    stack.pop_back();
    if (x == nfa_->accept) acc = true;
    for (const auto& e : nfa_->out[x]) {
      if (e.mask || e.assert == 1 || seen[e.to]) continue;
      seen[e.to] = 1;
      stack.push_back(e.to);
    }
  }
  dfa_->accepting[d] = acc;
  return acc;
}

namespace {
using Status = DigitAutomaton::Status;
// Combines statuses; `have` says whether acc holds anything yet.
void combine(bool& have, Status& acc, Status s) {
  if (!have) {
    acc = s;
    have = true;
  } else if (acc != s) {
    acc = Status::Mixed;
  }
}
}  // namespace

DigitAutomaton::Status DigitAutomaton::freeStatus(int d, int k) {
  if (d == dead_) return Status::None;
  if (k == 0) return accepting(d) ? Status::All : Status::None;
  auto key = std::make_pair(d, k);
  auto it = dfa_->free.find(key);
  if (it != dfa_->free.end()) return it->second;
  bool have = false;
  Status acc = Status::None;
  for (int c = 0; c < 10 && acc != Status::Mixed; ++c)
    combine(have, acc, freeStatus(step(d, c), k - 1));
  dfa_->free.emplace(key, acc);
  return acc;
}

DigitAutomaton::Status DigitAutomaton::walk(int d, const std::string& lo, const std::string& hi,
                                            size_t pos, bool tightLo, bool tightHi) {
  if (d == dead_) return Status::None;
  if (pos == lo.size()) return accepting(d) ? Status::All : Status::None;
  if (!tightLo && !tightHi) return freeStatus(d, static_cast<int>(lo.size() - pos));
  int a = tightLo ? lo[pos] - '0' : 0;
  int b = tightHi ? hi[pos] - '0' : 9;
  bool have = false;
  Status acc = Status::None;
  for (int c = a; c <= b && acc != Status::Mixed; ++c)
    combine(have, acc, walk(step(d, c), lo, hi, pos + 1, tightLo && c == a, tightHi && c == b));
  return acc;
}

DigitAutomaton::Status DigitAutomaton::rangeStatus(char prefix, int digits, uint64_t lo,
                                                   uint64_t hi) {
  int d = start_;
  if (prefix) {
    int sym = symbolOf(prefix);
    if (sym < 0) return Status::None;
    d = step(d, sym);
  }
  auto pad = [&](uint64_t v) {
    std::string s = std::to_string(v);
    if (static_cast<int>(s.size()) < digits) s.insert(0, digits - s.size(), '0');
    return s;
  };
  return walk(d, pad(lo), pad(hi), 0, true, true);
}

bool DigitAutomaton::matches(std::string_view s) {
  if (s.empty()) {
    // Empty text: both anchors hold at once.
    std::vector<char> seen(nfa_->out.size(), 0);
    std::vector<int> stack{nfa_->start};
    seen[nfa_->start] = 1;
    while (!stack.empty()) {
      int x = stack.back();
      stack.pop_back();
      if (x == nfa_->accept) return true;
      for (const auto& e : nfa_->out[x])
        if (!e.mask && !seen[e.to]) seen[e.to] = 1, stack.push_back(e.to);
    }
    return false;
  }
  int d = start_;
  for (char c : s) {
    int sym = symbolOf(c);
    if (sym < 0) return false;
    d = step(d, sym);
    if (d == dead_) return false;
  }
  return accepting(d);
}

}  // namespace callpark::dispatch

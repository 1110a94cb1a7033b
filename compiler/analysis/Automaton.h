// Deterministic automata for normalization patterns, for exact reasoning over sets of numbers.
//
// The conflict analysis must decide, for every orbit number of every range and every dial plan,
// which rule matches first. Running RE2 on five million numbers per plan is too slow, so each
// distinct pattern is compiled once more into a small DFA over bytes, and the analysis asks
// questions about whole blocks of numbers at once: "after the prefix 70, do ALL, NONE or SOME of
// the 10^k digit suffixes of length k lead to a match?" (Dfa::cover).
//
// Input: the RE2-syntax pattern produced by the normalization engine
// (normalize::TranslatedPattern::re2), never the .NET text: the .NET dialect is translated in
// exactly one place. The supported subset is what the engine emits for dial-string patterns:
// literals and escapes (\x{HH}, \. ...), classes ([...], negation, ranges, \d \D \w \W \s \S,
// .), groups ( (?: (?P<name>, alternation, * + ? {n} {n,} {n,m} (greedy or lazy), and the
// anchors ^ $ \A \z. Matching is full-match (the engine's ANCHOR_BOTH), so quantifier laziness
// and capture groups do not change the language. Anything else (\b, inline flags, non-ASCII,
// \p{..}, or an automaton above the size limits) makes Dfa::build return nullopt with the reason:
// callers then fall back to exact per-number evaluation with RE2.
//
// Thread safety: a built Dfa is immutable; all const members may run concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callpark::analysis {

enum class Cover : uint8_t { None, Some, All };

// One piece of a top-level concatenation of a pattern, used to recognise translations that
// reproduce the matched text exactly (pass-through rules).
struct TopPiece {
  enum Kind { Literal, Group } kind = Literal;
  std::string literal;  // Literal: the exact text
  int group = 0;        // Group: RE2 capture index (1-based, left to right)
};

class Dfa {
 public:
  // Builds the DFA of an RE2-syntax pattern with full-match semantics. On failure returns
  // nullopt and sets *why (when given) to a short reason ("word boundary \b").
  static std::optional<Dfa> build(std::string_view re2Pattern, std::string* why = nullptr);

  // The longest k for which cover() answers (orbit numbers have at most 9 characters).
  static constexpr int kMaxSuffix = 20;

  int start() const { return 0; }
  int dead() const { return dead_; }  // the state no string leaves; never accepting
  int stateCount() const { return static_cast<int>(accept_.size()); }
  int step(int state, unsigned char c) const {
    return c < 128 ? trans_[state * classes_ + classOf_[c]] : dead_;
  }
  int run(int state, std::string_view s) const {
    for (unsigned char c : s) state = step(state, c);
    return state;
  }
  bool accepting(int state) const { return accept_[state]; }
  bool fullMatch(std::string_view s) const { return accept_[run(0, s)]; }

  // Whether all, none or some of the 10^k strings of exactly k digits lead from `state` to
  // acceptance. k in [0, kMaxSuffix].
  Cover cover(int state, int k) const {
    uint8_t b = coverTable_[k * accept_.size() + state];
    return static_cast<Cover>(b);
  }

  // Whether the pattern matches every string of digits (including the empty one when
  // `includingEmpty`), e.g. ^(\d*)$.
  bool matchesAllDigitStrings(bool includingEmpty) const;

  // The top-level concatenation of the pattern as literals and capture groups, when the pattern
  // has exactly that shape (anchors are dropped; adjacent literals merged). nullopt otherwise.
  const std::optional<std::vector<TopPiece>>& topLevel() const { return top_; }

 private:
  friend struct DfaBuilder;
  friend class ProductSearch;
  int classes_ = 0;
  std::array<uint8_t, 128> classOf_{};
  std::vector<int> trans_;           // state * classes_ + class
  std::vector<uint8_t> accept_;      // per state
  std::vector<uint8_t> coverTable_;  // k * states + state
  int dead_ = 0;
  std::optional<std::vector<TopPiece>> top_;
};

// Language inclusion restricted to strings over `alphabet`: whether every string over the
// alphabet that `inner` accepts is accepted by `outer`. When not, *counterexample (if given)
// receives a shortest string accepted by inner and not by outer.
bool includedIn(const Dfa& inner, const Dfa& outer, std::string_view alphabet,
                std::string* counterexample = nullptr);

// Whether the DFA accepts at least one string over `alphabet`; *example gets a shortest one.
bool acceptsSome(const Dfa& dfa, std::string_view alphabet, std::string* example = nullptr);

// The characters a dial string is made of: digits, '*', '#', '+'.
inline constexpr std::string_view kDialAlphabet = "0123456789*#+";
inline constexpr std::string_view kDigits = "0123456789";

}  // namespace callpark::analysis

// Exact reasoning about an RE2 pattern over orbit numbers, for the orbit-transparency pass.
//
// Orbit numbers are strings over the 12 symbols 0-9 * #. DigitAutomaton parses the RE2 text the
// normalization engine produced (compiler/normalize translates .NET to RE2; this class does not
// translate anything) into a Thompson NFA over those 12 symbols and determinizes it lazily.
// With it the compiler answers, for a whole orbit range at once, whether the pattern matches
// every number of the range, none, or some (rangeStatus), walking the decimal trie of the range
// and pruning dead states, so the cost is about (digits x 10) DFA steps, not one regex run per
// orbit. Characters outside the 12 symbols can never occur in an orbit number, so a class like
// [A-Z] is simply empty here.
//
// parse() accepts the regular subset RE2 programs are made of: literals, escapes of punctuation,
// ., classes (ranges, negation, \d \w \s and their negations), groups ( ), (?: ), (?P<name> ),
// alternation, * + ? {n} {n,} {n,m} (greedy or lazy), ^ $ \A \z. Anything else (flags, \b, \p,
// back-references, ...) makes parse() return nullopt and the caller treats the pattern as
// unknown (no shortcut, the regex engine decides at run time). Matching is whole-string, as in
// the engine (RE2::Set with ANCHOR_BOTH).
//
// Not thread-safe (the DFA is built lazily); one instance per thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callpark::dispatch {

// A first-match DFA over several patterns: for a non-empty string of the 12 symbols, which
// pattern is the first (lowest index) to match the whole string. Transitions are dense
// (state * 12 + symbol); state 0 is dead (no pattern can match any more).
struct FirstMatchDfa {
  int start = 0;
  std::vector<uint16_t> next;   // state * 12 + symbol -> state
  std::vector<int16_t> accept;  // per state, at the end of the text: pattern index or -1
  size_t states() const { return accept.size(); }
};

// Where a capture group lies in a match of length len: [begin, end) with each bound counted
// from the start (offset) or from the end (len - offset).
struct CaptureSpan {
  int group = 0;
  bool beginFromEnd = false, endFromEnd = false;
  int begin = 0, end = 0;
};

class DigitAutomaton {
 public:
  enum class Status : uint8_t { None, All, Mixed };

  // The first-match DFA of `patterns` (RE2 text), built eagerly by subset construction over
  // the union of their NFAs. nullopt when a pattern leaves the subset or the DFA would exceed
  // maxStates states.
  static std::optional<FirstMatchDfa> firstMatch(const std::vector<std::string>& patterns,
                                                 size_t maxStates);
  // For each requested group (0: the whole match), its span in any match, when the pattern
  // fixes it: the pattern is a sequence of top-level items of which at most one has a
  // variable width, and each requested group is one of those items (not nested, not
  // repeated). Then the lengths decide every item's span and RE2 would capture exactly it.
  // nullopt otherwise (the regex engine must capture).
  static std::optional<std::vector<CaptureSpan>> captureSpans(std::string_view re2,
                                                              const std::vector<int>& groups);

  // nullopt when the pattern leaves the supported subset or is too large (NFA state cap).
  static std::optional<DigitAutomaton> parse(std::string_view re2);

  // How the pattern treats the numbers prefix + (v as `digits` digits, zero-padded) for v in
  // [lo, hi]. prefix is 0, '*' or '#'. digits in 1..18, lo <= hi < 10^digits.
  Status rangeStatus(char prefix, int digits, uint64_t lo, uint64_t hi);
  // Whole-string match of one string (any bytes; bytes outside the alphabet never match).
  bool matches(std::string_view s);

  // The RE2 group index that always captures the whole match, or -1. Group 0 always does; this
  // finds the pattern's own outermost group in `^(...)$`-shaped patterns.
  int wholeMatchGroup() const { return wholeGroup_; }

 private:
  struct Nfa {
    struct Edge {
      uint16_t mask;  // symbols; 0 for epsilon
      int8_t assert;  // epsilon only: 0 plain, 1 begin of text, 2 end of text
      int to;
    };
    std::vector<std::vector<Edge>> out;
    int start = 0, accept = 0;
  };
  struct Dfa {
    std::map<std::vector<int>, int> ids;
    std::vector<std::vector<int>> sets;
    std::vector<std::array<int, 12>> next;       // -2: not computed
    std::vector<int8_t> accepting;               // -1: not computed
    std::map<std::pair<int, int>, Status> free;  // (state, k) -> status of all k-digit suffixes
  };
  int stateOf(std::vector<int> set);
  std::vector<int> closure(std::vector<int> seeds, bool atBegin) const;
  int step(int d, int sym);
  bool accepting(int d);
  Status freeStatus(int d, int k);
  Status walk(int d, const std::string& lo, const std::string& hi, size_t pos, bool tightLo,
              bool tightHi);

  std::shared_ptr<Nfa> nfa_;
  std::shared_ptr<Dfa> dfa_;
  int start_ = 0;  // DFA state at the beginning of the text
  int dead_ = 0;   // the empty set
  int wholeGroup_ = -1;
};

}  // namespace callpark::dispatch

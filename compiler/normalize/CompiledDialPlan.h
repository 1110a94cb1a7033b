// A dial plan compiled for fast normalization (the hot path of parkd and of the conflict
// analysis over every orbit number).
//
// Semantics (spec §5, compiler/normalize/README.md):
//  - When the plan optimizes device dialing and has an external access prefix, a dialed string
//    that starts with the prefix and is longer than it has the prefix removed first.
//  - Rules are tried in the plan's order (ascending priority, then declaration order: the model
//    sorts them). The first rule whose pattern matches the WHOLE (remaining) dialed string wins,
//    even when the pattern has no ^/$ anchors (a deliberate decision: Lync's UI adds anchors).
//  - The winner's translation is the result. When no rule matches, the result is the string as
//    dialed (prefix not removed) and `rule` is -1.
//  - `internal` is the winner's internal_extension flag, honoured only when the plan optimizes
//    device dialing.
//  - Rules whose pattern or translation do not compile are skipped (compile() reports them).
//
// Evaluation: one RE2::Set pass (ANCHOR_BOTH) over all patterns gives every matching rule; the
// lowest index wins and is re-run with RE2 for its captures only if the translation needs them.
//
// Thread safety: a compiled plan is immutable; normalize() and trace() may run concurrently.
// The plan does not refer to the model after compile().
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/Diagnostic.h"
#include "compiler/model/Model.h"
#include "compiler/normalize/Pattern.h"
#include "compiler/normalize/Substitution.h"

namespace re2 {
class RE2;
}

namespace callpark::normalize {

struct Normalized {
  std::string result;
  int rule = -1;  // index into DialPlan::rules, -1 when no rule matched
  bool internal = false;
  bool matched() const { return rule >= 0; }
};

struct TraceStep {
  enum State {
    NotCompiled,  // the rule has an error and is skipped
    NoMatch,
    Matched,   // the winner
    Shadowed,  // matches too, but an earlier rule won
  };
  int rule = -1;
  State state = NoMatch;
  std::string result;  // the translation, for Matched and Shadowed
};
const char* traceStateName(TraceStep::State s);  // "skipped", "no match", "match", "shadowed"

struct Trace {
  std::string dialed;
  std::string input;  // what the rules saw (prefix removed when it applies)
  bool prefixStripped = false;
  std::vector<TraceStep> steps;  // one per rule of the plan, in order
  Normalized outcome;            // same as normalize(dialed)
};

class CompiledDialPlan {
 public:
  // Compiles every rule. With `diags`, each failing pattern or translation is reported (CP701..
  // CP704, errors) at the offending fragment inside its string literal (needs rule.decl); those
  // rules are then skipped by normalize(). CP705 warnings and CP706 notes too (the rule is kept).
  static CompiledDialPlan compile(const model::DialPlan& plan, DiagnosticEngine* diags = nullptr);

  CompiledDialPlan(CompiledDialPlan&&) noexcept;
  CompiledDialPlan& operator=(CompiledDialPlan&&) noexcept;
  ~CompiledDialPlan();

  Normalized normalize(std::string_view dialed) const;
  // Allocation-free variant for hot loops: writes the result into *out (reusing its capacity),
  // returns the rule index or -1; *internal (optional) as in Normalized.
  int normalizeInto(std::string_view dialed, std::string* out, bool* internal = nullptr) const;
  // The index of the first matching rule (after prefix removal), -1 when none: no translation.
  int firstMatch(std::string_view dialed) const;
  // Every rule, evaluated one by one, with its outcome (for `parkc explain`).
  Trace trace(std::string_view dialed) const;

  // Same answers as normalize(), computed by trying the rules one by one with RE2::FullMatch
  // (the baseline the benchmark and tests compare the RE2::Set path against).
  Normalized normalizeOneByOne(std::string_view dialed) const;

  size_t ruleCount() const { return ruleSlot_.size(); }
  bool ruleCompiled(int rule) const { return ruleSlot_.at(rule) >= 0; }
  // The RE2 pattern of a compiled rule ("" when it did not compile).
  const std::string& re2Pattern(int rule) const;
  // The compile error of a rule that did not compile (nullptr otherwise).
  const TextError* ruleError(int rule) const;
  // The warnings (CP705) of a rule that compiled; empty for most rules.
  const std::vector<TextError>& ruleWarnings(int rule) const;
  std::string_view stripPrefix(std::string_view dialed) const;

 private:
  CompiledDialPlan();
  struct Rule;
  struct Impl;
  std::vector<int> ruleSlot_;  // plan rule index -> compiled rule slot, or -1
  std::unique_ptr<Impl> impl_;
};

// The "normalize" phase of parkc check: reports every rule of every dial plan of the model whose
// pattern or translation does not compile (CP701..CP704, errors) or compiles with a warning
// (CP705) or a note (CP706), at the offending fragment inside its string literal. Identical pattern
// texts are translated and compiled once, so a model with thousands of plans sharing a few hundred
// patterns costs a few hundred compilations. Returns the number of rules that do not compile.
size_t checkDialPlans(const model::Model& m, DiagnosticEngine& diags);

}  // namespace callpark::normalize

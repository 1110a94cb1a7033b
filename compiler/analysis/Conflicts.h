// The Call Park conflict analysis (spec §5, "The Call Park conflicts").
//
// Orbit numbers and park access numbers must reach the park service exactly as dialed. For every
// dial plan (every scope, tag plans assigned to nobody included) and every number of every usable
// orbit range and every park access number, the first matching rule is found exactly; when its
// translation differs from the number, that is a rewrite. Results are aggregated per (dial plan,
// rule, orbit range): how many numbers the rule rewrites and the lowest one as the witness.
//
// Dead and subsumed rules: a rule j of a plan is subsumed when one earlier rule i matches every
// dial string (over 0-9 * # +) that j matches (DFA language inclusion), so j never fires. A
// subsumed pass-through rule (its translation reproduces its match, like '$1' for '^(70\d{2})$')
// that matches orbit or park access numbers is a dead pass-through.
//
// How it is fast (see Conflicts.cpp for the essay): identical dial plans are analysed once;
// each range is split into digit-trie blocks "prefix P followed by k free digits"; each distinct
// pattern has a DFA (Automaton.h) that says whether ALL, NONE or SOME of a block's numbers match,
// so a rule is decided for a whole block at once and a block is only split where rules disagree.
// Whether the first rule's translation changes the numbers is decided symbolically where possible
// (identity, a '+' or other character no orbit contains, a constant) and per number otherwise.
// Patterns the DFA builder cannot handle are evaluated per number with RE2 (exact, slower).
//
// Ranges that are not usable (OrbitRange::usable) are skipped (the rules report them), as are
// ranges of more than kMaxRangeSize numbers (far above the spec's limit of 10,000, also
// reported by the rules). Rules whose pattern or translation does not compile are skipped, as the
// normalization engine skips them.
//
// Determinism: results are sorted (plan, rule, orbit / park access), independent of threads.
// Thread safety: the functions are reentrant; the model must not change while they run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/diag/Diagnostic.h"
#include "compiler/model/Model.h"

namespace callpark::analysis {

// Diagnostic codes (documented in rules/catalog/conflicts.cpp).
inline constexpr const char* kOrbitRewritten = "CP801";
inline constexpr const char* kParkAccessRewritten = "CP802";
inline constexpr const char* kDeadPassThrough = "CP803";
inline constexpr const char* kSubsumedRule = "CP804";

inline constexpr uint64_t kMaxRangeSize = 10'000'000;

struct ConflictOptions {
  unsigned threads = 0;     // 0: std::thread::hardware_concurrency()
  bool useAutomata = true;  // false: every rule per number with RE2 (slow; for tests)
  bool subsumption = true;  // dead / subsumed rule checks
};

// Rule `rule` (index into DialPlan::rules) of plan `plan` is the first match for `affected` of
// the `total` numbers of orbit range `orbit` (or the park access number `parkAccess`) and its
// translation changes them; `witness` is the lowest such number and `result` what it becomes.
struct Rewrite {
  int plan = model::kNone;
  int rule = model::kNone;
  int orbit = model::kNone;
  int parkAccess = model::kNone;
  uint64_t affected = 0;
  uint64_t total = 0;
  std::string witness, result;
  friend bool operator==(const Rewrite&, const Rewrite&) = default;
};

// Rule `rule` of plan `plan` never fires: earlier rule `by` matches everything it matches.
struct DeadRule {
  int plan = model::kNone;
  int rule = model::kNone;
  int by = model::kNone;
  bool passThrough = false;           // the dead rule's translation reproduces its match
  bool catchAll = false;              // `by` matches every non-empty digit string
  int protectedOrbit = model::kNone;  // a range whose numbers the dead rule matches, if any
  std::string example;                // a shortest dial string the dead rule matches
};

struct ConflictStats {
  size_t plans = 0, distinctPlans = 0;
  size_t patterns = 0, automata = 0, fallbackPatterns = 0;  // distinct compiled patterns
  size_t ranges = 0, skippedRanges = 0;
  uint64_t numbers = 0;               // orbit numbers analysed (per range, not per plan)
  uint64_t planRangePairs = 0;        // (distinct plan, range) pairs analysed
  uint64_t blocksDecided = 0;         // blocks whose first rule was decided at once
  uint64_t perNumberEvaluations = 0;  // numbers evaluated one by one (RE2)
  unsigned threads = 1;
};

struct ConflictResult {
  std::vector<Rewrite> rewrites;
  std::vector<DeadRule> dead;
  ConflictStats stats;
};

ConflictResult findConflicts(const model::Model& m, const ConflictOptions& opts = {});

// The reference: every number of every usable range and every park access number normalized
// with normalize::CompiledDialPlan, plan by plan, aggregated the same way. Rewrites only.
std::vector<Rewrite> findRewritesBruteForce(const model::Model& m);

// Reports CP801..CP804 with notes and fix suggestions.
void reportConflicts(const model::Model& m, const ConflictResult& r, DiagnosticEngine& diags);

// findConflicts + reportConflicts.
ConflictStats analyzeConflicts(const model::Model& m, DiagnosticEngine& diags,
                               const ConflictOptions& opts = {});

// A pattern (.NET syntax, also valid RE2) matching exactly the numbers of a usable range
// (without the external access prefix), e.g. '^(70\d{2})$' for 7000..7099.
std::string rangePattern(const model::OrbitRange& r);

}  // namespace callpark::analysis

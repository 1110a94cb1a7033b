// The dispatch IR: a policy lowered to the decision procedure parkd runs for every request.
//
// A Module is data, not a list of instructions: dial plans with their rules, caller contexts,
// per-pool settings, the orbit table and the transparency table. It starts out close to the
// model (buildModule) and the passes in compiler/dispatch/passes rewrite it into the form both
// back ends execute (the interpreter walks it, LLVM codegen turns it into straight-line code).
//
// Semantics of dispatch(caller, dialed), identical for every back end:
//  1. |dialed| > CP_MAX_NUMBER: status TOO_LONG, not ours.
//  2. Resolve the caller to (plan, mayPark) through the context tables.
//  3. No plan: normalized = dialed, no rule. Otherwise the plan normalizes (spec §5, the same
//     rules as compiler/normalize/CompiledDialPlan): the external access prefix is removed when
//     the plan optimizes device dialing and dialed is longer than it; the first rule (plan order)
//     whose pattern matches the whole remaining string gives the translation; when none matches,
//     normalized = dialed as dialed (prefix kept).
//  4. Classify normalized: an exact park access number, else a numeric key (prefix char and
//     digit count) whose orbit tree maps the digits' value to an entry: park, retrieve, pickup.
//     Park access numbers take precedence over orbits, earlier declarations over later ones.
//  Automata (an optimisation with no visible effect): when the plan has a DFA and the rules'
//  input is non-empty and made only of 0-9 * #, the DFA names the first matching rule; its
//  translation is built from the rule's spans when known, else the regex engine runs.
//  Transparency (an optimisation with no visible effect): when the rules' input s is itself an
//  orbit or park access number and the table says how the plan treats that whole entry
//  (no rule fires, or a rule whose translation is the whole match fires), the back ends skip the
//  regex engine: the answer is known at compile time.
//
// Thread safety: a Module is a value; passes mutate it, back ends only read it.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace callpark::dispatch::ir {

inline constexpr int kNone = -1;

enum class Action : uint8_t { NotOurs = 0, Park = 1, Retrieve = 2, Pickup = 3 };
const char* actionName(Action a);

// One piece of a translation: a literal, then an RE2 group (-1: none).
struct Piece {
  std::string literal;
  int group = -1;
};

// Where a translation's group lies in the rule input of length len (plan-automata).
struct Span {
  int group = 0;
  bool beginFromEnd = false, endFromEnd = false;
  int begin = 0, end = 0;  // offsets from the start, or from the end (len - offset)
};

struct Rule {
  int index = 0;  // position in the model dial plan's (sorted) rule list
  std::string name;
  std::string pattern;      // .NET, as written
  std::string translation;  // .NET substitution, as written
  bool internal = false;    // internal_extension as written
  // Filled by lower-rules:
  bool compiled = false;  // false: the rule is skipped (error says why)
  std::string error;
  std::string re2;  // the pattern in RE2 syntax
  std::vector<Piece> pieces;
  bool identity = false;  // the translation reproduces the whole match
  // Filled by plan-automata: the pattern fixes every group the translation uses, so the
  // translation can be built from offsets (spans, one per group piece) without captures.
  bool spansKnown = false;
  std::vector<Span> spans;
};

// A plan's compiled rules as one DFA over 0-9 * # (plan-automata): for a non-empty rule
// input made only of those 12 symbols, the first rule matching the whole input.
struct Dfa {
  int start = 0;
  std::vector<uint16_t> next;   // state * 12 + symbol ('0'..'9' = 0..9, '*' 10, '#' 11)
  std::vector<int16_t> accept;  // per state: plan rule index (Rule::index) or -1; state 0 dead
};

struct Plan {
  std::vector<int> modelPlans;  // model dial plans this plan implements (dedup-plans merges)
  std::string name;             // scope of the first, e.g. `site "Dublin"`
  std::string stripPrefix;      // removed first when non-empty (optimize device dialing)
  bool honourInternal = false;  // optimize device dialing
  std::vector<Rule> rules;
  int dfa = kNone;  // Module::dfas index (plan-automata), kNone: the regex engine decides
};

// A caller context. Before fold-policy: candidate chains (first non-kNone wins); after: values
// (fold-policy drops the chains).
struct Context {
  std::string name;  // unused for users and pools (their names are in the Module's tables)
  std::vector<int> planChain;  // model dial plan indices, most specific first
  std::vector<int> vpChain;    // model voice policy indices, most specific first
  int plan = kNone;            // IR plan id (folded)
  bool mayPark = false;        // folded
};

// A park_settings declaration as written (only the fields it sets).
struct SettingsDecl {
  std::optional<int64_t> pickupTimeoutSeconds, maxPickupAttempts;
  std::optional<bool> musicOnHold;
  std::optional<std::string> onTimeout, musicFile;
};

struct Settings {
  std::vector<int> chain;  // model park_settings indices, most specific first (before folding)
  int64_t pickupTimeoutSeconds = 90;
  int32_t maxPickupAttempts = 1;
  bool musicOnHold = true;
  std::string onTimeout, musicFile;
};

// A classification target: a park access number or an orbit range.
struct Entry {
  Action action = Action::NotOurs;
  std::string name;  // range name, or the park access number
  int pool = kNone;
  int target = kNone;    // park access index (Park) or model orbit range index
  bool numeric = false;  // key + [lo, hi] below are valid; otherwise `exact` is the number
  char prefix = 0;       // 0, '*' or '#'
  int digits = 0;
  uint64_t lo = 0, hi = 0;
  std::string exact;
  uint64_t poolBase = 0;  // index of the first orbit among the pool's ranges of that type
};

struct Interval {
  uint64_t lo = 0, hi = 0;
  int entry = kNone;
};

// Decision node of one key's orbit tree.
struct Node {
  enum Kind : uint8_t { Miss, Compare, Table } kind = Miss;
  int interval = kNone;             // Compare: hit when lo <= v <= hi
  int left = kNone, right = kNone;  // Compare: v < lo / v > hi
  uint64_t base = 0;                // Table: entry = table[v - base] when in bounds
  std::vector<int32_t> table;       // entry ids, kNone for gaps
};

struct KeyGroup {
  char prefix = 0;
  int digits = 0;
  std::vector<Interval> intervals;  // sorted, disjoint
  std::vector<Node> nodes;
  int root = kNone;
};

// Transparency values: a rule index, or one of these.
inline constexpr int16_t kNoRuleFires = -1;
inline constexpr int16_t kUnknown = -2;

struct Module {
  // Names (for printing, the bundle and parkd).
  std::vector<std::string> poolNames, rangeNames, userNames, voicePolicyNames, dialPlanNames;

  std::vector<Plan> plans;
  std::vector<int> planOfModel;    // model dial plan -> plan id
  std::vector<uint8_t> vpMayPark;  // model voice policy -> call_park
  Context global;
  std::vector<Context> pools, users;  // per model pool / user
  bool policyFolded = false;

  std::vector<SettingsDecl> settingsDecls;  // per model park_settings
  Settings globalSettings;
  std::vector<Settings> poolSettings;  // per model pool
  bool settingsFolded = false;

  std::vector<Entry> entries;  // park access numbers first, then orbit ranges
  std::vector<int> exact;      // entries matched as exact strings, in order
  std::vector<KeyGroup> keys;  // sorted by (prefix, digits)
  bool orbitsLowered = false;

  // transparency[planRow[plan]][entry]; empty planRow: everything kUnknown.
  std::vector<int32_t> planRow;
  std::vector<std::vector<int16_t>> rows;

  std::vector<Dfa> dfas;  // plan-automata; shared by plans with the same patterns

  std::vector<std::string> passesRun;

  // Exact string -> entry, then numeric key -> entry; kNone when not ours. Requires lowered
  // orbits. This is the reference semantics of the orbit table (the interpreter walks nodes).
  int classify(std::string_view number) const;
  int16_t transparency(int plan, int entry) const {
    if (planRow.empty() || plan < 0) return kUnknown;
    return rows[planRow[plan]][entry];
  }
};

// Parses `number` as prefix + digits for the numeric keys: 0/'*'/'#' then 1..18 digits.
struct NumericKey {
  char prefix = 0;
  int digits = 0;
  uint64_t value = 0;
};
std::optional<NumericKey> numericKey(std::string_view number);

// Text form (parkc compile --emit=ir). Deterministic.
void print(const Module& m, std::ostream& os);
std::string toText(const Module& m);

// Structural checks a back end relies on; returns problems (empty: fine). `lowered` demands the
// fully lowered form (all passes run).
std::vector<std::string> verify(const Module& m, bool lowered);

// Compact binary form (the bundle stores it). readBinary returns nullopt on malformed input.
std::string writeBinary(const Module& m);
std::optional<Module> readBinary(std::string_view bytes);

}  // namespace callpark::dispatch::ir

// The resolved, typed policy.
//
// Built from a PolicyAst by compiler/model/ModelBuilder: names are resolved to indices, pool
// spellings normalised, users from users.json merged in, dial plan rules ordered. The model is
// what every later phase reads: the rule catalogue (rules/), the normalization engine and the
// conflict analysis, the dispatch compiler, and parkd.
//
// The builder reports duplicates and unknown references as diagnostics and still produces a
// model: an unresolved reference is an index of -1 (kNone), so checks must tolerate it.
// Values are checked for syntax and range by rules/, not here; the model carries them as
// written (with their ranges) plus parsed forms where parsing cannot fail.
//
// Ownership: a Model refers into the PolicyAst it was built from (decl pointers) and into its
// SourceManager (ranges); both must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/Ast.h"

namespace callpark::model {

inline constexpr int kNone = -1;

// Canonical pool name: "ApplicationServer:x", "service:ApplicationServer:x", "Registrar:x",
// "service:Registrar:x" and "x" all give "x", lower-cased (FQDNs are case-insensitive).
std::string canonicalPool(std::string_view spelling);

struct Site {
  std::string name;
  std::vector<int> pools;
  const ast::SiteDecl* decl = nullptr;
};

struct Pool {
  std::string fqdn;  // canonical
  int site = kNone;
  SourceRange range;  // where it was declared inside its site
};

enum class OrbitType { CallPark, GroupPickup };
enum class Allocation { LeastRecent, Random, Next, First };
const char* orbitTypeName(OrbitType t);
const char* allocationName(Allocation a);

// A dial string split into prefix and digits. Parsing accepts anything; `wellFormed` says
// whether it is a prefix char (optional) followed by 1..18 digits (so `value` is exact).
struct DialNumber {
  std::string text;
  char prefix = 0;  // 0, '*' or '#'
  std::string digits;
  uint64_t value = 0;
  bool wellFormed = false;
  static DialNumber parse(std::string_view text);
};

struct OrbitRange {
  std::string name;
  OrbitType type = OrbitType::CallPark;
  Allocation allocation = Allocation::LeastRecent;
  DialNumber start, end;
  int pool = kNone;
  const ast::OrbitDecl* decl = nullptr;
  // True when start/end are well-formed, same prefix, same length and start <= end: then the
  // range is the numbers prefix + (value formatted with digits.size() digits) for value in
  // [start.value, end.value]. Rules report why it is not.
  bool usable() const;
  uint64_t size() const { return usable() ? end.value - start.value + 1 : 0; }
  std::string numberAt(uint64_t index) const;  // index in [0, size())
};

struct ParkAccess {
  std::string number;
  int pool = kNone;
  const ast::ParkAccessDecl* decl = nullptr;
};

struct ScopeRef {
  ast::Scope::Kind kind = ast::Scope::Global;
  int index = kNone;  // site or pool index for Site / Pool
  std::string tag;    // for Tag
  friend bool operator==(const ScopeRef&, const ScopeRef&) = default;
};
std::string describeScope(const ScopeRef& s, const struct Model& m);  // `site "Dublin"`

struct ParkSettings {
  ScopeRef scope;
  std::optional<int64_t> pickupTimeoutSeconds;
  std::optional<int64_t> maxPickupAttempts;
  std::optional<bool> musicOnHold;
  std::optional<std::string> onTimeout;
  std::optional<std::string> musicFile;  // resolved relative to the declaring file's folder
  const ast::ParkSettingsDecl* decl = nullptr;
};

// The settings that govern a parked call on a pool: pool scope, else site, else global, field by
// field; defaults from the spec (§3) where nothing is set.
struct EffectiveSettings {
  int64_t pickupTimeoutSeconds = 90;
  int64_t maxPickupAttempts = 1;
  bool musicOnHold = true;
  std::string onTimeout;  // empty: none
  std::string musicFile;  // empty: built-in default
  // Which ParkSettings index supplied each field (kNone: default).
  int fromPickupTimeout = kNone, fromMaxAttempts = kNone, fromMusicOnHold = kNone,
      fromOnTimeout = kNone, fromMusicFile = kNone;
};

struct VoicePolicy {
  ScopeRef scope;
  bool callPark = false;  // default off (spec §4)
  bool callParkWritten = false;
  const ast::VoicePolicyDecl* decl = nullptr;
};

struct NormRule {
  std::string name;
  int64_t priority = 0;  // 0 when not written (see priorityWritten)
  bool priorityWritten = false;
  std::string pattern;      // .NET dialect, as written
  std::string translation;  // .NET substitution syntax, as written
  bool internalExtension = false;
  int declIndex = 0;  // position in the dial plan as written
  const ast::RuleDecl* decl = nullptr;
};

struct DialPlan {
  ScopeRef scope;
  std::string externalAccessPrefix;  // empty: none
  bool optimizeDeviceDialing = false;
  std::vector<NormRule> rules;  // sorted: ascending priority, then declaration order
  const ast::DialPlanDecl* decl = nullptr;
};

struct User {
  std::string sip;  // as written, "sip:alice@contoso.com"
  int pool = kNone;
  std::string line;         // "tel:+14255551000;ext=1000" or ""
  std::string extension;    // the ext= part, or ""
  std::string lineNumber;   // the number part of the tel: URI without "tel:" ("+14255551000")
  SourceRange lineRange;    // the line URI as written (inline `line`, or LineURI in users.json)
  int voicePolicy = kNone;  // assigned tag policy; kNone: inherit
  int dialPlan = kNone;     // assigned tag plan; kNone: inherit
  SourceRange range;        // the user block, or the JSON object in users.json
  const ast::UserDecl* decl = nullptr;  // null for users from JSON
};

struct Model {
  std::vector<Site> sites;
  std::vector<Pool> pools;
  std::vector<OrbitRange> orbits;
  std::vector<ParkAccess> parkAccess;
  std::vector<ParkSettings> settings;
  std::vector<VoicePolicy> voicePolicies;
  std::vector<DialPlan> dialPlans;
  std::vector<User> users;
  const ast::PolicyAst* ast = nullptr;

  // Lookups (exact names; pools by canonical fqdn; users by lower-case sip). Each maps a name to
  // its first declaration. voicePolicyByTag / dialPlanByTag: tag-scoped declarations by tag.
  std::map<std::string, int> siteByName, poolByName, orbitByName, userBySip;
  std::map<std::string, int> voicePolicyByTag, dialPlanByTag;
  int findPool(std::string_view spelling) const;
  int findSite(std::string_view name) const;
  int findUser(std::string_view sip) const;
  int findSettings(const ScopeRef& s) const;     // kNone when that scope has none
  int findVoicePolicy(const ScopeRef& s) const;  // kNone when that scope has none
  int findDialPlan(const ScopeRef& s) const;     // kNone when that scope has none

  EffectiveSettings effectiveSettings(int pool) const;
  // The voice policy governing a user: assigned, else site of the user's pool, else global.
  // kNone when not even a global one is declared (then call park is off).
  int effectiveVoicePolicy(int user) const;
  bool mayPark(int user) const;
  // The dial plan applying to a user: assigned, else pool, else site, else global; kNone if none.
  int effectiveDialPlan(int user) const;
};

}  // namespace callpark::model

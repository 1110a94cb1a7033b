// The abstract syntax tree of a policy.
//
// Produced by compiler/parse (the only code that sees ANTLR), consumed by compiler/model.
// It mirrors the surface of the language (../shared/design/LANGUAGE.md) with no resolution:
// names are strings, numbers are the text the administrator wrote. Every node carries the
// SourceRange of what it was parsed from; optional fields that were not written are nullopt.
//
// All files of a policy are parsed into one PolicyAst; declarations keep their file in their
// ranges. Order of declarations is kept (it matters only for rules inside a dial plan).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/support/Source.h"

namespace callpark::ast {

// A value with the range it was written at.
template <class T>
struct Located {
  T value{};
  SourceRange range;
};
using Str = Located<std::string>;  // string literal (unescaped), dial string or keyword
using Bool = Located<bool>;
using Int = Located<int64_t>;
struct DurationValue {
  int64_t seconds = 0;
  std::string text;  // as written: "90s", "1m30s", "00:01:30"
};
using Duration = Located<DurationValue>;

// `@allow(CP404, "reason")`
struct Annotation {
  Str code;
  Str reason;  // an empty value with invalid range when missing (a diagnostic is reported)
  SourceRange range;
};

// Common header of every top-level declaration.
struct DeclBase {
  SourceRange range;    // the whole declaration, keyword to closing brace
  SourceRange keyword;  // the leading keyword ("orbit", "dialplan", ...)
  std::vector<Annotation> annotations;
};

// `global`, `site "X"`, `pool "X"`, or a tag `"X"`.
struct Scope {
  enum Kind { Global, Site, Pool, Tag } kind = Global;
  Str name;  // empty for Global
  SourceRange range;
};
const char* scopeKindName(Scope::Kind k);  // "global", "site", "pool", "tag"

// site "Redmond" { pool "redmond-fe01.contoso.com" ... }
struct SiteDecl : DeclBase {
  Str name;
  std::vector<Str> pools;
};

// `a..b` of dial strings (`*3000..*3099`). A single number `a` is written as a..a by the parser
// only when the source says so; `numbers 7000` alone is a syntax error.
struct DialRange {
  Str start, end;
  SourceRange range;
};

struct OrbitDecl : DeclBase {
  Str name;
  std::optional<DialRange> numbers;
  std::optional<Str> pool;
  std::optional<Str> type;        // "callpark" | "group_pickup" (validated by the model)
  std::optional<Str> allocation;  // "least_recent" | "random" | "next" | "first"
};

// park_access "*70" { pool "redmond-fe01.contoso.com" }
struct ParkAccessDecl : DeclBase {
  Str number;
  std::optional<Str> pool;
};

struct ParkSettingsDecl : DeclBase {
  Scope scope;  // Global, Site or Pool (Tag is a model error)
  std::optional<Duration> pickupTimeout;
  std::optional<Int> maxPickupAttempts;
  std::optional<Bool> musicOnHold;
  std::optional<Str> onTimeout;
  std::optional<Str> musicFile;
};

struct VoicePolicyDecl : DeclBase {
  Scope scope;  // Global, Site or Tag
  std::optional<Bool> callPark;
};

struct RuleDecl {
  SourceRange range;
  SourceRange keyword;
  std::vector<Annotation> annotations;
  Str name;
  std::optional<Int> priority;
  std::optional<Str> pattern;      // raw text between the quotes, as pasted from PowerShell
  std::optional<Str> translation;  // raw text
  std::optional<SourceRange> internalExtension;  // present when the flag is written
  std::optional<Str> description;
};

struct DialPlanDecl : DeclBase {
  Scope scope;  // Global, Site, Pool or Tag
  std::optional<Str> externalAccessPrefix;
  std::optional<Bool> optimizeDeviceDialing;
  std::optional<Str> description;
  std::vector<RuleDecl> rules;  // in declaration order
};

struct UserDecl : DeclBase {
  Str sip;  // "sip:alice@contoso.com"
  std::optional<Str> pool;
  std::optional<Str> line;  // "tel:+14255551000;ext=1000"
  std::optional<Str> voicePolicy;
  std::optional<Str> dialplan;
};

// users from "users.json"
struct UsersFromDecl : DeclBase {
  Str path;  // relative to the file that names it
};

// One line of a test block.
//   dial "*3001" as "sip:alice@contoso.com"   => orbit "Redmond CPO 1"
//   dial "7001"  with dialplan site "Dublin"  => orbit "Dublin CPO 1"
//   dial "1234"  with dialplan site "Dublin"  => "+353155501234" internal
//   dial "*70"   as "sip:alice@contoso.com"   => park pool "redmond-fe01.contoso.com"
//   dial "5555"  as "sip:alice@contoso.com"   => not_ours
//   park as "sip:alice@contoso.com"           => allowed | denied
struct Expectation {
  enum Kind { Dial, Park } kind = Dial;
  SourceRange range;
  std::optional<Str> number;  // Dial only

  // The caller: exactly one of these.
  std::optional<Str> asUser;
  std::optional<Scope> withDialPlan;

  enum Result { Orbit, Number, ParkPool, NotOurs, Allowed, Denied } result = NotOurs;
  std::optional<Str> resultName;  // orbit name, number, or pool
  bool internal = false;          // `=> "number" internal`
  SourceRange resultRange;
};

struct TestDecl : DeclBase {
  Str name;
  std::vector<Expectation> expectations;
};

// The whole policy: every declaration of every file, in file order then source order.
struct PolicyAst {
  std::vector<FileId> files;
  std::vector<SiteDecl> sites;
  std::vector<OrbitDecl> orbits;
  std::vector<ParkAccessDecl> parkAccess;
  std::vector<ParkSettingsDecl> parkSettings;
  std::vector<VoicePolicyDecl> voicePolicies;
  std::vector<DialPlanDecl> dialPlans;
  std::vector<UserDecl> users;
  std::vector<UsersFromDecl> usersFrom;
  std::vector<TestDecl> tests;
};

}  // namespace callpark::ast

// Diagnostics: the one channel for user mistakes.
//
// A Diagnostic is a value: a stable code ("CP301"), a severity, a message in the domain's words,
// a primary source range, secondary notes with their own ranges, and an optional fix
// suggestion. Phases report into a DiagnosticEngine; nothing throws for a user's mistake.
// The engine collects everything, applies severity overrides (parkc.json, --werror) and
// suppressions (@allow), and hands out a deterministic list sorted by file, line, column, code.
//
// Code ranges (every code, with its documentation, is in the rule catalogue: rules/Registry.h,
// generated into rules/README.md, printed by `parkc rules`):
//   CP0xx  tool, input and configuration (I/O, encoding, parkc.json, baseline)
//   CP1xx  syntax
//   CP2xx  names and model building (duplicates, unknown references, users.json)
//   CP3xx  orbit ranges and park access numbers          (rules/)
//   CP4xx  park settings and music on hold               (rules/)
//   CP5xx  voice policies                                (rules/)
//   CP6xx  dial plans (structural)                       (rules/)
//   CP7xx  normalization patterns and translations       (compiler/normalize)
//   CP8xx  orbit/normalization conflicts                 (compiler/analysis)
//   CP9xx  policy tests and suppressions
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/support/Source.h"

namespace callpark {

enum class Severity { Note = 0, Warning = 1, Error = 2 };
const char* severityName(Severity s);  // "note", "warning", "error"

struct DiagNote {
  SourceRange range;  // may be invalid: a note without a location
  std::string message;
};

// A suggested change. When `range` is valid and `replacement` is set, applying it means
// replacing the range's text with the replacement; otherwise it is advice in words.
struct FixIt {
  std::string message;  // "add a pass-through rule before it"
  SourceRange range;
  std::optional<std::string> replacement;
};

struct Diagnostic {
  std::string code;  // "CP301"
  Severity severity = Severity::Error;
  std::string message;
  SourceRange range;
  std::vector<DiagNote> notes;
  std::optional<FixIt> fix;

  Diagnostic& note(SourceRange r, std::string msg) {
    notes.push_back({r, std::move(msg)});
    return *this;
  }
  Diagnostic& suggest(std::string msg, SourceRange r = {},
                      std::optional<std::string> replacement = std::nullopt) {
    fix = FixIt{std::move(msg), r, std::move(replacement)};
    return *this;
  }
};

// How a code's severity is configured: its default, or "off".
enum class SeverityOverride { Default, Off, Note, Warning, Error };

class DiagnosticEngine {
 public:
  explicit DiagnosticEngine(const SourceManager& sm) : sm_(sm) {}

  // Records a diagnostic and returns it for chaining notes / fixes:
  //   diags.report("CP201", Severity::Error, range, "duplicate site \"X\"").note(...);
  Diagnostic& report(std::string code, Severity severity, SourceRange range, std::string message);
  Diagnostic& report(Diagnostic d);

  // Configuration applied by finish().
  void setOverride(const std::string& code, SeverityOverride o) { overrides_[code] = o; }
  void setWarningsAsErrors(bool on) { werror_ = on; }
  // A suppression: diagnostics with `code` whose primary range lies inside `scope` are dropped.
  // Returns an id; suppressionUsed(id) tells afterwards whether it suppressed anything.
  size_t addSuppression(std::string code, SourceRange scope);
  bool suppressionUsed(size_t id) const { return suppressions_.at(id).used; }

  // Applies overrides, suppressions and --werror, sorts and deduplicates. Idempotent.
  const std::vector<Diagnostic>& finish();

  // Drops the diagnostics for which `drop` returns true and returns how many; the order of the
  // rest is kept. Meant for after finish() (baselines, rules/Config.h).
  size_t removeIf(const std::function<bool(const Diagnostic&)>& drop);

  // Raw access (before finish(): in report order).
  const std::vector<Diagnostic>& diagnostics() const { return diags_; }
  size_t count(Severity s) const;  // after finish()
  bool hasErrors() const { return count(Severity::Error) > 0; }
  const SourceManager& sources() const { return sm_; }

 private:
  struct Suppression {
    std::string code;
    SourceRange scope;
    bool used = false;
  };
  const SourceManager& sm_;
  std::vector<Diagnostic> diags_;
  std::map<std::string, SeverityOverride> overrides_;
  std::vector<Suppression> suppressions_;
  bool werror_ = false;
};

// Whether `inner` lies within `outer` (same file, by position).
bool rangeContains(const SourceRange& outer, const SourceRange& inner);

}  // namespace callpark

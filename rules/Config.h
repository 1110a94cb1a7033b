// parkc.json and baselines: the controls a team needs to adopt the linter.
//
// parkc.json lives at the policy root; every key is optional and no file is needed:
//
//   {
//     "severity": { "CP502": "error", "CP603": "off", "orbit-range-too-large": "warning" },
//     "baseline": "parkc-baseline.json",      // relative to the policy root
//     "target": "2015"                         // server version (informational for now)
//   }
//
// Severity values: "error", "warning", "note", "off", "default". Codes may also be given as
// top-level keys ("CP204": "error"), and by rule name instead of code. Problems with the file
// are diagnostics pointing into it (CP020 malformed JSON with line/column, CP021 unknown key,
// CP022 unknown code or severity); a broken entry is ignored, the rest still applies.
//
// A baseline records accepted findings as fingerprints: code + file (relative to the policy
// root) + message. Line and column are left out on purpose, so edits above a finding do not
// invalidate it; two identical findings in one file are counted. `--baseline FILE` drops the
// findings it records (as many of each fingerprint as it holds), so only new ones remain.
//
// Not thread-safe (uses the caller's SourceManager and DiagnosticEngine).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/Diagnostic.h"

namespace callpark::rules {

struct Config {
  std::map<std::string, SeverityOverride> severity;  // by code ("CP502")
  std::string baseline;        // resolved against the policy root; "" when not set
  SourceRange baselineRange;   // where parkc.json names it (for diagnostics about it)
  std::string target;          // "" when not set
  std::optional<FileId> file;  // the parkc.json read, if any
};

// Reads <policyRoot>/parkc.json when it exists (a missing file is not an error) and reports
// its problems. The file is registered in `sm` so diagnostics can show it.
Config loadConfig(const std::string& policyRoot, SourceManager& sm, DiagnosticEngine& diags);
// Installs the severity overrides in the engine (applied by finish()).
void applyConfig(const Config& config, DiagnosticEngine& diags);

struct Fingerprint {
  std::string code, file, message;
  friend auto operator<=>(const Fingerprint&, const Fingerprint&) = default;
};
// `file` relative to `policyRoot` with '/' separators ("" when the diagnostic has no file).
Fingerprint fingerprint(const Diagnostic& d, const SourceManager& sm,
                        const std::string& policyRoot);

struct Baseline {
  std::map<Fingerprint, size_t> counts;
  size_t size() const;
};

// Reads a baseline file (registered in `sm`). std::nullopt, with a CP023 diagnostic, when it
// cannot be read (reported at `namedAt`, the place that names it, when known) or is not a
// baseline.
std::optional<Baseline> loadBaseline(const std::string& path, SourceManager& sm,
                                     DiagnosticEngine& diags, SourceRange namedAt = {});
// The baseline JSON for a finished list of diagnostics (sorted, deterministic).
std::string baselineJson(const std::vector<Diagnostic>& diags, const SourceManager& sm,
                         const std::string& policyRoot);
// Writes baselineJson() to `path`; false with *error set when the file cannot be written.
bool writeBaseline(const std::string& path, const std::vector<Diagnostic>& diags,
                   const SourceManager& sm, const std::string& policyRoot, std::string* error);
// Drops from the (finished) engine the findings the baseline records; returns how many.
size_t applyBaseline(const Baseline& baseline, DiagnosticEngine& diags,
                     const std::string& policyRoot);

}  // namespace callpark::rules

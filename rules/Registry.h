// The rule catalogue.
//
// Every diagnostic code the tool can emit has one entry here: a stable code, a short name, a
// category, a default severity, a one-line summary and a documentation page (why, a failing
// example, the fix). Rules of the catalogue proper (CP3xx..CP6xx and the policy-test checks
// CP91x, one file each under rules/) also carry a stateless check over the resolved model;
// codes emitted by other phases (tool/config, syntax, names, normalization, conflicts,
// suppressions) are listed with check == nullptr so that `parkc rules`, SARIF's rule table and
// the generated rules/README.md cover them too. How to add either kind: rules/README-dev.md.
//
// Codes are stable: once a code is assigned it is never reused for another meaning.
// Everything here is immutable after static initialisation and safe to read from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "compiler/diag/Diagnostic.h"
#include "compiler/model/Model.h"

namespace callpark::rules {

struct RuleContext {
  const model::Model& model;
  const SourceManager& sources;
};

// Reports on behalf of one rule: fills in its code and default severity.
class Reporter {
 public:
  Reporter(DiagnosticEngine& diags, std::string_view code, Severity severity)
      : diags_(diags), code_(code), severity_(severity) {}
  Diagnostic& report(SourceRange range, std::string message) {
    return diags_.report(std::string(code_), severity_, range, std::move(message));
  }

 private:
  DiagnosticEngine& diags_;
  std::string_view code_;
  Severity severity_;
};

struct Rule {
  std::string_view code;      // "CP301"
  std::string_view name;      // "orbit-range-overlap"
  std::string_view category;  // "orbit", "settings", "voice-policy", "dialplan", "syntax", ...
  Severity severity;
  std::string_view summary;  // one line
  std::string_view doc;      // Markdown: why, failing example, fix
  void (*check)(const RuleContext&, Reporter&) = nullptr;
};

// All entries, sorted by code.
const std::vector<const Rule*>& allRules();
// By code ("CP301", case-insensitive) or name ("orbit-range-overlap"); nullptr when unknown.
const Rule* findRule(std::string_view codeOrName);
// Runs every rule that has a check, in code order. A rule never throws for user input.
void runAll(const RuleContext& ctx, DiagnosticEngine& diags);
// Runs one rule's check (nothing when it has none).
void runRule(const Rule& rule, const RuleContext& ctx, DiagnosticEngine& diags);

// Problems with the catalogue itself (duplicate codes or names, missing docs, a code outside
// the range of its category...), one message each; empty when the catalogue is sound. Unit
// tests assert it is empty so a bad entry cannot be merged.
std::vector<std::string> validateCatalogue();

// Documentation.
// The whole catalogue as Markdown (the content of rules/README.md); deterministic.
std::string renderMarkdown();
// One rule's page as plain text for `parkc rules CODE`.
std::string renderRuleDoc(const Rule& rule);
// The one-line table `parkc rules` prints: code, name, severity, summary.
std::string renderRuleList();

}  // namespace callpark::rules

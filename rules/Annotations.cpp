#include "rules/Annotations.h"

#include "compiler/support/Strings.h"
#include "rules/Registry.h"

namespace callpark::rules {

namespace {

constexpr const char* kMissingReason = "CP901";
constexpr const char* kUnused = "CP902";
constexpr const char* kUnknownCode = "CP903";

bool blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

void apply(const std::vector<ast::Annotation>& annotations, const SourceRange& scope,
           const std::string& declName, DiagnosticEngine& diags, AllowSet& out) {
  for (const auto& a : annotations) {
    SourceRange where = a.code.range.valid() ? a.code.range : a.range;
    const Rule* rule = findRule(a.code.value);
    if (!rule) {
      std::vector<std::string> known;
      for (const Rule* r : allRules()) {
        known.emplace_back(r->code);
        known.emplace_back(r->name);
      }
      auto& d = diags.report(kUnknownCode, Severity::Error, where,
                             "@allow names \"" + a.code.value +
                                 "\", which is not a diagnostic code or rule name; it suppresses "
                                 "nothing");
      std::string best = closestMatch(a.code.value, known);
      d.suggest(best.empty() ? "`parkc rules` lists every code" : "did you mean " + best + "?");
      continue;
    }
    if (blank(a.reason.value)) {
      diags
          .report(kMissingReason, Severity::Error, a.range.valid() ? a.range : where,
                  "@allow(" + std::string(rule->code) + ") on " + declName +
                      " has no reason; it suppresses nothing until it says why")
          .suggest("write the reason for the exception: @allow(" + std::string(rule->code) +
                   ", \"legacy range, removed after the Q3 migration\")");
      continue;
    }
    size_t id = diags.addSuppression(std::string(rule->code), scope);
    out.entries.push_back(
        {id, std::string(rule->code), a.range.valid() ? a.range : where, declName});
  }
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::string scopeName(const ast::Scope& s) {
  if (s.kind == ast::Scope::Global) return "global";
  if (s.kind == ast::Scope::Tag) return quoted(s.name.value);
  return std::string(ast::scopeKindName(s.kind)) + " " + quoted(s.name.value);
}

}  // namespace

AllowSet applyAnnotations(const ast::PolicyAst& ast, DiagnosticEngine& diags) {
  AllowSet out;
  for (const auto& d : ast.sites)
    apply(d.annotations, d.range, "site " + quoted(d.name.value), diags, out);
  for (const auto& d : ast.orbits)
    apply(d.annotations, d.range, "orbit " + quoted(d.name.value), diags, out);
  for (const auto& d : ast.parkAccess)
    apply(d.annotations, d.range, "park_access " + quoted(d.number.value), diags, out);
  for (const auto& d : ast.parkSettings)
    apply(d.annotations, d.range, "park_settings " + scopeName(d.scope), diags, out);
  for (const auto& d : ast.voicePolicies)
    apply(d.annotations, d.range, "voice_policy " + scopeName(d.scope), diags, out);
  for (const auto& d : ast.dialPlans) {
    std::string name = "dialplan " + scopeName(d.scope);
    apply(d.annotations, d.range, name, diags, out);
    for (const auto& r : d.rules)
      apply(r.annotations, r.range, "rule " + quoted(r.name.value) + " of " + name, diags, out);
  }
  for (const auto& d : ast.users)
    apply(d.annotations, d.range, "user " + quoted(d.sip.value), diags, out);
  for (const auto& d : ast.usersFrom)
    apply(d.annotations, d.range, "users from " + quoted(d.path.value), diags, out);
  for (const auto& d : ast.tests)
    apply(d.annotations, d.range, "test " + quoted(d.name.value), diags, out);
  return out;
}

void reportUnusedAllows(const AllowSet& allows, DiagnosticEngine& diags) {
  for (const auto& e : allows.entries) {
    if (diags.suppressionUsed(e.suppression)) continue;
    diags
        .report(kUnused, Severity::Warning, e.range,
                "@allow(" + e.code + ") on " + e.declName + " suppresses nothing: " + e.code +
                    " is not reported there")
        .suggest("remove the @allow; the problem it excused is gone");
  }
}

const std::vector<Diagnostic>& finishWithAnnotations(DiagnosticEngine& diags,
                                                     const AllowSet& allows) {
  diags.finish();
  reportUnusedAllows(allows, diags);
  return diags.finish();
}

}  // namespace callpark::rules

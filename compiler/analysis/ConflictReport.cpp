// Turning conflict findings into diagnostics (CP801..CP804): messages in the administrator's
// words, notes at the orbit range and the rules involved, and a fix suggestion.
#include <algorithm>

#include "compiler/analysis/Automaton.h"
#include "compiler/analysis/Conflicts.h"
#include "compiler/normalize/CompiledDialPlan.h"

namespace callpark::analysis {
namespace {

SourceRange ruleRange(const model::DialPlan& plan, int rule) {
  const model::NormRule& r = plan.rules[rule];
  if (r.decl) {
    if (r.decl->pattern) return r.decl->pattern->range;
    return r.decl->range;
  }
  return plan.decl ? plan.decl->range : SourceRange{};
}

SourceRange ruleHeader(const model::DialPlan& plan, int rule) {
  const model::NormRule& r = plan.rules[rule];
  if (r.decl) return r.decl->name.range.valid() ? r.decl->name.range : r.decl->range;
  return plan.decl ? plan.decl->range : SourceRange{};
}

std::string planName(const model::Model& m, const model::DialPlan& p) {
  return "dialplan " + model::describeScope(p.scope, m);
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::string priorityText(const model::NormRule& r) {
  return std::to_string(r.priority);
}

// The first later rule of the plan that would let `number` through unchanged, or -1.
int laterPassThrough(const model::DialPlan& plan, int after, const std::string& number) {
  model::DialPlan rest;
  rest.optimizeDeviceDialing = plan.optimizeDeviceDialing;
  rest.externalAccessPrefix = plan.externalAccessPrefix;
  std::vector<int> idx;
  for (size_t k = after + 1; k < plan.rules.size(); ++k) {
    rest.rules.push_back(plan.rules[k]);
    idx.push_back(static_cast<int>(k));
  }
  if (rest.rules.empty()) return -1;
  // Try each later rule alone: the first one that matches and reproduces the number.
  for (size_t k = 0; k < rest.rules.size(); ++k) {
    model::DialPlan one = rest;
    one.rules = {rest.rules[k]};
    normalize::CompiledDialPlan cp = normalize::CompiledDialPlan::compile(one);
    normalize::Normalized n = cp.normalize(number);
    if (n.matched() && n.result == number) return idx[k];
  }
  return -1;
}

// A priority that puts a new rule right before `rule`, or nullopt when the priorities leave no
// gap (then the rules after it must be renumbered).
std::optional<int64_t> priorityBefore(const model::DialPlan& plan, int rule) {
  int64_t p = plan.rules[rule].priority;
  if (p <= 0) return std::nullopt;
  if (rule > 0 && plan.rules[rule - 1].priority >= p - 1) return std::nullopt;
  return p - 1;
}

void reportRewrite(const model::Model& m, const Rewrite& w, DiagnosticEngine& diags) {
  const model::DialPlan& plan = m.dialPlans[w.plan];
  const model::NormRule& rule = plan.rules[w.rule];
  std::string head = "rule " + quoted(rule.name) + " in " + planName(m, plan);
  if (w.orbit != model::kNone) {
    const model::OrbitRange& r = m.orbits[w.orbit];
    std::string what;
    if (w.total == 1)
      what = "rewrites the only number of orbit range " + quoted(r.name);
    else if (w.affected == w.total)
      what =
          "rewrites all " + std::to_string(w.total) + " numbers of orbit range " + quoted(r.name);
    else
      what = "rewrites " + std::to_string(w.affected) + " of the " + std::to_string(w.total) +
             " numbers of orbit range " + quoted(r.name);
    Diagnostic& d = diags.report(kOrbitRewritten, Severity::Error, ruleRange(plan, w.rule),
                                 head + " " + what + ", e.g. " + w.witness + " becomes " +
                                     (w.result.empty() ? "an empty string" : w.result));
    SourceRange orbitAt =
        r.decl ? (r.decl->numbers ? r.decl->numbers->range : r.decl->range) : SourceRange{};
    d.note(orbitAt, "orbit range " + quoted(r.name) + " (" + r.start.text + ".." + r.end.text +
                        ") is declared here; its numbers must reach the park service unchanged");
    const std::string& prefix = plan.optimizeDeviceDialing ? plan.externalAccessPrefix : "";
    bool stripped = !prefix.empty() && w.witness.size() > prefix.size() &&
                    w.witness.compare(0, prefix.size(), prefix) == 0;
    if (stripped) {
      SourceRange at = plan.decl && plan.decl->externalAccessPrefix
                           ? plan.decl->externalAccessPrefix->range
                           : (plan.decl ? plan.decl->range : SourceRange{});
      d.note(at, "the plan removes its external access prefix " + quoted(prefix) +
                     " first (optimize_device_dialing), so the rules see " +
                     w.witness.substr(prefix.size()) + " for " + w.witness);
    }
    d.note(ruleHeader(plan, w.rule), "rule " + quoted(rule.name) + " (priority " +
                                         priorityText(rule) +
                                         ") is the first rule of the plan that matches " +
                                         (stripped ? w.witness.substr(prefix.size()) : w.witness));
    int later = laterPassThrough(plan, w.rule, w.witness);
    if (later >= 0) {
      const model::NormRule& pt = plan.rules[later];
      d.note(ruleHeader(plan, later), "rule " + quoted(pt.name) +
                                          " would keep the number but comes too late (priority " +
                                          priorityText(pt) + ")");
      d.suggest("move rule " + quoted(pt.name) + " before rule " + quoted(rule.name) +
                ": give it a priority below " + priorityText(rule));
      return;
    }
    std::string pattern = rangePattern(r);
    std::string translation = "$1";
    const std::string& a = plan.optimizeDeviceDialing ? plan.externalAccessPrefix : "";
    if (!a.empty() && r.start.text.size() > a.size() && r.start.text.rfind(a, 0) == 0 &&
        r.end.text.rfind(a, 0) == 0) {
      // The rules see the number without the access prefix; put it back.
      model::OrbitRange stripped = r;
      stripped.start = model::DialNumber::parse(r.start.text.substr(a.size()));
      stripped.end = model::DialNumber::parse(r.end.text.substr(a.size()));
      if (stripped.usable()) {
        pattern = rangePattern(stripped);
        translation = a + "$1";
      }
    }
    std::optional<int64_t> pr = priorityBefore(plan, w.rule);
    std::string ruleText = "rule " + quoted(r.name + " pass-through") + " priority " +
                           std::to_string(pr ? *pr : rule.priority) + " { pattern '" + pattern +
                           "'  translation '" + translation + "' }";
    if (pr)
      d.suggest("add a pass-through rule before rule " + quoted(rule.name) + ": " + ruleText);
    else
      d.suggest("add a pass-through rule before rule " + quoted(rule.name) + " and give rule " +
                quoted(rule.name) + " and the rules after it higher priority numbers: " + ruleText);
    return;
  }
  const model::ParkAccess& pa = m.parkAccess[w.parkAccess];
  std::string pool = pa.pool != model::kNone ? m.pools[pa.pool].fqdn : std::string("?");
  Diagnostic& d =
      diags.report(kParkAccessRewritten, Severity::Error, ruleRange(plan, w.rule),
                   head + " rewrites park access number " + w.witness + " (pool " + quoted(pool) +
                       ") into " + (w.result.empty() ? "an empty string" : w.result) +
                       ": calls to it never reach the park service");
  if (pa.decl)
    d.note(pa.decl->number.range, "park access number " + w.witness + " is declared here");
  d.note(ruleHeader(plan, w.rule), "rule " + quoted(rule.name) + " (priority " +
                                       priorityText(rule) +
                                       ") is the first rule of the plan that matches it");
  std::string esc;
  for (char c : w.witness) {
    if (c == '*' || c == '+') esc += '\\';
    esc += c;
  }
  std::optional<int64_t> pr = priorityBefore(plan, w.rule);
  d.suggest("add a pass-through rule before rule " + quoted(rule.name) + ": rule " +
            quoted("park access " + w.witness) + " priority " +
            std::to_string(pr ? *pr : rule.priority) + " { pattern '^(" + esc +
            ")$'  translation '$1' }");
}

void reportDead(const model::Model& m, const DeadRule& dr, DiagnosticEngine& diags) {
  const model::DialPlan& plan = m.dialPlans[dr.plan];
  const model::NormRule& rule = plan.rules[dr.rule];
  const model::NormRule& by = plan.rules[dr.by];
  std::string byText = "the earlier rule " + quoted(by.name) + " (priority " + priorityText(by) +
                       ")" + (dr.catchAll ? ", a catch-all," : "") +
                       " matches every number it matches";
  bool dead = dr.passThrough && dr.protectedOrbit != model::kNone;
  if (dead) {
    const model::OrbitRange& r = m.orbits[dr.protectedOrbit];
    Diagnostic& d = diags.report(kDeadPassThrough, Severity::Error, ruleRange(plan, dr.rule),
                                 "pass-through rule " + quoted(rule.name) + " in " +
                                     planName(m, plan) + " can never fire: " + byText);
    d.note(ruleHeader(plan, dr.by),
           "rule " + quoted(by.name) + " takes every number first, e.g. " + dr.example);
    if (r.decl)
      d.note(r.decl->numbers ? r.decl->numbers->range : r.decl->range,
             "it was meant to keep the numbers of orbit range " + quoted(r.name) + " unchanged");
    d.suggest("give rule " + quoted(rule.name) + " a priority below " + priorityText(by) +
              " so that it is tried before rule " + quoted(by.name));
    return;
  }
  Diagnostic& d = diags.report(
      kSubsumedRule, Severity::Warning, ruleRange(plan, dr.rule),
      "rule " + quoted(rule.name) + " in " + planName(m, plan) + " can never fire: " + byText);
  d.note(ruleHeader(plan, dr.by),
         "rule " + quoted(by.name) + " is tried first, e.g. it takes " + dr.example);
  d.suggest("remove rule " + quoted(rule.name) + ", or give it a priority below " +
            priorityText(by) + " if it should win");
}

}  // namespace

void reportConflicts(const model::Model& m, const ConflictResult& r, DiagnosticEngine& diags) {
  for (const Rewrite& w : r.rewrites) reportRewrite(m, w, diags);
  for (const DeadRule& d : r.dead) reportDead(m, d, diags);
}

ConflictStats analyzeConflicts(const model::Model& m, DiagnosticEngine& diags,
                               const ConflictOptions& opts) {
  ConflictResult r = findConflicts(m, opts);
  reportConflicts(m, r, diags);
  return r.stats;
}

}  // namespace callpark::analysis

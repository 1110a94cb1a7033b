#include "compiler/normalize/CompiledDialPlan.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <climits>
#include <map>

namespace callpark::normalize {

const char* traceStateName(TraceStep::State s) {
  switch (s) {
    case TraceStep::NotCompiled:
      return "skipped";
    case TraceStep::NoMatch:
      return "no match";
    case TraceStep::Matched:
      return "match";
    case TraceStep::Shadowed:
      return "shadowed";
  }
  return "?";
}

struct CompiledDialPlan::Rule {
  int index = -1;  // in the plan
  CompiledPattern pattern;
  Substitution substitution;
  bool internal = false;
};

struct CompiledDialPlan::Impl {
  std::vector<Rule> rules;                       // compiled rules, plan order
  std::vector<std::string> re2Text;              // per plan rule ("" when not compiled)
  std::vector<std::optional<TextError>> errors;  // per plan rule
  std::vector<std::vector<TextError>> warnings;  // per plan rule
  std::unique_ptr<re2::RE2::Set> set;            // index = slot in `rules`
  std::string prefix;  // effective external access prefix ("" when not applied)
  bool honourInternal = false;
};

namespace {

// Maps [b, e) byte offsets in a string literal's content to a source range. The literal's range
// covers its quotes; single-quoted strings are raw, double-quoted ones have `\"` and `\\` escapes.
SourceRange contentRange(const SourceManager& sm, const SourceRange& lit, size_t b, size_t e) {
  if (!lit.valid() || lit.line != lit.endLine) return lit;
  std::string_view src = sm.slice(lit);
  if (src.size() < 2 || (src[0] != '\'' && src[0] != '"')) return lit;
  bool raw = src[0] == '\'';
  // content offset -> source offset (from the opening quote)
  std::vector<size_t> at;
  for (size_t k = 1; k + 1 < src.size(); ++k) {
    at.push_back(k);
    if (!raw && src[k] == '\\' && k + 2 < src.size() && (src[k + 1] == '"' || src[k + 1] == '\\'))
      ++k;
  }
  at.push_back(src.size() - 1);  // the closing quote
  b = std::min(b, at.size() - 1);
  e = std::min(e, at.size() - 1);
  SourceRange r = lit;
  r.col = lit.col + static_cast<uint32_t>(at[b]);
  r.endCol = lit.col + static_cast<uint32_t>(at[e]);
  if (r.endCol <= r.col) r.endCol = r.col + 1;
  return r;
}

void report(DiagnosticEngine* diags, const model::NormRule& rule, bool inPattern,
            const TextError& err, Severity severity = Severity::Error) {
  if (!diags) return;
  SourceRange range;
  if (rule.decl) {
    const std::optional<ast::Str>& lit = inPattern ? rule.decl->pattern : rule.decl->translation;
    range = lit ? contentRange(diags->sources(), lit->range, err.begin, err.end) : rule.decl->range;
  }
  std::string msg = std::string(inPattern ? "pattern" : "translation") + " of rule \"" + rule.name +
                    "\": " + err.message;
  Diagnostic& d = diags->report(err.code, severity, range, msg);
  if (!err.hint.empty()) d.suggest(err.hint);
}

re2::RE2::Options engineOptions() {
  re2::RE2::Options opt;
  opt.set_log_errors(false);
  return opt;
}

}  // namespace

CompiledDialPlan::CompiledDialPlan() : impl_(std::make_unique<Impl>()) {}
CompiledDialPlan::CompiledDialPlan(CompiledDialPlan&&) noexcept = default;
CompiledDialPlan& CompiledDialPlan::operator=(CompiledDialPlan&&) noexcept = default;
CompiledDialPlan::~CompiledDialPlan() = default;

CompiledDialPlan CompiledDialPlan::compile(const model::DialPlan& plan, DiagnosticEngine* diags) {
  CompiledDialPlan cp;
  Impl& im = *cp.impl_;
  im.honourInternal = plan.optimizeDeviceDialing;
  if (plan.optimizeDeviceDialing) im.prefix = plan.externalAccessPrefix;
  im.set = std::make_unique<re2::RE2::Set>(engineOptions(), re2::RE2::ANCHOR_BOTH);
  for (size_t k = 0; k < plan.rules.size(); ++k) {
    const model::NormRule& nr = plan.rules[k];
    cp.ruleSlot_.push_back(-1);
    im.re2Text.emplace_back();
    im.errors.emplace_back();
    im.warnings.emplace_back();
    CompileResult c = compilePattern(nr.pattern);
    if (!c.ok()) {
      report(diags, nr, true, *c.error);
      im.errors.back() = *c.error;
      continue;
    }
    TranslationResult t = parseTranslation(nr.translation, c.compiled->pattern);
    if (!t.ok()) {
      report(diags, nr, false, *t.error);
      im.errors.back() = *t.error;
      continue;
    }
    for (const TextError& w : t.warnings) report(diags, nr, w.inPattern, w, Severity::Warning);
    if (std::optional<TextError> n = anchorNote(nr.pattern))
      report(diags, nr, true, *n, Severity::Note);
    im.warnings.back() = t.warnings;
    std::string setError;
    if (im.set->Add(c.compiled->pattern.re2, &setError) < 0) {
      // Cannot happen after RE2 accepted the pattern; reported rather than assumed.
      TextError e{0, nr.pattern.size(), kInvalidPattern, "invalid pattern: " + setError, {}};
      report(diags, nr, true, e);
      im.errors.back() = e;
      continue;
    }
    cp.ruleSlot_.back() = static_cast<int>(im.rules.size());
    im.re2Text.back() = c.compiled->pattern.re2;
    Rule r;
    r.index = static_cast<int>(k);
    r.pattern = std::move(*c.compiled);
    r.substitution = std::move(*t.substitution);
    r.internal = nr.internalExtension && plan.optimizeDeviceDialing;
    im.rules.push_back(std::move(r));
  }
  if (im.rules.empty() || !im.set->Compile()) im.set.reset();
  return cp;
}

const std::string& CompiledDialPlan::re2Pattern(int rule) const {
  return impl_->re2Text.at(rule);
}

const std::vector<TextError>& CompiledDialPlan::ruleWarnings(int rule) const {
  return impl_->warnings.at(rule);
}

size_t checkDialPlans(const model::Model& m, DiagnosticEngine& diags) {
  // Each distinct pattern text is translated and compiled once, each distinct (pattern,
  // translation) parsed once; every rule that uses them is reported at its own literals.
  std::map<std::string, CompileResult, std::less<>> patterns;
  std::map<std::pair<std::string, std::string>, TranslationResult> translations;
  size_t failed = 0;
  for (const model::DialPlan& plan : m.dialPlans) {
    for (const model::NormRule& nr : plan.rules) {
      auto pit = patterns.find(nr.pattern);
      if (pit == patterns.end())
        pit = patterns.emplace(nr.pattern, compilePattern(nr.pattern)).first;
      if (!pit->second.ok()) {
        report(&diags, nr, true, *pit->second.error);
        ++failed;
        continue;
      }
      auto key = std::make_pair(nr.pattern, nr.translation);
      auto tit = translations.find(key);
      if (tit == translations.end())
        tit = translations
                  .emplace(key, parseTranslation(nr.translation, pit->second.compiled->pattern))
                  .first;
      if (!tit->second.ok()) {
        report(&diags, nr, false, *tit->second.error);
        ++failed;
        continue;
      }
      for (const TextError& w : tit->second.warnings)
        report(&diags, nr, w.inPattern, w, Severity::Warning);
      if (std::optional<TextError> n = anchorNote(nr.pattern))
        report(&diags, nr, true, *n, Severity::Note);
    }
  }
  return failed;
}

const TextError* CompiledDialPlan::ruleError(int rule) const {
  const auto& e = impl_->errors.at(rule);
  return e ? &*e : nullptr;
}

std::string_view CompiledDialPlan::stripPrefix(std::string_view dialed) const {
  const std::string& p = impl_->prefix;
  if (!p.empty() && dialed.size() > p.size() && dialed.substr(0, p.size()) == p)
    dialed.remove_prefix(p.size());
  return dialed;
}

int CompiledDialPlan::firstMatch(std::string_view dialed) const {
  const Impl& im = *impl_;
  if (im.rules.empty()) return -1;
  std::string_view s = stripPrefix(dialed);
  re2::StringPiece text(s.data(), s.size());
  if (im.set) {
    thread_local std::vector<int> hits;
    re2::RE2::Set::ErrorInfo info{};
    if (im.set->Match(text, &hits, &info)) {
      int best = *std::min_element(hits.begin(), hits.end());
      return im.rules[best].index;
    }
    if (info.kind == re2::RE2::Set::kNoError) return -1;
    // The DFA ran out of memory: fall back to trying the rules in order.
  }
  for (const Rule& r : im.rules)
    if (r.pattern.re->Match(text, 0, text.size(), re2::RE2::ANCHOR_BOTH, nullptr, 0))
      return r.index;
  return -1;
}

int CompiledDialPlan::normalizeInto(std::string_view dialed, std::string* out,
                                    bool* internal) const {
  int rule = firstMatch(dialed);
  if (internal) *internal = false;
  if (rule < 0) {
    out->assign(dialed.data(), dialed.size());
    return -1;
  }
  const Rule& r = impl_->rules[ruleSlot_[rule]];
  if (internal) *internal = r.internal;
  out->clear();
  int n = r.substitution.capturesNeeded();
  if (n == 0) {
    r.substitution.apply(nullptr, out);
    return rule;
  }
  std::string_view s = stripPrefix(dialed);
  re2::StringPiece text(s.data(), s.size());
  constexpr int kInline = 16;
  re2::StringPiece inlineGroups[kInline];
  std::vector<re2::StringPiece> heap;
  re2::StringPiece* groups = inlineGroups;
  if (n > kInline) {
    heap.resize(n);
    groups = heap.data();
  }
  r.pattern.re->Match(text, 0, text.size(), re2::RE2::ANCHOR_BOTH, groups, n);
  r.substitution.apply(groups, out);
  return rule;
}

Normalized CompiledDialPlan::normalize(std::string_view dialed) const {
  Normalized n;
  n.rule = normalizeInto(dialed, &n.result, &n.internal);
  return n;
}

Normalized CompiledDialPlan::normalizeOneByOne(std::string_view dialed) const {
  Normalized n;
  std::string_view s = stripPrefix(dialed);
  re2::StringPiece text(s.data(), s.size());
  for (const Rule& r : impl_->rules) {
    int k = r.substitution.capturesNeeded();
    std::vector<re2::StringPiece> groups(std::max(k, 1));
    if (r.pattern.re->Match(text, 0, text.size(), re2::RE2::ANCHOR_BOTH, groups.data(), k)) {
      n.rule = r.index;
      n.internal = r.internal;
      r.substitution.apply(groups.data(), &n.result);
      return n;
    }
  }
  n.result.assign(dialed.data(), dialed.size());
  return n;
}

Trace CompiledDialPlan::trace(std::string_view dialed) const {
  Trace t;
  t.dialed = std::string(dialed);
  std::string_view s = stripPrefix(dialed);
  t.input = std::string(s);
  t.prefixStripped = s.size() != dialed.size();
  re2::StringPiece text(s.data(), s.size());
  bool won = false;
  for (size_t k = 0; k < ruleSlot_.size(); ++k) {
    TraceStep step;
    step.rule = static_cast<int>(k);
    if (ruleSlot_[k] < 0) {
      step.state = TraceStep::NotCompiled;
      t.steps.push_back(std::move(step));
      continue;
    }
    const Rule& r = impl_->rules[ruleSlot_[k]];
    std::vector<re2::StringPiece> groups(r.pattern.re->NumberOfCapturingGroups() + 1);
    if (r.pattern.re->Match(text, 0, text.size(), re2::RE2::ANCHOR_BOTH, groups.data(),
                            static_cast<int>(groups.size()))) {
      step.state = won ? TraceStep::Shadowed : TraceStep::Matched;
      r.substitution.apply(groups.data(), &step.result);
      if (!won) {
        won = true;
        t.outcome.rule = r.index;
        t.outcome.result = step.result;
        t.outcome.internal = r.internal;
      }
    } else {
      step.state = TraceStep::NoMatch;
    }
    t.steps.push_back(std::move(step));
  }
  if (!won) t.outcome.result = t.dialed;
  return t;
}

}  // namespace callpark::normalize

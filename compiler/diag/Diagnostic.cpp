#include "compiler/diag/Diagnostic.h"

#include <algorithm>
#include <tuple>

namespace callpark {

const char* severityName(Severity s) {
  switch (s) {
    case Severity::Note:
      return "note";
    case Severity::Warning:
      return "warning";
    case Severity::Error:
      return "error";
  }
  return "error";
}

Diagnostic& DiagnosticEngine::report(std::string code, Severity severity, SourceRange range,
                                     std::string message) {
  Diagnostic d;
  d.code = std::move(code);
  d.severity = severity;
  d.range = range;
  d.message = std::move(message);
  return report(std::move(d));
}

Diagnostic& DiagnosticEngine::report(Diagnostic d) {
  diags_.push_back(std::move(d));
  return diags_.back();
}

size_t DiagnosticEngine::addSuppression(std::string code, SourceRange scope) {
  suppressions_.push_back({std::move(code), scope, false});
  return suppressions_.size() - 1;
}

bool rangeContains(const SourceRange& outer, const SourceRange& inner) {
  if (outer.file != inner.file || !outer.valid() || !inner.valid()) return false;
  auto b = std::make_pair(inner.line, inner.col);
  return std::make_pair(outer.line, outer.col) <= b &&
         b < std::make_pair(outer.endLine, outer.endCol);
}

const std::vector<Diagnostic>& DiagnosticEngine::finish() {
  std::vector<Diagnostic> out;
  out.reserve(diags_.size());
  for (auto& d : diags_) {
    bool suppressed = false;
    for (auto& s : suppressions_) {
      if (s.code == d.code && rangeContains(s.scope, d.range)) {
        s.used = true;
        suppressed = true;
      }
    }
    if (suppressed) continue;
    auto it = overrides_.find(d.code);
    if (it != overrides_.end()) {
      switch (it->second) {
        case SeverityOverride::Default:
          break;
        case SeverityOverride::Off:
          continue;
        case SeverityOverride::Note:
          d.severity = Severity::Note;
          break;
        case SeverityOverride::Warning:
          d.severity = Severity::Warning;
          break;
        case SeverityOverride::Error:
          d.severity = Severity::Error;
          break;
      }
    }
    if (werror_ && d.severity == Severity::Warning) d.severity = Severity::Error;
    out.push_back(std::move(d));
  }
  auto key = [&](const Diagnostic& d) {
    std::string path = d.range.file == kNoFile ? std::string() : sm_.path(d.range.file);
    return std::make_tuple(path, d.range.line, d.range.col, d.code, d.message);
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  out.erase(std::unique(out.begin(), out.end(),
                        [&](const Diagnostic& a, const Diagnostic& b) {
                          return key(a) == key(b) && a.range == b.range;
                        }),
            out.end());
  diags_ = std::move(out);
  return diags_;
}

size_t DiagnosticEngine::removeIf(const std::function<bool(const Diagnostic&)>& drop) {
  size_t before = diags_.size();
  diags_.erase(std::remove_if(diags_.begin(), diags_.end(), drop), diags_.end());
  return before - diags_.size();
}

size_t DiagnosticEngine::count(Severity s) const {
  return static_cast<size_t>(std::count_if(diags_.begin(), diags_.end(),
                                           [&](const Diagnostic& d) { return d.severity == s; }));
}

}  // namespace callpark

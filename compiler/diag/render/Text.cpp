// Text renderer, modelled on rustc/clang:
//
//   orbits.park:3:11: error[CP301]: orbit range "A" overlaps orbit range "B"
//      3 |   numbers 7000..7099
//        |           ^^^^^^^^^^
//   orbits.park:9:11: note: "B" is declared here; the first shared number is 7050
//   help: move one range
//   = CP301 is an error by default; set "CP301": "warning" or "off" in parkc.json to change it
#include <algorithm>
#include <sstream>

#include "compiler/diag/render/Render.h"

namespace callpark::render {
namespace {

struct Style {
  bool on;
  std::string bold() const { return on ? "\x1b[1m" : ""; }
  std::string red() const { return on ? "\x1b[1;31m" : ""; }
  std::string yellow() const { return on ? "\x1b[1;33m" : ""; }
  std::string cyan() const { return on ? "\x1b[1;36m" : ""; }
  std::string green() const { return on ? "\x1b[1;32m" : ""; }
  std::string reset() const { return on ? "\x1b[0m" : ""; }
  std::string sev(Severity s) const {
    return s == Severity::Error ? red() : s == Severity::Warning ? yellow() : cyan();
  }
};

std::string location(const SourceRange& r, const SourceManager& sm) {
  if (!r.valid()) return "";
  return sm.path(r.file) + ":" + std::to_string(r.line) + ":" + std::to_string(r.col) + ": ";
}

// The source line with carets under the span (first line of a multi-line span only).
void snippet(std::ostringstream& out, const SourceRange& r, const SourceManager& sm,
             const Style& st, char mark) {
  if (!r.valid() || r.file >= sm.fileCount()) return;
  std::string_view line = sm.lineText(r.file, r.line);
  std::string num = std::to_string(r.line);
  std::string pad(num.size(), ' ');
  // Tabs are shown as single spaces so the carets line up.
  std::string shown(line);
  std::replace(shown.begin(), shown.end(), '\t', ' ');
  out << st.cyan() << " " << num << " |" << st.reset() << " " << shown << "\n";
  size_t col = r.col ? r.col - 1 : 0;
  size_t end = r.endLine == r.line ? (r.endCol ? r.endCol - 1 : col + 1) : line.size();
  if (end <= col) end = col + 1;
  if (col > line.size()) col = line.size();
  out << st.cyan() << " " << pad << " |" << st.reset() << " " << std::string(col, ' ')
      << (mark == '^' ? st.red() : st.cyan()) << std::string(end - col, mark) << st.reset()
      << "\n";
}

}  // namespace

std::string renderText(const std::vector<Diagnostic>& diags, const SourceManager& sm,
                       const RenderOptions& opt) {
  Style st{opt.color};
  std::ostringstream out;
  for (const auto& d : diags) {
    out << st.bold() << location(d.range, sm) << st.reset() << st.sev(d.severity)
        << severityName(d.severity) << "[" << d.code << "]" << st.reset() << st.bold() << ": "
        << d.message << st.reset() << "\n";
    snippet(out, d.range, sm, st, '^');
    for (const auto& n : d.notes) {
      out << st.bold() << location(n.range, sm) << st.reset() << st.cyan() << "note" << st.reset()
          << ": " << n.message << "\n";
      snippet(out, n.range, sm, st, '-');
    }
    if (d.fix) {
      out << st.green() << "help" << st.reset() << ": " << d.fix->message << "\n";
      if (d.fix->replacement) {
        std::istringstream lines(*d.fix->replacement);
        std::string l;
        while (std::getline(lines, l)) out << "    " << st.green() << l << st.reset() << "\n";
      }
    }
    if (opt.severityHint && d.code.rfind("CP1", 0) != 0 && d.code.rfind("CP0", 0) != 0) {
      std::string def = severityName(d.severity);
      if (opt.lookup) {
        if (auto info = opt.lookup(d.code)) def = severityName(info->defaultSeverity);
      }
      out << "  = " << d.code << " is " << (def == "error" ? "an " : "a ") << def
          << " by default; set \"" << d.code
          << "\": \"error\" | \"warning\" | \"note\" | \"off\" in parkc.json to change it\n";
    }
    out << "\n";
  }
  out << summaryLine(diags) << "\n";
  return out.str();
}

std::string summaryLine(const std::vector<Diagnostic>& diags) {
  size_t e = 0, w = 0, n = 0;
  for (const auto& d : diags) {
    if (d.severity == Severity::Error) ++e;
    else if (d.severity == Severity::Warning) ++w;
    else ++n;
  }
  if (e + w + n == 0) return "no problems found";
  std::ostringstream s;
  auto part = [&](size_t k, const char* what, bool first) {
    if (!first) s << ", ";
    s << k << " " << what << (k == 1 ? "" : "s");
  };
  part(e, "error", true);
  part(w, "warning", false);
  if (n) part(n, "note", false);
  return s.str();
}

std::optional<Format> parseFormat(std::string_view name) {
  if (name == "text") return Format::Text;
  if (name == "json") return Format::Json;
  if (name == "sarif") return Format::Sarif;
  if (name == "github") return Format::Github;
  return std::nullopt;
}

std::string render(Format f, const std::vector<Diagnostic>& diags, const SourceManager& sm,
                   const RenderOptions& opt) {
  switch (f) {
    case Format::Text: return renderText(diags, sm, opt);
    case Format::Json: return renderJson(diags, sm, opt);
    case Format::Sarif: return renderSarif(diags, sm, opt);
    case Format::Github: return renderGithub(diags, sm, opt);
  }
  return {};
}

}  // namespace callpark::render

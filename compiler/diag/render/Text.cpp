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
#include <string_view>
#include <vector>

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

// What a terminal shows for a piece of source or message text. Valid UTF-8 passes through;
// a byte that is not part of a UTF-8 character, and control characters (which could move the
// cursor or change colours: a policy file is untrusted input), are written as `\xNN`. Tabs
// become one space so carets line up. `columns`, when given, receives for each byte offset of
// `text` (and one past the end) the display column where it starts, counting one column per
// character (wide East Asian characters are rare in policies and counted as one).
std::string visible(std::string_view text, std::vector<size_t>* columns = nullptr) {
  std::string out;
  size_t col = 0;
  if (columns) columns->assign(text.size() + 1, 0);
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    bool valid = len > 0 && (len != 2 || c >= 0xC2) && i + len <= text.size();
    for (size_t k = 1; valid && k < len; ++k)
      valid = (static_cast<unsigned char>(text[i + k]) >> 6) == 0x2;
    if (!valid) len = 1;
    if (columns)
      for (size_t k = 0; k < len; ++k) (*columns)[i + k] = col;
    if (valid && c == '\t') {
      out += ' ';
      col += 1;
    } else if (!valid || c < 0x20 || c == 0x7f) {
      static const char* hex = "0123456789ABCDEF";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xF];
      col += 4;
    } else {
      out.append(text.substr(i, len));
      col += 1;
    }
    i += len;
  }
  if (columns) (*columns)[text.size()] = col;
  return out;
}

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
  std::vector<size_t> columns;
  std::string shown = visible(line, &columns);
  out << st.cyan() << " " << num << " |" << st.reset() << " " << shown << "\n";
  // Byte offsets of the span on this line, then display columns.
  size_t b = std::min<size_t>(r.col ? r.col - 1 : 0, line.size());
  size_t e = r.endLine == r.line ? (r.endCol ? r.endCol - 1 : b + 1) : line.size();
  e = std::min(e, line.size());
  size_t from = columns[b];
  size_t to = e > b ? columns[e] : from + 1;
  if (to <= from) to = from + 1;
  out << st.cyan() << " " << pad << " |" << st.reset() << " " << std::string(from, ' ')
      << (mark == '^' ? st.red() : st.cyan()) << std::string(to - from, mark) << st.reset() << "\n";
}

// A suggested replacement, printed as it is, indented, below the help line.
void suggestion(std::ostringstream& out, const FixIt& fix, const Style& st) {
  std::istringstream lines(*fix.replacement);
  std::string l;
  while (std::getline(lines, l)) out << "    " << st.green() << visible(l) << st.reset() << "\n";
}

}  // namespace

std::string renderText(const std::vector<Diagnostic>& diags, const SourceManager& sm,
                       const RenderOptions& opt) {
  Style st{opt.color};
  std::ostringstream out;
  for (const auto& d : diags) {
    out << st.bold() << location(d.range, sm) << st.reset() << st.sev(d.severity)
        << severityName(d.severity) << "[" << d.code << "]" << st.reset() << st.bold() << ": "
        << visible(d.message) << st.reset() << "\n";
    snippet(out, d.range, sm, st, '^');
    for (const auto& n : d.notes) {
      out << st.bold() << location(n.range, sm) << st.reset() << st.cyan() << "note" << st.reset()
          << ": " << visible(n.message) << "\n";
      snippet(out, n.range, sm, st, '-');
    }
    if (d.fix) {
      out << st.green() << "help" << st.reset() << ": " << visible(d.fix->message) << "\n";
      if (d.fix->replacement) suggestion(out, *d.fix, st);
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
    if (d.severity == Severity::Error)
      ++e;
    else if (d.severity == Severity::Warning)
      ++w;
    else
      ++n;
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
    case Format::Text:
      return renderText(diags, sm, opt);
    case Format::Json:
      return renderJson(diags, sm, opt);
    case Format::Sarif:
      return renderSarif(diags, sm, opt);
    case Format::Github:
      return renderGithub(diags, sm, opt);
  }
  return {};
}

}  // namespace callpark::render

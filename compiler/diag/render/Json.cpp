// JSON, SARIF 2.1.0 and GitHub workflow-command renderers.
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "compiler/diag/render/Render.h"

namespace callpark::render {
namespace {

using nlohmann::json;
using ordered = nlohmann::ordered_json;

ordered rangeJson(const SourceRange& r, const SourceManager& sm) {
  if (!r.valid()) return nullptr;
  ordered j;
  j["file"] = sm.path(r.file);
  j["line"] = r.line;
  j["column"] = r.col;
  j["endLine"] = r.endLine;
  j["endColumn"] = r.endCol;
  return j;
}

const char* sarifLevel(Severity s) {
  return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note";
}

// A 1-based byte column of `line` as a 1-based column in UTF-16 code units (SARIF's default
// columnKind): a code point below U+10000 is one unit, above it two. Invalid bytes count one.
uint32_t utf16Column(const SourceManager& sm, FileId file, uint32_t line, uint32_t byteCol) {
  std::string_view text = sm.lineText(file, line);
  size_t end = std::min<size_t>(byteCol ? byteCol - 1 : 0, text.size());
  uint32_t units = 0;
  for (size_t i = 0; i < end;) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 1;
    units += len == 4 ? 2 : 1;
    i += len;
  }
  // Past the end of the line (an end column one beyond the last character): bytes as units.
  return units + 1 + static_cast<uint32_t>((byteCol ? byteCol - 1 : 0) - end);
}

ordered physical(const SourceRange& r, const SourceManager& sm) {
  ordered region;
  uint32_t startCol = utf16Column(sm, r.file, r.line, r.col);
  uint32_t endCol = utf16Column(sm, r.file, r.endLine, r.endCol);
  region["startLine"] = r.line;
  region["startColumn"] = startCol;
  region["endLine"] = r.endLine;
  region["endColumn"] = std::max(endCol, r.endLine == r.line ? startCol + 1 : endCol);
  ordered p;
  p["artifactLocation"] = {{"uri", sm.path(r.file)}, {"uriBaseId", "%SRCROOT%"}};
  p["region"] = region;
  return p;
}

// GitHub workflow commands: data escapes % CR LF; properties also escape : and ,
std::string ghData(std::string_view s) {
  std::string r;
  for (char c : s) {
    if (c == '%')
      r += "%25";
    else if (c == '\r')
      r += "%0D";
    else if (c == '\n')
      r += "%0A";
    else
      r += c;
  }
  return r;
}
std::string ghProp(std::string_view s) {
  std::string r;
  for (char c : ghData(s)) {
    if (c == ':')
      r += "%3A";
    else if (c == ',')
      r += "%2C";
    else
      r += c;
  }
  return r;
}

}  // namespace

std::string renderJson(const std::vector<Diagnostic>& diags, const SourceManager& sm,
                       const RenderOptions& opt) {
  ordered root;
  root["schema"] = "callpark-diagnostics";
  root["version"] = 1;
  root["tool"] = {{"name", "parkc"}, {"version", opt.toolVersion}};
  size_t e = 0, w = 0, n = 0;
  ordered list = ordered::array();
  for (const auto& d : diags) {
    (d.severity == Severity::Error ? e : d.severity == Severity::Warning ? w : n)++;
    ordered j;
    j["code"] = d.code;
    if (opt.lookup) {
      if (auto info = opt.lookup(d.code)) j["name"] = info->name;
    }
    j["severity"] = severityName(d.severity);
    j["message"] = d.message;
    j["range"] = rangeJson(d.range, sm);
    ordered notes = ordered::array();
    for (const auto& nt : d.notes)
      notes.push_back({{"message", nt.message}, {"range", rangeJson(nt.range, sm)}});
    j["notes"] = notes;
    if (d.fix) {
      ordered f;
      f["message"] = d.fix->message;
      f["range"] = rangeJson(d.fix->range, sm);
      f["replacement"] = d.fix->replacement ? ordered(*d.fix->replacement) : ordered(nullptr);
      j["fix"] = f;
    } else {
      j["fix"] = nullptr;
    }
    list.push_back(j);
  }
  root["summary"] = {{"errors", e}, {"warnings", w}, {"notes", n}};
  root["diagnostics"] = list;
  return root.dump(2) + "\n";
}

std::string renderSarif(const std::vector<Diagnostic>& diags, const SourceManager& sm,
                        const RenderOptions& opt) {
  std::set<std::string> codes;
  for (const auto& d : diags) codes.insert(d.code);
  std::map<std::string, size_t> ruleIndex;
  ordered rules = ordered::array();
  for (const auto& c : codes) {
    ordered r;
    r["id"] = c;
    std::optional<CodeInfo> info = opt.lookup ? opt.lookup(c) : std::nullopt;
    if (info) {
      r["name"] = info->name;
      r["shortDescription"] = {{"text", info->summary}};
      r["defaultConfiguration"] = {{"level", sarifLevel(info->defaultSeverity)}};
      if (!info->helpUri.empty()) r["helpUri"] = info->helpUri;
      if (!info->doc.empty())
        r["help"] = {{"text", info->summary + ". " + info->doc}, {"markdown", info->doc}};
    } else {
      r["shortDescription"] = {{"text", c}};
    }
    ruleIndex[c] = rules.size();
    rules.push_back(r);
  }
  ordered results = ordered::array();
  for (const auto& d : diags) {
    ordered res;
    res["ruleId"] = d.code;
    res["ruleIndex"] = ruleIndex[d.code];
    res["level"] = sarifLevel(d.severity);
    std::string text = d.message;
    if (d.fix) text += " (" + d.fix->message + ")";
    res["message"] = {{"text", text}};
    ordered locs = ordered::array();
    if (d.range.valid()) locs.push_back({{"physicalLocation", physical(d.range, sm)}});
    res["locations"] = locs;
    ordered related = ordered::array();
    int id = 1;
    for (const auto& nt : d.notes) {
      if (!nt.range.valid()) continue;
      related.push_back({{"id", id++},
                         {"physicalLocation", physical(nt.range, sm)},
                         {"message", {{"text", nt.message}}}});
    }
    if (!related.empty()) res["relatedLocations"] = related;
    // Stable across edits elsewhere in the file: code + file + message.
    std::string fp =
        d.code + "|" + (d.range.valid() ? sm.path(d.range.file) : "") + "|" + d.message;
    res["partialFingerprints"] = {
        {"callparkFingerprint/v1", std::to_string(std::hash<std::string>{}(fp))}};
    results.push_back(res);
  }
  ordered driver;
  driver["name"] = "parkc";
  driver["version"] = opt.toolVersion;
  driver["semanticVersion"] = opt.toolVersion;
  driver["informationUri"] = "https://example.invalid/callpark";
  driver["rules"] = rules;
  ordered run;
  run["tool"] = {{"driver", driver}};
  run["results"] = results;
  run["columnKind"] = "utf16CodeUnits";
  ordered root;
  root["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  root["version"] = "2.1.0";
  root["runs"] = ordered::array({run});
  return root.dump(2) + "\n";
}

std::string renderGithub(const std::vector<Diagnostic>& diags, const SourceManager& sm,
                         const RenderOptions&) {
  std::ostringstream out;
  for (const auto& d : diags) {
    const char* cmd = d.severity == Severity::Error     ? "error"
                      : d.severity == Severity::Warning ? "warning"
                                                        : "notice";
    out << "::" << cmd;
    if (d.range.valid()) {
      out << " file=" << ghProp(sm.path(d.range.file)) << ",line=" << d.range.line
          << ",col=" << d.range.col << ",endLine=" << d.range.endLine
          << ",endColumn=" << d.range.endCol << ",title=" << ghProp(d.code);
    } else {
      out << " title=" << ghProp(d.code);
    }
    std::string msg = d.message;
    for (const auto& nt : d.notes) {
      msg += "\nnote: ";
      if (nt.range.valid())
        msg += sm.path(nt.range.file) + ":" + std::to_string(nt.range.line) + ": ";
      msg += nt.message;
    }
    if (d.fix) msg += "\nhelp: " + d.fix->message;
    out << "::" << ghData(msg) << "\n";
  }
  return out.str();
}

}  // namespace callpark::render

#include "rules/Config.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <span>

#include "compiler/support/JsonError.h"
#include "compiler/support/Strings.h"
#include "rules/Registry.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace callpark::rules {

namespace {

constexpr const char* kMalformed = "CP020";
constexpr const char* kUnknownKey = "CP021";
constexpr const char* kBadSeverity = "CP022";
constexpr const char* kBadBaseline = "CP023";

// Parses `text` of file `id`; reports CP020/CP023 with the position of the error.
std::optional<json> parseJson(const SourceManager& sm, FileId id, DiagnosticEngine& diags,
                              const char* code, const std::string& what) {
  const std::string& text = sm.text(id);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    size_t at = e.byte > 0 ? e.byte - 1 : 0;
    if (at > text.size()) at = text.size();
    JsonErrorText why = describeJsonError(e.what(), text, at, std::min(text.size(), at + 1));
    diags.report(code, Severity::Error, sm.rangeOf(id, why.begin, why.end),
                 what + " is not valid JSON: " + why.message);
  }
  return std::nullopt;
}

// The range of `"key"` in the text, searching from `from`; the whole first line when absent.
SourceRange keyRange(const SourceManager& sm, FileId id, const std::string& key, size_t from = 0,
                     size_t* endOffset = nullptr) {
  const std::string& text = sm.text(id);
  std::string needle = json(key).dump();
  size_t at = text.find(needle, from);
  if (at == std::string::npos) return sm.rangeOf(id, 0, 0);
  if (endOffset) *endOffset = at + needle.size();
  return sm.rangeOf(id, at, at + needle.size());
}

// The range of a value written after the key ending at `keyEnd`.
SourceRange valueRange(const SourceManager& sm, FileId id, size_t keyEnd, const json& v) {
  const std::string& text = sm.text(id);
  std::string needle = v.dump();
  size_t at = text.find(needle, keyEnd);
  if (at == std::string::npos) return sm.rangeOf(id, keyEnd, keyEnd);
  return sm.rangeOf(id, at, at + needle.size());
}

bool looksLikeCode(const std::string& k) {
  return k.size() == 5 && (k[0] == 'C' || k[0] == 'c') && (k[1] == 'P' || k[1] == 'p') &&
         std::isdigit(static_cast<unsigned char>(k[2])) &&
         std::isdigit(static_cast<unsigned char>(k[3])) &&
         std::isdigit(static_cast<unsigned char>(k[4]));
}

void readSeverity(const std::string& key, const json& value, size_t searchFrom,
                  const SourceManager& sm, FileId id, DiagnosticEngine& diags, Config& out) {
  size_t keyEnd = searchFrom;
  SourceRange kr = keyRange(sm, id, key, searchFrom, &keyEnd);
  const Rule* rule = findRule(key);
  if (!rule) {
    std::vector<std::string> known;
    for (const Rule* r : allRules()) {
      known.emplace_back(r->code);
      known.emplace_back(r->name);
    }
    auto& d = diags.report(kBadSeverity, Severity::Error, kr,
                           "parkc.json sets the severity of \"" + key +
                               "\", which is not a diagnostic code or rule name");
    std::string best = closestMatch(key, known);
    if (!best.empty())
      d.suggest("did you mean \"" + best + "\"?");
    else
      d.suggest("`parkc rules` lists every code");
    return;
  }
  static const std::map<std::string, SeverityOverride> kValues = {
      {"default", SeverityOverride::Default},
      {"off", SeverityOverride::Off},
      {"note", SeverityOverride::Note},
      {"warning", SeverityOverride::Warning},
      {"error", SeverityOverride::Error}};
  auto it = value.is_string() ? kValues.find(toLower(value.get<std::string>())) : kValues.end();
  if (it == kValues.end()) {
    diags.report(kBadSeverity, Severity::Error, valueRange(sm, id, keyEnd, value),
                 "parkc.json gives " + std::string(rule->code) + " the severity " + value.dump() +
                     "; use \"error\", \"warning\", \"note\", \"off\" or \"default\"");
    return;
  }
  // A syntax error means the policy was not checked at all: it cannot be downgraded or hidden.
  if (rule->category == "syntax" && it->second != SeverityOverride::Default &&
      !(it->second == SeverityOverride::Error && rule->severity == Severity::Error)) {
    diags.report(kBadSeverity, Severity::Error, valueRange(sm, id, keyEnd, value),
                 "parkc.json cannot change the severity of " + std::string(rule->code) +
                     ": syntax errors stop the check, so they are always reported as they are");
    return;
  }
  out.severity[std::string(rule->code)] = it->second;
}

}  // namespace

Config loadConfig(const std::string& policyRoot, SourceManager& sm, DiagnosticEngine& diags) {
  Config cfg;
  fs::path path = fs::path(policyRoot.empty() ? "." : policyRoot) / "parkc.json";
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return cfg;
  std::string err;
  std::string display = path.lexically_normal().generic_string();
  auto id = sm.load(display, &err);
  if (!id) {
    diags.report(kMalformed, Severity::Error, {}, "parkc.json cannot be read: " + err);
    return cfg;
  }
  cfg.file = *id;
  auto doc = parseJson(sm, *id, diags, kMalformed, "parkc.json");
  if (!doc) return cfg;
  if (!doc->is_object()) {
    diags.report(kMalformed, Severity::Error, sm.rangeOf(*id, 0, 1),
                 "parkc.json must hold a JSON object, not " + std::string(doc->type_name()));
    return cfg;
  }
  static const std::vector<std::string> kKeys = {"severity", "baseline", "target", "$schema"};
  for (const auto& [key, value] : doc->items()) {
    if (key == "severity") {
      size_t from = 0;
      keyRange(sm, *id, key, 0, &from);
      if (!value.is_object()) {
        diags.report(kMalformed, Severity::Error, valueRange(sm, *id, from, value),
                     "\"severity\" in parkc.json must be an object of code: severity");
        continue;
      }
      for (const auto& [code, sev] : value.items())
        readSeverity(code, sev, from, sm, *id, diags, cfg);
    } else if (key == "baseline") {
      if (!value.is_string() || value.get<std::string>().empty()) {
        size_t from = 0;
        keyRange(sm, *id, key, 0, &from);
        diags.report(kMalformed, Severity::Error, valueRange(sm, *id, from, value),
                     "\"baseline\" in parkc.json must be a file name");
        continue;
      }
      size_t from = 0;
      keyRange(sm, *id, key, 0, &from);
      cfg.baselineRange = valueRange(sm, *id, from, value);
      fs::path b(value.get<std::string>());
      cfg.baseline = (b.is_absolute() ? b : fs::path(policyRoot.empty() ? "." : policyRoot) / b)
                         .lexically_normal()
                         .generic_string();
    } else if (key == "target") {
      if (value.is_string())
        cfg.target = value.get<std::string>();
      else if (value.is_number())
        cfg.target = value.dump();
    } else if (key == "$schema") {
      continue;
    } else if (looksLikeCode(key) || findRule(key)) {
      readSeverity(key, value, 0, sm, *id, diags, cfg);
    } else {
      auto& d = diags.report(kUnknownKey, Severity::Warning, keyRange(sm, *id, key),
                             "parkc.json has an unknown key \"" + key + "\"; it is ignored");
      // A misspelt key, or a misspelt code or rule name given a severity at the top level.
      std::vector<std::string> known = kKeys;
      for (const Rule* r : allRules()) {
        known.emplace_back(r->code);
        known.emplace_back(r->name);
      }
      std::string best = closestMatch(key, known);
      if (!best.empty())
        d.suggest("did you mean \"" + best + "\"?");
      else
        d.suggest("known keys: \"severity\", \"baseline\", \"target\", or a code or rule name");
    }
  }
  return cfg;
}

void applyConfig(const Config& config, DiagnosticEngine& diags) {
  for (const auto& [code, o] : config.severity) diags.setOverride(code, o);
}

Fingerprint fingerprint(const Diagnostic& d, const SourceManager& sm,
                        const std::string& policyRoot) {
  Fingerprint f{d.code, "", d.message};
  if (d.range.file != kNoFile && d.range.file < sm.fileCount()) {
    std::error_code ec;
    fs::path file = fs::absolute(sm.path(d.range.file), ec).lexically_normal();
    fs::path root = fs::absolute(policyRoot.empty() ? "." : policyRoot, ec).lexically_normal();
    fs::path rel = file.lexically_relative(root);
    f.file = (rel.empty() ? file : rel).generic_string();
  }
  return f;
}

size_t Baseline::size() const {
  size_t n = 0;
  for (const auto& [f, c] : counts) n += c;
  return n;
}

std::optional<Baseline> loadBaseline(const std::string& path, SourceManager& sm,
                                     DiagnosticEngine& diags, SourceRange namedAt) {
  std::string err;
  auto id = sm.load(path, &err);
  if (!id) {
    diags
        .report(kBadBaseline, Severity::Error, namedAt,
                "the baseline cannot be read: " + err + "; no finding is hidden")
        .suggest("create it with `parkc check --write-baseline " + path + "`");
    return std::nullopt;
  }
  auto doc = parseJson(sm, *id, diags, kBadBaseline, "the baseline '" + path + "'");
  if (!doc) return std::nullopt;
  auto bad = [&](const std::string& why) {
    diags.report(kBadBaseline, Severity::Error, sm.rangeOf(*id, 0, 1),
                 "'" + path + "' is not a parkc baseline: " + why);
    return std::nullopt;
  };
  if (!doc->is_object() || !doc->contains("findings") || !(*doc)["findings"].is_array())
    return bad("it has no \"findings\" array");
  if (doc->contains("version") && (*doc)["version"] != 1)
    return bad("version " + (*doc)["version"].dump() + " is not supported (this parkc writes 1)");
  Baseline b;
  for (const auto& f : (*doc)["findings"]) {
    if (!f.is_object() || !f.contains("code") || !f["code"].is_string() || !f.contains("message") ||
        !f["message"].is_string())
      return bad("every finding needs a \"code\" and a \"message\"");
    Fingerprint fp{f["code"].get<std::string>(),
                   f.contains("file") && f["file"].is_string() ? f["file"].get<std::string>() : "",
                   f["message"].get<std::string>()};
    size_t count =
        f.contains("count") && f["count"].is_number_unsigned() ? f["count"].get<size_t>() : 1;
    b.counts[fp] += count;
  }
  return b;
}

std::string baselineJson(const std::vector<Diagnostic>& diags, const SourceManager& sm,
                         const std::string& policyRoot) {
  std::map<Fingerprint, size_t> counts;
  for (const auto& d : diags) ++counts[fingerprint(d, sm, policyRoot)];
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const auto& [f, n] : counts) {
    nlohmann::ordered_json j;
    j["code"] = f.code;
    j["file"] = f.file;
    j["message"] = f.message;
    if (n > 1) j["count"] = n;
    findings.push_back(std::move(j));
  }
  nlohmann::ordered_json doc;
  doc["version"] = 1;
  doc["comment"] =
      "Accepted findings: parkc check --baseline FILE reports only findings not listed here. "
      "Regenerate with parkc check --write-baseline FILE.";
  doc["findings"] = std::move(findings);
  return doc.dump(2) + "\n";
}

bool writeBaseline(const std::string& path, const std::vector<Diagnostic>& diags,
                   const SourceManager& sm, const std::string& policyRoot, std::string* error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    if (error) *error = "cannot write '" + path + "'";
    return false;
  }
  out << baselineJson(diags, sm, policyRoot);
  out.close();
  if (!out) {
    if (error) *error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

size_t applyBaseline(const Baseline& baseline, DiagnosticEngine& diags,
                     const std::string& policyRoot) {
  auto left = baseline.counts;
  const SourceManager& sm = diags.sources();
  return diags.removeIf([&](const Diagnostic& d) {
    auto it = left.find(fingerprint(d, sm, policyRoot));
    if (it == left.end() || it->second == 0) return false;
    --it->second;
    return true;
  });
}

}  // namespace callpark::rules

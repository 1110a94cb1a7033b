// Renderers: turn a finished diagnostic list into what a person or a tool reads.
//
//   text    file:line:col: error[CP108]: message, the source line, carets under the exact span,
//           notes and the fix suggestion; colour only when asked (a terminal without NO_COLOR).
//   json    the versioned schema documented in compiler/diag/render/JSON_SCHEMA.md.
//   sarif   SARIF 2.1.0 as GitHub code scanning accepts it: the codes reported are listed as
//           rules of the tool component (with their catalogue page as help), results carry
//           physical locations (columns in UTF-16 code units, as `columnKind` says) and notes
//           become related locations.
//   github  workflow commands (::error file=...,line=...::message) for Actions annotations.
//
// All renderers are pure functions of (diagnostics, sources, catalogue info): deterministic.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/Diagnostic.h"

namespace callpark::render {

enum class Format { Text, Json, Sarif, Github };
std::optional<Format> parseFormat(std::string_view name);

// What a renderer may know about a code (from the rule catalogue).
struct CodeInfo {
  std::string name;     // "orbit-range-overlap"
  std::string summary;  // one line
  std::string helpUri;  // may be empty
  std::string doc;      // the catalogue page (Markdown); may be empty
  Severity defaultSeverity = Severity::Error;
};
using CodeLookup = std::function<std::optional<CodeInfo>(const std::string& code)>;

struct RenderOptions {
  bool color = false;
  std::string toolVersion = "0.0.0";
  CodeLookup lookup;         // may be empty
  bool severityHint = true;  // text: print how to change a code's severity
};

std::string renderText(const std::vector<Diagnostic>& diags, const SourceManager& sm,
                       const RenderOptions& opt);
// Text summary line: "2 errors, 1 warning" or "no problems".
std::string summaryLine(const std::vector<Diagnostic>& diags);
std::string renderJson(const std::vector<Diagnostic>& diags, const SourceManager& sm,
                       const RenderOptions& opt);
std::string renderSarif(const std::vector<Diagnostic>& diags, const SourceManager& sm,
                        const RenderOptions& opt);
std::string renderGithub(const std::vector<Diagnostic>& diags, const SourceManager& sm,
                         const RenderOptions& opt);
std::string render(Format f, const std::vector<Diagnostic>& diags, const SourceManager& sm,
                   const RenderOptions& opt);

}  // namespace callpark::render

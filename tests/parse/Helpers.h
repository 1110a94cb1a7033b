// Shared helpers of the parser tests: parse a string, list diagnostics compactly.
#pragma once

#include <string>
#include <vector>

#include "compiler/diag/Diagnostic.h"
#include "compiler/parse/Parser.h"

namespace callpark::parse::testing {

struct Parsed {
  SourceManager sm;
  DiagnosticEngine diags{sm};
  ast::PolicyAst ast;
  bool ok = false;
  FileId file = kNoFile;

  // "CP105@3:5-3:18 unknown setting ..." per diagnostic, in report order.
  std::vector<std::string> lines() const {
    std::vector<std::string> v;
    for (const Diagnostic& d : diags.diagnostics()) v.push_back(line(d));
    return v;
  }
  static std::string pos(const SourceRange& r) {
    return std::to_string(r.line) + ":" + std::to_string(r.col) + "-" + std::to_string(r.endLine) +
           ":" + std::to_string(r.endCol);
  }
  static std::string line(const Diagnostic& d) {
    return d.code + "@" + pos(d.range) + " " + d.message;
  }
  std::vector<std::string> codes() const {
    std::vector<std::string> v;
    for (const Diagnostic& d : diags.diagnostics()) v.push_back(d.code);
    return v;
  }
  std::string dump() const {
    std::string s;
    for (const std::string& l : lines()) s += l + "\n";
    return s;
  }
  std::string text(const SourceRange& r) const { return std::string(sm.slice(r)); }
};

inline void parseInto(Parsed& p, std::string text, const ParseLimits& limits = {}) {
  p.file = p.sm.add("test.park", std::move(text));
  p.ok = parseFile(p.sm, p.file, p.diags, p.ast, limits);
}

}  // namespace callpark::parse::testing

#include "compiler/driver/Compilation.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "compiler/model/ModelBuilder.h"
#include "compiler/parse/Parser.h"
#include "rules/Registry.h"

#ifndef CALLPARK_VERSION
#define CALLPARK_VERSION "0.0.0"
#endif

namespace fs = std::filesystem;

namespace callpark::driver {

const char* toolVersion() { return CALLPARK_VERSION; }

namespace {

// "./a/../b.park" -> "b.park"; keeps relative paths relative so output is stable.
std::string displayPath(const fs::path& p) {
  std::string s = p.lexically_normal().generic_string();
  while (s.rfind("./", 0) == 0) s = s.substr(2);
  return s;
}

}  // namespace

bool Compilation::load(const CompileOptions& opts) {
  std::vector<std::string> files;
  for (const auto& arg : opts.paths) {
    std::error_code ec;
    fs::file_status st = fs::status(arg, ec);
    if (ec || !fs::exists(st)) {
      toolError = "'" + arg + "' does not exist";
      return false;
    }
    if (fs::is_directory(st)) {
      if (policyRoot.empty()) policyRoot = arg;
      std::vector<std::string> found;
      fs::recursive_directory_iterator it(arg, fs::directory_options::skip_permission_denied, ec);
      for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".park")
          found.push_back(displayPath(it->path()));
      }
      if (ec) {
        toolError = "cannot read directory '" + arg + "': " + ec.message();
        return false;
      }
      if (found.empty()) {
        toolError = "no .park file found in '" + arg + "'";
        return false;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      if (policyRoot.empty()) {
        fs::path parent = fs::path(arg).parent_path();
        policyRoot = parent.empty() ? "." : parent.string();
      }
      files.push_back(displayPath(arg));
    }
  }
  if (files.empty()) {
    toolError = "no input: give a policy directory or .park files";
    return false;
  }
  files.erase(std::unique(files.begin(), files.end()), files.end());
  for (const auto& f : files) {
    std::string err;
    if (!sm.load(f, &err)) {
      toolError = err;
      return false;
    }
  }
  return true;
}

const std::vector<Compilation::Phase>& Compilation::phases() {
  static const std::vector<Phase> kPhases = {
      {"parse", "read every .park file into the syntax tree",
       [](Compilation& c, const CompileOptions&) {
         size_t n = c.sm.fileCount();
         for (FileId f = 0; f < n; ++f) parse::parseFile(c.sm, f, c.diags, c.ast);
       }},
      {"model", "resolve names across files, read users.json, build the policy model",
       [](Compilation& c, const CompileOptions&) {
         c.model = model::buildModel(c.ast, c.sm, c.diags);
       }},
      {"rules", "run the rule catalogue over the model",
       [](Compilation& c, const CompileOptions&) {
         if (!c.model) return;
         rules::RuleContext ctx{*c.model, c.sm};
         rules::runAll(ctx, c.diags);
       }},
  };
  return kPhases;
}

bool Compilation::run(const CompileOptions& opts) {
  if (!load(opts)) return false;
  diags.setWarningsAsErrors(opts.werror);
  for (const auto& p : phases()) {
    p.run(*this, opts);
    if (p.name == opts.stopAfter) break;
  }
  diags.finish();
  return true;
}

}  // namespace callpark::driver

#include "compiler/driver/Compilation.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "compiler/analysis/Conflicts.h"
#include "compiler/model/ModelBuilder.h"
#include "compiler/normalize/CompiledDialPlan.h"
#include "compiler/parse/Parser.h"
#include "compiler/policytest/PolicyTests.h"
#include "rules/Annotations.h"
#include "rules/Config.h"
#include "rules/Registry.h"

#ifndef CALLPARK_VERSION
#define CALLPARK_VERSION "0.0.0"
#endif

namespace fs = std::filesystem;

namespace callpark::driver {

const char* toolVersion() {
  return CALLPARK_VERSION;
}

namespace {

// "./a/../b.park" -> "b.park"; keeps relative paths relative so output is stable.
std::string displayPath(const fs::path& p) {
  std::string s = p.lexically_normal().generic_string();
  while (s.rfind("./", 0) == 0) s = s.substr(2);
  return s;
}

}  // namespace

bool findPolicyFiles(const std::vector<std::string>& paths, std::vector<std::string>* files,
                     std::string* policyRoot, std::string* error) {
  for (const auto& arg : paths) {
    std::error_code ec;
    fs::file_status st = fs::status(arg, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) {
      *error = "cannot read '" + arg + "': " + ec.message();
      return false;
    }
    if (ec || !fs::exists(st)) {
      *error = "'" + arg + "' does not exist";
      return false;
    }
    if (fs::is_directory(st)) {
      if (policyRoot && policyRoot->empty()) *policyRoot = arg;
      std::vector<std::string> found;
      // An unreadable subdirectory is an error, not a silent gap in the policy.
      fs::recursive_directory_iterator it(arg, ec);
      for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code fec;
        if (it->path().extension() != ".park" || it->is_directory(fec)) continue;
        // A dangling link or a special file named *.park is part of the policy that cannot be
        // read: it is listed, and reading it reports it instead of skipping it silently.
        found.push_back(displayPath(it->path()));
      }
      if (ec) {
        std::string where =
            it != fs::recursive_directory_iterator() ? displayPath(it->path()) : arg;
        *error = "cannot read directory '" + where + "': " + ec.message();
        return false;
      }
      if (found.empty()) {
        *error = "no .park file found in '" + arg + "'";
        return false;
      }
      std::sort(found.begin(), found.end());
      files->insert(files->end(), found.begin(), found.end());
    } else {
      if (!fs::is_regular_file(st)) {
        *error = "'" + arg + "' is not a regular file or a directory";
        return false;
      }
      if (policyRoot && policyRoot->empty()) {
        fs::path parent = fs::path(arg).parent_path();
        *policyRoot = parent.empty() ? "." : parent.string();
      }
      files->push_back(displayPath(arg));
    }
  }
  if (files->empty()) {
    *error = "no input: give a policy directory or .park files";
    return false;
  }
  std::set<std::string> seen;
  files->erase(std::remove_if(files->begin(), files->end(),
                              [&](const std::string& f) { return !seen.insert(f).second; }),
               files->end());
  return true;
}

bool Compilation::load(const CompileOptions& opts) {
  std::vector<std::string> files;
  if (!findPolicyFiles(opts.paths, &files, &policyRoot, &toolError)) return false;
  for (const auto& f : files) {
    std::error_code ec;
    fs::file_status st = fs::status(f, ec);
    if (ec) {
      toolError = "cannot read '" + f + "': " + ec.message();
      return false;
    }
    if (!fs::is_regular_file(st)) {
      toolError = "'" + f + "' is not a regular file";
      return false;
    }
    std::string err;
    // Parsing reports a file over the limit; reading stops just past it.
    auto id = sm.load(f, &err, parse::ParseLimits{}.maxFileBytes);
    if (!id) {
      toolError = err;
      return false;
    }
    parkFiles.push_back(*id);
  }
  return true;
}

const std::vector<Compilation::Phase>& Compilation::phases() {
  static const std::vector<Phase> kPhases = {
      {"parse", "read every .park file into the syntax tree",
       [](Compilation& c, const CompileOptions&) {
         for (FileId f : c.parkFiles) parse::parseFile(c.sm, f, c.diags, c.ast);
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
      {"normalize", "compile every dial plan's patterns and translations (CP7xx)",
       [](Compilation& c, const CompileOptions&) {
         if (c.model) normalize::checkDialPlans(*c.model, c.diags);
       }},
      {"conflicts", "exact orbit/normalization conflict analysis over every number (CP8xx)",
       [](Compilation& c, const CompileOptions&) {
         if (c.model) analysis::analyzeConflicts(*c.model, c.diags);
       }},
      {"tests", "run the policy's test blocks (CP92x), unless --no-tests",
       [](Compilation& c, const CompileOptions& o) {
         if (c.model && o.runPolicyTests) policytest::runTests(*c.model, c.diags);
       }},
  };
  return kPhases;
}

bool Compilation::run(const CompileOptions& opts) {
  if (!load(opts)) return false;
  diags.setWarningsAsErrors(opts.werror);
  if (opts.readConfig) {
    config = rules::loadConfig(policyRoot, sm, diags);
    rules::applyConfig(config, diags);
  }
  const auto& all = phases();
  complete = opts.runPolicyTests;
  for (size_t i = 0; i < all.size(); ++i) {
    size_t before = diags.diagnostics().size();
    all[i].run(*this, opts);
    if (all[i].name == "parse") {
      const auto& d = diags.diagnostics();
      syntaxErrors = std::any_of(d.begin() + static_cast<std::ptrdiff_t>(before), d.end(),
                                 [](const Diagnostic& x) { return x.severity == Severity::Error; });
      if (syntaxErrors) {
        complete = false;
        break;
      }
      allows = rules::applyAnnotations(ast, diags);  // every later diagnostic is covered
    }
    if (all[i].name == opts.stopAfter) {
      if (i + 1 < all.size()) complete = false;
      break;
    }
  }
  if (complete)
    rules::finishWithAnnotations(diags, allows);
  else
    diags.finish();
  return true;
}

}  // namespace callpark::driver

// parkc diff: the semantic diff between two policies (compiler/diff), from two directories or
// from the working tree against a git revision (old files read with `git show`).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "compiler/diff/Diff.h"
#include "compiler/driver/Command.h"
#include "compiler/driver/Compilation.h"
#include "compiler/model/ModelBuilder.h"

namespace fs = std::filesystem;

namespace callpark::driver {

extern const char* const kDiffUsage =
    "usage: parkc diff [options] OLD NEW\n"
    "       parkc diff [options] --against GIT-REF [PATH]\n"
    "\n"
    "Compares two policies by meaning: orbit ranges added, removed, resized or moved between\n"
    "pools; numbers whose dispatch changes (computed exactly for every orbit and park access\n"
    "number under every dial plan, reported per range with a witness); park settings per\n"
    "scope with old and new effective values; voice policies whose call park flag flipped and\n"
    "the users it affects; dial plan rules added, removed, changed or reordered. Each change\n"
    "says whether it is breaking and which administrative roles may approve it.\n"
    "\n"
    "OLD and NEW are policy directories. With --against, NEW is PATH in the working tree\n"
    "(default .) and OLD is the same folder at GIT-REF, read through `git show`.\n"
    "\n"
    "options:\n"
    "  --format FMT          text (default), json, markdown (for a pull request comment)\n"
    "  --against GIT-REF     compare the working tree with a commit, branch or tag\n"
    "  --fail-on-breaking    exit 2 when a change is breaking\n"
    "\n"
    "exit status: 0 compared (or nothing breaking with --fail-on-breaking), 2 something\n"
    "breaking was found with --fail-on-breaking, or the tool could not run (message on stderr)\n";

namespace {

std::string shellQuote(const std::string& s) {
  std::string o = "'";
  for (char c : s) {
    if (c == '\'')
      o += "'\\''";
    else
      o += c;
  }
  return o + "'";
}

// Runs a command, returns its exit status and stdout (stderr is discarded).
int capture(const std::string& cmd, std::string& out) {
  out.clear();
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!p) return -1;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

struct Side {
  Compilation c;
  std::unique_ptr<model::Model> empty;  // when the side has no .park file at all
  const model::Model* model = nullptr;
  size_t errors = 0;
};

// Loads a policy directory up to the model. A directory without .park files is an empty
// policy (a policy added or deleted entirely). Returns false with a message on tool errors.
bool loadSide(const std::string& dir, Side& s, std::string& err) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    err = "'" + dir + "' is not a directory";
    return false;
  }
  bool any = false;
  for (fs::recursive_directory_iterator it(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->path().extension() == ".park") any = true;
  if (!any) {
    s.empty = model::buildModel(s.c.ast, s.c.sm, s.c.diags);
    s.model = s.empty.get();
    return true;
  }
  CompileOptions o;
  o.paths = {dir};
  o.stopAfter = "model";
  if (!s.c.run(o)) {
    err = s.c.toolError;
    return false;
  }
  s.model = s.c.model.get();
  s.errors = s.c.diags.count(Severity::Error);
  return s.model != nullptr;
}

// Writes the files of `path` at `ref` into `dest`. Returns false with a message.
bool materialize(const std::string& path, const std::string& ref, const fs::path& dest,
                 std::string& err) {
  std::string out;
  std::string git = "git -C " + shellQuote(path);
  if (capture(git + " rev-parse --verify --quiet " + shellQuote(ref + "^{commit}"), out) != 0) {
    err = "'" + ref + "' is not a commit in the git repository at '" + path + "'";
    return false;
  }
  if (capture(git + " ls-tree -r -z --name-only " + shellQuote(ref) + " -- .", out) != 0) {
    err = "git ls-tree failed for '" + ref + "' in '" + path + "'";
    return false;
  }
  size_t b = 0;
  while (b < out.size()) {
    size_t e = out.find('\0', b);
    if (e == std::string::npos) e = out.size();
    std::string rel = out.substr(b, e - b);
    b = e + 1;
    if (rel.empty()) continue;
    std::string blob;
    if (capture(git + " show " + shellQuote(ref + ":./" + rel), blob) != 0) {
      err = "git show " + ref + ":./" + rel + " failed";
      return false;
    }
    fs::path target = dest / rel;
    fs::create_directories(target.parent_path());
    std::ofstream f(target, std::ios::binary);
    f << blob;
  }
  return true;
}

}  // namespace

int runDiff(const std::vector<std::string>& args) {
  const Command& self = *findCommand("diff");
  std::string format = "text", against;
  bool failOnBreaking = false;
  std::vector<std::string> paths;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& flag, std::string& dst) {
      if (a.rfind(flag + "=", 0) == 0) {
        dst = a.substr(flag.size() + 1);
        return 1;
      }
      if (a == flag) {
        if (i + 1 >= args.size()) return -1;
        dst = args[++i];
        return 1;
      }
      return 0;
    };
    int r;
    if ((r = value("--format", format))) {
      if (r < 0) return usageError(self, "--format needs a value");
      if (format != "text" && format != "json" && format != "markdown")
        return usageError(self, "unknown format '" + format + "' (text, json, markdown)");
    } else if ((r = value("--against", against))) {
      if (r < 0) return usageError(self, "--against needs a git revision");
    } else if (a == "--fail-on-breaking") {
      failOnBreaking = true;
    } else if (a.rfind("--color", 0) == 0) {
      continue;
    } else if (!a.empty() && a[0] == '-') {
      return usageError(self, "unknown option '" + a + "'");
    } else {
      paths.push_back(a);
    }
  }
  Side oldSide, newSide;
  std::string err, oldLabel, newLabel, oldPrefix;
  fs::path tmp;
  if (!against.empty()) {
    if (paths.size() > 1) return usageError(self, "with --against, give at most one PATH");
    std::string path = paths.empty() ? "." : paths[0];
    std::string tmpl = (fs::temp_directory_path() / "parkc-diff-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
      std::cerr << "parkc diff: cannot create a temporary directory\n";
      return 2;
    }
    tmp = tmpl;
    bool ok = materialize(path, against, tmp, err) && loadSide(tmp.string(), oldSide, err);
    if (ok) ok = loadSide(path, newSide, err);
    if (!ok) {
      std::error_code ec;
      fs::remove_all(tmp, ec);
      std::cerr << "parkc diff: " << err << "\n";
      return 2;
    }
    oldLabel = against + ":" + path;
    newLabel = path;
    oldPrefix = tmp.string() + "/";
  } else {
    if (paths.size() != 2)
      return usageError(self, "give OLD and NEW policy directories, or --against");
    if (!loadSide(paths[0], oldSide, err) || !loadSide(paths[1], newSide, err)) {
      std::cerr << "parkc diff: " << err << "\n";
      return 2;
    }
    oldLabel = paths[0];
    newLabel = paths[1];
  }
  diff::PolicySide o{oldSide.model, &oldSide.c.sm, oldLabel, oldPrefix, oldSide.errors};
  diff::PolicySide n{newSide.model, &newSide.c.sm, newLabel, "", newSide.errors};
  diff::DiffReport report = diff::diffPolicies(o, n);
  if (format == "json")
    std::cout << diff::renderJson(report);
  else if (format == "markdown")
    std::cout << diff::renderMarkdown(report);
  else
    std::cout << diff::renderText(report);
  if (!tmp.empty()) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
  }
  return failOnBreaking && report.breaking() > 0 ? 2 : 0;
}

}  // namespace callpark::driver

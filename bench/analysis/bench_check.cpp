// bench_check: how `parkc check` and the conflict analysis scale with the size of an
// organisation (issue 4's targets: at XL, the conflict analysis in at most 2 s and the whole
// check in at most 6 s wall on a 2-core machine).
//
//   bench_check --genorg PATH --parkc PATH [--scales 1,10,100] [--workdir DIR] [--naive-max N]
//               [--conflicts]
//
// For each scale: genorg writes the organisation; then, in this process, every phase of the
// check pipeline is timed on its own (load+parse, model with users.json, rules, normalize,
// conflicts, tests), the conflict analysis also single-threaded and, up to --naive-max scale,
// against the naive reference (every number of every range through every plan with RE2); and
// finally `parkc check DIR` is run as a child process and its wall time taken, as a user sees it.
// Above --naive-max the naive time is estimated from the largest measured scale, proportional to
// (plans x orbit numbers). --conflicts makes genorg plant the classic mistakes (CP801/CP803), so
// the check also reports and renders a few hundred diagnostics.
// Times are single runs (the targets are single runs); the load average is printed with them.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "compiler/analysis/Conflicts.h"
#include "compiler/driver/Compilation.h"

using namespace callpark;
using Clock = std::chrono::steady_clock;

namespace {

double secs(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::string loadavg() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// Runs argv, stdout/stderr to /dev/null; returns the wall seconds, or -1 on failure to start.
double timeChild(const std::vector<std::string>& argv, int* status) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::fflush(nullptr);  // or the child's freopen flushes our buffered output a second time
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(127);
    execv(args[0], args.data());
    _exit(127);
  }
  if (pid < 0) return -1;
  int st = 0;
  waitpid(pid, &st, 0);
  *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return secs(t0, Clock::now());
}

// "0.182", "~5.2e+03 est." for an estimate (negative), "-" when unknown.
std::string naiveText(double v) {
  char buf[32];
  if (v == -1) return "-";
  if (v < 0)
    std::snprintf(buf, sizeof buf, "~%.2g est.", -v);
  else
    std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

struct Row {
  int scale = 0;
  uint64_t numbers = 0;
  size_t plans = 0, distinctPlans = 0, patterns = 0, users = 0;
  double parse = 0, model = 0, rules = 0, normalize = 0, conflicts = 0, conflicts1 = 0, tests = 0,
         inProcess = 0, check = 0, naive = -1;
  int checkExit = 0;
  size_t diagnostics = 0;
  analysis::ConflictStats stats;
};

}  // namespace

int main(int argc, char** argv) {
  std::string genorg, parkc, workdir = "/tmp/cp_bench_check";
  std::vector<int> scales = {1, 10, 100};
  int naiveMax = 1;
  bool conflicts = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--genorg")
      genorg = next();
    else if (a == "--parkc")
      parkc = next();
    else if (a == "--workdir")
      workdir = next();
    else if (a == "--naive-max")
      naiveMax = std::atoi(next().c_str());
    else if (a == "--conflicts")
      conflicts = true;
    else if (a == "--scales") {
      scales.clear();
      std::stringstream ss(next());
      for (std::string s; std::getline(ss, s, ',');) scales.push_back(std::atoi(s.c_str()));
    } else {
      std::fprintf(stderr,
                   "usage: bench_check --genorg PATH --parkc PATH [--scales 1,10,100] "
                   "[--workdir DIR] [--naive-max N] [--conflicts]\n");
      return 2;
    }
  }
  if (genorg.empty() || parkc.empty()) {
    std::fprintf(stderr, "bench_check: --genorg and --parkc are required\n");
    return 2;
  }
  std::printf("load average before: %s; %u hardware threads\n", loadavg().c_str(),
              std::thread::hardware_concurrency());

  std::vector<Row> rows;
  double naivePerPair = -1;  // seconds per (plan, orbit number), from the last measured scale
  for (int scale : scales) {
    Row row;
    row.scale = scale;
    std::string dir = workdir + "/org" + std::to_string(scale);
    int st = 0;
    std::vector<std::string> gen = {genorg, std::to_string(scale), dir};
    if (conflicts) gen.push_back("--conflicts");
    if (timeChild(gen, &st) < 0 || st != 0) {
      std::fprintf(stderr, "bench_check: genorg failed for scale %d\n", scale);
      return 2;
    }

    // In process, phase by phase.
    driver::Compilation c;
    driver::CompileOptions opts;
    opts.paths = {dir};
    opts.stopAfter = "parse";
    auto t0 = Clock::now();
    if (!c.run(opts)) {
      std::fprintf(stderr, "bench_check: %s\n", c.toolError.c_str());
      return 2;
    }
    auto t1 = Clock::now();
    row.parse = secs(t0, t1);
    opts.stopAfter.clear();
    double* slot[] = {&row.model, &row.rules, &row.normalize, &row.conflicts, &row.tests};
    const char* names[] = {"model", "rules", "normalize", "conflicts", "tests"};
    for (const auto& p : driver::Compilation::phases()) {
      for (size_t k = 0; k < 5; ++k) {
        if (p.name != names[k]) continue;
        auto a = Clock::now();
        p.run(c, opts);
        *slot[k] = secs(a, Clock::now());
      }
    }
    c.diags.finish();
    row.inProcess = secs(t0, Clock::now());
    row.diagnostics = c.diags.diagnostics().size();
    if (!c.model) {
      std::fprintf(stderr, "bench_check: no model for scale %d\n", scale);
      return 2;
    }
    const model::Model& m = *c.model;
    row.users = m.users.size();
    row.plans = m.dialPlans.size();

    analysis::ConflictOptions one;
    one.threads = 1;
    auto a = Clock::now();
    analysis::ConflictResult r1 = analysis::findConflicts(m, one);
    row.conflicts1 = secs(a, Clock::now());
    row.numbers = r1.stats.numbers;
    row.distinctPlans = r1.stats.distinctPlans;
    row.patterns = r1.stats.patterns;
    row.stats = r1.stats;
    if (scale <= naiveMax) {
      auto b = Clock::now();
      std::vector<analysis::Rewrite> naive = analysis::findRewritesBruteForce(m);
      row.naive = secs(b, Clock::now());
      if (naive != r1.rewrites) {
        std::fprintf(stderr, "bench_check: the naive reference disagrees at scale %d\n", scale);
        return 1;
      }
      naivePerPair = row.naive / (static_cast<double>(row.plans) * row.numbers);
    } else if (naivePerPair > 0) {
      row.naive = -naivePerPair * static_cast<double>(row.plans) * row.numbers;  // estimate
    }

    // The whole check as a user runs it.
    row.check = timeChild({parkc, "check", dir}, &row.checkExit);
    rows.push_back(row);
    std::printf("scale %3d done (load %s)\n", scale, loadavg().c_str());
    std::fflush(stdout);
  }

  std::printf("\n%-6s %9s %6s %6s %8s %7s | %7s %7s %7s %7s %9s %9s %7s | %8s %10s | %12s %s\n",
              "scale", "numbers", "plans", "dist.", "patterns", "users", "parse", "model", "rules",
              "normal.", "conflicts", "confl.1thr", "tests", "in-proc", "parkc check", "naive",
              "diags/exit");
  for (const Row& r : rows)
    std::printf(
        "%-6d %9llu %6zu %6zu %8zu %7zu | %7.3f %7.3f %7.3f %7.3f %9.3f %9.3f %7.3f | "
        "%8.3f %10.3f | %12s %zu/%d\n",
        r.scale, static_cast<unsigned long long>(r.numbers), r.plans, r.distinctPlans, r.patterns,
        r.users, r.parse, r.model, r.rules, r.normalize, r.conflicts, r.conflicts1, r.tests,
        r.inProcess, r.check, naiveText(r.naive).c_str(), r.diagnostics, r.checkExit);
  std::printf(
      "\nconflict analysis work (per scale): automata / patterns evaluated number by "
      "number, (plan, range) pairs, blocks decided at once, numbers evaluated one by one\n");
  for (const Row& r : rows)
    std::printf("  scale %d: %zu / %zu, %llu pairs, %llu blocks, %llu numbers\n", r.scale,
                r.stats.automata, r.stats.fallbackPatterns,
                static_cast<unsigned long long>(r.stats.planRangePairs),
                static_cast<unsigned long long>(r.stats.blocksDecided),
                static_cast<unsigned long long>(r.stats.perNumberEvaluations));
  if (rows.size() > 1) {
    std::printf("\ngrowth from scale %d (x%d input):\n", rows.front().scale,
                rows.back().scale / rows.front().scale);
    for (size_t k = 1; k < rows.size(); ++k)
      std::printf("  scale %d: conflicts x%.1f, parkc check x%.1f\n", rows[k].scale,
                  rows[k].conflicts / rows.front().conflicts, rows[k].check / rows.front().check);
  }
  std::printf("seconds, wall, single runs; load average after: %s\n", loadavg().c_str());
  return 0;
}

// bench_normalize: throughput of normalize() on a realistic 30-rule dial plan, comparing the two
// ways CompiledDialPlan can find the first matching rule:
//   set       one RE2::Set pass over all patterns (ANCHOR_BOTH) names every matching rule; the
//             lowest wins and only that rule runs again for its captures (normalize())
//   one-by-one  RE2 full match of each rule in order until one matches (normalizeOneByOne(),
//             what a straightforward port of Lync's loop does)
// on four mixes of dialed strings: numbers the first rules take, numbers the last rules take,
// numbers no rule takes (orbits, the case parkd sees for every retrieve), and a realistic mix.
// Both paths must give the same answers; the program checks that before timing.
//
//   bench_normalize [iterations per mix, default 200000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "bench/genorg/RealisticRules.h"
#include "compiler/normalize/CompiledDialPlan.h"

using namespace callpark;
using Clock = std::chrono::steady_clock;

namespace {

model::DialPlan realisticPlan() {
  model::DialPlan plan;
  plan.optimizeDeviceDialing = true;
  plan.externalAccessPrefix = "9";
  std::vector<bench::RuleShape> shapes = bench::rulesFor(bench::countryProfiles()[1], 2);
  shapes.insert(shapes.begin(), {"Orbits", "^(50\\d{6})$", "$1", false});
  for (size_t k = 0; k < shapes.size() && k < 30; ++k) {
    model::NormRule r;
    r.name = shapes[k].name;
    r.pattern = shapes[k].pattern;
    r.translation = shapes[k].translation;
    r.internalExtension = shapes[k].internal;
    r.priority = static_cast<int64_t>(k);
    r.declIndex = static_cast<int>(k);
    plan.rules.push_back(r);
  }
  return plan;
}

std::string digits(std::mt19937& rng, int n) {
  std::string s;
  for (int k = 0; k < n; ++k) s += static_cast<char>('0' + rng() % 10);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  long iterations = argc > 1 ? std::atol(argv[1]) : 200000;
  model::DialPlan plan = realisticPlan();
  normalize::CompiledDialPlan cp = normalize::CompiledDialPlan::compile(plan);
  for (size_t k = 0; k < plan.rules.size(); ++k)
    if (!cp.ruleCompiled(static_cast<int>(k))) {
      std::fprintf(stderr, "bench_normalize: rule %s does not compile\n",
                   plan.rules[k].name.c_str());
      return 2;
    }

  std::mt19937 rng(42);
  struct Mix {
    const char* name;
    std::vector<std::string> inputs;
  };
  std::vector<Mix> mixes = {
      {"early rules", {}}, {"late rules", {}}, {"no rule (orbits)", {}}, {"realistic mix", {}}};
  for (int k = 0; k < 1000; ++k) {
    mixes[0].inputs.push_back(k % 2 ? "50" + digits(rng, 6) : "4357");  // pass-through, helpdesk
    mixes[1].inputs.push_back(k % 2 ? "0" + digits(rng, 9)
                                    : "9" + digits(rng, 11));  // national, keep all
    mixes[2].inputs.push_back(k % 2 ? "*" + digits(rng, 7) : "#" + digits(rng, 7));
  }
  for (int k = 0; k < 1000; ++k) mixes[3].inputs.push_back(mixes[k % 3].inputs[k]);
  mixes[3].inputs.push_back("+35312345678");

  // Both paths agree (the tests check this exhaustively; here it guards the numbers).
  for (const Mix& m : mixes)
    for (const std::string& s : m.inputs) {
      normalize::Normalized a = cp.normalize(s), b = cp.normalizeOneByOne(s);
      if (a.rule != b.rule || a.result != b.result) {
        std::fprintf(stderr, "bench_normalize: paths disagree on %s\n", s.c_str());
        return 1;
      }
    }

  std::printf("normalize() on a %zu-rule plan (%ld calls per mix; ns per call, lower is better)\n",
              plan.rules.size(), iterations);
  std::printf("%-18s %12s %12s %8s\n", "mix", "set", "one-by-one", "speedup");
  size_t sink = 0;
  for (const Mix& m : mixes) {
    double ns[2];
    for (int path = 0; path < 2; ++path) {
      std::string out;
      auto t0 = Clock::now();
      for (long i = 0; i < iterations; ++i) {
        const std::string& s = m.inputs[static_cast<size_t>(i) % m.inputs.size()];
        if (path == 0) {
          sink += static_cast<size_t>(cp.normalizeInto(s, &out) + 1) + out.size();
        } else {
          normalize::Normalized n = cp.normalizeOneByOne(s);
          sink += static_cast<size_t>(n.rule + 1) + n.result.size();
        }
      }
      ns[path] = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() /
                 static_cast<double>(iterations);
    }
    std::printf("%-18s %12.0f %12.0f %7.1fx\n", m.name, ns[0], ns[1], ns[1] / ns[0]);
  }
  std::printf("(checksum %zu)\n", sink);
  return 0;
}

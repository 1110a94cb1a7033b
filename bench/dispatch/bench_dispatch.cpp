// Dispatch benchmark: the JIT, the interpreter and the naive reference on the same inputs, in
// one run, on examples/contoso and on the XL organisation (100 pools, 1,000 orbit ranges,
// 5,000,000 orbit numbers, 1,000 dial plans of 30 rules, 100,000 users).
//
// For each policy and each kind of input (orbit numbers: the retrieve path; numbers some rule
// rewrites; numbers nothing matches) it prints throughput (calls per second over repeated
// passes) and median latency (each call timed alone, the clock's own cost subtracted), then
// the compile time model -> IR -> native, and the time to load a cached bundle (stamp check
// included). Inputs are drawn from seeded generators and sorted into kinds by what the
// interpreter decides, so every back end sees exactly the same calls.
//
// The XL organisation is bench/genorg's at scale 100 (run into a temporary folder), or a
// policy directory given with --xl-dir. --xl-like uses this program's own generator instead:
// the same sizes with one 30-rule template whose plans differ only in their translations
// (so every plan shares one automaton), a best case next to genorg's ~900 distinct plans.
//
// Then, for orbit numbers, where a call's time goes (per-phase breakdown): the harness alone
// (an empty function through the same pointer), clearing the result, caller resolution,
// classification, the whole entry point, and the calls parkd makes (Dispatcher::dispatch, and
// Dispatcher::callerFor(SIP URI) + dispatch as PolicyHandle::dispatch does). Each phase in ns per
// call and, where the kernel lets a process count its own events (perf_event_open), cycles,
// instructions and mispredicted branches per call.
//
// usage: bench_dispatch [--xl-dir DIR | --xl-like | --no-xl] [--seconds S] [--xl-users N]
//        bench_dispatch [--xl-users N] --write-xl DIR    (only writes the XL-like policy)
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/dispatch/bundle/Bundle.h"
#include "compiler/dispatch/dispatcher/Dispatcher.h"
#include "compiler/dispatch/interp/Env.h"
#include "compiler/dispatch/interp/Interpreter.h"
#include "compiler/dispatch/jit/Jit.h"
#include "compiler/dispatch/passes/Passes.h"
#include "compiler/dispatch/reference/Reference.h"
#include "compiler/driver/Compilation.h"

using namespace callpark;
using namespace callpark::dispatch;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

double seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// ---- the XL-like organisation ------------------------------------------------------------------

struct XlShape {
  int sites = 10, poolsPerSite = 10, rangesPerPool = 10, orbitsPerRange = 5000;
  int plans = 1000, users = 100000;
};

// Thirty rules a large enterprise plan might hold; `ac` varies per plan so no two plans are
// identical (dedup-plans finds nothing to merge, as in a real XL deployment).
std::vector<std::pair<std::string, std::string>> xlRules(const std::string& ac) {
  return {
      {"^([*#]?[2-6]\\d{6})$", "$1"},  // orbits pass through first (spec §5)
      {"^0$", "+1" + ac + "5550100"},
      {"^(1\\d{3})$", "+1" + ac + "551$1"},
      {"^(8\\d{3})$", "+1" + ac + "558$1"},
      {"^(9\\d{3})$", "+1" + ac + "559$1"},
      {"^9(\\d{10})$", "+1$1"},
      {"^9(1\\d{10})$", "+$1"},
      {"^9011(\\d{7,15})$", "+$1"},
      {"^(\\d{10})$", "+1$1"},
      {"^1(\\d{10})$", "+1$1"},
      {"^011(\\d{7,15})$", "+$1"},
      {"^\\+(\\d{7,15})$", "+$1"},
      {"^(555\\d{4})$", "+1" + ac + "$1"},
      {"^(911)$", "$1"},
      {"^(411)$", "+1" + ac + "5550411"},
      {"^(611)$", "+1" + ac + "5550611"},
      {"^\\*(6\\d)$", "+1" + ac + "55506$1"},
      {"^#(\\d{2})$", "+1" + ac + "55507$1"},
      {"^(00\\d{8,14})$", "+$1"},
      {"^(2\\d{3})$", "+1" + ac + "552$1"},
      {"^(3\\d{3})$", "+1" + ac + "553$1"},
      {"^(4\\d{3})$", "+1" + ac + "554$1"},
      {"^(5\\d{3})$", "+1" + ac + "555$1"},
      {"^(6\\d{3})$", "+1" + ac + "556$1"},
      {"^(7\\d{3})$", "+1" + ac + "557$1"},
      {"^([7-9]\\d{2})(\\d{4})$", "+1" + ac + "$1$2"},
      {"^(\\d{5})$", "+1" + ac + "55$1"},
      {"^(?:00|\\+\\+)(\\d{7,15})$", "+$1"},
      {"^(\\d{11})$", "+$1"},
      {"^(\\d{12,15})$", "+$1"},
  };
}

void writeXl(const std::string& dir, const XlShape& x) {
  fs::create_directories(dir);
  std::mt19937_64 rng(42);
  auto poolName = [](int p) { return "pool" + std::to_string(p) + ".xl.test"; };
  int pools = x.sites * x.poolsPerSite;
  {
    std::ofstream o(dir + "/topology.park");
    for (int s = 0; s < x.sites; ++s) {
      o << "site \"Site" << s << "\" {\n";
      for (int p = 0; p < x.poolsPerSite; ++p)
        o << "  pool \"" << poolName(s * x.poolsPerSite + p) << "\"\n";
      o << "}\n";
    }
  }
  {
    // Range r: 7-digit numbers 2,000,000 + r * orbitsPerRange ..; every third range starts
    // with '*', every fourth with '#' (prefixes keep the key groups mixed, as in reality).
    std::ofstream o(dir + "/orbits.park");
    int r = 0;
    for (int p = 0; p < pools; ++p)
      for (int k = 0; k < x.rangesPerPool; ++k, ++r) {
        uint64_t lo = 2000000 + static_cast<uint64_t>(r) * x.orbitsPerRange;
        std::string prefix = r % 3 == 0 ? "*" : r % 4 == 0 ? "#" : "";
        o << "orbit \"R" << r << "\" { numbers " << prefix << lo << ".." << prefix
          << lo + x.orbitsPerRange - 1 << "  pool \"" << poolName(p) << "\""
          << (r % 7 == 0 ? "  type group_pickup" : "") << " }\n";
      }
    for (int p = 0; p < pools; ++p)
      o << "park_access \"*7" << (p < 10 ? "0" : "") << p << "\" { pool \"" << poolName(p)
        << "\" }\n";
  }
  {
    std::ofstream o(dir + "/settings.park");
    o << "park_settings global { pickup_timeout 90s max_pickup_attempts 2 on_timeout "
         "\"sip:operator@xl.test\" }\n";
    for (int s = 0; s < x.sites; ++s)
      o << "park_settings site \"Site" << s << "\" { pickup_timeout " << 60 + s << "s }\n";
    o << "voice_policy global { call_park on }\n";
    for (int s = 0; s < x.sites; ++s)
      o << "voice_policy site \"Site" << s << "\" { call_park on }\n";
    for (int t = 0; t < 10; ++t)
      o << "voice_policy \"VP" << t << "\" { call_park " << (t % 5 ? "on" : "off") << " }\n";
  }
  {
    std::ofstream o(dir + "/dialplans.park");
    for (int i = 0; i < x.plans; ++i) {
      std::string scope = i == 0                 ? "global"
                          : i <= x.sites         ? "site \"Site" + std::to_string(i - 1) + "\""
                          : i <= x.sites + pools ? "pool \"" + poolName(i - 1 - x.sites) + "\""
                                                 : "\"Plan" + std::to_string(i) + "\"";
      std::string ac = std::to_string(200 + (i * 7) % 800);
      o << "dialplan " << scope << " {\n";
      if (i % 3 == 0) o << "  external_access_prefix \"9\"\n  optimize_device_dialing on\n";
      auto rules = xlRules(ac);
      for (size_t k = 0; k < rules.size(); ++k)
        o << "  rule \"r" << k << "\" priority " << k << " { pattern '" << rules[k].first
          << "' translation '" << rules[k].second << "'"
          << (k >= 19 && k <= 24 ? " internal_extension" : "") << " }\n";
      o << "}\n";
    }
  }
  {
    std::ofstream o(dir + "/users.json");
    o << "[\n";
    int tagPlans = x.plans - 1 - x.sites - pools;
    for (int u = 0; u < x.users; ++u) {
      int p = static_cast<int>(rng() % pools);
      std::string plan = "null", vp = "null";
      if (tagPlans > 0 && rng() % 10 < 3)
        plan = "\"Plan" + std::to_string(1 + x.sites + pools + static_cast<int>(rng() % tagPlans)) +
               "\"";
      if (rng() % 10 < 2) vp = "\"VP" + std::to_string(rng() % 10) + "\"";
      o << (u ? ",\n" : "") << "{\"SipAddress\": \"sip:user" << u
        << "@xl.test\", \"LineURI\": \"tel:+1425" << 1000000 + u << ";ext=" << 10000 + u % 90000
        << "\", \"RegistrarPool\": \"" << poolName(p) << "\", \"VoicePolicy\": " << vp
        << ", \"DialPlan\": " << plan << "}";
    }
    o << "\n]\n";
    std::ofstream(dir + "/users.park") << "users from \"users.json\"\n";
  }
}

// ---- inputs ------------------------------------------------------------------------------------

struct Input {
  cp_caller caller;
  std::string dialed;
};

enum Kind { kOrbit, kRewritten, kNothing, kKinds };
const char* kKindName[] = {"orbit numbers", "rewritten", "nothing matches"};

struct Inputs {
  std::vector<Input> of[kKinds];
};

// Candidates from seeded shapes, sorted into kinds by what the interpreter decides.
Inputs makeInputs(const model::Model& m, const Interpreter& interp, const cp_env* env,
                  size_t perKind) {
  std::mt19937_64 rng(7);
  Inputs in;
  auto digits = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng() % 10));
    return s;
  };
  auto caller = [&]() -> cp_caller {
    if (m.users.empty()) return {CP_NONE, CP_INHERIT, CP_INHERIT, CP_NONE};
    return {static_cast<int32_t>(rng() % m.users.size()), 0, 0, 0};
  };
  std::vector<int> usable;
  for (size_t r = 0; r < m.orbits.size(); ++r)
    if (m.orbits[r].usable() && m.orbits[r].pool >= 0) usable.push_back(static_cast<int>(r));
  std::vector<std::function<std::string()>> shapes = {
      [&] { return std::string(1, "123456789"[rng() % 9]) + digits(3); },
      [&] { return std::string("0"); },
      [&] { return "1" + digits(10); },
      [&] { return "2" + digits(9); },
      [&] { return "011" + digits(10); },
      [&] { return "+" + digits(11); },
      [&] { return "9" + digits(10); },
      [&] { return "555" + digits(4); },
      [&] { return std::string(rng() % 2 ? "911" : "411"); },
      [&] { return "*6" + digits(1); },
      [&] { return "#" + digits(2); },
      [&] { return std::string(1, "123456789"[rng() % 9]) + digits(4); },
      [&] { return std::string(1, "789"[rng() % 3]) + digits(6); },
      [&] { return "4" + digits(11 + rng() % 4); },
      [&] { return "0" + digits(9); },
      [&] { return "00" + digits(10); },
      [&] { return "*" + digits(5); },
      [&] { return "#" + digits(6); },
      [&] { return digits(16 + rng() % 3); },
      [&] { return std::string(1, "*#"[rng() % 2]) + "0" + digits(2); },
  };
  cp_dispatch_result r;
  for (int attempts = 0; attempts < 2000000; ++attempts) {
    bool full = true;
    for (int k = 0; k < kKinds; ++k) full &= in.of[k].size() >= perKind;
    if (full) break;
    Input x{caller(), {}};
    bool orbit = !usable.empty() && attempts % 3 == 0;
    if (orbit) {
      const auto& o = m.orbits[usable[rng() % usable.size()]];
      x.dialed = o.numberAt(rng() % o.size());
    } else {
      x.dialed = shapes[rng() % shapes.size()]();
    }
    interp.dispatch(env, &x.caller, x.dialed.data(), static_cast<uint32_t>(x.dialed.size()), &r);
    int kind = -1;
    if (orbit && (r.action == CP_ACTION_RETRIEVE || r.action == CP_ACTION_PICKUP))
      kind = kOrbit;
    else if (!orbit && r.rule >= 0 && std::string(r.normalized, r.normalized_len) != x.dialed)
      kind = kRewritten;
    else if (!orbit && r.rule < 0 && r.action == CP_ACTION_NOT_OURS)
      kind = kNothing;
    if (kind >= 0 && in.of[kind].size() < perKind) in.of[kind].push_back(std::move(x));
  }
  for (auto& v : in.of) std::shuffle(v.begin(), v.end(), rng);
  return in;
}

// ---- measuring ---------------------------------------------------------------------------------

struct Measured {
  double callsPerSecond = 0, medianNs = 0;
  size_t calls = 0;
};

volatile uint64_t gSink;

double clockOverheadNs() {
  std::vector<double> v;
  for (int i = 0; i < 20001; ++i) {
    auto a = Clock::now();
    auto b = Clock::now();
    v.push_back(std::chrono::duration<double, std::nano>(b - a).count());
  }
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

// One timed pass over the inputs (repeated until minSeconds): calls per second. `call` is a
// lambda, inlined into the loop: the harness adds no indirection of its own.
template <typename Call>
double throughput(const std::vector<Input>& in, const Call& call, double minSeconds) {
  cp_dispatch_result r;
  uint64_t sink = 0;
  auto t0 = Clock::now();
  size_t calls = 0;
  double elapsed = 0;
  do {
    for (const Input& x : in) {
      sink += static_cast<uint64_t>(call(x, &r)) + r.normalized_len;
      if (++calls % 256 == 0 && seconds(t0, Clock::now()) > minSeconds * 4) break;
    }
    elapsed = seconds(t0, Clock::now());
  } while (elapsed < minSeconds);
  gSink = sink;
  return calls / elapsed;
}

// Median of single calls, each timed alone (clock overhead subtracted).
template <typename Call>
double medianLatency(const std::vector<Input>& in, const Call& call, size_t samples,
                     double overheadNs) {
  cp_dispatch_result r;
  uint64_t sink = 0;
  std::vector<double> lat;
  for (size_t i = 0; i < std::min(samples, in.size()); ++i) {
    auto a = Clock::now();
    sink += call(in[i], &r);
    auto b = Clock::now();
    lat.push_back(std::chrono::duration<double, std::nano>(b - a).count() - overheadNs);
  }
  gSink = sink;
  if (lat.empty()) return 0;
  std::nth_element(lat.begin(), lat.begin() + lat.size() / 2, lat.end());
  return std::max(0.0, lat[lat.size() / 2]);
}

// The back ends measured in interleaved rounds, best round kept: the machine is shared, and a
// burst of someone else's work should not decide a ratio.
template <typename... Calls>
std::vector<Measured> measureAll(const std::vector<Input>& in, double totalSeconds,
                                 double overheadNs, size_t latencySamples, const Calls&... calls) {
  constexpr size_t n = sizeof...(Calls);
  std::vector<Measured> out(n);
  if (in.empty()) return out;
  const int rounds = 5;
  cp_dispatch_result r;
  auto warm = [&](const auto& c) {
    for (size_t i = 0; i < std::min<size_t>(in.size(), 512); ++i) c(in[i], &r);
  };
  (warm(calls), ...);
  for (int round = 0; round < rounds; ++round) {
    size_t k = 0;
    auto once = [&](const auto& c) {
      out[k].callsPerSecond =
          std::max(out[k].callsPerSecond, throughput(in, c, totalSeconds / rounds));
      ++k;
    };
    (once(calls), ...);
  }
  for (int round = 0; round < 3; ++round) {
    size_t k = 0;
    auto lat = [&](const auto& c) {
      double m = medianLatency(in, c, latencySamples, overheadNs);
      out[k].medianNs = round == 0 ? m : std::min(out[k].medianNs, m);
      ++k;
    };
    (lat(calls), ...);
  }
  return out;
}

// ---- per-phase breakdown -----------------------------------------------------------------------

// The process's own user-space cycles, instructions and mispredicted branches (one event group),
// when the kernel allows it (perf_event_paranoid <= 2 does); otherwise ok() is false.
class Counters {
 public:
  Counters() {
    const uint64_t cfg[] = {PERF_COUNT_HW_CPU_CYCLES, PERF_COUNT_HW_INSTRUCTIONS,
                            PERF_COUNT_HW_BRANCH_MISSES};
    for (int i = 0; i < 3; ++i) {
      perf_event_attr a{};
      a.size = sizeof a;
      a.type = PERF_TYPE_HARDWARE;
      a.config = cfg[i];
      a.disabled = i == 0;
      a.exclude_kernel = 1;
      a.exclude_hv = 1;
      fd_[i] = static_cast<int>(syscall(SYS_perf_event_open, &a, 0, -1, i ? fd_[0] : -1, 0));
      if (fd_[i] < 0) return;
    }
    ok_ = true;
  }
  ~Counters() {
    for (int f : fd_)
      if (f >= 0) ::close(f);
  }
  bool ok() const { return ok_; }
  void start() {
    if (!ok_) return;
    ioctl(fd_[0], PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
    ioctl(fd_[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
  }
  // cycles, instructions, branch misses since start().
  std::array<uint64_t, 3> stop() {
    std::array<uint64_t, 3> v{};
    if (!ok_) return v;
    ioctl(fd_[0], PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
    for (int i = 0; i < 3; ++i)
      if (::read(fd_[i], &v[i], sizeof v[i]) != sizeof v[i]) v[i] = 0;
    return v;
  }

 private:
  int fd_[3] = {-1, -1, -1};
  bool ok_ = false;
};

struct Phase {
  std::string name;
  double ns = 0, cycles = 0, instructions = 0, branchMisses = 0;
};

// Best of `rounds` passes of `passes` sweeps over the inputs: ns per call, and the counters
// per call in that best pass.
template <typename Call>
Phase measurePhase(const std::string& name, const std::vector<Input>& in, const Call& call,
                   Counters& counters, int passes) {
  Phase best{name};
  best.ns = 1e300;
  cp_dispatch_result r{};
  uint64_t sink = 0;
  for (const Input& x : in) sink += static_cast<uint64_t>(call(x, &r));  // warm
  for (int round = 0; round < 5; ++round) {
    counters.start();
    auto t0 = Clock::now();
    for (int p = 0; p < passes; ++p)
      for (const Input& x : in) sink += static_cast<uint64_t>(call(x, &r)) + r.normalized_len;
    auto t1 = Clock::now();
    auto c = counters.stop();
    double calls = static_cast<double>(in.size()) * passes;
    double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / calls;
    if (ns < best.ns) {
      best.ns = ns;
      best.cycles = c[0] / calls;
      best.instructions = c[1] / calls;
      best.branchMisses = c[2] / calls;
    }
  }
  gSink = sink;
  return best;
}

// The harness's own cost: a call through a function pointer that only stores the length.
__attribute__((noinline)) int32_t emptyDispatch(const cp_env*, const cp_caller*, const char*,
                                                uint32_t len, cp_dispatch_result* out) {
  out->normalized_len = len;
  return 0;
}
__attribute__((noinline)) int32_t clearOnly(const cp_env*, const cp_caller*, const char*, uint32_t,
                                            cp_dispatch_result* out) {
  clearResult(out);
  return 0;
}

struct Row {
  std::string policy, kind, backend;
  Measured m;
};

struct Target {
  std::string what;
  double value, goal;
  bool atLeast;
};

std::string loadAverage() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

struct PolicyRun {
  std::string name;
  std::vector<std::string> paths;
  bool runRules = true;
};

struct Args {
  std::string xlDir;
  bool xl = true;
  double seconds = 0.3;
  int xlUsers = 100000;
  bool xlLike = false;
};

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--xl-dir" && i + 1 < argc)
      a.xlDir = argv[++i];
    else if (s == "--no-xl")
      a.xl = false;
    else if (s == "--xl-like")
      a.xlLike = true;
    else if (s == "--seconds" && i + 1 < argc)
      a.seconds = std::atof(argv[++i]);
    else if (s == "--xl-users" && i + 1 < argc)
      a.xlUsers = std::atoi(argv[++i]);
    else if (s == "--write-xl" && i + 1 < argc) {
      XlShape x;
      x.users = a.xlUsers;
      writeXl(argv[++i], x);
      return 0;
    } else {
      std::fprintf(stderr,
                   "usage: bench_dispatch [--xl-dir DIR | --xl-like | --no-xl] [--seconds S] "
                   "[--xl-users N]\n");
      return 2;
    }
  }
  std::printf("bench_dispatch: load average %s (nproc %ld), target %s\n", loadAverage().c_str(),
              sysconf(_SC_NPROCESSORS_ONLN), jit::hostTarget().c_str());
  std::vector<PolicyRun> runs = {
      {"contoso", {std::string(CALLPARK_SOURCE_DIR) + "/examples/contoso"}, true}};
  std::string tmp =
      (fs::temp_directory_path() / ("cp_bench_dispatch_" + std::to_string(::getpid()))).string();
  fs::create_directories(tmp);
  if (a.xl) {
    std::string dir = a.xlDir;
#ifdef CALLPARK_GENORG
    if (dir.empty() && !a.xlLike) {
      dir = tmp + "/genorg100";
      std::string cmd = std::string(CALLPARK_GENORG) + " 100 " + dir + " >/dev/null";
      auto t0 = Clock::now();
      if (std::system(cmd.c_str()) != 0) {
        std::fprintf(stderr, "bench_dispatch: %s failed\n", cmd.c_str());
        return 2;
      }
      std::printf("XL: bench/genorg scale 100 in %s (%.1f s)\n", dir.c_str(),
                  seconds(t0, Clock::now()));
    }
#endif
    if (dir.empty()) {
      dir = tmp + "/xl";
      XlShape x;
      x.users = a.xlUsers;
      auto t0 = Clock::now();
      writeXl(dir, x);
      std::printf(
          "XL-like policy generated in %s (%.1f s): %d pools, %d ranges of %d orbits, %d plans "
          "of 30 rules, %d users\n",
          dir.c_str(), seconds(t0, Clock::now()), x.sites * x.poolsPerSite,
          x.sites * x.poolsPerSite * x.rangesPerPool, x.orbitsPerRange, x.plans, x.users);
    }
    runs.push_back({"XL", {dir}, false});
  }
  const double overhead = clockOverheadNs();
  std::printf("clock overhead %.1f ns (subtracted from latencies)\n\n", overhead);

  std::vector<Row> rows, extra;
  std::vector<Target> targets;
  std::vector<std::string> compileLines, phaseLines;
  for (const PolicyRun& run : runs) {
    driver::Compilation c;
    driver::CompileOptions co;
    co.paths = run.paths;
    if (!run.runRules) co.stopAfter = "model";
    auto f0 = Clock::now();
    if (!c.run(co) || !c.model) {
      std::fprintf(stderr, "%s: %s\n", run.name.c_str(), c.toolError.c_str());
      return 2;
    }
    double front = seconds(f0, Clock::now());
    const model::Model& m = *c.model;
    if (c.diags.hasErrors())
      std::printf("note: %s has %zu errors (benchmarked anyway)\n", run.name.c_str(),
                  c.diags.count(Severity::Error));

    // Compile time: model -> IR (passes) -> native (LLVM -O2, codegen, JIT link).
    auto c0 = Clock::now();
    ir::Module ir = lowerModel(m);
    auto c1 = Clock::now();
    std::string error;
    auto native = jit::NativeDispatch::compile(ir, run.name, {}, &error);
    auto c2 = Clock::now();
    if (!native) {
      std::fprintf(stderr, "%s: JIT: %s\n", run.name.c_str(), error.c_str());
      return 2;
    }
    double lowerS = seconds(c0, c1), nativeS = seconds(c1, c2);
    // Cached bundle: write it, then load it (stamp check + IR + object cache + link).
    auto built = Dispatcher::fromModel(m, c.sm, run.paths);
    std::string bytes, bundlePath = tmp + "/" + run.name + ".bundle";
    if (!built->bundleBytes(&bytes, &error) || !bundle::writeFile(bundlePath, bytes, &error)) {
      std::fprintf(stderr, "%s: bundle: %s\n", run.name.c_str(), error.c_str());
      return 2;
    }
    built.reset();
    std::vector<double> loads;
    bool fromCache = true;
    for (int i = 0; i < 5; ++i) {
      auto l0 = Clock::now();
      Dispatcher::Built b = Dispatcher::load(bundlePath);
      loads.push_back(seconds(l0, Clock::now()));
      fromCache &= b.dispatcher && !b.recompiled && b.dispatcher->backend() == Backend::Jit;
    }
    std::sort(loads.begin(), loads.end());
    auto s0 = Clock::now();
    std::string stale = bundle::staleReason(bundle::readStamp(bytes, &error).value(), 2);
    double stampS = seconds(s0, Clock::now());
    char line[512];
    std::snprintf(line, sizeof line,
                  "%-8s front end %7.0f ms%s | model->IR %6.0f ms | IR->native %6.0f ms | total "
                  "%6.0f ms | bundle %5.1f MB, cached load %5.0f ms (stamp check %3.0f ms)%s",
                  run.name.c_str(), front * 1e3, run.runRules ? "" : " (no rules)", lowerS * 1e3,
                  nativeS * 1e3, (lowerS + nativeS) * 1e3, bytes.size() / 1e6, loads[2] * 1e3,
                  stampS * 1e3, fromCache && stale.empty() ? "" : " NOT FROM CACHE");
    compileLines.push_back(line);
    if (run.name == "XL") {
      targets.push_back({"XL compiled (model -> IR -> native), s", lowerS + nativeS, 2.0, false});
      targets.push_back({"XL cached bundle loaded, ms", loads[2] * 1e3, 100, false});
    } else {
      targets.push_back({"contoso cached bundle loaded, ms", loads[2] * 1e3, 100, false});
    }

    // Back ends over the same IR and inputs.
    auto env = makeEnv(ir);
    precompileAll(*env);
    Interpreter interp(ir);
    auto n0 = Clock::now();
    NaiveReference naive(m, ir.planOfModel);
    double naiveSetup = seconds(n0, Clock::now());
    Inputs in = makeInputs(m, interp, env.get(), 4096);
    const cp_env* e = env.get();
    cp_dispatch_fn jitFn = native->dispatch;
    auto jitCall = [&](const Input& x, cp_dispatch_result* r) {
      return jitFn(e, &x.caller, x.dialed.data(), static_cast<uint32_t>(x.dialed.size()), r);
    };
    auto interpCall = [&](const Input& x, cp_dispatch_result* r) {
      return interp.dispatch(e, &x.caller, x.dialed.data(), static_cast<uint32_t>(x.dialed.size()),
                             r);
    };
    auto naiveCall = [&](const Input& x, cp_dispatch_result* r) {
      return naive.dispatch(&x.caller, x.dialed.data(), static_cast<uint32_t>(x.dialed.size()), r);
    };
    const char* names[] = {"jit", "interpreter", "naive", "jit, RE2 only"};
    // The same module without plan-automata: the RE2::Set path the automaton replaces.
    PipelineOptions noAutomata;
    noAutomata.skip = {"plan-automata"};
    ir::Module irRe2 = lowerModel(m, noAutomata);
    auto nativeRe2 = jit::NativeDispatch::compile(irRe2, run.name + "-re2", {}, &error);
    auto envRe2 = makeEnv(irRe2);
    precompileAll(*envRe2);
    cp_dispatch_fn re2Fn = nativeRe2->dispatch;
    const cp_env* e2 = envRe2.get();
    auto re2Call = [&](const Input& x, cp_dispatch_result* r) {
      return re2Fn(e2, &x.caller, x.dialed.data(), static_cast<uint32_t>(x.dialed.size()), r);
    };
    // The benchmark's own inputs through both back ends: a number for a wrong answer would be
    // worthless (the differential tests cover far more; this covers XL, which they do not).
    size_t disagree = 0, checked = 0;
    for (const auto& v : in.of)
      for (const Input& x : v) {
        cp_dispatch_result a, b;
        std::memset(&a, 0x5A, sizeof a);
        std::memset(&b, 0x5A, sizeof b);
        int32_t sa = jitCall(x, &a), sb = interpCall(x, &b);
        ++checked;
        disagree += sa != sb || a.action != b.action || a.plan != b.plan || a.rule != b.rule ||
                    a.pool != b.pool || a.target != b.target || a.orbit != b.orbit ||
                    a.pool_orbit != b.pool_orbit || a.internal != b.internal ||
                    a.may_park != b.may_park || a.normalized_len != b.normalized_len ||
                    a.normalized_len > CP_MAX_NUMBER ||
                    std::memcmp(a.normalized, b.normalized, a.normalized_len + 1) != 0;
      }
    std::printf("%s: JIT and interpreter agree on %zu of %zu benchmark inputs\n", run.name.c_str(),
                checked - disagree, checked);
    if (disagree) {
      std::fprintf(stderr, "%s: the JIT disagrees with the interpreter\n", run.name.c_str());
      return 2;
    }
    size_t dfas = ir.dfas.size(), withDfa = 0;
    for (const auto& p : ir.plans) withDfa += p.dfa >= 0;
    std::printf("%s: %zu of %zu dial plans have an automaton (%zu distinct)\n", run.name.c_str(),
                withDfa, ir.plans.size(), dfas);
    std::printf("%s: naive reference set up in %.0f ms; inputs:", run.name.c_str(),
                naiveSetup * 1e3);
    for (int k = 0; k < kKinds; ++k) std::printf(" %zu %s", in.of[k].size(), kKindName[k]);
    std::printf("\n");
    for (int k = 0; k < kKinds; ++k) {
      size_t samples = run.name == "XL" ? 1024 : 4096;  // the naive reference is slow on XL
      std::vector<Measured> base =
          k == kOrbit
              ? measureAll(in.of[k], a.seconds, overhead, samples, jitCall, interpCall, naiveCall)
              : measureAll(in.of[k], a.seconds, overhead, samples, jitCall, interpCall, naiveCall,
                           re2Call);
      for (int b = 0; b < 3; ++b) rows.push_back({run.name, kKindName[k], names[b], base[b]});
      if (k != kOrbit) {  // where the automaton works: compare with the RE2::Set path
        extra.push_back({run.name, kKindName[k], names[3], base[3]});
        extra.back().m.calls = static_cast<size_t>(base[0].callsPerSecond);  // jit, for the ratio
      }
      if (k == kOrbit) {
        targets.push_back({run.name + " orbit numbers: JIT / interpreter",
                           base[0].callsPerSecond / base[1].callsPerSecond, 5, true});
        targets.push_back({run.name + " orbit numbers: JIT / naive",
                           base[0].callsPerSecond / base[2].callsPerSecond, 20, true});
      }
      if (k == kRewritten && run.name == "XL")
        targets.push_back({"XL rewritten numbers (30-rule plans): JIT / naive",
                           base[0].callsPerSecond / base[2].callsPerSecond, 5, true});
    }

    // Where an orbit number's time goes.
    {
      const std::vector<Input>& orbits = in.of[kOrbit];
      auto facade = Dispatcher::fromModel(m, c.sm, run.paths);
      std::vector<std::string> sips(orbits.size());
      for (size_t i = 0; i < orbits.size(); ++i)
        if (orbits[i].caller.user >= 0) sips[i] = ir.userNames[orbits[i].caller.user];
      const Input* first = orbits.data();
      auto viaPointer = [&](cp_dispatch_fn fn) {
        return [fn, e](const Input& x, cp_dispatch_result* r) {
          return fn(e, &x.caller, x.dialed.data(), static_cast<uint32_t>(x.dialed.size()), r);
        };
      };
      cp_may_park_fn jitMay = native->mayPark;
      Counters counters;
      int passes = run.name == "XL" ? 20 : 50;
      std::vector<Phase> ph;
      ph.push_back(measurePhase("harness: empty function, same pointer call", orbits,
                                viaPointer(&emptyDispatch), counters, passes));
      ph.push_back(
          measurePhase("clearResult only", orbits, viaPointer(&clearOnly), counters, passes));
      ph.push_back(measurePhase(
          "interpreter: resolve caller (mayPark)", orbits,
          [&](const Input& x, cp_dispatch_result*) { return interp.mayPark(&x.caller); }, counters,
          passes));
      ph.push_back(measurePhase(
          "interpreter: classify only (Module::classify)", orbits,
          [&](const Input& x, cp_dispatch_result*) { return ir.classify(x.dialed); }, counters,
          passes));
      ph.push_back(measurePhase("interpreter: dispatch", orbits, interpCall, counters, passes));
      ph.push_back(measurePhase(
          "jit: resolve caller (cp_may_park_v1)", orbits,
          [&](const Input& x, cp_dispatch_result*) { return jitMay(&x.caller); }, counters,
          passes));
      ph.push_back(measurePhase("jit: cp_dispatch_v1", orbits, jitCall, counters, passes));
      // The same calls without data-dependent branch mispredictions: one input repeated.
      std::vector<Input> same(orbits.size(), orbits.empty() ? Input{} : orbits[0]);
      ph.push_back(measurePhase("interpreter: dispatch, one input repeated", same, interpCall,
                                counters, passes));
      ph.push_back(
          measurePhase("jit: cp_dispatch_v1, one input repeated", same, jitCall, counters, passes));
      ph.push_back(measurePhase(
          "jit: Dispatcher::dispatch (parkd's call)", orbits,
          [&](const Input& x, cp_dispatch_result* r) {
            return facade->dispatch(x.caller, x.dialed, r);
          },
          counters, passes));
      ph.push_back(measurePhase(
          "jit: Dispatcher::callerFor(SIP URI) + dispatch", orbits,
          [&](const Input& x, cp_dispatch_result* r) {
            return facade->dispatch(facade->callerFor(sips[&x - first]), x.dialed, r);
          },
          counters, passes));
      char line[256];
      std::snprintf(line, sizeof line, "%s orbit numbers (%zu inputs)%s:", run.name.c_str(),
                    orbits.size(), counters.ok() ? "" : " [no perf counters]");
      phaseLines.push_back(line);
      for (const Phase& p : ph) {
        if (counters.ok())
          std::snprintf(line, sizeof line, "  %-50s %7.1f ns %8.1f cyc %8.1f ins %6.2f br-miss",
                        p.name.c_str(), p.ns, p.cycles, p.instructions, p.branchMisses);
        else
          std::snprintf(line, sizeof line, "  %-50s %7.1f ns", p.name.c_str(), p.ns);
        phaseLines.push_back(line);
      }
    }
  }

  std::printf("\n%-8s %-16s %-12s %14s %11s %10s %10s\n", "policy", "inputs", "backend", "calls/s",
              "median ns", "x interp", "x naive");
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    size_t group = i - i % 3;
    double interp = rows[group + 1].m.callsPerSecond, naive = rows[group + 2].m.callsPerSecond;
    std::printf("%-8s %-16s %-12s %14.0f %11.1f %10.2f %10.2f\n", r.policy.c_str(), r.kind.c_str(),
                r.backend.c_str(), r.m.callsPerSecond, r.m.medianNs, r.m.callsPerSecond / interp,
                r.m.callsPerSecond / naive);
  }
  std::printf("\nplan automata vs RE2::Set (same JIT code otherwise):\n");
  for (const Row& r : extra)
    std::printf("%-8s %-16s %-12s %14.0f %11.1f   automaton speedup %.2fx\n", r.policy.c_str(),
                r.kind.c_str(), r.backend.c_str(), r.m.callsPerSecond, r.m.medianNs,
                static_cast<double>(r.m.calls) / r.m.callsPerSecond);
  std::printf(
      "\nwhere the time goes (per call, best of 5 sweeps; cycles, instructions and branch misses "
      "from the process's own counters):\n");
  for (const auto& l : phaseLines) std::printf("%s\n", l.c_str());
  std::printf("\ncompile and load times:\n");
  for (const auto& l : compileLines) std::printf("  %s\n", l.c_str());
  std::printf("\ntargets:\n");
  bool all = true;
  for (const Target& t : targets) {
    bool ok = t.atLeast ? t.value >= t.goal : t.value <= t.goal;
    all &= ok;
    std::printf("  %-56s %10.2f  (%s %g)  %s\n", t.what.c_str(), t.value,
                t.atLeast ? ">=" : "<=", t.goal, ok ? "met" : "MISSED");
  }
  std::printf("load average at the end: %s\n", loadAverage().c_str());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  return all ? 0 : 1;
}

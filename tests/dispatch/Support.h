// Shared by the dispatch tests: a policy built from text, its three back ends (interpreter,
// JIT, naive reference), a field-by-field comparison, and a seeded policy generator.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "compiler/diag/Diagnostic.h"
#include "compiler/dispatch/interp/Env.h"
#include "compiler/dispatch/interp/Interpreter.h"
#include "compiler/dispatch/jit/Jit.h"
#include "compiler/dispatch/passes/Passes.h"
#include "compiler/dispatch/reference/Reference.h"
#include "compiler/model/ModelBuilder.h"
#include "compiler/parse/Parser.h"
#include "tests/analysis/PolicyFixture.h"

namespace callpark::dispatch::testing {

// Front end over in-memory files (the analysis tests' fixture; no checks run: the passes and
// back ends must handle any model, errors included, the way the naive reference does).
using callpark::testing::Policy;

// The three back ends over one model.
struct Backends {
  const model::Model& model;
  ir::Module ir;
  std::unique_ptr<cp_env> env;
  std::unique_ptr<Interpreter> interp;
  std::unique_ptr<jit::NativeDispatch> native;
  std::unique_ptr<NaiveReference> naive;

  explicit Backends(const model::Model& m, const std::string& key = "test")
      : model(m), ir(lowerModel(m)) {
    env = makeEnv(ir);
    interp = std::make_unique<Interpreter>(ir);
    std::string error;
    native = jit::NativeDispatch::compile(ir, key, {}, &error);
    EXPECT_TRUE(native) << "JIT: " << error;
    naive = std::make_unique<NaiveReference>(m, ir.planOfModel);
  }
};

inline std::string describe(int status, const cp_dispatch_result& r) {
  std::ostringstream os;
  os << "status=" << status << " action=" << r.action << " plan=" << r.plan << " rule=" << r.rule
     << " pool=" << r.pool << " target=" << r.target << " orbit=" << r.orbit
     << " pool_orbit=" << r.pool_orbit << " internal=" << int(r.internal)
     << " may_park=" << int(r.may_park) << " normalized='"
     << std::string(r.normalized, std::min<uint32_t>(r.normalized_len, CP_MAX_NUMBER)) << "'("
     << r.normalized_len << ")";
  return os.str();
}

// Field by field; the bytes of `normalized` past its length are unspecified.
inline bool same(int sa, const cp_dispatch_result& a, int sb, const cp_dispatch_result& b) {
  return sa == sb && a.action == b.action && a.plan == b.plan && a.rule == b.rule &&
         a.pool == b.pool && a.target == b.target && a.orbit == b.orbit &&
         a.pool_orbit == b.pool_orbit && a.internal == b.internal && a.may_park == b.may_park &&
         a.normalized_len == b.normalized_len &&
         std::memcmp(a.normalized, b.normalized,
                     std::min<uint32_t>(a.normalized_len, CP_MAX_NUMBER) + 1) == 0;
}

inline std::string callerText(const cp_caller& c) {
  return "{user " + std::to_string(c.user) + ", dial_plan " + std::to_string(c.dial_plan) +
         ", voice_policy " + std::to_string(c.voice_policy) + ", pool " + std::to_string(c.pool) +
         "}";
}

// Runs one input through all three; records disagreements (the first few as test failures).
class Differ {
 public:
  explicit Differ(const Backends& b) : b_(b) {}
  void check(const cp_caller& c, std::string_view d) {
    ++checked_;
    cp_dispatch_result ri, rj, rn;
    std::memset(&ri, 0x5a, sizeof ri);
    std::memset(&rj, 0xa5, sizeof rj);
    std::memset(&rn, 0x33, sizeof rn);
    uint32_t len = static_cast<uint32_t>(d.size());
    int si = b_.interp->dispatch(b_.env.get(), &c, d.data(), len, &ri);
    int sj = b_.native ? b_.native->dispatch(b_.env.get(), &c, d.data(), len, &rj) : si;
    if (!b_.native) rj = ri;
    int sn = b_.naive->dispatch(&c, d.data(), len, &rn);
    if (same(si, ri, sj, rj) && same(si, ri, sn, rn)) return;
    if (++disagreements_ <= 8)
      ADD_FAILURE() << "dialed '" << d << "' caller " << callerText(c) << "\n  interpreter "
                    << describe(si, ri) << "\n  jit         " << describe(sj, rj)
                    << "\n  naive       " << describe(sn, rn);
  }
  void checkCaller(const cp_caller& c) {
    ++checked_;
    int a = b_.interp->mayPark(&c), j = b_.native ? b_.native->mayPark(&c) : a,
        n = b_.naive->mayPark(&c);
    if (a != j || a != n) {
      if (++disagreements_ <= 8)
        ADD_FAILURE() << "may_park " << callerText(c) << ": interpreter " << a << " jit " << j
                      << " naive " << n;
    }
  }
  void checkSettings(int pool) {
    ++checked_;
    cp_park_settings a, j, n;
    int sa = b_.interp->settings(pool, &a);
    int sj = b_.native ? b_.native->settings(pool, &j) : sa;
    if (!b_.native) j = a;
    int sn = b_.naive->settings(pool, &n);
    auto eq = [](int s1, const cp_park_settings& x, int s2, const cp_park_settings& y) {
      return s1 == s2 && x.pickup_timeout_seconds == y.pickup_timeout_seconds &&
             x.max_pickup_attempts == y.max_pickup_attempts && x.music_on_hold == y.music_on_hold &&
             std::strcmp(x.on_timeout, y.on_timeout) == 0 &&
             std::strcmp(x.music_file, y.music_file) == 0;
    };
    if (!eq(sa, a, sj, j) || !eq(sa, a, sn, n)) {
      if (++disagreements_ <= 8)
        ADD_FAILURE() << "settings of pool " << pool << " disagree (" << sa << "/" << sj << "/"
                      << sn << ", on_timeout '" << a.on_timeout << "'/'" << j.on_timeout << "'/'"
                      << n.on_timeout << "')";
    }
  }
  // Every string over 0-9 * # of length 0..maxLen.
  void exhaustive(const cp_caller& c, int maxLen) {
    static const char kAlpha[] = "0123456789*#";
    std::string s;
    for (int len = 0; len <= maxLen; ++len) {
      std::vector<int> idx(len, 0);
      s.assign(len, '0');
      while (true) {
        check(c, s);
        int k = len - 1;
        while (k >= 0 && idx[k] == 11) {
          idx[k] = 0;
          s[k] = kAlpha[0];
          --k;
        }
        if (k < 0) break;
        s[k] = kAlpha[++idx[k]];
      }
    }
  }
  // Seeded longer strings: mostly 0-9 * #, with prefixes and lengths that reach orbits, long
  // numbers, and now and then other bytes ('+', letters, spaces) and over-long strings.
  void random(const cp_caller& c, uint64_t seed, int count) {
    std::mt19937_64 rng(seed);
    static const char kAlpha[] = "0123456789*#";
    static const char kOther[] = "+ aZ-.";
    for (int i = 0; i < count; ++i) {
      int len = 6 + static_cast<int>(rng() % 15);
      int roll = static_cast<int>(rng() % 100);
      if (roll < 2) len = 120 + static_cast<int>(rng() % 20);
      std::string s;
      if (roll >= 2 && roll < 30) s.push_back("*#9"[rng() % 3]);
      while (static_cast<int>(s.size()) < len) {
        if (rng() % 40 == 0)
          s.push_back(kOther[rng() % (sizeof kOther - 1)]);
        else
          s.push_back(kAlpha[rng() % (rng() % 4 == 0 ? 12 : 10)]);
      }
      check(c, s);
    }
  }
  size_t checked() const { return checked_; }
  size_t disagreements() const { return disagreements_; }

 private:
  const Backends& b_;
  size_t checked_ = 0, disagreements_ = 0;
};

// The callers worth trying on a model: one user per distinct resolved context (and the first
// and last user), every model dial plan and voice policy named explicitly, inherit from every
// pool and from none, no plan at all, and a few malformed callers.
inline std::vector<cp_caller> callersFor(const model::Model& m, const ir::Module& ir) {
  std::vector<cp_caller> out;
  std::vector<std::pair<int, bool>> seen;
  for (size_t u = 0; u < ir.users.size(); ++u) {
    std::pair<int, bool> key{ir.users[u].plan, ir.users[u].mayPark};
    bool fresh = std::find(seen.begin(), seen.end(), key) == seen.end();
    if (fresh || u == 0 || u + 1 == ir.users.size()) {
      seen.push_back(key);
      out.push_back({static_cast<int32_t>(u), 0, 0, 0});
    }
  }
  int nvp = static_cast<int>(m.voicePolicies.size());
  for (size_t p = 0; p < m.dialPlans.size(); ++p)
    out.push_back(
        {CP_NONE, static_cast<int32_t>(p), nvp ? static_cast<int32_t>(p % nvp) : CP_NONE, CP_NONE});
  for (size_t p = 0; p < m.pools.size(); ++p)
    out.push_back({CP_NONE, CP_INHERIT, CP_INHERIT, static_cast<int32_t>(p)});
  out.push_back({CP_NONE, CP_INHERIT, CP_INHERIT, CP_NONE});
  out.push_back({CP_NONE, CP_NONE, CP_NONE, CP_NONE});
  out.push_back({CP_NONE, CP_INHERIT, CP_NONE, 0});
  return out;
}

inline std::vector<cp_caller> badCallers(const model::Model& m) {
  int32_t users = static_cast<int32_t>(m.users.size());
  int32_t pools = static_cast<int32_t>(m.pools.size());
  int32_t plans = static_cast<int32_t>(m.dialPlans.size());
  int32_t vps = static_cast<int32_t>(m.voicePolicies.size());
  return {{users, 0, 0, 0},
          {-3, 0, 0, 0},
          {CP_NONE, plans, 0, -1},
          {CP_NONE, -7, CP_INHERIT, -1},
          {CP_NONE, CP_INHERIT, vps, -1},
          {CP_NONE, CP_INHERIT, -9, -1},
          {CP_NONE, CP_INHERIT, CP_INHERIT, pools},
          {CP_NONE, CP_INHERIT, CP_INHERIT, -2},
          {INT32_MAX, 0, 0, 0},
          {CP_NONE, INT32_MIN, INT32_MIN, INT32_MIN}};
}

// ---- seeded policy generator -----------------------------------------------------------------

struct GeneratedPolicy {
  std::string text;
  std::vector<std::string> samples;  // strings worth dialing: orbits, edges, rewrites
};

// A random but plausible policy: 2-3 sites, 1-2 pools each, orbit ranges with every prefix and
// several lengths (some overlapping when `allowErrors`), park access numbers (numeric, inside
// ranges, and not numeric), dial plans at every scope with rules from templates that pass
// orbits through, rewrite them, rewrite other numbers into orbits, match everything, use
// lazy quantifiers and alternation, produce over-long results, or do not compile at all.
inline GeneratedPolicy generatePolicy(uint64_t seed, bool allowErrors) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  std::ostringstream os;
  GeneratedPolicy g;
  int nsites = 2 + pick(2);
  std::vector<std::string> pools, sites;
  for (int s = 0; s < nsites; ++s) {
    sites.push_back("S" + std::to_string(s));
    os << "site \"" << sites.back() << "\" {\n";
    int np = 1 + pick(2);
    for (int p = 0; p < np; ++p) {
      pools.push_back("p" + std::to_string(pools.size()) + ".gen.test");
      os << "  pool \"" << pools.back() << "\"\n";
    }
    os << "}\n";
  }
  auto pool = [&] { return pools[pick(static_cast<int>(pools.size()))]; };
  auto num = [](const std::string& prefix, int digits, uint64_t v) {
    std::string d = std::to_string(v);
    if (static_cast<int>(d.size()) < digits) d.insert(0, digits - d.size(), '0');
    return prefix + d;
  };
  // Orbit ranges, disjoint unless errors are allowed.
  struct R {
    std::string prefix;
    int digits;
    uint64_t lo, hi;
  };
  std::vector<R> ranges;
  int nr = 4 + pick(7);
  for (int r = 0; r < nr; ++r) {
    R x;
    x.prefix = std::vector<std::string>{"", "*", "#"}[pick(3)];
    x.digits = 2 + pick(4) + (x.prefix.empty() ? 0 : 1);
    uint64_t base = 1;
    for (int k = 1; k < x.digits; ++k) base *= 10;
    uint64_t size = 1 + rng() % std::min<uint64_t>(300, base * 9 - 1);
    x.lo = base + rng() % (base * 9 - size);
    if (!x.prefix.empty() && x.lo <= 100) x.lo = 101;
    x.hi = std::min(x.lo + size - 1, base * 10 - 1);
    bool overlaps = false;
    for (const R& y : ranges)
      overlaps |= y.prefix == x.prefix && y.digits == x.digits && !(x.hi < y.lo || y.hi < x.lo);
    if (overlaps && !allowErrors) continue;
    ranges.push_back(x);
    os << "orbit \"R" << r << "\" {\n";
    if (pick(5) == 0) os << "  type group_pickup\n";
    os << "  numbers " << num(x.prefix, x.digits, x.lo) << ".." << num(x.prefix, x.digits, x.hi)
       << "\n  pool \"" << pool() << "\"\n}\n";
    for (uint64_t v : {x.lo, x.hi, x.lo + (x.hi - x.lo) / 2}) {
      g.samples.push_back(num(x.prefix, x.digits, v));
      g.samples.push_back("9" + num(x.prefix, x.digits, v));
    }
    if (x.lo > 0) g.samples.push_back(num(x.prefix, x.digits, x.lo - 1));
    g.samples.push_back(num(x.prefix, x.digits, x.hi + 1));
  }
  // A cluster of small neighbouring ranges in one key: lowered to a jump table.
  if (pick(3) != 0) {
    std::string prefix = std::vector<std::string>{"", "*", "#"}[pick(3)];
    int digits = prefix.empty() ? 4 : 5;
    uint64_t at = (prefix.empty() ? 8000 : 80000) + rng() % 100;
    int n = 4 + pick(4);
    for (int k = 0; k < n; ++k) {
      uint64_t lo = at, hi = at + rng() % 40;
      at = hi + 1 + rng() % 30;
      os << "orbit \"C" << k << "\" {\n  numbers " << num(prefix, digits, lo) << ".."
         << num(prefix, digits, hi) << "\n  pool \"" << pool() << "\"\n}\n";
      for (uint64_t v : {lo - 1, lo, hi, hi + 1}) g.samples.push_back(num(prefix, digits, v));
    }
  }
  // Many ranges spread over one key: a compare tree large enough to become a search.
  if (pick(3) != 0) {
    std::string prefix = std::vector<std::string>{"", "*", "#"}[pick(3)];
    uint64_t at = 200000 + rng() % 1000;
    int n = 4 + pick(14);
    for (int k = 0; k < n; ++k) {
      uint64_t lo = at, hi = at + rng() % 50;
      at = hi + 2 + rng() % 20000;
      if (at > 999000) break;
      os << "orbit \"T" << k << "\" {\n  numbers " << num(prefix, 6, lo) << ".."
         << num(prefix, 6, hi) << "\n  pool \"" << pool() << "\"\n}\n";
      for (uint64_t v : {lo - 1, lo, lo + (hi - lo) / 2, hi, hi + 1})
        g.samples.push_back(num(prefix, 6, v));
    }
  }
  // Park access numbers.
  int na = 1 + pick(4);
  std::vector<std::string> access;
  for (int a = 0; a < na; ++a) {
    std::string n;
    int kind = pick(6);
    if (kind == 0 && !ranges.empty() && allowErrors) {
      const R& x = ranges[pick(static_cast<int>(ranges.size()))];
      n = num(x.prefix, x.digits, x.lo);  // inside a range: park wins
    } else if (kind == 1) {
      n = std::vector<std::string>{"**7", "*7#", "#*1"}[pick(3)];  // not numeric
    } else {
      n = std::string(pick(2) ? "*" : "#") + "7" + std::to_string(pick(10));
    }
    if (std::find(access.begin(), access.end(), n) != access.end()) continue;
    access.push_back(n);
    os << "park_access \"" << n << "\" { pool \"" << pool() << "\" }\n";
    g.samples.push_back(n);
    g.samples.push_back("9" + n);
  }
  // Settings.
  os << "park_settings global { pickup_timeout " << 10 + pick(500) << "s max_pickup_attempts "
     << 1 + pick(5) << (pick(2) ? " on_timeout \"sip:op@gen.test\"" : "") << " }\n";
  for (const auto& s : sites)
    if (pick(2))
      os << "park_settings site \"" << s << "\" { music_on_hold " << (pick(2) ? "on" : "off")
         << " }\n";
  for (const auto& p : pools)
    if (pick(3) == 0)
      os << "park_settings pool \"" << p << "\" { max_pickup_attempts " << 1 + pick(9) << " }\n";
  // Voice policies.
  const char* onoff[] = {"off", "on"};
  if (pick(4)) os << "voice_policy global { call_park " << onoff[pick(2)] << " }\n";
  for (const auto& s : sites)
    if (pick(2)) os << "voice_policy site \"" << s << "\" { call_park " << onoff[pick(2)] << " }\n";
  os << "voice_policy \"VA\" { call_park on }\nvoice_policy \"VB\" { call_park off }\n";
  // Dial plans.
  auto rule = [&](int k) -> std::pair<std::string, std::string> {
    switch (k) {
      case 0:
        return {"^(\\d{" + std::to_string(3 + pick(3)) + "})$", "+1425$1"};
      case 1:
        return {"^9(\\d+)$", "$1"};
      case 2:
        return {"^(7\\d{2,3})$", "$1"};
      case 3:
        return {"^\\*(\\d{3})$", "#$1"};
      case 4:
        return {"^(\\*?\\d{2,4})$", "$1"};
      case 5:
        return {"^(.*)$", "$1"};
      case 6:
        return {"^0$", "+14255550100"};
      case 7:
        return {"^(\\d)(\\d)(\\d)$", "$3$2$1"};
      case 8:
        return {"^([*#]\\d+)$", "9$1"};
      case 9:
        return {"^1(\\d{3,})$", "+1$1"};
      case 10:
        return {"^(\\d{2})\\*$", "*$1"};
      case 11:
        return {"^(?:00|\\+)(\\d+)$", "+$1"};
      case 12:
        return {"^(#\\d{3})$", "${1}"};
      case 13:
        return {"^(\\d+?)(0*)$", "$1"};
      case 14:
        return {"(?<=1)\\d+", "$0"};  // look-behind: does not compile, skipped
      case 15:
        return {"^(\\d{4})$", "$1"};
      case 16:
        return {"^(\\d{3})$", "*$1"};
      case 17:
        return {"^#(\\d{2})$", "*7$1"};
      case 18:
        return {"^\\*7(\\d)$", "$$$1"};
      case 19:
        return {"\\d{2}", "**$0"};
      case 20:
        return {"^(1|22|333)$", "x$1"};
      case 21:
        return {"^(\\d{5})$", std::string(40, 'x') + "$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1$1"};
      case 22:
        return {"^([2-6]\\d{3})$", "$1"};
      case 24:  // \b: RE2 only, so the plan gets no automaton
        return {"^(\\d{3})\\b", "$1x"};
      default:
        return {"^(\\d{11})$", "+$1"};
    }
  };
  auto plan = [&](const std::string& scope) {
    os << "dialplan " << scope << " {\n";
    if (pick(3) == 0) {
      os << "  external_access_prefix \"" << std::vector<std::string>{"9", "0", "*9", "81"}[pick(4)]
         << "\"\n  optimize_device_dialing " << onoff[pick(4) != 0] << "\n";
    }
    int n = 1 + pick(8);
    std::vector<int> prio(n);
    for (int i = 0; i < n; ++i) prio[i] = i * 3 + pick(3);
    std::shuffle(prio.begin(), prio.end(), rng);
    for (int i = 0; i < n; ++i) {
      int k = pick(25);
      if (k == 14 && !allowErrors) k = 15;
      auto [pat, tr] = rule(k);
      os << "  rule \"r" << i << "\" priority " << prio[i] << " { pattern '" << pat
         << "' translation '" << tr << "'" << (pick(3) == 0 ? " internal_extension" : "") << " }\n";
    }
    os << "}\n";
  };
  plan("global");
  for (const auto& s : sites)
    if (pick(2)) plan("site \"" + s + "\"");
  for (const auto& p : pools)
    if (pick(3) == 0) plan("pool \"" + p + "\"");
  plan("\"DA\"");
  if (pick(2))
    plan("\"DB\"");
  else
    os << "dialplan \"DB\" { rule \"same\" priority 1 { pattern '^(\\d{4})$' translation '$1' } "
          "}\n";
  // Two identical plans: dedup-plans merges them.
  for (const char* tag : {"DC", "DD"})
    os << "dialplan \"" << tag << "\" {\n  rule \"nat\" priority 1 { pattern '^0(\\d{9})$' "
       << "translation '+44$1' }\n  rule \"ext\" priority 2 { pattern '^([2-6]\\d{3})$' "
       << "translation '+44207946$1' internal_extension }\n}\n";
  // Users.
  int nu = 10 + pick(30);
  for (int u = 0; u < nu; ++u) {
    os << "user \"sip:u" << u << "@gen.test\" {\n  pool \"" << pool() << "\"\n  line \"tel:+1555"
       << 1000 + u << ";ext=" << 1000 + u << "\"\n";
    if (pick(3) == 0) os << "  voice_policy \"" << (pick(2) ? "VA" : "VB") << "\"\n";
    if (pick(3) == 0)
      os << "  dialplan \"" << std::vector<std::string>{"DA", "DB", "DC", "DD"}[pick(4)] << "\"\n";
    os << "}\n";
  }
  g.text = os.str();
  for (const char* s : {"0", "1", "22", "333", "1234", "12345", "0011234567", "+4420", "9", "99",
                        "*", "#", "**", "9*", "00123", "14255551234"})
    g.samples.push_back(s);
  return g;
}

}  // namespace callpark::dispatch::testing

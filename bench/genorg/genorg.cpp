// genorg: writes a synthetic organisation (a policy directory) of a given size, for benchmarks.
//
//   genorg SCALE OUTDIR [--seed N] [--conflicts]
//
// SCALE 1 is a small organisation; SCALE 100 is the XL size of issue 4:
//   pools        SCALE            (two per site)
//   orbit ranges 10 * SCALE       of 5,000 numbers each (50,000 per pool, the spec's maximum):
//                40% `*` + 7 digits, 40% `#` + 7 digits, 20% plain 8 digits 50000000..
//   dial plans   10 * SCALE       of 30 rules: global, one per site, one per pool, the rest
//                                 per-user tags; rules drawn from about 300 distinct realistic
//                                 patterns (bench/genorg/RealisticRules.h: 10 country profiles x
//                                 8 site variants); each tag plan drops one rule and adds another
//                                 site's extension block, so almost every plan is distinct; every
//                                 plan optimizes device dialing with
//                                 access prefix "9" and starts with the pass-through rule for
//                                 the plain orbits (its "local 8" rule would rewrite them)
//   users        1,000 * SCALE    in users.json (Get-CsUser | ConvertTo-Json shape), spread
//                                 over the pools; every 7th has a tag dial plan, every 5th a tag
//                                 voice policy
//   park access  one per pool, *7NN
//   tests        a test block per site with orbit, park access, normalization and park checks
// With --conflicts, two plans get the classic mistakes: one without the pass-through rule, one
// with the pass-through after the rule that rewrites (CP801 for every plain range, one CP803).
// Without it, `parkc check` finds nothing to report. Output is deterministic for a seed.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench/genorg/RealisticRules.h"

namespace fs = std::filesystem;
using namespace callpark::bench;

namespace {

std::string pad(long v, int width) {
  std::string s = std::to_string(v);
  if (static_cast<int>(s.size()) < width) s.insert(0, width - s.size(), '0');
  return s;
}

std::string siteName(int s) {
  return "Site " + pad(s, 2);
}
std::string poolName(int p) {
  return "fe" + pad(p, 3) + ".contoso.com";
}

void writeFile(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
  if (!out) {
    std::fprintf(stderr, "genorg: cannot write %s\n", p.string().c_str());
    std::exit(2);
  }
}

struct Range {
  std::string name, start, end;
  int pool;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: genorg SCALE OUTDIR [--seed N] [--conflicts]\n");
    return 2;
  }
  int scale = std::atoi(argv[1]);
  fs::path dir = argv[2];
  unsigned seed = 1;
  bool conflicts = false;
  for (int i = 3; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--seed" && i + 1 < argc)
      seed = static_cast<unsigned>(std::atoi(argv[++i]));
    else if (a == "--conflicts")
      conflicts = true;
    else {
      std::fprintf(stderr, "genorg: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (scale < 1 || scale > 1000) {
    std::fprintf(stderr, "genorg: SCALE must be 1..1000\n");
    return 2;
  }
  std::mt19937 rng(seed);
  fs::create_directories(dir);

  const int pools = scale;
  const int sites = (pools + 1) / 2;
  const int ranges = 10 * scale;
  const int plans = 10 * scale;
  const int users = 1000 * scale;
  const int perRange = 5000;

  // topology.park
  std::ostringstream topo;
  topo << "// Synthetic organisation: scale " << scale << ", seed " << seed << " (bench/genorg).\n";
  for (int s = 0; s < sites; ++s) {
    topo << "site \"" << siteName(s) << "\" {";
    for (int p = 2 * s; p < std::min(pools, 2 * s + 2); ++p)
      topo << " pool \"" << poolName(p) << "\"";
    topo << " }\n";
  }
  writeFile(dir / "topology.park", topo.str());

  // orbits.park: ranges are assigned to pools round-robin, ten per pool.
  std::vector<Range> rs;
  std::ostringstream orb;
  int star = 0, hash = 0, plain = 0;
  for (int k = 0; k < ranges; ++k) {
    Range r;
    r.pool = k % pools;
    int kind = k % 10 < 4 ? 0 : k % 10 < 8 ? 1 : 2;
    long lo;
    if (kind == 0) {
      lo = 1000000L + static_cast<long>(star++) * perRange;
      r.start = "*" + pad(lo, 7);
      r.end = "*" + pad(lo + perRange - 1, 7);
    } else if (kind == 1) {
      lo = 1000000L + static_cast<long>(hash++) * perRange;
      r.start = "#" + pad(lo, 7);
      r.end = "#" + pad(lo + perRange - 1, 7);
    } else {
      lo = 50000000L + static_cast<long>(plain++) * perRange;
      r.start = pad(lo, 8);
      r.end = pad(lo + perRange - 1, 8);
    }
    r.name = "CPO " + pad(k, 4);
    orb << "orbit \"" << r.name << "\" { numbers " << r.start << ".." << r.end << "  pool \""
        << poolName(r.pool) << "\"" << (k % 4 == 3 ? "  allocation next" : "") << " }\n";
    rs.push_back(r);
  }
  for (int p = 0; p < pools; ++p)
    orb << "park_access \"*7" << pad(p, 2) << "\" { pool \"" << poolName(p) << "\" }\n";
  writeFile(dir / "orbits.park", orb.str());
  // The plain ranges' pass-through (50000000..): one pattern covering them all.
  long plainEnd = 50000000L + static_cast<long>(plain) * perRange - 1;
  std::string passThrough = plainEnd < 51000000L   ? "^(50\\d{6})$"
                            : plainEnd < 60000000L ? "^(5\\d{7})$"
                                                   : "^([5-9]\\d{7})$";

  // settings.park, policies.park
  writeFile(dir / "settings.park",
            "park_settings global {\n  pickup_timeout 90s\n  max_pickup_attempts 2\n"
            "  on_timeout \"sip:operator@contoso.com\"\n}\n"
            "park_settings site \"" +
                siteName(0) + "\" { pickup_timeout 2m }\n");
  writeFile(dir / "policies.park",
            "voice_policy global { call_park on }\n"
            "voice_policy \"Reception\" { call_park on }\n"
            "voice_policy \"Contractors\" { call_park on }\n");

  // dialplans.park
  const auto& countries = countryProfiles();
  std::set<std::string> distinct;
  std::ostringstream dp;
  std::vector<std::string> tags;
  int badMissing = conflicts ? plans / 3 : -1, badLate = conflicts ? 2 * plans / 3 : -1;
  for (int k = 0; k < plans; ++k) {
    std::string scope;
    int siteForPlan;
    if (k == 0) {
      scope = "global";
      siteForPlan = 0;
    } else if (k <= sites) {
      scope = "site \"" + siteName(k - 1) + "\"";
      siteForPlan = k - 1;
    } else if (k <= sites + pools) {
      scope = "pool \"" + poolName(k - 1 - sites) + "\"";
      siteForPlan = (k - 1 - sites) / 2;
    } else {
      std::string tag = "Plan " + pad(k, 4);
      tags.push_back(tag);
      scope = "\"" + tag + "\"";
      siteForPlan = static_cast<int>(rng() % static_cast<unsigned>(sites));
    }
    const CountryProfile& c = countries[static_cast<size_t>(siteForPlan) % countries.size()];
    int variant = (siteForPlan / 10 + k) % 8;
    std::vector<RuleShape> shapes = rulesFor(c, variant);
    if (!tags.empty() && scope[0] == '"') {
      // Per-user plans are each a little different, as they are in real organisations: one rule
      // dropped (never the emergency rule) and another site's extension block added after the
      // plan's own, so almost every plan is distinct (deduplication cannot hide the work).
      shapes.erase(shapes.begin() + 1 + static_cast<long>(rng() % (shapes.size() - 1)));
      int d = 1 + variant % 8, d2 = 1 + (variant + 4) % 8, d3 = d;
      while (d3 == d || d3 == d2) d3 = 2 + static_cast<int>(rng() % 7);
      size_t at = 0;
      while (at < shapes.size() && shapes[at].name.find("xxx extension") == std::string::npos) ++at;
      RuleShape extra{c.name + " " + std::to_string(d3) + "xxx extension",
                      "^(" + std::to_string(d3) + "\\d{" + std::to_string(c.extDigits) + "})$",
                      "+" + c.cc + c.areas[static_cast<size_t>(variant) % c.areas.size()] + "557$1",
                      true};
      shapes.insert(shapes.begin() + static_cast<long>(std::min(at + 2, shapes.size())), extra);
    }
    dp << "dialplan " << scope
       << " {\n  external_access_prefix \"9\"\n  optimize_device_dialing on\n";
    int prio = 0;
    auto rule = [&](const std::string& name, const std::string& p, const std::string& t, bool in) {
      distinct.insert(p);
      dp << "  rule \"" << name << "\" priority " << prio++ << " { pattern '" << p
         << "'  translation '" << t << "'" << (in ? "  internal_extension" : "") << " }\n";
    };
    if (k != badMissing && k != badLate) rule("Orbits", passThrough, "$1", false);
    for (size_t i = 0; i < shapes.size(); ++i) {
      rule(shapes[i].name, shapes[i].pattern, shapes[i].translation, shapes[i].internal);
      if (k == badLate && shapes[i].name.find("local 8") != std::string::npos)
        rule("Orbits", passThrough, "$1", false);
    }
    dp << "}\n";
  }
  writeFile(dir / "dialplans.park", dp.str());

  // users.json (+ users.park naming it)
  std::ostringstream js;
  js << "[\n";
  for (int u = 0; u < users; ++u) {
    int pool = u % pools;
    std::string ext = pad(1000 + u % 9000, 4);
    js << (u ? ",\n" : "") << "    {\n        \"SipAddress\":  \"sip:user" << pad(u, 6)
       << "@contoso.com\",\n        \"LineURI\":  \"tel:+1425" << pad(u % 10000000, 7)
       << ";ext=" << ext << "\",\n        \"RegistrarPool\":  \""
       << (u % 3 == 0 ? "Registrar:" : "") << poolName(pool) << "\",\n        \"VoicePolicy\":  "
       << (u % 5 == 0 ? (u % 10 == 0 ? "\"Reception\"" : "\"Contractors\"") : "null")
       << ",\n        \"DialPlan\":  "
       << (u % 7 == 0 && !tags.empty()
               ? "\"" + tags[static_cast<size_t>(u / 7) % tags.size()] + "\""
               : std::string("null"))
       << "\n    }";
  }
  js << "\n]\n";
  writeFile(dir / "users.json", js.str());
  writeFile(dir / "users.park",
            "users from \"users.json\"\n"
            "user \"sip:reception@contoso.com\" { pool \"" +
                poolName(0) + "\"  voice_policy \"Reception\" }\n");

  // tests.park: per site, the orbits of its first pool reach the park service.
  std::ostringstream tests;
  for (int s = 0; s < std::min(sites, 20); ++s) {
    int pool = 2 * s;
    tests << "test \"" << siteName(s) << "\" {\n";
    for (const Range& r : rs)
      if (r.pool == pool)
        tests << "  dial \"" << r.start << "\" with dialplan site \"" << siteName(s)
              << "\" => orbit \"" << r.name << "\"\n";
    tests << "  dial \"*7" << pad(pool, 2) << "\" with dialplan site \"" << siteName(s)
          << "\" => park pool \"" << poolName(pool) << "\"\n";
    tests << "  dial \"1234567\" with dialplan site \"" << siteName(s) << "\" => not_ours\n";
    tests << "}\n";
  }
  tests << "test \"who may park\" {\n  park as \"sip:reception@contoso.com\" => allowed\n"
        << "  park as \"sip:user000001@contoso.com\" => allowed\n}\n";
  writeFile(dir / "tests.park", tests.str());

  long numbers = static_cast<long>(ranges) * perRange;
  std::printf(
      "genorg: scale %d: %d sites, %d pools, %d orbit ranges (%ld numbers), %d dial plans "
      "x %zu rules (%zu distinct patterns), %d users -> %s\n",
      scale, sites, pools, ranges, numbers, plans, rulesFor(countries[0], 0).size() + 1,
      distinct.size(), users, dir.string().c_str());
  return 0;
}

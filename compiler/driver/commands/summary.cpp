// parkc summary: what a policy declares, resolved (effective settings per pool, who may park).
#include <iostream>
#include <sstream>

#include "compiler/driver/Command.h"
#include "compiler/driver/commands/Common.h"

namespace callpark::driver {

extern const char* const kSummaryUsage =
    "usage: parkc summary PATH...\n"
    "\n"
    "Prints the resolved policy: sites and pools, orbit ranges per pool with their size,\n"
    "the effective park settings of each pool, voice policies and how many users may park,\n"
    "dial plans and their rule counts. Diagnostics are not printed (use parkc check).\n";

static std::string duration(int64_t s) {
  std::ostringstream o;
  if (s >= 60) o << s / 60 << "m";
  if (s % 60 || s < 60) o << s % 60 << "s";
  return o.str();
}

int runSummary(const std::vector<std::string>& args) {
  const Command& self = *findCommand("summary");
  CommonOptions opts;
  if (auto err = parseCommonOptions(args, opts)) return usageError(self, *err);
  opts.compile.stopAfter = "model";
  Compilation c;
  if (!c.run(opts.compile)) {
    std::cerr << "parkc summary: " << c.toolError << "\n";
    return 2;
  }
  if (c.syntaxErrors || !c.model) {
    std::cerr << render::renderText(c.diags.diagnostics(), c.sm, renderOptions(false))
              << "parkc summary: the policy has syntax errors; fix them first (parkc check)\n";
    return 1;
  }
  const model::Model& m = *c.model;
  auto& out = std::cout;
  out << "files: " << c.parkFiles.size() << "\n";
  out << "sites: " << m.sites.size() << ", pools: " << m.pools.size() << "\n";
  for (size_t p = 0; p < m.pools.size(); ++p) {
    const auto& pool = m.pools[p];
    uint64_t park = 0, pickup = 0;
    size_t ranges = 0;
    for (const auto& o : m.orbits) {
      if (o.pool != static_cast<int>(p)) continue;
      ++ranges;
      (o.type == model::OrbitType::CallPark ? park : pickup) += o.size();
    }
    size_t homed = 0;
    for (const auto& u : m.users) homed += u.pool == static_cast<int>(p);
    auto s = m.effectiveSettings(static_cast<int>(p));
    out << "  pool " << pool.fqdn;
    if (pool.site != model::kNone) out << " (site " << m.sites[pool.site].name << ")";
    auto n = [](uint64_t k, const char* one, const char* many) {
      return std::to_string(k) + " " + (k == 1 ? one : many);
    };
    out << ": " << n(ranges, "orbit range", "orbit ranges") << ", "
        << n(park, "park orbit", "park orbits") << ", "
        << n(pickup, "group pickup number", "group pickup numbers") << ", "
        << n(homed, "user", "users") << "\n";
    out << "    settings: pickup timeout " << duration(s.pickupTimeoutSeconds) << ", "
        << s.maxPickupAttempts << " ringback attempt" << (s.maxPickupAttempts == 1 ? "" : "s")
        << ", music "
        << (s.musicOnHold ? (s.musicFile.empty() ? "on (built-in)" : "on (" + s.musicFile + ")")
                          : "off")
        << ", on timeout " << (s.onTimeout.empty() ? "disconnect" : s.onTimeout) << "\n";
    for (const auto& a : m.parkAccess)
      if (a.pool == static_cast<int>(p)) out << "    park access number " << a.number << "\n";
  }
  size_t mayPark = 0;
  for (size_t u = 0; u < m.users.size(); ++u) mayPark += m.mayPark(static_cast<int>(u));
  out << "voice policies: " << m.voicePolicies.size() << "; users: " << m.users.size() << ", "
      << mayPark << " may park\n";
  for (const auto& vp : m.voicePolicies)
    out << "  voice_policy " << model::describeScope(vp.scope, m) << ": call park "
        << (vp.callPark ? "on" : "off") << "\n";
  out << "dial plans: " << m.dialPlans.size() << "\n";
  for (const auto& dp : m.dialPlans)
    out << "  dialplan " << model::describeScope(dp.scope, m) << ": " << dp.rules.size() << " rule"
        << (dp.rules.size() == 1 ? "" : "s") << "\n";
  return 0;
}

}  // namespace callpark::driver

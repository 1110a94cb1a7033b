#include "compiler/diff/Canonical.h"

#include <algorithm>
#include <sstream>

#include "compiler/support/Strings.h"

namespace callpark::diff {
namespace {

std::string q(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}

thread_local bool gExtras = true;  // set by canonicalDump for its helpers
std::string annotations(const std::vector<ast::Annotation>& as) {
  if (!gExtras) return "";
  std::vector<std::string> v;
  for (const auto& a : as) v.push_back(" @allow(" + a.code.value + "," + q(a.reason.value) + ")");
  std::sort(v.begin(), v.end());
  std::string s;
  for (const auto& x : v) s += x;
  return s;
}

std::string scopeText(const ast::Scope& s) {
  switch (s.kind) {
    case ast::Scope::Global:
      return "global";
    case ast::Scope::Site:
      return "site " + q(s.name.value);
    case ast::Scope::Pool:
      return "pool " + q(s.name.value);
    case ast::Scope::Tag:
      return "tag " + q(s.name.value);
  }
  return "global";
}

template <class T>
std::string opt(const std::optional<T>& v) {
  if (!v) return "-";
  std::ostringstream o;
  if constexpr (std::is_same_v<T, std::string>)
    o << q(*v);
  else if constexpr (std::is_same_v<T, bool>)
    o << (*v ? "on" : "off");
  else
    o << *v;
  return o.str();
}

void sortedBlock(std::ostringstream& out, std::vector<std::string> lines) {
  std::sort(lines.begin(), lines.end());
  for (const auto& l : lines) out << l << "\n";
}

}  // namespace

std::string canonicalDump(const model::Model& m, const DumpOptions& opts) {
  gExtras = opts.astExtras;
  std::ostringstream out;
  auto poolName = [&](int p) { return p == model::kNone ? std::string("?") : m.pools[p].fqdn; };
  {
    std::vector<std::string> lines;
    for (const auto& s : m.sites) {
      std::vector<std::string> pools;
      for (int p : s.pools) pools.push_back(poolName(p));
      std::sort(pools.begin(), pools.end());
      std::string l = "site " + q(s.name) + " pools";
      for (const auto& p : pools) l += " " + p;
      if (s.decl) l += annotations(s.decl->annotations);
      lines.push_back(l);
    }
    for (const auto& p : m.pools)
      lines.push_back("pool " + p.fqdn + " site " +
                      (p.site == model::kNone ? std::string("-") : q(m.sites[p.site].name)));
    sortedBlock(out, lines);
  }
  {
    std::vector<std::string> lines;
    for (const auto& o : m.orbits)
      lines.push_back("orbit " + q(o.name) + " " + model::orbitTypeName(o.type) + " " +
                      o.start.text + ".." + o.end.text + " pool " + poolName(o.pool) + " " +
                      model::allocationName(o.allocation) +
                      (o.decl ? annotations(o.decl->annotations) : ""));
    for (const auto& a : m.parkAccess)
      lines.push_back("park_access " + a.number + " pool " + poolName(a.pool) +
                      (a.decl ? annotations(a.decl->annotations) : ""));
    sortedBlock(out, lines);
  }
  {
    std::vector<std::string> lines;
    for (const auto& s : m.settings)
      lines.push_back("park_settings " + model::describeScope(s.scope, m) + " pickup_timeout " +
                      opt(s.pickupTimeoutSeconds) + " max_pickup_attempts " +
                      opt(s.maxPickupAttempts) + " music_on_hold " + opt(s.musicOnHold) +
                      " on_timeout " + opt(s.onTimeout) + " music_file " +
                      opt(s.decl && s.decl->musicFile
                              ? std::optional<std::string>(s.decl->musicFile->value)
                              : s.musicFile) +
                      (s.decl ? annotations(s.decl->annotations) : ""));
    for (const auto& v : m.voicePolicies)
      lines.push_back("voice_policy " + model::describeScope(v.scope, m) + " call_park " +
                      (v.callParkWritten ? (v.callPark ? "on" : "off") : "-") +
                      (v.decl ? annotations(v.decl->annotations) : ""));
    sortedBlock(out, lines);
  }
  {
    std::vector<std::string> plans;
    for (const auto& d : m.dialPlans) {
      std::ostringstream p;
      p << "dialplan " << model::describeScope(d.scope, m) << " prefix "
        << q(d.externalAccessPrefix) << " optimize " << (d.optimizeDeviceDialing ? "on" : "off");
      if (d.decl) {
        p << " description "
          << opt(d.decl->description ? std::optional<std::string>(d.decl->description->value)
                                     : std::nullopt);
        if (opts.astExtras) p << annotations(d.decl->annotations);
      }
      p << "\n";
      for (size_t ri = 0; ri < d.rules.size(); ++ri) {
        const auto& r = d.rules[ri];
        p << "  rule " << q(r.name) << " priority "
          << (!opts.priorities    ? "#" + std::to_string(ri)
              : r.priorityWritten ? std::to_string(r.priority)
                                  : "-")
          << " pattern " << q(r.pattern) << " translation " << q(r.translation)
          << (r.internalExtension ? " internal" : "");
        if (r.decl && r.decl->description) p << " description " << q(r.decl->description->value);
        if (r.decl && opts.astExtras) p << annotations(r.decl->annotations);
        p << "\n";
      }
      plans.push_back(p.str());
    }
    std::sort(plans.begin(), plans.end());
    for (const auto& p : plans) out << p;
  }
  {
    std::vector<std::string> lines;
    for (const auto& u : m.users)
      lines.push_back(
          "user " + toLower(u.sip) + " pool " + poolName(u.pool) + " line " + q(u.line) +
          " voice_policy " +
          (u.voicePolicy == model::kNone ? std::string("-")
                                         : q(m.voicePolicies[u.voicePolicy].scope.tag)) +
          " dialplan " +
          (u.dialPlan == model::kNone ? std::string("-") : q(m.dialPlans[u.dialPlan].scope.tag)) +
          (u.decl ? annotations(u.decl->annotations) : ""));
    sortedBlock(out, lines);
  }
  if (m.ast && opts.astExtras) {
    std::vector<std::string> lines;
    for (const auto& f : m.ast->usersFrom) lines.push_back("users from " + q(f.path.value));
    for (const auto& t : m.ast->tests) {
      std::ostringstream o;
      o << "test " << q(t.name.value) << annotations(t.annotations) << "\n";
      for (const auto& x : t.expectations) {
        o << "  " << (x.kind == ast::Expectation::Dial ? "dial " + q(x.number->value) : "park");
        if (x.asUser) o << " as " << q(x.asUser->value);
        if (x.withDialPlan) o << " with " << scopeText(*x.withDialPlan);
        o << " => " << static_cast<int>(x.result) << " "
          << (x.resultName ? q(x.resultName->value) : "-") << (x.internal ? " internal" : "")
          << "\n";
      }
      lines.push_back(o.str());
    }
    std::sort(lines.begin(), lines.end());
    for (const auto& l : lines) out << l << (l.back() == '\n' ? "" : "\n");
  }
  return out.str();
}

}  // namespace callpark::diff

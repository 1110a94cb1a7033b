#include "compiler/analysis/Route.h"

#include "compiler/support/Strings.h"

namespace callpark::analysis {
namespace {

std::string dq(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

}  // namespace

PlanChoice choosePlan(const model::Model& m, int user) {
  PlanChoice c;
  if (user < 0 || static_cast<size_t>(user) >= m.users.size()) return c;
  const model::User& u = m.users[user];
  std::string who = u.sip;
  if (u.dialPlan != model::kNone) {
    c.plan = u.dialPlan;
    c.why = "it is assigned to " + who;
    return c;
  }
  std::string why = who + " has no dial plan of their own";
  if (u.pool != model::kNone) {
    const model::Pool& pool = m.pools[u.pool];
    int dp = m.findDialPlan({ast::Scope::Pool, u.pool, {}});
    if (dp != model::kNone) {
      c.plan = dp;
      c.why = why + ", and it is the plan of their pool " + dq(pool.fqdn);
      return c;
    }
    why += ", their pool " + dq(pool.fqdn) + " has none";
    if (pool.site != model::kNone) {
      dp = m.findDialPlan({ast::Scope::Site, pool.site, {}});
      if (dp != model::kNone) {
        c.plan = dp;
        c.why = why + ", and it is the plan of their site " + dq(m.sites[pool.site].name);
        return c;
      }
      why += ", their site " + dq(m.sites[pool.site].name) + " has none";
    }
  } else {
    why += " and no known pool";
  }
  c.plan = m.findDialPlan({ast::Scope::Global, model::kNone, {}});
  c.why = c.plan != model::kNone ? why + ", so the global plan applies"
                                 : why + ", and there is no global plan";
  return c;
}

PolicyChoice choosePolicy(const model::Model& m, int user) {
  PolicyChoice c;
  if (user < 0 || static_cast<size_t>(user) >= m.users.size()) return c;
  const model::User& u = m.users[user];
  c.policy = m.effectiveVoicePolicy(user);
  c.mayPark = m.mayPark(user);
  std::string state;
  if (c.policy != model::kNone) {
    const model::VoicePolicy& vp = m.voicePolicies[c.policy];
    state = "voice policy " + model::describeScope(vp.scope, m) + " (call_park " +
            (vp.callPark ? "on" : "off") + (vp.callParkWritten ? "" : " by default") + ")";
  }
  if (u.voicePolicy != model::kNone) {
    c.why = state + " is assigned to " + u.sip;
  } else if (c.policy != model::kNone && m.voicePolicies[c.policy].scope.kind == ast::Scope::Site) {
    c.why = state + " governs " + u.sip + ", who has no voice policy of their own";
  } else if (c.policy != model::kNone) {
    c.why = state + " governs " + u.sip +
            ", who has no voice policy of their own and whose site has none";
  } else {
    c.why = "no voice policy applies to " + u.sip +
            " (none of their own, none for their site, "
            "no global one), so call park is off";
  }
  return c;
}

std::optional<model::ScopeRef> resolveScope(const model::Model& m, const ast::Scope& s) {
  model::ScopeRef ref;
  ref.kind = s.kind;
  switch (s.kind) {
    case ast::Scope::Global:
      break;
    case ast::Scope::Site:
      ref.index = m.findSite(s.name.value);
      if (ref.index == model::kNone) return std::nullopt;
      break;
    case ast::Scope::Pool:
      ref.index = m.findPool(s.name.value);
      if (ref.index == model::kNone) return std::nullopt;
      break;
    case ast::Scope::Tag:
      ref.tag = s.name.value;
      break;
  }
  return ref;
}

std::optional<model::ScopeRef> parseScope(const model::Model& m, std::string_view text,
                                          std::string* error) {
  model::ScopeRef ref;
  std::string lower = toLower(text);
  auto after = [&](std::string_view prefix) { return std::string(text.substr(prefix.size())); };
  if (lower == "global") return ref;
  if (lower.rfind("site:", 0) == 0) {
    ref.kind = ast::Scope::Site;
    ref.index = m.findSite(after("site:"));
    if (ref.index == model::kNone) {
      if (error) *error = "no site named \"" + after("site:") + "\"";
      return std::nullopt;
    }
    return ref;
  }
  if (lower.rfind("pool:", 0) == 0 || lower.rfind("service:", 0) == 0) {
    std::string spelling = lower.rfind("pool:", 0) == 0 ? after("pool:") : std::string(text);
    ref.kind = ast::Scope::Pool;
    ref.index = m.findPool(spelling);
    if (ref.index == model::kNone) {
      if (error) *error = "no pool named \"" + spelling + "\"";
      return std::nullopt;
    }
    return ref;
  }
  ref.kind = ast::Scope::Tag;
  ref.tag = lower.rfind("tag:", 0) == 0 ? after("tag:") : std::string(text);
  return ref;
}

const normalize::CompiledDialPlan& Router::compiled(int plan) {
  auto& slot = plans_[plan];
  if (!slot)
    slot = std::make_unique<normalize::CompiledDialPlan>(
        normalize::CompiledDialPlan::compile(m_.dialPlans.at(plan)));
  return *slot;
}

Routed Router::route(int plan, std::string_view dialed, bool withTrace) {
  Routed r;
  r.plan = plan;
  if (plan == model::kNone) {
    r.normalized.result = std::string(dialed);
  } else if (withTrace) {
    r.trace = compiled(plan).trace(dialed);
    r.normalized = r.trace->outcome;
  } else {
    r.normalized = compiled(plan).normalize(dialed);
  }
  r.destination = index_.classify(r.normalized.result);
  return r;
}

std::string describeDestination(const model::Model& m, const Destination& d,
                                std::string_view number) {
  switch (d.kind) {
    case Destination::Orbit: {
      const model::OrbitRange& r = m.orbits[d.index];
      std::string what = r.type == model::OrbitType::GroupPickup ? "group pickup orbit " : "orbit ";
      return what + std::string(number) + " of range " + dq(r.name) +
             (d.pool != model::kNone ? " (pool " + dq(m.pools[d.pool].fqdn) + ")" : "");
    }
    case Destination::ParkAccess:
      return "park access number " + std::string(number) +
             (d.pool != model::kNone ? " of pool " + dq(m.pools[d.pool].fqdn) : "");
    case Destination::NotOurs:
      break;
  }
  return "not ours";
}

}  // namespace callpark::analysis

#include "compiler/dispatch/reference/Reference.h"

#include <cstring>

#include "compiler/dispatch/interp/Interpreter.h"

namespace callpark::dispatch {

NaiveReference::NaiveReference(const model::Model& m, std::vector<int> planOfModel)
    : m_(m), planOfModel_(std::move(planOfModel)) {
  for (const auto& dp : m.dialPlans) plans_.push_back(normalize::CompiledDialPlan::compile(dp));
  for (size_t p = 0; p < m.pools.size(); ++p)
    settings_.push_back(m.effectiveSettings(static_cast<int>(p)));
  settings_.push_back(m.effectiveSettings(model::kNone));
}

bool NaiveReference::resolve(const cp_caller& c, int* plan, bool* mayPark) const {
  if (c.user >= 0) {
    if (static_cast<size_t>(c.user) >= m_.users.size()) return false;
    *plan = m_.effectiveDialPlan(c.user);
    *mayPark = m_.mayPark(c.user);
    return true;
  }
  if (c.user != CP_NONE) return false;
  if (c.pool < CP_NONE || (c.pool >= 0 && static_cast<size_t>(c.pool) >= m_.pools.size()))
    return false;
  int site = c.pool >= 0 ? m_.pools[c.pool].site : model::kNone;
  if (c.dial_plan == CP_INHERIT) {
    *plan = model::kNone;
    if (c.pool >= 0) *plan = m_.findDialPlan({ast::Scope::Pool, c.pool, {}});
    if (*plan == model::kNone && site != model::kNone)
      *plan = m_.findDialPlan({ast::Scope::Site, site, {}});
    if (*plan == model::kNone) *plan = m_.findDialPlan({ast::Scope::Global, model::kNone, {}});
  } else if (c.dial_plan == CP_NONE) {
    *plan = model::kNone;
  } else if (c.dial_plan >= 0 && static_cast<size_t>(c.dial_plan) < m_.dialPlans.size()) {
    *plan = c.dial_plan;
  } else {
    return false;
  }
  if (c.voice_policy == CP_INHERIT) {
    int vp = model::kNone;
    if (site != model::kNone) vp = m_.findVoicePolicy({ast::Scope::Site, site, {}});
    if (vp == model::kNone) vp = m_.findVoicePolicy({ast::Scope::Global, model::kNone, {}});
    *mayPark = vp != model::kNone && m_.voicePolicies[vp].callPark;
  } else if (c.voice_policy == CP_NONE) {
    *mayPark = false;
  } else if (c.voice_policy >= 0 && static_cast<size_t>(c.voice_policy) < m_.voicePolicies.size()) {
    *mayPark = m_.voicePolicies[c.voice_policy].callPark;
  } else {
    return false;
  }
  return true;
}

int32_t NaiveReference::dispatch(const cp_caller* caller, const char* d, uint32_t len,
                                 cp_dispatch_result* out) const {
  clearResult(out);
  if (len > CP_MAX_NUMBER) return CP_STATUS_TOO_LONG;
  int plan = model::kNone;
  bool mayPark = false;
  if (!resolve(*caller, &plan, &mayPark)) return CP_STATUS_BAD_CALLER;
  out->may_park = mayPark;
  std::string normalized(d, len);
  if (plan != model::kNone) {
    out->plan = planOfModel_[plan];
    normalize::Normalized n = plans_[plan].normalizeOneByOne(std::string_view(d, len));
    if (n.rule >= 0) {
      out->rule = n.rule;
      if (n.result.size() > CP_MAX_NUMBER) return CP_STATUS_TOO_LONG;
      out->internal = n.internal;
    }
    normalized = n.result;
  }
  std::memcpy(out->normalized, normalized.data(), normalized.size());
  out->normalized[normalized.size()] = 0;
  out->normalized_len = static_cast<uint32_t>(normalized.size());

  for (size_t a = 0; a < m_.parkAccess.size(); ++a) {
    const auto& pa = m_.parkAccess[a];
    if (pa.pool == model::kNone || pa.number.empty() || pa.number != normalized) continue;
    out->action = CP_ACTION_PARK;
    out->pool = pa.pool;
    out->target = static_cast<int32_t>(a);
    return CP_STATUS_OK;
  }
  model::DialNumber n = model::DialNumber::parse(normalized);
  if (!n.wellFormed) return CP_STATUS_OK;
  for (size_t r = 0; r < m_.orbits.size(); ++r) {
    const auto& o = m_.orbits[r];
    if (o.pool == model::kNone || !o.usable()) continue;
    if (o.start.prefix != n.prefix || o.start.digits.size() != n.digits.size()) continue;
    if (n.value < o.start.value || n.value > o.end.value) continue;
    uint64_t before = 0;  // orbits of the pool's earlier ranges of the same type
    for (size_t q = 0; q < r; ++q) {
      const auto& p = m_.orbits[q];
      if (p.pool == o.pool && p.type == o.type && p.usable()) before += p.size();
    }
    out->action = o.type == model::OrbitType::CallPark ? CP_ACTION_RETRIEVE : CP_ACTION_PICKUP;
    out->pool = o.pool;
    out->target = static_cast<int32_t>(r);
    out->orbit = static_cast<int32_t>(n.value - o.start.value);
    out->pool_orbit = static_cast<int32_t>(before + (n.value - o.start.value));
    return CP_STATUS_OK;
  }
  return CP_STATUS_OK;
}

int32_t NaiveReference::mayPark(const cp_caller* caller) const {
  int plan;
  bool may = false;
  if (!resolve(*caller, &plan, &may)) return -1;
  return may ? 1 : 0;
}

int32_t NaiveReference::settings(int32_t pool, cp_park_settings* out) const {
  std::memset(out, 0, sizeof *out);
  out->on_timeout = "";
  out->music_file = "";
  if (pool < CP_NONE || (pool >= 0 && static_cast<size_t>(pool) >= m_.pools.size()))
    return CP_STATUS_BAD_CALLER;
  const model::EffectiveSettings& s = settings_[pool >= 0 ? pool : m_.pools.size()];
  out->pickup_timeout_seconds = s.pickupTimeoutSeconds;
  out->max_pickup_attempts = static_cast<int32_t>(s.maxPickupAttempts);
  out->music_on_hold = s.musicOnHold;
  out->on_timeout = s.onTimeout.c_str();
  out->music_file = s.musicFile.c_str();
  return CP_STATUS_OK;
}

}  // namespace callpark::dispatch

#include "compiler/model/Model.h"

#include <algorithm>

#include "compiler/support/Strings.h"

namespace callpark::model {

namespace {

// Whether `s` starts with `prefix`, ignoring ASCII case.
bool startsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

}  // namespace

std::string canonicalPool(std::string_view spelling) {
  std::string_view s = spelling;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (startsWithNoCase(s, "service:")) s.remove_prefix(8);
  if (startsWithNoCase(s, "ApplicationServer:"))
    s.remove_prefix(18);
  else if (startsWithNoCase(s, "Registrar:"))
    s.remove_prefix(10);
  return toLower(s);
}

const char* orbitTypeName(OrbitType t) {
  switch (t) {
    case OrbitType::CallPark:
      return "callpark";
    case OrbitType::GroupPickup:
      return "group_pickup";
  }
  return "callpark";
}

const char* allocationName(Allocation a) {
  switch (a) {
    case Allocation::LeastRecent:
      return "least_recent";
    case Allocation::Random:
      return "random";
    case Allocation::Next:
      return "next";
    case Allocation::First:
      return "first";
  }
  return "least_recent";
}

DialNumber DialNumber::parse(std::string_view text) {
  DialNumber n;
  n.text = std::string(text);
  std::string_view rest = text;
  if (!rest.empty() && (rest.front() == '*' || rest.front() == '#')) {
    n.prefix = rest.front();
    rest.remove_prefix(1);
  }
  n.digits = std::string(rest);
  bool allDigits =
      !rest.empty() && rest.size() <= 18 &&
      std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (allDigits) {
    uint64_t v = 0;
    for (char c : rest) v = v * 10 + static_cast<uint64_t>(c - '0');
    n.value = v;
    n.wellFormed = true;
  }
  return n;
}

bool OrbitRange::usable() const {
  return start.wellFormed && end.wellFormed && start.prefix == end.prefix &&
         start.digits.size() == end.digits.size() && start.value <= end.value;
}

std::string OrbitRange::numberAt(uint64_t index) const {
  std::string digits = std::to_string(start.value + index);
  std::string out;
  if (start.prefix) out.push_back(start.prefix);
  if (digits.size() < start.digits.size()) out.append(start.digits.size() - digits.size(), '0');
  out += digits;
  return out;
}

std::string describeScope(const ScopeRef& s, const Model& m) {
  switch (s.kind) {
    case ast::Scope::Global:
      return "global";
    case ast::Scope::Site:
      if (s.index >= 0 && static_cast<size_t>(s.index) < m.sites.size())
        return "site \"" + m.sites[s.index].name + "\"";
      return "site (unknown)";
    case ast::Scope::Pool:
      if (s.index >= 0 && static_cast<size_t>(s.index) < m.pools.size())
        return "pool \"" + m.pools[s.index].fqdn + "\"";
      return "pool (unknown)";
    case ast::Scope::Tag:
      return "tag \"" + s.tag + "\"";
  }
  return "global";
}

int Model::findPool(std::string_view spelling) const {
  auto it = poolByName.find(canonicalPool(spelling));
  return it == poolByName.end() ? kNone : it->second;
}

int Model::findSite(std::string_view name) const {
  auto it = siteByName.find(std::string(name));
  return it == siteByName.end() ? kNone : it->second;
}

int Model::findUser(std::string_view sip) const {
  auto it = userBySip.find(toLower(sip));
  return it == userBySip.end() ? kNone : it->second;
}

namespace {

// The first element of `items` whose scope is `s`; kNone for unresolved site/pool scopes.
template <class T>
int findByScope(const std::vector<T>& items, const std::map<std::string, int>& byTag,
                const ScopeRef& s) {
  if (s.kind == ast::Scope::Tag) {
    auto it = byTag.find(s.tag);
    return it == byTag.end() ? kNone : it->second;
  }
  if ((s.kind == ast::Scope::Site || s.kind == ast::Scope::Pool) && s.index == kNone) return kNone;
  for (size_t i = 0; i < items.size(); ++i)
    if (items[i].scope.kind == s.kind && items[i].scope.index == s.index)
      return static_cast<int>(i);
  return kNone;
}

}  // namespace

int Model::findSettings(const ScopeRef& s) const {
  if (s.kind == ast::Scope::Tag) return kNone;  // settings have no tag scope
  static const std::map<std::string, int> kNoTags;
  return findByScope(settings, kNoTags, s);
}

int Model::findVoicePolicy(const ScopeRef& s) const {
  return findByScope(voicePolicies, voicePolicyByTag, s);
}

int Model::findDialPlan(const ScopeRef& s) const {
  return findByScope(dialPlans, dialPlanByTag, s);
}

EffectiveSettings Model::effectiveSettings(int pool) const {
  EffectiveSettings e;
  // Most specific first; a field is taken from the first scope that sets it.
  int chain[3] = {kNone, kNone, kNone};
  if (pool >= 0 && static_cast<size_t>(pool) < pools.size()) {
    chain[0] = findSettings({ast::Scope::Pool, pool, {}});
    if (pools[pool].site != kNone)
      chain[1] = findSettings({ast::Scope::Site, pools[pool].site, {}});
  }
  chain[2] = findSettings({ast::Scope::Global, kNone, {}});
  bool haveTimeout = false, haveAttempts = false, haveMoh = false, haveOnTimeout = false,
       haveMusic = false;
  for (int idx : chain) {
    if (idx == kNone) continue;
    const ParkSettings& ps = settings[idx];
    if (!haveTimeout && ps.pickupTimeoutSeconds) {
      e.pickupTimeoutSeconds = *ps.pickupTimeoutSeconds;
      e.fromPickupTimeout = idx;
      haveTimeout = true;
    }
    if (!haveAttempts && ps.maxPickupAttempts) {
      e.maxPickupAttempts = *ps.maxPickupAttempts;
      e.fromMaxAttempts = idx;
      haveAttempts = true;
    }
    if (!haveMoh && ps.musicOnHold) {
      e.musicOnHold = *ps.musicOnHold;
      e.fromMusicOnHold = idx;
      haveMoh = true;
    }
    if (!haveOnTimeout && ps.onTimeout) {
      e.onTimeout = *ps.onTimeout;
      e.fromOnTimeout = idx;
      haveOnTimeout = true;
    }
    if (!haveMusic && ps.musicFile) {
      e.musicFile = *ps.musicFile;
      e.fromMusicFile = idx;
      haveMusic = true;
    }
  }
  return e;
}

int Model::effectiveVoicePolicy(int user) const {
  if (user < 0 || static_cast<size_t>(user) >= users.size()) return kNone;
  const User& u = users[user];
  if (u.voicePolicy != kNone) return u.voicePolicy;
  if (u.pool != kNone && pools[u.pool].site != kNone) {
    int vp = findVoicePolicy({ast::Scope::Site, pools[u.pool].site, {}});
    if (vp != kNone) return vp;
  }
  return findVoicePolicy({ast::Scope::Global, kNone, {}});
}

bool Model::mayPark(int user) const {
  int vp = effectiveVoicePolicy(user);
  return vp != kNone && voicePolicies[vp].callPark;
}

int Model::effectiveDialPlan(int user) const {
  if (user < 0 || static_cast<size_t>(user) >= users.size()) return kNone;
  const User& u = users[user];
  if (u.dialPlan != kNone) return u.dialPlan;
  if (u.pool != kNone) {
    int dp = findDialPlan({ast::Scope::Pool, u.pool, {}});
    if (dp != kNone) return dp;
    if (pools[u.pool].site != kNone) {
      dp = findDialPlan({ast::Scope::Site, pools[u.pool].site, {}});
      if (dp != kNone) return dp;
    }
  }
  return findDialPlan({ast::Scope::Global, kNone, {}});
}

}  // namespace callpark::model

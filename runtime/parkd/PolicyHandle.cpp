// loadPolicy: compiler front end -> checked model -> the interim dispatch back end below.
//
// ModelPolicy decides directly over the checked model with the compiled dial plans of
// compiler/normalize (one RE2::Set pass per dial plan, the same engine the dispatch code calls
// through cp_rt_normalize_v1). It is the reference the compiled dispatch code must agree with;
// parkd switches to the compiled back end when compiler/dispatch provides it.
#include "runtime/parkd/PolicyHandle.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <unordered_map>

#include "compiler/diag/render/Render.h"
#include "compiler/driver/Compilation.h"
#include "compiler/normalize/CompiledDialPlan.h"
#include "runtime/park/Orbit.h"

namespace callpark::parkd {

const char* actionName(Action a) {
  switch (a) {
    case Action::NotOurs:
      return "not_ours";
    case Action::Park:
      return "park";
    case Action::Retrieve:
      return "retrieve";
    case Action::Pickup:
      return "pickup";
  }
  return "?";
}

std::string canonicalSipUri(std::string_view uri) {
  size_t lt = uri.find('<');
  if (lt != std::string_view::npos) {
    size_t gt = uri.find('>', lt);
    uri = uri.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
  }
  while (!uri.empty() && uri.front() == ' ') uri.remove_prefix(1);
  size_t cut = uri.find_first_of(";?> ");
  if (cut != std::string_view::npos) uri = uri.substr(0, cut);
  std::string out(uri);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

namespace {

park::Allocation toRuntime(model::Allocation a) {
  switch (a) {
    case model::Allocation::LeastRecent:
      return park::Allocation::LeastRecent;
    case model::Allocation::Random:
      return park::Allocation::Random;
    case model::Allocation::Next:
      return park::Allocation::Next;
    case model::Allocation::First:
      return park::Allocation::First;
  }
  return park::Allocation::LeastRecent;
}

class ModelPolicy final : public PolicyHandle {
 public:
  std::unique_ptr<driver::Compilation> comp;
  std::vector<normalize::CompiledDialPlan> plans;
  std::unordered_map<std::string, int> accessPool;  // park access number -> pool index
  struct RangeRef {
    uint64_t lo, hi;
    int orbit;  // model index
  };
  std::vector<RangeRef> ranges;  // sorted by lo
  park::RuntimePolicy runtime;
  std::map<std::string, std::shared_ptr<const media::MusicClip>> musicByFile;
  std::string src;

  const model::Model& m() const { return *comp->model; }

  int planFor(int user) const {
    if (user >= 0) return m().effectiveDialPlan(user);
    return m().findDialPlan(model::ScopeRef{});
  }
  bool mayParkUser(int user) const {
    if (user >= 0) return m().mayPark(user);
    int vp = m().findVoicePolicy(model::ScopeRef{});
    return vp >= 0 && m().voicePolicies[vp].callPark;
  }

  Decision dispatch(std::string_view caller, std::string_view dialed) const override {
    Decision d;
    int user = m().findUser(canonicalSipUri(caller));
    d.knownCaller = user >= 0;
    d.mayPark = mayParkUser(user);
    int plan = planFor(user);
    if (plan >= 0)
      plans[size_t(plan)].normalizeInto(dialed, &d.normalized);
    else
      d.normalized.assign(dialed);
    if (plan >= 0 && d.normalized.empty()) d.normalized.assign(dialed);
    if (auto it = accessPool.find(d.normalized); it != accessPool.end()) {
      d.action = Action::Park;
      d.pool = m().pools[size_t(it->second)].fqdn;
      return d;
    }
    if (auto parts = park::parseOrbit(d.normalized)) {
      uint64_t key = park::orbitKey(*parts);
      auto it = std::upper_bound(ranges.begin(), ranges.end(), key,
                                 [](uint64_t k, const RangeRef& r) { return k < r.lo; });
      if (it != ranges.begin()) {
        --it;
        if (key <= it->hi) {
          const model::OrbitRange& r = m().orbits[size_t(it->orbit)];
          d.action = r.type == model::OrbitType::CallPark ? Action::Retrieve : Action::Pickup;
          d.range = r.name;
          d.pool = r.pool >= 0 ? m().pools[size_t(r.pool)].fqdn : "";
        }
      }
    }
    return d;
  }
  bool mayPark(std::string_view caller) const override {
    return mayParkUser(m().findUser(canonicalSipUri(caller)));
  }
  const park::RuntimePolicy& runtimePolicy() const override { return runtime; }
  std::shared_ptr<const media::MusicClip> music(const std::string& file) const override {
    if (file.empty()) return media::defaultMusic();
    auto it = musicByFile.find(file);
    return it == musicByFile.end() ? media::defaultMusic() : it->second;
  }
  std::string backend() const override { return "model interpreter (compiled dial plans)"; }
  const std::string& source() const override { return src; }
};

}  // namespace

PolicyLoad loadPolicy(const std::string& path, const LoadOptions& options) {
  PolicyLoad out;
  auto p = std::make_shared<ModelPolicy>();
  p->src = path;
  p->comp = std::make_unique<driver::Compilation>();
  driver::CompileOptions co;
  co.paths = {path};
  co.runPolicyTests = true;
  if (!p->comp->run(co)) {
    out.toolError = p->comp->toolError;
    return out;
  }
  auto& c = *p->comp;
  const auto& diags = c.diags.diagnostics();
  out.errors = c.diags.count(Severity::Error);
  out.warnings = c.diags.count(Severity::Warning);
  render::RenderOptions ro;
  ro.severityHint = false;
  out.diagnosticsJson = render::renderJson(diags, c.sm, ro);
  out.diagnosticsText = render::renderText(diags, c.sm, ro);
  if (out.errors > 0 || !c.model) {
    if (!c.model && out.toolError.empty()) out.toolError = "the policy model could not be built";
    return out;
  }
  const model::Model& m = *c.model;
  for (const auto& dp : m.dialPlans) p->plans.push_back(normalize::CompiledDialPlan::compile(dp));
  for (const auto& a : m.parkAccess)
    if (a.pool >= 0) p->accessPool.emplace(a.number, a.pool);
  for (size_t i = 0; i < m.orbits.size(); ++i) {
    const auto& r = m.orbits[i];
    if (!r.usable() || r.pool < 0) continue;
    auto lo = park::parseOrbit(r.start.text), hi = park::parseOrbit(r.end.text);
    if (!lo || !hi) continue;
    p->ranges.push_back({park::orbitKey(*lo), park::orbitKey(*hi), int(i)});
  }
  std::sort(p->ranges.begin(), p->ranges.end(),
            [](const auto& a, const auto& b) { return a.lo < b.lo; });

  double scale = options.timeScale > 0 ? options.timeScale : 1.0;
  for (size_t pi = 0; pi < m.pools.size(); ++pi) {
    park::PoolSpec pool;
    pool.name = m.pools[pi].fqdn;
    for (const auto& r : m.orbits) {
      if (r.pool != int(pi) || r.type != model::OrbitType::CallPark || !r.usable()) continue;
      auto lo = park::parseOrbit(r.start.text), hi = park::parseOrbit(r.end.text);
      if (!lo || !hi) continue;
      park::RangeSpec rs;
      rs.name = r.name;
      rs.prefix = lo->prefix;
      rs.digits = lo->digits;
      rs.lo = lo->value;
      rs.hi = hi->value;
      rs.allocation = toRuntime(r.allocation);
      pool.ranges.push_back(rs);
    }
    if (pool.ranges.empty()) continue;
    model::EffectiveSettings es = m.effectiveSettings(int(pi));
    pool.settings.pickupTimeoutMs =
        uint32_t(std::max(1.0, std::round(double(es.pickupTimeoutSeconds) * 1000.0 / scale)));
    pool.settings.maxAttempts = uint8_t(std::clamp<int64_t>(es.maxPickupAttempts, 1, 255));
    pool.settings.onTimeoutUri = es.onTimeout;
    pool.settings.musicOnHold = es.musicOnHold;
    pool.settings.musicFile = es.musicFile;
    if (!es.musicFile.empty() && !p->musicByFile.count(es.musicFile)) {
      media::MusicLoad ml = media::loadWavMusic(es.musicFile);
      if (!ml.clip) {
        out.toolError = ml.error;
        return out;
      }
      p->musicByFile.emplace(es.musicFile, ml.clip);
    }
    p->runtime.pools.push_back(std::move(pool));
  }
  if (std::string why = park::validatePolicy(p->runtime); !why.empty()) {
    out.toolError = "the policy cannot be served: " + why;
    return out;
  }
  out.policy = std::move(p);
  return out;
}

}  // namespace callpark::parkd

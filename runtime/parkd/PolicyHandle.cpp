// loadPolicy: a policy directory (front end -> checked model -> Dispatcher::fromModel) or a
// bundle (stamp current: Dispatcher::loadBytes links its object code; stale: the policy the
// stamp names goes through the same front end again). Then what the park runtime and the media
// engine need, read from the Dispatcher: the pools' call park ranges (bundle::PolicyInfo), their
// settings (cp_settings_v1, the compiled code's own answer) and their music.
#include "runtime/parkd/PolicyHandle.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "compiler/diag/render/Render.h"
#include "compiler/dispatch/bundle/Bundle.h"
#include "compiler/dispatch/dispatcher/Dispatcher.h"
#include "compiler/driver/Compilation.h"

namespace callpark::parkd {

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

bool isBundlePath(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  return !(path.size() >= 5 && path.compare(path.size() - 5, 5, ".park") == 0);
}

std::string PolicyOrigin::describe() const {
  if (!bundle) return "compiled from the policy";
  if (!recompiled) return "bundle: object code linked (stamp current)";
  std::string s = "bundle: stale (" + staleReason + "), recompiled";
  if (rewritten)
    s += ", bundle rewritten";
  else if (!rewriteError.empty())
    s += ", bundle not rewritten: " + rewriteError;
  else
    s += ", bundle file unchanged (--write-bundle rewrites it)";
  return s;
}

PolicyHandle::PolicyHandle() = default;
PolicyHandle::~PolicyHandle() = default;

Decision PolicyHandle::dispatch(std::string_view caller, std::string_view dialed) const {
  Decision out;
  cp_caller c = d_->callerFor(canonicalSipUri(caller));
  out.knownCaller = c.user >= 0;
  cp_dispatch_result r;
  int32_t status = d_->dispatch(c, dialed, &r);
  out.mayPark = r.may_park != 0;
  if (status != CP_STATUS_OK) {  // too long, or a caller the code does not know: not ours
    out.normalized.assign(dialed);
    return out;
  }
  out.normalized.assign(r.normalized, r.normalized_len);
  const dispatch::ir::Module& m = d_->module();
  if (r.pool >= 0 && size_t(r.pool) < m.poolNames.size()) out.pool = m.poolNames[size_t(r.pool)];
  switch (r.action) {
    case CP_ACTION_PARK:
      out.action = Action::Park;
      break;
    case CP_ACTION_RETRIEVE:
    case CP_ACTION_PICKUP:
      out.action = r.action == CP_ACTION_RETRIEVE ? Action::Retrieve : Action::Pickup;
      if (r.target >= 0 && size_t(r.target) < m.rangeNames.size())
        out.range = m.rangeNames[size_t(r.target)];
      break;
    default:
      break;
  }
  return out;
}

bool PolicyHandle::mayPark(std::string_view caller) const {
  return d_->mayPark(std::string_view(canonicalSipUri(caller)));
}

std::shared_ptr<const media::MusicClip> PolicyHandle::music(const std::string& file) const {
  if (file.empty()) return media::defaultMusic();
  auto it = musicByFile_.find(file);
  return it == musicByFile_.end() ? media::defaultMusic() : it->second;
}

const char* PolicyHandle::backendKind() const {
  return d_->backend() == dispatch::Backend::Jit ? "jit" : "interpreter";
}

std::string PolicyHandle::backend() const {
  return d_->backendName();
}

const std::string& PolicyHandle::fallbackReason() const {
  return d_->fallbackReason();
}

// ---- loading ----------------------------------------------------------------------------------

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

}  // namespace

struct PolicyLoader {
  const LoadOptions& options;
  PolicyLoad& out;

  dispatch::DispatcherOptions dispatcherOptions(int optLevel) const {
    dispatch::DispatcherOptions o;
    o.optLevel = optLevel;
    o.warn = options.warn;
    return o;
  }

  // The whole front end (with the policy's tests, as `parkc check`); on success a Dispatcher
  // from the checked model. Null when the policy has errors (diagnostics in `out`).
  std::unique_ptr<dispatch::Dispatcher> compile(const std::vector<std::string>& paths,
                                                int optLevel) {
    driver::Compilation c;
    driver::CompileOptions co;
    co.paths = paths;
    co.runPolicyTests = true;
    if (!c.run(co)) {
      out.toolError = c.toolError;
      return nullptr;
    }
    const auto& diags = c.diags.diagnostics();
    out.errors = c.diags.count(Severity::Error);
    out.warnings = c.diags.count(Severity::Warning);
    render::RenderOptions ro;
    ro.severityHint = false;
    out.diagnosticsJson = render::renderJson(diags, c.sm, ro);
    out.diagnosticsText = render::renderText(diags, c.sm, ro);
    if (out.errors > 0) return nullptr;
    if (!c.model) {
      out.toolError = "the policy model could not be built";
      return nullptr;
    }
    return dispatch::Dispatcher::fromModel(*c.model, c.sm, paths, dispatcherOptions(optLevel));
  }

  std::unique_ptr<dispatch::Dispatcher> loadBundle(const std::string& path) {
    out.origin.bundle = true;
    std::string bytes, error;
    if (!dispatch::bundle::readFile(path, &bytes, &error)) {
      out.toolError = error;
      return nullptr;
    }
    std::optional<dispatch::bundle::Stamp> stamp = dispatch::bundle::readStamp(bytes, &error);
    if (!stamp) {
      out.toolError = path + ": not a usable bundle: " + error;
      return nullptr;
    }
    // The bundle's own -O level: a bundle compiled with -O1 on purpose is not stale here.
    std::string stale = dispatch::bundle::staleReason(*stamp, stamp->optLevel);
    if (stale.empty()) {
      dispatch::Dispatcher::Built b =
          dispatch::Dispatcher::loadBytes(bytes, dispatcherOptions(stamp->optLevel));
      if (!b.recompiled) {
        if (!b.dispatcher) out.toolError = path + ": " + b.toolError;
        out.warnings = b.warnings;
        return std::move(b.dispatcher);
      }
      // The stamp went stale between the two looks, or the IR is unreadable: compile here, for
      // the JSON diagnostics a refused reload answers with.
      stale = b.staleReason;
    }
    out.origin.recompiled = true;
    out.origin.staleReason = stale;
    std::unique_ptr<dispatch::Dispatcher> d = compile(stamp->policyPaths, stamp->optLevel);
    if (!d || !options.writeBundle) return d;
    std::string fresh;
    if (!d->bundleBytes(&fresh, &error) || !dispatch::bundle::writeFile(path, fresh, &error))
      out.origin.rewriteError = error;
    else
      out.origin.rewritten = true;
    return d;
  }

  // Ranges, settings and music: what the park runtime and the media engine need.
  bool finish(PolicyHandle& p) {
    const dispatch::Dispatcher& d = *p.d_;
    const dispatch::ir::Module& m = d.module();
    const dispatch::bundle::PolicyInfo& info = d.policy();
    double scale = options.timeScale > 0 ? options.timeScale : 1.0;
    for (size_t pi = 0; pi < m.poolNames.size(); ++pi) {
      park::PoolSpec pool;
      pool.name = m.poolNames[pi];
      for (const dispatch::bundle::RangeInfo& r : info.ranges) {
        if (r.pool != int(pi) || r.type != model::OrbitType::CallPark || !r.usable) continue;
        park::RangeSpec rs;
        rs.name = r.name;
        rs.prefix = r.prefix;
        rs.digits = uint8_t(r.digits);
        rs.lo = uint32_t(r.lo);
        rs.hi = uint32_t(r.hi);
        rs.allocation = toRuntime(r.allocation);
        pool.ranges.push_back(rs);
      }
      if (pool.ranges.empty()) continue;
      cp_park_settings s{};
      if (d.settings(int32_t(pi), &s) != CP_STATUS_OK) {
        out.toolError = "the compiled policy has no settings for pool " + pool.name;
        return false;
      }
      pool.settings.pickupTimeoutMs =
          uint32_t(std::max(1.0, std::round(double(s.pickup_timeout_seconds) * 1000.0 / scale)));
      pool.settings.maxAttempts = uint8_t(std::clamp<int64_t>(s.max_pickup_attempts, 1, 255));
      pool.settings.onTimeoutUri = s.on_timeout ? s.on_timeout : "";
      pool.settings.musicOnHold = s.music_on_hold != 0;
      pool.settings.musicFile = s.music_file ? s.music_file : "";
      const std::string& file = pool.settings.musicFile;
      if (!file.empty() && !p.musicByFile_.count(file)) {
        std::string path = d.musicPath(file);
        media::MusicLoad ml = media::loadWavMusic(path.empty() ? file : path);
        if (!ml.clip) {
          out.toolError = ml.error;
          return false;
        }
        p.musicByFile_.emplace(file, ml.clip);
      }
      p.runtime_.pools.push_back(std::move(pool));
    }
    if (std::string why = park::validatePolicy(p.runtime_); !why.empty()) {
      out.toolError = "the policy cannot be served: " + why;
      return false;
    }
    return true;
  }

  static PolicyLoad run(const std::string& path, const LoadOptions& options) {
    PolicyLoad out;
    PolicyLoader loader{options, out};
    std::shared_ptr<PolicyHandle> p(new PolicyHandle());
    p->source_ = path;
    p->d_ = isBundlePath(path) ? loader.loadBundle(path) : loader.compile({path}, 2);
    if (p->d_ && loader.finish(*p)) {
      p->origin_ = out.origin;
      out.policy = std::move(p);
    } else if (out.toolError.empty() && out.errors == 0) {
      out.toolError = "the policy could not be loaded";
    }
    return out;
  }
};

PolicyLoad loadPolicy(const std::string& path, const LoadOptions& options) {
  return PolicyLoader::run(path, options);
}

}  // namespace callpark::parkd

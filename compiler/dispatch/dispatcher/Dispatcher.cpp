#include "compiler/dispatch/dispatcher/Dispatcher.h"

#include <algorithm>
#include <cctype>
#include <iostream>

#include "compiler/diag/render/Render.h"
#include "compiler/dispatch/interp/Env.h"
#include "compiler/dispatch/interp/Interpreter.h"
#include "compiler/dispatch/jit/Jit.h"
#include "compiler/dispatch/passes/Passes.h"
#include "compiler/driver/Compilation.h"

namespace callpark::dispatch {

namespace {

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

jit::Options jitOptions(const DispatcherOptions& opts) {
  jit::Options j;
  j.optLevel = opts.optLevel;
  j.refuseExecutableMemory = opts.refuseExecutableMemory;
  return j;
}

}  // namespace

Dispatcher::Dispatcher() = default;
Dispatcher::~Dispatcher() = default;

// Everything but the native code: environment, interpreter, name indexes. Then the JIT from
// `object` (a bundle's) or by compiling the IR, falling back with one warning.
void Dispatcher::finish(const DispatcherOptions& opts, std::string_view object) {
  optLevel_ = opts.optLevel;
  env_ = makeEnv(ir_);
  interp_ = std::make_unique<Interpreter>(ir_);
  users_.build(ir_.userNames, policy_.userOrder);
  for (size_t p = 0; p < ir_.poolNames.size(); ++p)
    poolByName_.emplace(lower(ir_.poolNames[p]), static_cast<int>(p));
  if (!opts.useJit) return;
  std::string error;
  if (object.empty())
    native_ = jit::NativeDispatch::compile(ir_, stamp_.digest(), jitOptions(opts), &error);
  else
    native_ = jit::NativeDispatch::load(object, stamp_.digest(), jitOptions(opts), &error);
  if (native_) return;
  fallbackReason_ = error.empty() ? "unknown LLVM error" : error;
  std::string msg = "native dispatch code unavailable (" + fallbackReason_ +
                    "); dispatching with the interpreter";
  if (opts.warn)
    opts.warn(msg);
  else
    std::cerr << "warning: " << msg << "\n";
}

std::unique_ptr<Dispatcher> Dispatcher::compileModel(const model::Model& m, bundle::Stamp stamp,
                                                     const DispatcherOptions& opts) {
  std::unique_ptr<Dispatcher> d(new Dispatcher());
  d->ir_ = lowerModel(m);
  d->policy_ = bundle::PolicyInfo::fromModel(m);
  d->stamp_ = std::move(stamp);
  d->finish(opts, {});
  return d;
}

std::unique_ptr<Dispatcher> Dispatcher::fromModel(const model::Model& m, const SourceManager& sm,
                                                  const std::vector<std::string>& policyPaths,
                                                  const DispatcherOptions& opts) {
  return compileModel(m, bundle::makeStamp(policyPaths, sm, m, opts.optLevel), opts);
}

Dispatcher::Built Dispatcher::fromPolicy(const std::vector<std::string>& policyPaths,
                                         const DispatcherOptions& opts) {
  Built out;
  driver::Compilation c;
  driver::CompileOptions co;
  co.paths = policyPaths;
  if (!c.run(co)) {
    out.toolError = c.toolError;
    return out;
  }
  out.errors = c.diags.count(Severity::Error);
  out.warnings = c.diags.count(Severity::Warning);
  render::RenderOptions ro;
  ro.severityHint = false;
  out.diagnostics = render::renderText(c.diags.diagnostics(), c.sm, ro);
  if (!c.model) {
    out.toolError = "the policy model could not be built";
    return out;
  }
  if (out.errors > 0) return out;
  out.dispatcher = fromModel(*c.model, c.sm, policyPaths, opts);
  return out;
}

Dispatcher::Built Dispatcher::load(const std::string& bundlePath, const DispatcherOptions& opts) {
  std::string bytes, error;
  if (!bundle::readFile(bundlePath, &bytes, &error)) {
    Built out;
    out.toolError = error;
    return out;
  }
  Built out = loadBytes(bytes, opts);
  if (!out.toolError.empty()) out.toolError = bundlePath + ": " + out.toolError;
  return out;
}

Dispatcher::Built Dispatcher::loadBytes(std::string_view bytes, const DispatcherOptions& opts) {
  Built out;
  std::string error;
  std::optional<bundle::BundleView> b = bundle::readView(bytes, &error);
  if (!b) {
    out.toolError = error;
    return out;
  }
  std::string stale = bundle::staleReason(b->stamp, opts.optLevel);
  std::optional<ir::Module> m;
  if (stale.empty()) {
    m = ir::readBinary(b->ir);
    if (!m || !ir::verify(*m, true).empty()) stale = "its dispatch IR is unreadable";
  }
  if (!stale.empty()) {
    out = fromPolicy(b->stamp.policyPaths, opts);
    out.recompiled = true;
    out.staleReason = stale;
    return out;
  }
  if (b->policy.userOrder.size() != m->userNames.size()) {
    out.toolError = "the bundle's user index does not match its users";
    return out;
  }
  for (int u : b->policy.userOrder)
    if (static_cast<size_t>(u) >= m->userNames.size()) {
      out.toolError = "the bundle's user index is out of range";
      return out;
    }
  std::unique_ptr<Dispatcher> d(new Dispatcher());
  d->ir_ = std::move(*m);
  d->policy_ = std::move(b->policy);
  d->stamp_ = std::move(b->stamp);
  d->finish(opts, b->object);
  out.dispatcher = std::move(d);
  return out;
}

int32_t Dispatcher::dispatch(const cp_caller& caller, std::string_view dialed,
                             cp_dispatch_result* out) const {
  // Longer than the ABI accepts: both back ends answer TOO_LONG without reading the bytes.
  uint32_t len =
      dialed.size() > CP_MAX_NUMBER ? CP_MAX_NUMBER + 1 : static_cast<uint32_t>(dialed.size());
  if (native_) return native_->dispatch(env_.get(), &caller, dialed.data(), len, out);
  return interp_->dispatch(env_.get(), &caller, dialed.data(), len, out);
}

int32_t Dispatcher::mayPark(const cp_caller& caller) const {
  return native_ ? native_->mayPark(&caller) : interp_->mayPark(&caller);
}

int32_t Dispatcher::settings(int32_t pool, cp_park_settings* out) const {
  return native_ ? native_->settings(pool, out) : interp_->settings(pool, out);
}

int Dispatcher::findUser(std::string_view callerSip) const {
  return users_.find(ir_.userNames, callerSip);
}

int Dispatcher::findPool(std::string_view fqdn) const {
  auto it = poolByName_.find(lower(fqdn));
  return it == poolByName_.end() ? -1 : it->second;
}

cp_caller Dispatcher::callerFor(std::string_view callerSip) const {
  int user = findUser(callerSip);
  if (user >= 0) return cp_caller{user, CP_NONE, CP_NONE, CP_NONE};
  return cp_caller{CP_NONE, CP_INHERIT, CP_INHERIT, CP_NONE};
}

bool Dispatcher::mayPark(std::string_view callerSip) const {
  return mayPark(callerFor(callerSip)) == 1;
}

Decision Dispatcher::decide(std::string_view callerSip, std::string_view dialed) const {
  Decision d;
  cp_caller c = callerFor(callerSip);
  d.knownCaller = c.user >= 0;
  cp_dispatch_result r;
  d.status = static_cast<cp_status>(dispatch(c, dialed, &r));
  d.action = static_cast<cp_action>(r.action);
  d.normalized.assign(r.normalized, r.normalized_len);
  d.rule = r.rule;
  d.internal = r.internal != 0;
  d.mayPark = r.may_park != 0;
  if (r.pool >= 0 && static_cast<size_t>(r.pool) < ir_.poolNames.size())
    d.pool = ir_.poolNames[r.pool];
  if ((d.action == CP_ACTION_RETRIEVE || d.action == CP_ACTION_PICKUP) && r.target >= 0 &&
      static_cast<size_t>(r.target) < ir_.rangeNames.size()) {
    d.range = ir_.rangeNames[r.target];
    d.orbit = r.orbit;
  }
  return d;
}

std::string Dispatcher::musicPath(std::string_view settingsMusicFile) const {
  for (size_t i = 0; i < policy_.musicFiles.size(); ++i)
    if (policy_.musicFiles[i] == settingsMusicFile) return policy_.musicPaths[i];
  return "";
}

std::string Dispatcher::backendName() const {
  if (!native_) return "interpreter";
  return "jit (LLVM " + stamp_.llvm + " ORC LLJIT, " +
         (native_->fromCache() ? "object code from the bundle" : "compiled") + ")";
}

bool Dispatcher::bundleBytes(std::string* out, std::string* error) const {
  bundle::Bundle b;
  b.stamp = stamp_;
  b.policy = policy_;
  b.ir = ir::writeBinary(ir_);
  if (native_ && !native_->object().empty()) {
    b.object = native_->object();
  } else {
    jit::Options j;
    j.optLevel = optLevel_;
    if (!jit::emitObject(ir_, stamp_.digest(), j, &b.object, error)) return false;
  }
  *out = bundle::write(b);
  return true;
}

}  // namespace callpark::dispatch

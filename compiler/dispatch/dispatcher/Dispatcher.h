// The Dispatcher: the one object parkd holds for a loaded policy. It answers spec §6's
// question for every request (what does this caller's dialed string mean?), the voice policy
// question (may this caller park?) and the settings question (how does this pool treat a
// parked call?), with native code when it can and the interpreter when it cannot.
//
// Ways to get one:
//   fromModel(model, ...)   a checked model the caller already compiled (parkd runs the front
//                           end itself for its diagnostics): lower, compile, link
//   fromPolicy(paths, ...)  runs the front end (compiler/driver/Compilation); a policy with any
//                           error gives no Dispatcher, only its diagnostics
//   load(bundle, ...)       a bundle from `parkc compile`: when its stamp matches the policy on
//                           disk and this program, the object code is linked as is (through
//                           ORC's object cache, no code generation); otherwise the policy is
//                           recompiled from the paths the stamp records
//
// Back ends: the JIT (LLVM ORC, compiler/dispatch/jit) unless options say otherwise; when JIT
// setup fails (no executable memory, an LLVM error) the Dispatcher falls back to the
// interpreter (compiler/dispatch/interp) and reports exactly one warning through
// Options::warn. Both run the same IR and give the same answers (the differential tests hold
// them to it). Test hook: CALLPARK_JIT_FAIL=1 makes JIT setup fail for real (jit/Jit.h).
//
// Thread safety: every const method may be called concurrently from any number of threads;
// nothing is mutated after construction (regex sets are compiled lazily behind call_once).
// Lifetime: strings returned (names, settings' strings) live as long as the Dispatcher.
// parkd swaps whole Dispatchers (shared_ptr) on reload.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "compiler/dispatch/bundle/Bundle.h"
#include "compiler/dispatch/ir/Ir.h"
#include "compiler/model/Model.h"
#include "runtime/abi/dispatch_abi.h"

struct cp_env;

namespace callpark::dispatch {

namespace jit {
class NativeDispatch;
}
class Interpreter;

enum class Backend { Jit, Interpreter };

struct DispatcherOptions {
  bool useJit = true;  // false: the interpreter, without a warning (a deliberate choice)
  int optLevel = 2;    // LLVM -O level for the JIT and the bundle's object code
  // Receives the fallback warning (one per Dispatcher). Default: "warning: ..." on stderr.
  std::function<void(const std::string&)> warn;
  bool refuseExecutableMemory = false;  // test hook, same as CALLPARK_JIT_FAIL=1
};

// What a dialed string means, with names instead of indices (parkd's view).
struct Decision {
  cp_status status = CP_STATUS_OK;
  cp_action action = CP_ACTION_NOT_OURS;
  std::string normalized;
  int rule = -1;      // rule index in the caller's dial plan, -1: none fired
  std::string pool;   // PARK: the access number's pool; RETRIEVE/PICKUP: the orbit's
  std::string range;  // RETRIEVE/PICKUP: the orbit range's name
  int orbit = -1;     // RETRIEVE/PICKUP: index in the range
  bool internal = false;
  bool mayPark = false;
  bool knownCaller = false;  // the SIP URI is a user of the policy
};

class Dispatcher {
 public:
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  struct Built {
    std::unique_ptr<Dispatcher> dispatcher;  // null when refused or failed
    std::string toolError;                   // the policy could not be read / compiled at all
    std::string diagnostics;                 // the front end's diagnostics, text (fromPolicy)
    size_t errors = 0, warnings = 0;
    bool recompiled = false;  // load(): the stamp was stale, the policy was compiled again
    std::string staleReason;  // why (load())
  };

  // `m` must be a model without errors (the caller refuses others); `sm` is the source
  // manager it was built from and `policyPaths` what was given to the front end (both for the
  // bundle's stamp). Never fails: without native code the interpreter runs.
  static std::unique_ptr<Dispatcher> fromModel(const model::Model& m, const SourceManager& sm,
                                               const std::vector<std::string>& policyPaths,
                                               const DispatcherOptions& opts = {});
  static Built fromPolicy(const std::vector<std::string>& policyPaths,
                          const DispatcherOptions& opts = {});
  static Built load(const std::string& bundlePath, const DispatcherOptions& opts = {});
  // The same from bytes already read (bundlePath only names it in messages).
  static Built loadBytes(std::string_view bundle, const DispatcherOptions& opts = {});

  // ---- decisions (thread-safe, allocation-free except decide()) ----------------------------
  // The ABI call (runtime/abi/dispatch_abi.h): returns a cp_status, always fills *out.
  int32_t dispatch(const cp_caller& caller, std::string_view dialed, cp_dispatch_result* out) const;
  int32_t mayPark(const cp_caller& caller) const;               // 1, 0, or -1 for a bad caller
  int32_t settings(int32_t pool, cp_park_settings* out) const;  // pool -1: global

  // parkd's question by SIP URI: the user's context when `callerSip` (compared lower-case,
  // exactly; canonicalise "<sip:Alice@x>;tag=.." first) is a user, else the global one.
  Decision decide(std::string_view callerSip, std::string_view dialed) const;
  bool mayPark(std::string_view callerSip) const;
  cp_caller callerFor(std::string_view callerSip) const;
  int findUser(std::string_view callerSip) const;  // model user index or -1
  int findPool(std::string_view fqdn) const;       // exact, lower-case; -1 when none

  // ---- what parkd needs of the policy --------------------------------------------------------
  const ir::Module& module() const { return ir_; }  // names: poolNames, rangeNames, users...
  const bundle::PolicyInfo& policy() const { return policy_; }
  const bundle::Stamp& stamp() const { return stamp_; }
  // The absolute path of a music file as settings() names it (relative to where the policy
  // was compiled), "" for the built-in default or an unknown name.
  std::string musicPath(std::string_view settingsMusicFile) const;

  Backend backend() const { return native_ ? Backend::Jit : Backend::Interpreter; }
  // "jit (LLVM 19.1.7 ORC, object cache)" / "jit (LLVM 19.1.7 ORC, compiled)" / "interpreter".
  std::string backendName() const;
  // Why the JIT is not used ("" when it is, or when the options asked for the interpreter).
  const std::string& fallbackReason() const { return fallbackReason_; }

  // The bundle for this policy (object code compiled now if the JIT did not produce it).
  // False + *error when LLVM cannot produce object code.
  bool bundleBytes(std::string* out, std::string* error) const;

 private:
  Dispatcher();
  void finish(const DispatcherOptions& opts, std::string_view object);
  static std::unique_ptr<Dispatcher> compileModel(const model::Model& m, bundle::Stamp stamp,
                                                  const DispatcherOptions& opts);

  ir::Module ir_;
  bundle::PolicyInfo policy_;
  bundle::UserIndex users_;  // findUser's hash table over ir_.userNames
  bundle::Stamp stamp_;
  std::unique_ptr<cp_env> env_;
  std::unique_ptr<Interpreter> interp_;
  std::unique_ptr<jit::NativeDispatch> native_;
  std::string fallbackReason_;
  int optLevel_ = 2;
  std::unordered_map<std::string, int> poolByName_;
};

}  // namespace callpark::dispatch

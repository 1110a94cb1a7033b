// parkd's view of a loaded policy: every decision about a dialed number, the permission to
// park, the runtime's input policy and the music, behind one small object.
//
// Every decision goes through the compiled dispatch code (compiler/dispatch, a
// dispatch::Dispatcher): native code through LLVM ORC when the JIT can run here, the dispatch
// interpreter over the same IR when it cannot (one warning, and backend() / fallbackReason()
// say so for the log and /healthz).
//
// loadPolicy(path) accepts two kinds of policy:
//   a directory or a .park file  the compiler front end runs (parse -> model -> rules -> policy
//                                tests, compiler/driver/Compilation.h); a policy with any error
//                                is refused with its diagnostics; then the Dispatcher is built
//                                from the checked model (dispatch IR -> LLVM -> JIT)
//   any other file: a bundle     written by `parkc compile PATH -o policy.bundle`. When its
//                                stamp still matches the policy on disk and this program, the
//                                object code it carries is linked as is (no front end, no code
//                                generation). When the stamp is stale (a .park, users or music
//                                file changed, another compiler or CPU), the policy the stamp
//                                names is compiled again exactly as for a directory, and with
//                                LoadOptions::writeBundle the bundle file is rewritten
//                                (atomically: temporary file + rename). A damaged or unreadable
//                                bundle is refused (toolError).
//
// Immutable after loading; parkd swaps whole handles (shared_ptr) on reload, so a reload is
// atomic and calls in flight keep the handle they started with. Every const method is
// thread-safe (the Dispatcher's are).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "compiler/dispatch/ir/Ir.h"
#include "runtime/media/Music.h"
#include "runtime/park/Policy.h"

namespace callpark::dispatch {
class Dispatcher;
}

namespace callpark::parkd {

// What a dialed number is to parkd: the dispatch IR's own action.
using Action = dispatch::ir::Action;

// One decision. `pool` and `range` point into the PolicyHandle: keep the handle alive while
// using them.
struct Decision {
  Action action = Action::NotOurs;
  std::string normalized;  // the dialed string after the caller's dial plan
  std::string_view pool;   // park: the access number's pool; retrieve/pickup: the orbit's pool
  std::string_view range;  // retrieve/pickup: the orbit range's name
  bool mayPark = false;    // the caller's voice policy enables call park
  bool knownCaller = false;
};

// How the policy came to be loaded, for the log and /healthz.
struct PolicyOrigin {
  bool bundle = false;       // loaded from a bundle file (else compiled from .park files)
  bool recompiled = false;   // bundle: its stamp was stale, the policy was compiled again
  std::string staleReason;   // why (bundle, recompiled)
  bool rewritten = false;    // bundle, recompiled: the bundle file was rewritten (--write-bundle)
  std::string rewriteError;  // bundle, recompiled, rewrite asked: why it could not be written
  // One line: "compiled from the policy", "bundle: object code linked (stamp current)",
  // "bundle: stale (lab.park changed), recompiled, bundle rewritten".
  std::string describe() const;
};

class PolicyHandle {
 public:
  ~PolicyHandle();
  PolicyHandle(const PolicyHandle&) = delete;
  PolicyHandle& operator=(const PolicyHandle&) = delete;

  // `caller` is a SIP URI ("sip:alice@contoso.com", case-insensitive, parameters ignored);
  // unknown callers get the global dial plan and voice policy.
  Decision dispatch(std::string_view caller, std::string_view dialed) const;
  bool mayPark(std::string_view caller) const;
  // Pools, their call park ranges and resolved settings, for ParkRuntime::replacePolicy.
  const park::RuntimePolicy& runtimePolicy() const { return runtime_; }
  // The music a pool's settings name ("" = the built-in default); never null.
  std::shared_ptr<const media::MusicClip> music(const std::string& file) const;

  // Which back end decides: "jit" or "interpreter".
  const char* backendKind() const;
  // The Dispatcher's description ("jit (LLVM 19.1.7 ORC LLJIT, object code from the bundle)",
  // "interpreter").
  std::string backend() const;
  // Why the JIT is not used ("" when it is).
  const std::string& fallbackReason() const;
  const PolicyOrigin& origin() const { return origin_; }
  // The path given to loadPolicy.
  const std::string& source() const { return source_; }

 private:
  friend struct PolicyLoader;
  PolicyHandle();
  std::unique_ptr<dispatch::Dispatcher> d_;
  park::RuntimePolicy runtime_;
  std::map<std::string, std::shared_ptr<const media::MusicClip>> musicByFile_;
  PolicyOrigin origin_;
  std::string source_;
};

struct LoadOptions {
  // Test-only: divides every pickup timeout by this factor (parkd accepts it only with the
  // environment variable CALLPARK_TEST_HOOKS=1). The checker's 10 s .. 10 min bounds still
  // apply to what the policy says.
  double timeScale = 1.0;
  // A stale bundle that was recompiled is written back to its file (atomically).
  bool writeBundle = false;
  // Receives the Dispatcher's one warning when native code is unavailable (default: stderr).
  std::function<void(const std::string&)> warn;
};

struct PolicyLoad {
  std::shared_ptr<const PolicyHandle> policy;  // null when refused
  std::string toolError;                       // the policy could not be read at all
  std::string diagnosticsJson;                 // the compiler's diagnostics (JSON, parkc's format)
  std::string diagnosticsText;                 // the same, as text
  size_t errors = 0, warnings = 0;
  PolicyOrigin origin;  // also filled when refused (e.g. a stale bundle whose policy broke)
};

PolicyLoad loadPolicy(const std::string& path, const LoadOptions& options = {});

// True when loadPolicy treats `path` as a bundle (an existing file not named *.park).
bool isBundlePath(const std::string& path);

// "sip:Alice@Contoso.com;transport=udp" / "<sip:alice@contoso.com>" -> "sip:alice@contoso.com".
std::string canonicalSipUri(std::string_view uri);

}  // namespace callpark::parkd

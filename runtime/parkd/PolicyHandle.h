// parkd's view of a loaded policy: every decision about a dialed number, the permission to
// park, and the runtime's input policy, behind one small interface.
//
// A PolicyHandle is built from a policy directory (or .park file) by loadPolicy(): the whole
// compiler front end runs (parse -> model -> rules, compiler/driver/Compilation.h), and a policy
// with any error is refused (the caller keeps the one it has). Then the dispatch back end is
// built. dispatch() normalizes the dialed string with the caller's dial plan and classifies the
// result (park access number / call park orbit / group pickup number / not ours), exactly as
// spec §6 describes.
//
// Immutable after loading; parkd swaps whole handles (shared_ptr) on reload, so a reload is
// atomic and calls in flight keep the handle they started with. Thread-safe for reading.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/media/Music.h"
#include "runtime/park/Policy.h"

namespace callpark::parkd {

enum class Action { NotOurs, Park, Retrieve, Pickup };
const char* actionName(Action a);  // "not_ours", "park", "retrieve", "pickup"

struct Decision {
  Action action = Action::NotOurs;
  std::string normalized;  // the dialed string after the caller's dial plan
  std::string pool;        // park: the access number's pool; retrieve/pickup: the orbit's pool
  std::string range;       // retrieve/pickup: the orbit range's name
  bool mayPark = false;    // the caller's voice policy enables call park
  bool knownCaller = false;
};

class PolicyHandle {
 public:
  virtual ~PolicyHandle() = default;
  // `caller` is a SIP URI ("sip:alice@contoso.com", case-insensitive, parameters ignored);
  // unknown callers get the global dial plan and voice policy.
  virtual Decision dispatch(std::string_view caller, std::string_view dialed) const = 0;
  virtual bool mayPark(std::string_view caller) const = 0;
  // Pools, their call park ranges and resolved settings, for ParkRuntime::replacePolicy.
  virtual const park::RuntimePolicy& runtimePolicy() const = 0;
  // The music a pool's settings name ("" = the built-in default); never null.
  virtual std::shared_ptr<const media::MusicClip> music(const std::string& file) const = 0;
  // Which back end decides ("model interpreter", "jit", ...), for logs and /healthz.
  virtual std::string backend() const = 0;
  // Where it came from.
  virtual const std::string& source() const = 0;
};

struct LoadOptions {
  // Test-only: divides every pickup timeout by this factor (parkd accepts it only with the
  // environment variable CALLPARK_TEST_HOOKS=1). The checker's 10 s .. 10 min bounds still
  // apply to what the policy says.
  double timeScale = 1.0;
};

struct PolicyLoad {
  std::shared_ptr<const PolicyHandle> policy;  // null when refused
  std::string toolError;                       // the policy could not be read at all
  std::string diagnosticsJson;                 // the compiler's diagnostics (JSON, parkc's format)
  std::string diagnosticsText;                 // the same, as text
  size_t errors = 0, warnings = 0;
};

PolicyLoad loadPolicy(const std::string& path, const LoadOptions& options = {});

// "sip:Alice@Contoso.com;transport=udp" / "<sip:alice@contoso.com>" -> "sip:alice@contoso.com".
std::string canonicalSipUri(std::string_view uri);

}  // namespace callpark::parkd

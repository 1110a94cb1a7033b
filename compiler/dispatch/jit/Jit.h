// Native dispatch code: LLVM 19 ORC LLJIT over the module compiler/dispatch/codegen generates,
// with ORC's ObjectCache in the middle so compiled object code can be kept (in a bundle) and
// linked again later without running the code generator.
//
//   compile(ir, key)    codegen -> LLJIT; the compile layer's ObjectCache sees a miss, the code
//                       generator runs, and notifyObjectCompiled hands us the object file
//                       (object() returns it, for the bundle).
//   load(object, key)   the object is put in the ObjectCache under `key`; LLJIT gets a stub
//                       module with that identifier and the ABI's four functions, the compile
//                       layer asks the cache, gets the object, and links it. No code generation
//                       (fromCache() says so, and a miss is an error, not a silent recompile).
//
// The code imports cp_rt_normalize_v1 (runtime/abi/dispatch_abi.h), registered in the JIT as
// an absolute symbol pointing at this process's implementation (compiler/dispatch/interp/Env).
//
// Failure: every LLVM error (no target, no executable memory, a link error) comes back as a
// message, never an abort. For tests, CALLPARK_JIT_FAIL=1 in the environment (or
// Options::refuseExecutableMemory) installs a JIT memory manager that refuses to map memory, the
// way a hardened host without W^X exceptions does; the failure then travels through ORC's real
// error paths.
//
// Thread safety: a NativeDispatch is immutable after construction; its function pointers may be
// called from any number of threads. The code lives as long as the NativeDispatch.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "compiler/dispatch/ir/Ir.h"
#include "runtime/abi/dispatch_abi.h"

namespace callpark::dispatch::jit {

struct Options {
  int optLevel = 2;  // LLVM IR pipeline -O0/-O1/-O2; the code generator runs at its default
  bool refuseExecutableMemory = false;  // test hook, see above (also CALLPARK_JIT_FAIL=1)
};

// True when CALLPARK_JIT_FAIL is set to something other than "" or "0".
bool failureForcedByEnvironment();

// What the object code is compiled for: "x86_64-pc-linux-gnu cpu=znver3 features=+sse2,...".
// Part of a bundle's stamp: object code from another machine is never linked.
const std::string& hostTarget();

// The LLVM module for `m` as handed to the code generator (after the -O pipeline), as text.
bool emitLLVM(const ir::Module& m, const Options& opts, std::string* text, std::string* error);
// A relocatable object file for the host: exactly what the JIT links for the same module.
bool emitObject(const ir::Module& m, const std::string& key, const Options& opts,
                std::string* object, std::string* error);

class NativeDispatch {
 public:
  ~NativeDispatch();
  NativeDispatch(const NativeDispatch&) = delete;
  NativeDispatch& operator=(const NativeDispatch&) = delete;

  // `m` fully lowered. `key` identifies the code (a bundle's stamp digest). Null + *error on
  // failure.
  static std::unique_ptr<NativeDispatch> compile(const ir::Module& m, const std::string& key,
                                                 const Options& opts, std::string* error);
  // Links object code produced by compile()/emitObject() for `key` without recompiling.
  static std::unique_ptr<NativeDispatch> load(std::string_view object, const std::string& key,
                                              const Options& opts, std::string* error);

  cp_abi_version_fn version = nullptr;
  cp_dispatch_fn dispatch = nullptr;
  cp_may_park_fn mayPark = nullptr;
  cp_settings_fn settings = nullptr;

  // The object file the code was linked from.
  const std::string& object() const { return object_; }
  // True when the object came out of the ObjectCache (load()), false when LLVM compiled it.
  bool fromCache() const { return fromCache_; }

 private:
  NativeDispatch();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string object_;
  bool fromCache_ = false;
};

}  // namespace callpark::dispatch::jit

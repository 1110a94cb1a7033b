#include "compiler/dispatch/jit/Jit.h"

#include <llvm/ExecutionEngine/JITLink/JITLinkMemoryManager.h>
#include <llvm/ExecutionEngine/ObjectCache.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>

#include <cstdlib>
#include <map>
#include <mutex>

#include "compiler/dispatch/codegen/Codegen.h"

namespace callpark::dispatch::jit {

namespace orc = llvm::orc;

namespace {

void initLLVM() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

std::string message(llvm::Error e) {
  return llvm::toString(std::move(e));
}

llvm::Expected<orc::JITTargetMachineBuilder> targetBuilder() {
  initLLVM();
  auto jtmb = orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) return jtmb.takeError();
  jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::Default);
  jtmb->setRelocationModel(llvm::Reloc::PIC_);
  jtmb->setCodeModel(llvm::CodeModel::Small);
  return jtmb;
}

// The object cache between ORC's compile layer and our bundles: objects by module identifier.
class KeyedObjectCache final : public llvm::ObjectCache {
 public:
  void put(const std::string& key, std::string_view object) {
    std::lock_guard<std::mutex> lock(mu_);
    objects_[key] = std::string(object);
  }
  std::string take(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(key);
    return it == objects_.end() ? std::string() : std::move(it->second);
  }
  void notifyObjectCompiled(const llvm::Module* m, llvm::MemoryBufferRef obj) override {
    std::lock_guard<std::mutex> lock(mu_);
    objects_[m->getModuleIdentifier()] = obj.getBuffer().str();
  }
  std::unique_ptr<llvm::MemoryBuffer> getObject(const llvm::Module* m) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(m->getModuleIdentifier());
    if (it == objects_.end()) {
      ++misses_;
      return nullptr;
    }
    ++hits_;
    return llvm::MemoryBuffer::getMemBufferCopy(it->second, m->getModuleIdentifier());
  }
  int hits() const { return hits_; }
  int misses() const { return misses_; }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> objects_;
  int hits_ = 0, misses_ = 0;
};

// A JIT memory manager that maps nothing: what a host that forbids executable memory gives.
class RefusingMemoryManager final : public llvm::jitlink::JITLinkMemoryManager {
 public:
  void allocate(const llvm::jitlink::JITLinkDylib*, llvm::jitlink::LinkGraph&,
                OnAllocatedFunction onAllocated) override {
    onAllocated(llvm::make_error<llvm::StringError>(
        "cannot map executable memory (refused: CALLPARK_JIT_FAIL test hook)",
        llvm::inconvertibleErrorCode()));
  }
  void deallocate(std::vector<FinalizedAlloc> allocs, OnDeallocatedFunction onDone) override {
    for (auto& a : allocs) a.release();
    onDone(llvm::Error::success());
  }
};

}  // namespace

bool failureForcedByEnvironment() {
  const char* v = std::getenv("CALLPARK_JIT_FAIL");
  return v && *v && std::string(v) != "0";
}

const std::string& hostTarget() {
  static const std::string kTarget = [] {
    auto jtmb = targetBuilder();
    if (!jtmb) return "unknown (" + message(jtmb.takeError()) + ")";
    return jtmb->getTargetTriple().str() + " cpu=" + jtmb->getCPU() +
           " features=" + jtmb->getFeatures().getString();
  }();
  return kTarget;
}

namespace {

// Generates and optimizes the module for `m` with the host target's layout.
llvm::Expected<std::unique_ptr<llvm::Module>> buildModule(const ir::Module& m,
                                                          llvm::LLVMContext& ctx,
                                                          const std::string& key,
                                                          llvm::TargetMachine& tm, int optLevel) {
  std::vector<std::string> problems = ir::verify(m, true);
  if (!problems.empty())
    return llvm::make_error<llvm::StringError>("dispatch IR is not lowered: " + problems.front(),
                                               llvm::inconvertibleErrorCode());
  std::string error;
  auto mod = codegen::generate(m, ctx, key, &tm, &error);
  if (!mod) return llvm::make_error<llvm::StringError>(error, llvm::inconvertibleErrorCode());
  codegen::optimize(*mod, &tm, optLevel);
  return mod;
}

}  // namespace

bool emitLLVM(const ir::Module& m, const Options& opts, std::string* text, std::string* error) {
  auto jtmb = targetBuilder();
  if (!jtmb) return *error = message(jtmb.takeError()), false;
  auto tm = jtmb->createTargetMachine();
  if (!tm) return *error = message(tm.takeError()), false;
  llvm::LLVMContext ctx;
  auto mod = buildModule(m, ctx, "callpark.dispatch", **tm, opts.optLevel);
  if (!mod) return *error = message(mod.takeError()), false;
  *text = codegen::toText(**mod);
  return true;
}

bool emitObject(const ir::Module& m, const std::string& key, const Options& opts,
                std::string* object, std::string* error) {
  auto jtmb = targetBuilder();
  if (!jtmb) return *error = message(jtmb.takeError()), false;
  auto tm = jtmb->createTargetMachine();
  if (!tm) return *error = message(tm.takeError()), false;
  llvm::LLVMContext ctx;
  auto mod = buildModule(m, ctx, key, **tm, opts.optLevel);
  if (!mod) return *error = message(mod.takeError()), false;
  orc::SimpleCompiler compiler(**tm);
  auto obj = compiler(**mod);
  if (!obj) return *error = message(obj.takeError()), false;
  object->assign((*obj)->getBufferStart(), (*obj)->getBufferSize());
  return true;
}

struct NativeDispatch::Impl {
  KeyedObjectCache cache;  // outlives the JIT's compile layer, which points at it
  std::unique_ptr<orc::LLJIT> jit;
  std::string sessionErrors;  // what ORC reported while materializing
};

NativeDispatch::NativeDispatch() : impl_(std::make_unique<Impl>()) {}
NativeDispatch::~NativeDispatch() {
  if (impl_ && impl_->jit) {
    // Releases the code; errors on the way out have nobody to report to.
    llvm::consumeError(impl_->jit->getExecutionSession().endSession());
  }
}

namespace {

// Builds an LLJIT whose compile layer consults `cache`, with cp_rt_normalize_v1 defined.
llvm::Expected<std::unique_ptr<orc::LLJIT>> makeJit(KeyedObjectCache& cache, const Options& opts,
                                                    std::string* sessionErrors) {
  auto jtmb = targetBuilder();
  if (!jtmb) return jtmb.takeError();
  orc::LLJITBuilder builder;
  builder.setJITTargetMachineBuilder(*jtmb);
  builder.setCompileFunctionCreator(
      [&cache](orc::JITTargetMachineBuilder b)
          -> llvm::Expected<std::unique_ptr<orc::IRCompileLayer::IRCompiler>> {
        auto tm = b.createTargetMachine();
        if (!tm) return tm.takeError();
        return std::make_unique<orc::TMOwningSimpleCompiler>(std::move(*tm), &cache);
      });
  if (opts.refuseExecutableMemory || failureForcedByEnvironment()) {
    builder.setObjectLinkingLayerCreator(
        [](orc::ExecutionSession& es,
           const llvm::Triple&) -> llvm::Expected<std::unique_ptr<orc::ObjectLayer>> {
          return std::make_unique<orc::ObjectLinkingLayer>(
              es, std::make_unique<RefusingMemoryManager>());
        });
  }
  auto jit = builder.create();
  if (!jit) return jit.takeError();
  (*jit)->getExecutionSession().setErrorReporter([sessionErrors](llvm::Error e) {
    if (!sessionErrors->empty()) *sessionErrors += "; ";
    *sessionErrors += message(std::move(e));
  });
  orc::JITDylib& jd = (*jit)->getMainJITDylib();
  orc::SymbolMap runtime;
  runtime[(*jit)->mangleAndIntern(CP_SYM_RT_NORMALIZE)] = {
      orc::ExecutorAddr::fromPtr(&cp_rt_normalize_v1),
      llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  if (auto err = jd.define(orc::absoluteSymbols(std::move(runtime)))) return err;
  return jit;
}

}  // namespace

namespace {

// Looks up the ABI functions (this materializes the module: compile or cache).
bool bind(orc::LLJIT& jit, NativeDispatch& nd, std::string* error) {
  auto get = [&](const char* name, auto& fn) -> bool {
    auto addr = jit.lookup(name);
    if (!addr) return *error = message(addr.takeError()), false;
    fn = addr->toPtr<std::remove_reference_t<decltype(fn)>>();
    return true;
  };
  if (!get(CP_SYM_ABI_VERSION, nd.version) || !get(CP_SYM_DISPATCH, nd.dispatch) ||
      !get(CP_SYM_MAY_PARK, nd.mayPark) || !get(CP_SYM_SETTINGS, nd.settings))
    return false;
  if (nd.version() != CP_DISPATCH_ABI_VERSION) {
    *error = "object code implements dispatch ABI v" + std::to_string(nd.version()) +
             ", this program needs v" + std::to_string(CP_DISPATCH_ABI_VERSION);
    return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<NativeDispatch> NativeDispatch::compile(const ir::Module& m, const std::string& key,
                                                        const Options& opts, std::string* error) {
  std::unique_ptr<NativeDispatch> nd(new NativeDispatch());
  Impl& im = *nd->impl_;
  auto jit = makeJit(im.cache, opts, &im.sessionErrors);
  if (!jit) return *error = message(jit.takeError()), nullptr;
  im.jit = std::move(*jit);
  auto tsc = orc::ThreadSafeContext(std::make_unique<llvm::LLVMContext>());
  auto jtmb = targetBuilder();
  if (!jtmb) return *error = message(jtmb.takeError()), nullptr;
  auto machine = jtmb->createTargetMachine();
  if (!machine) return *error = message(machine.takeError()), nullptr;
  auto mod = buildModule(m, *tsc.getContext(), key, **machine, opts.optLevel);
  if (!mod) return *error = message(mod.takeError()), nullptr;
  if (auto err = im.jit->addIRModule(orc::ThreadSafeModule(std::move(*mod), tsc)))
    return *error = message(std::move(err)), nullptr;
  if (!bind(*im.jit, *nd, error)) {
    if (!im.sessionErrors.empty()) *error += " (" + im.sessionErrors + ")";
    return nullptr;
  }
  nd->object_ = im.cache.take(key);
  nd->fromCache_ = false;
  return nd;
}

std::unique_ptr<NativeDispatch> NativeDispatch::load(std::string_view object,
                                                     const std::string& key, const Options& opts,
                                                     std::string* error) {
  std::unique_ptr<NativeDispatch> nd(new NativeDispatch());
  Impl& im = *nd->impl_;
  auto jit = makeJit(im.cache, opts, &im.sessionErrors);
  if (!jit) return *error = message(jit.takeError()), nullptr;
  im.jit = std::move(*jit);
  im.cache.put(key, object);
  auto tsc = orc::ThreadSafeContext(std::make_unique<llvm::LLVMContext>());
  auto stub = codegen::interfaceStub(*tsc.getContext(), key, nullptr);
  stub->setDataLayout(im.jit->getDataLayout());
  stub->setTargetTriple(im.jit->getTargetTriple().str());
  if (auto err = im.jit->addIRModule(orc::ThreadSafeModule(std::move(stub), tsc)))
    return *error = message(std::move(err)), nullptr;
  if (!bind(*im.jit, *nd, error)) {
    if (!im.sessionErrors.empty()) *error += " (" + im.sessionErrors + ")";
    return nullptr;
  }
  if (im.cache.misses() != 0 || im.cache.hits() != 1) {
    *error = "the object cache did not serve the object code";
    return nullptr;
  }
  nd->object_ = im.cache.take(key);
  nd->fromCache_ = true;
  return nd;
}

}  // namespace callpark::dispatch::jit

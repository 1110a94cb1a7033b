// LLVM code generation for the dispatch IR: one LLVM module implementing the whole ABI of
// runtime/abi/dispatch_abi.h for one lowered policy.
//
// What becomes code and what becomes data (see compiler/dispatch/README.md for the why):
//  - orbit classification is straight-line code: a switch on the string length, a switch on the
//    first character (`*`, `#`, digit), the digits parsed with unrolled loads, then the IR's
//    compare tree as nested branches on constants, or its jump table as a bounds check and one
//    load from a constant array. No call into a library, no loop.
//  - caller contexts (per user, per pool, global), the dial plan map, voice policies, folded
//    park settings, per-entry results and the transparency rows are constant tables.
//  - the transparency fast path is inlined: when the table knows what a plan does to an orbit
//    or park access number, the generated code never calls the regex engine.
//  - everything else a dial plan does goes through cp_rt_normalize_v1 (RE2::Set, one pass).
//
// Only the four ABI functions (cp_abi_version_v1, cp_dispatch_v1, cp_may_park_v1,
// cp_settings_v1) are external; every helper, table and string is private, so an object file
// defines exactly the ABI symbols and imports exactly cp_rt_normalize_v1 (plus memcpy/memset,
// which the code generator may emit).
//
// Thread safety: generate() only reads the IR module; each call needs its own LLVMContext.
#pragma once

#include <memory>
#include <string>

#include "compiler/dispatch/ir/Ir.h"

namespace llvm {
class LLVMContext;
class Module;
class TargetMachine;
}  // namespace llvm

namespace callpark::dispatch::codegen {

// Bump whenever the generated code changes meaning for the same IR: bundles record it (in
// their compiler version), so object code from an older generator is recompiled, never linked.
inline constexpr int kRevision = 2;

// Builds the module. `m` must be fully lowered (ir::verify(m, true) empty). The module gets
// `moduleId` as identifier (the object cache key) and the target's data layout and triple when
// `tm` is given. Returns null with *error set when the generated module does not verify (a bug,
// reported rather than crashed on).
std::unique_ptr<llvm::Module> generate(const ir::Module& m, llvm::LLVMContext& ctx,
                                       const std::string& moduleId, llvm::TargetMachine* tm,
                                       std::string* error);

// Runs LLVM's standard -O2 (optLevel 2), -O1 or no (0) optimization pipeline over `mod`.
void optimize(llvm::Module& mod, llvm::TargetMachine* tm, int optLevel);

// A module with the same external interface as generate()'s (the four ABI functions, trivial
// bodies) and the given identifier. Handed to the JIT when the object code comes from the
// object cache: ORC learns from it which symbols the cached object defines; its bodies are
// never compiled.
std::unique_ptr<llvm::Module> interfaceStub(llvm::LLVMContext& ctx, const std::string& moduleId,
                                            llvm::TargetMachine* tm);

// Textual LLVM IR of a module.
std::string toText(const llvm::Module& mod);

}  // namespace callpark::dispatch::codegen

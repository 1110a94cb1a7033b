// The runtime environment compiled dispatch code calls into: the dial plans' regex sets.
//
// An Env is built from a lowered IR module (it needs only the plans' .NET rules, so a bundle can
// rebuild it without the model) and refers to it: the module must outlive the Env. Each plan is
// compiled with normalize::CompiledDialPlan (one RE2::Set per plan) the first time it is used;
// std::call_once makes that thread-safe, and keeps loading a bundle cheap however many dial
// plans it has. precompileAll() does it eagerly.
//
// cp_rt_normalize_v1 (runtime/abi/dispatch_abi.h) is implemented here; the JIT registers its
// address as an absolute symbol and the interpreter calls it directly.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "compiler/dispatch/ir/Ir.h"
#include "compiler/model/Model.h"
#include "compiler/normalize/CompiledDialPlan.h"
#include "runtime/abi/dispatch_abi.h"

struct cp_env {
  const callpark::dispatch::ir::Module* module = nullptr;
  std::unique_ptr<std::once_flag[]> once;
  std::unique_ptr<std::optional<callpark::normalize::CompiledDialPlan>[]> compiled;

  const callpark::normalize::CompiledDialPlan& plan(int id) const;
};

namespace callpark::dispatch {

std::unique_ptr<cp_env> makeEnv(const ir::Module& m);
void precompileAll(const cp_env& env);

}  // namespace callpark::dispatch

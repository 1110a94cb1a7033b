// The naive reference for dispatch: the spec read literally, straight from the model.
//
// Callers are resolved with the model's own lookups (Model::effectiveDialPlan & co.), rules are
// tried one by one in priority order (CompiledDialPlan::normalizeOneByOne: one RE2 FullMatch per
// rule), park access numbers and orbit ranges are scanned one by one in declaration order.
// Nothing is precomputed beyond compiling each rule's regex. It exists to be obviously right:
// the differential tests hold the interpreter and the JIT to it, and the benchmark measures
// both against it. Same ABI outputs as the back ends; `plan` is reported through the module's
// dialplan map (planOfModel) so results compare field by field.
//
// Thread safety: const methods are safe to call concurrently. The model must outlive it.
#pragma once

#include <vector>

#include "compiler/model/Model.h"
#include "compiler/normalize/CompiledDialPlan.h"
#include "runtime/abi/dispatch_abi.h"

namespace callpark::dispatch {

class NaiveReference {
 public:
  NaiveReference(const model::Model& m, std::vector<int> planOfModel);
  int32_t dispatch(const cp_caller* caller, const char* dialed, uint32_t len,
                   cp_dispatch_result* out) const;
  int32_t mayPark(const cp_caller* caller) const;
  int32_t settings(int32_t pool, cp_park_settings* out) const;

 private:
  bool resolve(const cp_caller& c, int* modelPlan, bool* mayPark) const;
  const model::Model& m_;
  std::vector<int> planOfModel_;
  std::vector<normalize::CompiledDialPlan> plans_;
  std::vector<model::EffectiveSettings> settings_;  // per pool, then global last
};

}  // namespace callpark::dispatch

#include "compiler/dispatch/interp/Env.h"

#include <cstring>
#include <string>

#include "compiler/dispatch/passes/Passes.h"

const callpark::normalize::CompiledDialPlan& cp_env::plan(int id) const {
  std::call_once(once[id], [&] {
    compiled[id].emplace(callpark::normalize::CompiledDialPlan::compile(
        callpark::dispatch::toModelPlan(module->plans[id])));
  });
  return *compiled[id];
}

namespace callpark::dispatch {

std::unique_ptr<cp_env> makeEnv(const ir::Module& m) {
  auto env = std::make_unique<cp_env>();
  env->module = &m;
  env->once = std::make_unique<std::once_flag[]>(m.plans.size());
  env->compiled = std::make_unique<std::optional<normalize::CompiledDialPlan>[]>(m.plans.size());
  return env;
}

void precompileAll(const cp_env& env) {
  for (size_t i = 0; i < env.module->plans.size(); ++i) env.plan(static_cast<int>(i));
}

}  // namespace callpark::dispatch

extern "C" int32_t cp_rt_normalize_v1(const cp_env* env, int32_t plan, const char* dialed,
                                      uint32_t len, char* buf, uint32_t cap, uint32_t* out_len,
                                      uint8_t* internal) {
  thread_local std::string out;
  bool in = false;
  int rule = env->plan(plan).normalizeInto(std::string_view(dialed, len), &out, &in);
  if (rule < 0) return CP_NONE;
  *out_len = static_cast<uint32_t>(out.size());
  if (out.size() <= cap) std::memcpy(buf, out.data(), out.size());
  *internal = in ? 1 : 0;
  return rule;
}

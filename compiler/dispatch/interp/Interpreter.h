// The reference back end: executes a lowered dispatch IR module directly.
//
// Implements the ABI of runtime/abi/dispatch_abi.h (same inputs, same outputs, same statuses) by
// walking the IR: context tables, the plan's prefix, the transparency table, the plan's
// automaton (its transition table state by state), the orbit trees node by node. It is the
// reference the JIT is tested against and the fallback where executable memory is not available.
// Regex work goes through cp_rt_normalize_v1 like native code does.
//
// Thread safety: const methods, safe to call concurrently. The module and env must outlive it.
#pragma once

#include "compiler/dispatch/interp/Env.h"
#include "compiler/dispatch/ir/Ir.h"
#include "runtime/abi/dispatch_abi.h"

namespace callpark::dispatch {

class Interpreter {
 public:
  // `m` must be fully lowered (ir::verify(m, true) empty).
  explicit Interpreter(const ir::Module& m) : m_(m) {}

  int32_t dispatch(const cp_env* env, const cp_caller* caller, const char* dialed, uint32_t len,
                   cp_dispatch_result* out) const;
  int32_t mayPark(const cp_caller* caller) const;
  int32_t settings(int32_t pool, cp_park_settings* out) const;

 private:
  // false: bad caller.
  bool resolve(const cp_caller& c, int* plan, bool* mayPark) const;
  int classify(const char* s, uint32_t len) const;
  // The first rule (index) the automaton accepts for s, kNoRuleFires, or kNotApplicable when
  // s is empty or has a byte outside 0-9 * #.
  static constexpr int kNotApplicable = -3;
  static int runDfa(const ir::Dfa& a, const char* s, uint32_t len);
  // Builds r's translation of s from its spans into buf (when it fits CP_MAX_NUMBER); returns
  // the length.
  static uint32_t translate(const ir::Rule& r, const char* s, uint32_t len, char* buf);
  const ir::Module& m_;
};

// Fills *out with the "nothing decided" state every back end starts from.
void clearResult(cp_dispatch_result* out);

}  // namespace callpark::dispatch

// Model -> dispatch IR, and the passes that lower it (see compiler/dispatch/README.md).
//
// buildModule() copies the model into IR form without deciding anything: plans keep their .NET
// text, callers keep their candidate chains (assigned, pool, site, global), pools keep their
// park_settings chains, orbits and park access numbers are a flat entry list. The passes then
// run in this order (standardPipeline):
//
//   lower-rules         .NET pattern -> RE2 text and translation -> pieces, through
//                       compiler/normalize (rules that do not compile are marked skipped,
//                       exactly as CompiledDialPlan skips them); marks identity translations
//   dedup-plans         identical dial plans (prefix, flags, rules) become one plan
//   fold-policy         caller chains -> (plan, may_park) constants per user, pool, global
//                       (the chains are dropped: 100,000 users need not carry them along)
//   fold-settings       park_settings chains -> effective values per pool, field by field
//   lower-orbits        entries -> per (prefix, digit count) key: intervals sorted, overlaps
//                       resolved by declaration order, neighbours merged, then a balanced
//                       compare tree or a dense jump table
//   orbit-transparency  per plan and entry: does the plan leave every number of the entry alone
//                       (no rule fires / an identity rule fires)? Exact, via DigitAutomaton.
//   plan-automata       plans whose patterns DigitAutomaton understands -> one first-match DFA
//                       per distinct pattern list; per rule, the spans of the groups its
//                       translation uses when the pattern fixes them (no captures needed)
//
// Passes are deterministic and never fail: a model with errors still lowers (broken rules are
// skipped, unresolved references dropped), because the naive reference applies the same rules.
// Thread safety: none needed; a pass mutates one module.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "compiler/dispatch/ir/Ir.h"
#include "compiler/model/Model.h"

namespace callpark::dispatch {

ir::Module buildModule(const model::Model& m);

class Pass {
 public:
  virtual ~Pass() = default;
  virtual const char* name() const = 0;
  virtual const char* summary() const = 0;
  virtual void run(ir::Module& m) = 0;
};

std::vector<std::unique_ptr<Pass>> standardPipeline();
std::vector<std::string> passNames();

struct PipelineOptions {
  // Called after each pass with its name (for --dump-after); may be empty.
  std::function<void(const std::string& pass, const ir::Module&)> after;
  // Filled with (pass, seconds) when non-null.
  std::vector<std::pair<std::string, double>>* timings = nullptr;
  // Passes not to run (benchmarks compare with and without an optimisation). Only passes whose
  // absence keeps the module fully lowered make sense here: orbit-transparency, plan-automata.
  std::vector<std::string> skip;
};
void runPipeline(ir::Module& m, const PipelineOptions& opts = {});

// buildModule + the standard pipeline.
ir::Module lowerModel(const model::Model& m, const PipelineOptions& opts = {});

// A model::DialPlan equivalent to an IR plan (patterns, translations, flags), to compile with
// normalize::CompiledDialPlan. Rules keep their order; rule i of the result is rules[i].
model::DialPlan toModelPlan(const ir::Plan& p);

}  // namespace callpark::dispatch

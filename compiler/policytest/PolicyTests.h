// Running the `test` blocks of a policy (`parkc test`, and the "tests" phase of `parkc check`).
//
// Each expectation is evaluated against the model with the same reading of the spec that
// `parkc explain` prints (analysis::Router): the dial plan that applies, the first rule whose
// pattern matches the whole number, and what the result is. Semantics per form
// (../shared/design/LANGUAGE.md, rules/catalog/policytest.cpp):
//
//   dial N as "sip:U"             the plan that applies to U (own, pool, site, global)
//   dial N with dialplan SCOPE    the plan declared for SCOPE
//     => orbit "R"                the normalized number is an orbit of range R
//     => park pool "P"            ... a park access number of pool P
//     => "X"                      ... is X (the translation)
//     => "X" internal             ... is X and the winning rule is an internal extension
//                                 (honoured only when the plan optimizes device dialing)
//     => not_ours                 ... is neither an orbit nor a park access number
//   park as "sip:U" => allowed | denied    the voice policy governing U enables call park
//
// Dial expectations test where a number goes, not whether the caller may park; `park as`
// tests that. A failed expectation is a diagnostic at the expectation (CP920 dial, CP921 park)
// that says what was expected and what happened, with notes at the plan, the rule, the orbit
// range or the voice policy involved and a pointer to `parkc explain`. An expectation naming an
// unknown user, plan, range or pool is not evaluated: the rules CP910..CP913 report it, and its
// test counts as failed.
//
// Thread safety: runTests is reentrant; the model must not change while it runs.
#pragma once

#include <string>
#include <vector>

#include "compiler/diag/Diagnostic.h"
#include "compiler/model/Model.h"

namespace callpark::policytest {

inline constexpr const char* kDialFailed = "CP920";
inline constexpr const char* kParkFailed = "CP921";

struct TestOutcome {
  std::string name;
  SourceRange range;  // the test's name
  int expectations = 0;
  int failed = 0;      // expectations that do not hold
  int unresolved = 0;  // expectations naming something unknown (CP91x)
  bool passed() const { return failed == 0 && unresolved == 0; }
};

struct RunResult {
  std::vector<TestOutcome> tests;  // in source order (file order, then position)
  int passed() const;
  int failed() const;
};

// Evaluates every test block of m.ast; reports CP920 / CP921 for each failed expectation.
RunResult runTests(const model::Model& m, DiagnosticEngine& diags);

}  // namespace callpark::policytest

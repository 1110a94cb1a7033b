// parkc test: run the `test` blocks of a policy (compiler/policytest).
#include <iostream>

#include "compiler/driver/Command.h"
#include "compiler/driver/commands/Common.h"
#include "compiler/normalize/CompiledDialPlan.h"
#include "compiler/policytest/PolicyTests.h"
#include "rules/Registry.h"

namespace callpark::driver {

namespace {
// Whether parsing failed (CP1xx errors): then names and rules were not, or not reliably, built.
bool syntaxErrors(const Compilation& c) {
  for (const Diagnostic& d : c.diags.diagnostics())
    if (d.severity == Severity::Error && d.code.rfind("CP1", 0) == 0) return true;
  return false;
}
}  // namespace

extern const char* const kTestUsage =
    "usage: parkc test [options] PATH...\n"
    "\n"
    "Runs the `test` blocks of a policy (PATH: a policy directory or .park files) and reports\n"
    "every expectation that does not hold as a diagnostic at the expectation, with what was\n"
    "expected and what happened (CP920 dial, CP921 park). Problems that stop a test from being\n"
    "evaluated are shown too: syntax and name errors, patterns that do not compile (CP7xx),\n"
    "tests naming unknown users, plans, ranges or pools (CP910..CP913). The other checks of\n"
    "`parkc check` are not run.\n"
    "\n"
    "Then one line per test and the summary `N passed, M failed` (with --format json, sarif or\n"
    "github: the diagnostics on stdout, the summary on stderr).\n"
    "\n"
    "options:\n"
    "  --format FMT            text (default), json, sarif, github\n"
    "  --werror                treat warnings as errors\n"
    "  --no-config             ignore parkc.json\n"
    "  --color=auto|always|never  colour in text output (NO_COLOR is respected)\n"
    "\n"
    "exit status: 0 every test passed, 1 a test failed or the policy has errors, 2 the tool\n"
    "could not run\n";

int runTest(const std::vector<std::string>& args) {
  const Command& self = *findCommand("test");
  CommonOptions opts;
  if (auto err = parseCommonOptions(args, opts)) return usageError(self, *err);
  if (!opts.baseline.empty() || !opts.writeBaseline.empty() || !opts.compile.stopAfter.empty())
    return usageError(self, "--baseline, --write-baseline and --stop-after are options of check");
  // Parse and build the model only; the checks a test depends on run below.
  opts.compile.stopAfter = "model";
  opts.compile.runPolicyTests = false;
  Compilation c;
  if (!c.run(opts.compile)) {
    std::cerr << "parkc test: " << c.toolError << "\n";
    return 2;
  }
  policytest::RunResult result;
  if (c.model && !syntaxErrors(c)) {
    rules::RuleContext ctx{*c.model, c.sm};
    for (const rules::Rule* r : rules::allRules())
      if (r->check && r->category == "policy-test") rules::runRule(*r, ctx, c.diags);
    // Rules that do not compile change what a test sees: show them (not the CP706 notes).
    DiagnosticEngine scratch(c.sm);
    normalize::checkDialPlans(*c.model, scratch);
    for (const Diagnostic& d : scratch.diagnostics())
      if (d.severity != Severity::Note) c.diags.report(d);
    result = policytest::runTests(*c.model, c.diags);
  }
  c.diags.finish();

  const auto& diags = c.diags.diagnostics();
  bool text = opts.format == render::Format::Text;
  if (!diags.empty() || !text)
    std::cout << render::render(opts.format, diags, c.sm, renderOptions(opts.color));
  std::ostream& out = text ? std::cout : std::cerr;
  if (!diags.empty() && text) out << "\n";
  for (const policytest::TestOutcome& t : result.tests) {
    out << "test \"" << t.name << "\": ";
    if (t.passed()) {
      out << "ok (" << t.expectations << " expectation" << (t.expectations == 1 ? "" : "s")
          << ")\n";
      continue;
    }
    out << "FAILED (";
    if (t.failed)
      out << t.failed << " of " << t.expectations << " expectation"
          << (t.expectations == 1 ? "" : "s") << " failed";
    if (t.failed && t.unresolved) out << ", ";
    if (t.unresolved) out << t.unresolved << " not evaluated: unknown names";
    out << ")\n";
  }
  if (syntaxErrors(c))
    out << "no test ran: fix the syntax errors first\n";
  else if (result.tests.empty())
    out << "the policy has no test blocks\n";
  out << result.passed() << " passed, " << result.failed() << " failed\n";
  return c.diags.hasErrors() || result.failed() > 0 ? 1 : 0;
}

}  // namespace callpark::driver

// CP912 test-unknown-orbit: `=> orbit "NAME"` in a test names a declared orbit range.
#include "compiler/support/Strings.h"
#include "rules/Registry.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  const auto& m = ctx.model;
  if (!m.ast) return;
  std::vector<std::string> names;
  for (const auto& o : m.orbits) names.push_back(o.name);
  for (const auto& t : m.ast->tests) {
    for (const auto& e : t.expectations) {
      if (e.result != ast::Expectation::Orbit || !e.resultName) continue;
      if (m.orbitByName.count(e.resultName->value)) continue;
      auto& d =
          out.report(e.resultName->range, "test \"" + t.name.value + "\" expects orbit range \"" +
                                              e.resultName->value + "\", which is not declared");
      std::string best = closestMatch(e.resultName->value, names);
      if (!best.empty()) d.suggest("did you mean \"" + best + "\"?");
    }
  }
}

}  // namespace

extern const Rule kTestUnknownOrbit{
    "CP912",
    "test-unknown-orbit",
    "policy-test",
    Severity::Error,
    "a policy test expects an orbit range that is not declared",
    R"md(`=> orbit "NAME"` says the dialed number must reach the park service as an orbit of that
range. A name that no range has can never match, so the test would always fail for the wrong
reason.

**Failing example**

```park
orbit "Dublin CPO 1" { numbers 7000..7099  pool "dublin-fe01.contoso.com" }
test "t" { dial "7001" with dialplan global => orbit "Dublin CPO1" }
```

**Fix**: `=> orbit "Dublin CPO 1"`.)md",
    &check};

}  // namespace callpark::rules

// CP913 test-unknown-pool: `=> park pool "FQDN"` in a test names a declared pool.
#include "compiler/support/Strings.h"
#include "rules/Registry.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  const auto& m = ctx.model;
  if (!m.ast) return;
  std::vector<std::string> pools;
  for (const auto& p : m.pools) pools.push_back(p.fqdn);
  for (const auto& t : m.ast->tests) {
    for (const auto& e : t.expectations) {
      if (e.result != ast::Expectation::ParkPool || !e.resultName) continue;
      if (m.findPool(e.resultName->value) != model::kNone) continue;
      auto& d = out.report(e.resultName->range,
                           "test \"" + t.name.value + "\" expects a park on pool \"" +
                               e.resultName->value + "\", which is not declared");
      std::string best = closestMatch(model::canonicalPool(e.resultName->value), pools);
      if (!best.empty()) d.suggest("did you mean \"" + best + "\"?");
    }
  }
}

}  // namespace

extern const Rule kTestUnknownPool{
    "CP913",
    "test-unknown-pool",
    "policy-test",
    Severity::Error,
    "a policy test expects a park on a pool that is not declared",
    R"md(`=> park pool "FQDN"` says the dialed number is a park request handled by that pool. A
pool that no site declares cannot handle anything, so the expectation is a typo.

**Failing example**

```park
test "t" { dial "*70" as "sip:alice@contoso.com" => park pool "redmond-fe1.contoso.com" }
```

**Fix**: `=> park pool "redmond-fe01.contoso.com"`.)md",
    &check};

}  // namespace callpark::rules

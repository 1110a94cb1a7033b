// CP604 external-access-prefix-syntax: 1-4 characters of 0-9 * # (spec §5).
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& dp : ctx.model.dialPlans) {
    if (!dp.decl || !dp.decl->externalAccessPrefix) continue;
    const ast::Str& p = *dp.decl->externalAccessPrefix;
    const std::string& v = p.value;
    std::string why;
    size_t at = 0;
    if (v.empty()) {
      why = "it is empty";
    } else {
      for (size_t i = 0; i < v.size(); ++i) {
        char c = v[i];
        if ((c >= '0' && c <= '9') || c == '*' || c == '#') continue;
        at = i;
        why =
            (c >= 0x20 && c < 0x7f ? std::string("'") + c + "'" : std::string("a non-ASCII byte")) +
            " is not one of 0-9, * or #";
        break;
      }
      if (why.empty() && v.size() > 4) {
        at = 4;
        why = "it has " + std::to_string(v.size()) + " characters; at most 4 are allowed";
      }
    }
    if (why.empty()) continue;
    out.report(internal::charRange(ctx.sources, p, at),
               "external_access_prefix \"" + v + "\" of dialplan " +
                   model::describeScope(dp.scope, ctx.model) + " is invalid: " + why)
        .suggest("an external access prefix is 1 to 4 characters of 0-9, * and #, e.g. \"9\"");
  }
}

}  // namespace

extern const Rule kExternalAccessPrefixSyntax{
    "CP604",
    "external-access-prefix-syntax",
    "dialplan",
    Severity::Error,
    "an external access prefix is not 1-4 characters of 0-9, * and #",
    R"md(The external access prefix (Lync's `ExternalAccessPrefix`, e.g. the `9` for an outside
line) is stripped from dialed numbers before the rules apply. It is dialed on a keypad, so it
is 1 to 4 characters of `0-9`, `*` and `#`.

**Failing example**

```park
dialplan site "Dublin" {
  external_access_prefix "9+"
  optimize_device_dialing on
  rule "4 digit" priority 1 { pattern '^(\d{4})$'  translation '+35315550$1' }
}
```

**Fix**: `external_access_prefix "9"`.)md",
    &check};

}  // namespace callpark::rules

// CP305 orbit-prefixed-too-small: after '*' or '#' the digits are greater than 100 (spec §2
// rule 5).
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& o : ctx.model.orbits) {
    if (!o.decl || !o.decl->numbers) continue;
    for (const ast::Str* end : {&o.decl->numbers->start, &o.decl->numbers->end}) {
      const std::string& n = end->value;
      if (internal::checkOrbitNumber(n)) continue;  // CP301
      if (n[0] != '*' && n[0] != '#') continue;
      if (internal::digitsValue(n) > 100) continue;
      out.report(end->range, "orbit number " + n + " in range \"" + o.name +
                                 "\": the digits after '" + n[0] + "' must be greater than 100")
          .suggest(std::string("use numbers from ") + n[0] + "101 up, e.g. " + n[0] + "1000");
    }
  }
}

}  // namespace

extern const Rule kOrbitPrefixedTooSmall{
    "CP305",
    "orbit-prefixed-too-small",
    "orbit",
    Severity::Error,
    "a '*' or '#' orbit number is not greater than 100",
    R"md(Lync requires the digits of a `*`/`#` orbit number to be "greater than 100"; short
`*`/`#` codes are reserved for phone features (call forwarding, voicemail, park access).
We read the rule as the value after the prefix: `*100` is invalid, `*101` is valid.

**Failing example**

```park
orbit "Short" { numbers *100..*199  pool "fe01.contoso.com" }
```

**Fix**: start above 100, for example `numbers *1000..*1099`.)md",
    &check};

}  // namespace callpark::rules

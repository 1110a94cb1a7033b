// CP301 orbit-number-syntax: both ends of an orbit range are orbit numbers (spec §2 rule 1).
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& o : ctx.model.orbits) {
    if (!o.decl || !o.decl->numbers) continue;
    const auto& n = *o.decl->numbers;
    for (const ast::Str* end : {&n.start, &n.end}) {
      if (end == &n.end && n.end.value == n.start.value) continue;  // `x..x`: reported once
      auto err = internal::checkOrbitNumber(end->value);
      if (!err) continue;
      out.report(internal::charRange(ctx.sources, *end, err->index),
                 "\"" + end->value + "\" in orbit range \"" + o.name +
                     "\" is not an orbit number: " + err->reason)
          .suggest(
              "an orbit number is an optional '*' or '#', a digit 1-9, then more digits, at most 9 "
              "characters in all (e.g. 7000, *3000, #4100)");
    }
  }
}

}  // namespace

extern const Rule kOrbitNumberSyntax{
    "CP301",
    "orbit-number-syntax",
    "orbit",
    Severity::Error,
    "an orbit range end is not a valid orbit number",
    R"md(An orbit number is what a user dials to retrieve a parked call, so it must be a string the
park service accepts: an optional single `*` or `#`, then a digit 1-9, then more digits, at most
9 characters in all (`^(?:[*#][1-9][0-9]{0,7}|[1-9][0-9]{0,8})$`). A leading `0` is never
allowed, not even after `*` or `#`. The diagnostic points at the first offending character.

**Failing example**

```park
orbit "Lobby" { numbers 0100..0199  pool "fe01.contoso.com" }
orbit "Long"  { numbers *123456789..*123456799  pool "fe01.contoso.com" }
```

**Fix**: drop the leading zero or shorten the numbers: `numbers 100..199`, `numbers *1000..*1999`.)md",
    &check};

}  // namespace callpark::rules

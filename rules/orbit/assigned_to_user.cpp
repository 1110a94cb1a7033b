// CP309 orbit-assigned-to-user: no orbit number is a user's extension or line number (spec §2
// rule 11). One hash-free pass: each user's extension and line number is looked up in the
// orbit index (O(log ranges) each), so 100,000 users cost well under a millisecond per 1,000.
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  const auto& m = ctx.model;
  if (m.orbits.empty()) return;
  internal::OrbitIndex index(m);
  for (const auto& u : m.users) {
    for (const std::string* number : {&u.extension, &u.lineNumber}) {
      if (number->empty()) continue;
      if (number == &u.lineNumber && *number == u.extension) continue;  // reported once
      int orbit = index.find(*number);
      if (orbit == model::kNone) continue;
      const auto& o = m.orbits[static_cast<size_t>(orbit)];
      // Point at the number inside the line URI (inline `line` or the export's LineURI).
      SourceRange where = u.range;
      if (u.lineRange.valid()) {
        ast::Str line{u.line, u.lineRange};
        size_t at = number == &u.extension ? u.line.rfind(*number) : u.line.find(*number);
        where = at == std::string::npos
                    ? u.lineRange
                    : internal::charRange(ctx.sources, line, at, number->size());
      }
      std::string what = number == &u.extension ? "extension " : "line number ";
      out.report(where, "user \"" + u.sip + "\" has " + what + *number +
                            ", which is an orbit of range " + internal::describeOrbit(o))
          .note(internal::numbersRange(o), "\"" + o.name + "\" is declared here")
          .suggest(
              "orbits are virtual extensions: give the user another number, or move the "
              "orbit range");
    }
  }
}

}  // namespace

extern const Rule kOrbitAssignedToUser{
    "CP309",
    "orbit-assigned-to-user",
    "orbit",
    Severity::Error,
    "an orbit number is also a user's extension or line number",
    R"md(Orbits are virtual extensions owned by the park service. When a user's extension (`ext=`
of the line URI) or line number is also an orbit, dialing it either rings the user or retrieves
a parked call, depending on which the routing meets first; both parties lose. Users from
`users.json` are checked too (their `LineURI`).

**Failing example**

```park
orbit "Dublin CPO 1" { numbers 7000..7099  pool "dublin-fe01.contoso.com" }
user "sip:carol@contoso.com" {
  pool "dublin-fe01.contoso.com"
  line "tel:+35315557001;ext=7001"
}
```

**Fix**: renumber the user (`ext=7201`) or move the orbit range away from the extension plan.)md",
    &check};

}  // namespace callpark::rules

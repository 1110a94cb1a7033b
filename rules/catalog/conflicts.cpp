// Catalogue entries for the orbit/normalization conflict analysis (CP8xx), reported by
// compiler/analysis (Conflicts.cpp, ConflictReport.cpp) in the "conflicts" phase of
// `parkc check`. How the analysis works: compiler/analysis/README.md.
#include <span>

#include "rules/Registry.h"

namespace callpark::rules::catalog {

std::span<const Rule> conflicts() {
  static const Rule kRules[] = {
      {"CP801", "orbit-rewritten", "conflict", Severity::Error,
       "a normalization rule rewrites orbit numbers, so they never reach the park service",
       R"md(To retrieve a parked call, a user dials its orbit number. The number is first normalized
by the caller's dial plan: the first rule (ascending priority, then declaration order) whose
pattern matches the whole number rewrites it. If that rule turns `7000` into `+353155507000`, the
call is routed to a person's phone number and never reaches the park service: nobody can pick up
the parked call. This is the one mistake the Lync documentation warns about
("verify normalization rules for call park").

The check is exact: every number of every orbit range is run through every dial plan (every
scope, and per-user tag plans even when nobody is assigned yet), not a sample. One diagnostic
is reported per (dial plan, rule, orbit range) with the number of affected orbits and the lowest
one as witness, a note at the orbit range and at the rule, and a fix: move an existing
pass-through rule before the rewriting rule, or add one (a pattern matching exactly the range,
translation `$1`, with a priority that puts it first).

**Failing example**

```park
orbit "Dublin CPO 1" { numbers 7000..7099  pool "dublin-fe01.contoso.com" }
dialplan site "Dublin" {
  rule "4 digit" priority 1 { pattern '^(\d{4})$'  translation '+35315550$1' }
}
// rule "4 digit" in dialplan site "Dublin" rewrites all 100 numbers of orbit range
// "Dublin CPO 1", e.g. 7000 becomes +353155507000
```

**Fix**: the documented pass-through rule, tried first:

```park
  rule "Dublin orbits" priority 0 { pattern '^(70\d{2})$'  translation '$1' }
```)md"},
      {"CP802", "park-access-rewritten", "conflict", Severity::Error,
       "a normalization rule rewrites a park access number",
       R"md(Standard SIP phones park a call by transferring it to a park access number (`*70`). Like
an orbit, the number must reach the park service exactly as dialed; when the first matching rule
of a dial plan rewrites it, every park attempt from users of that plan goes elsewhere. Checked
for every park access number and every dial plan; the message names the plan, the rule and what
the number becomes.

**Failing example**

```park
park_access "*71" { pool "dublin-fe01.contoso.com" }
dialplan global {
  rule "Star codes" priority 1 { pattern '^\*(\d+)$'  translation '+3531555$1' }
}
```

**Fix**: a pass-through rule for the number before the rule that rewrites it:
`rule "park access *71" priority 0 { pattern '^(\*71)$'  translation '$1' }`.)md"},
      {"CP803", "dead-pass-through", "conflict", Severity::Error,
       "a pass-through rule meant to protect orbit numbers can never fire",
       R"md(A pass-through rule (its translation reproduces what it matched, like `'^(70\d{2})$' ->
'$1'`) is how orbit numbers are kept away from the rules that rewrite extensions. When an earlier
rule of the same plan matches every number the pass-through matches (a catch-all such as
`^(\d*)$`, or a rule matching every number of the orbits' length such as `^(\d{4})$`), the
pass-through is dead: it was written for the orbits and protects none of them. Usually the
priorities are the wrong way round. The orbit numbers themselves are reported as CP801.

**Failing example**

```park
dialplan site "Dublin" {
  rule "4 digit"       priority 1 { pattern '^(\d{4})$'    translation '+35315550$1' }
  rule "Dublin orbits" priority 2 { pattern '^(70\d{2})$'  translation '$1' }   // dead
}
```

**Fix**: give the pass-through a priority below the rule that shadows it (here `priority 0`).)md"},
      {"CP804", "subsumed-rule", "conflict", Severity::Warning,
       "a normalization rule can never fire because an earlier rule matches everything it matches",
       R"md(Rules are tried in order and the first match wins, so a rule whose every matching number
(over the dial characters `0-9 * # +`) is also matched by an earlier rule of the same plan never
fires. That is decided exactly, by language inclusion of the two patterns' automata. Either the
rule is obsolete or it was meant to come first.

**Failing example**

```park
dialplan global {
  rule "Any 10 digit" priority 1 { pattern '^(\d{10})$'     translation '+1$1' }
  rule "Redmond"      priority 2 { pattern '^(425\d{7})$'   translation '+1$1' }   // never fires
}
```

**Fix**: remove the rule, or give it a priority below the rule that takes its numbers.)md"},
  };
  return kRules;
}

}  // namespace callpark::rules::catalog

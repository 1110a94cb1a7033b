// Catalogue entries for the @allow diagnostics reported by rules/Annotations.cpp.
#include <span>

#include "rules/Registry.h"

namespace callpark::rules {

namespace catalog {

std::span<const Rule> suppressions() {
  static const Rule kRules[] = {
      {"CP901", "allow-missing-reason", "suppression", Severity::Error, "an @allow has no reason",
       R"md(Every exception to a rule must say why, so the next administrator can decide whether it
still holds. An `@allow` without a reason (or with an empty one) suppresses nothing.

**Failing example**

```park
@allow(CP306, "")
orbit "Big" { numbers 10000..29999  pool "fe01.contoso.com" }
```

**Fix**: `@allow(CP306, "bulk range for the contact centre, split in ticket 4711")`.)md"},
      {"CP902", "allow-unused", "suppression", Severity::Warning, "an @allow suppresses nothing",
       R"md(An `@allow(CODE, ...)` whose declaration no longer produces `CODE` is stale: the problem
was fixed, or the code is wrong. Stale exceptions hide the next real finding of that code on the
declaration, so they are reported.

**Failing example**

```park
@allow(CP308, "temporary overlap during migration")
orbit "Dublin CPO 1" { numbers 7000..7099  pool "dublin-fe01.contoso.com" }   // overlaps nothing
```

**Fix**: remove the `@allow`.)md"},
      {"CP903", "allow-unknown-code", "suppression", Severity::Error,
       "an @allow names a code that does not exist",
       R"md(`@allow` takes a diagnostic code (`CP308`) or rule name (`orbit-range-overlap`). A code that
is not in the catalogue suppresses nothing, usually because of a typo; the diagnostic suggests
the closest code.

**Failing example**

```park
@allow(CP3080, "shared with the lab pool")
orbit "Lab" { numbers 7000..7009  pool "lab-fe01.contoso.com" }
```

**Fix**: `@allow(CP308, "shared with the lab pool")`; `parkc rules` lists every code.)md"},
  };
  return kRules;
}

}  // namespace catalog

}  // namespace callpark::rules

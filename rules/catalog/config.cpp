// Catalogue entries for parkc.json and baseline problems (reported by rules/Config.cpp).
#include <span>

#include "rules/Registry.h"

namespace callpark::rules::catalog {

std::span<const Rule> config() {
  static const Rule kRules[] = {
      {"CP020", "config-malformed", "config", Severity::Error,
       "parkc.json is not valid JSON or has a value of the wrong type",
       R"md(`parkc.json` at the policy root configures severities and the baseline. A file that does
not parse is reported with the line and column where the JSON breaks, and none of it applies
(so a typo cannot silently turn every check back on or off).

**Failing example**

```json
{ "severity": { "CP502": "error", } }
```

**Fix**: `{ "severity": { "CP502": "error" } }` (JSON has no trailing commas).)md"},
      {"CP021", "config-unknown-key", "config", Severity::Warning,
       "parkc.json has a key parkc does not know",
       R"md(Known keys are `severity`, `baseline` and `target` (plus codes such as `"CP204"` at the top
level). Anything else is ignored, which is reported because it is usually a misspelling of a key
that was meant to take effect.

**Failing example**

```json
{ "baseilne": "parkc-baseline.json" }
```

**Fix**: `{ "baseline": "parkc-baseline.json" }`.)md"},
      {"CP022", "config-bad-severity", "config", Severity::Error,
       "parkc.json names an unknown code or an unknown severity",
       R"md(Severities are set per code (`"CP502"`) or rule name (`"voice-policy-call-park-off"`), to
`"error"`, `"warning"`, `"note"`, `"off"` or `"default"`. An unknown code or value is ignored
and reported, with the closest known code.

**Failing example**

```json
{ "severity": { "CP5020": "warn" } }
```

**Fix**: `{ "severity": { "CP502": "warning" } }`.)md"},
      {"CP023", "baseline-unreadable", "config", Severity::Error,
       "the baseline file cannot be read or is not a parkc baseline",
       R"md(`parkc check --baseline FILE` (or `"baseline"` in parkc.json) hides the findings recorded
in FILE. When FILE is missing, is not JSON, or lacks the `findings` array written by
`--write-baseline`, nothing is hidden and this error explains why.

**Failing example**

```sh
parkc check --baseline does-not-exist.json policy/
```

**Fix**: create it with `parkc check --write-baseline parkc-baseline.json policy/`.)md"},
  };
  return kRules;
}

}  // namespace callpark::rules::catalog

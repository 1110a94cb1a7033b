// CP403 on-timeout-uri: on_timeout is a syntactically valid sip: URI (spec §3).
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& s : ctx.model.settings) {
    if (!s.decl || !s.decl->onTimeout) continue;
    const auto& v = *s.decl->onTimeout;
    auto r = internal::parseSipUri(v.value);
    if (!r.error) continue;
    out.report(internal::charRange(ctx.sources, v, r.error->index),
               "on_timeout \"" + v.value + "\" is not a sip: URI: " + r.error->reason)
        .suggest("write a SIP URI such as \"sip:operator@contoso.com\"");
  }
}

}  // namespace

extern const Rule kOnTimeoutUri{
    "CP403",
    "on-timeout-uri",
    "settings",
    Severity::Error,
    "on_timeout is not a valid sip: URI",
    R"md(After the last unanswered ringback the park service transfers the parked caller to the
`on_timeout` URI (Lync's `OnTimeoutURI`). It must be a `sip:` (or `sips:`) URI: a user part,
`@`, a host, optional port and parameters. A malformed URI is only discovered when a real caller
is transferred and dropped. The diagnostic points at the first offending character.

**Failing example**

```park
park_settings global { on_timeout "operator@contoso.com" }
```

**Fix**: `on_timeout "sip:operator@contoso.com"`.)md",
    &check};

}  // namespace callpark::rules

// CP405 on-timeout-loop: on_timeout does not point back into the park service.
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

void check(const RuleContext& ctx, Reporter& out) {
  const auto& m = ctx.model;
  if (m.orbits.empty() && m.parkAccess.empty()) return;
  internal::OrbitIndex index(m);
  for (const auto& s : m.settings) {
    if (!s.decl || !s.decl->onTimeout) continue;
    const auto& v = *s.decl->onTimeout;
    auto r = internal::parseSipUri(v.value);
    if (!r.uri || r.uri->user.empty()) continue;
    const std::string& user = r.uri->user;
    size_t at = v.value.find(user);
    SourceRange where =
        at == std::string::npos ? v.range : internal::charRange(ctx.sources, v, at, user.size());
    int orbit = index.find(user);
    if (orbit != model::kNone) {
      const auto& o = m.orbits[static_cast<size_t>(orbit)];
      out.report(where, "on_timeout \"" + v.value + "\" sends timed-out calls to orbit " + user +
                            " of range " + internal::describeOrbit(o) +
                            ", back into the park service")
          .note(internal::numbersRange(o), "\"" + o.name + "\" is declared here")
          .suggest(
              "send timed-out calls to a person or a group, e.g. \"sip:operator@contoso.com\"");
      continue;
    }
    for (const auto& pa : m.parkAccess) {
      if (pa.number != user) continue;
      out.report(where, "on_timeout \"" + v.value +
                            "\" sends timed-out calls to park access "
                            "number " +
                            user + ", which parks them again")
          .note(pa.decl ? pa.decl->number.range : SourceRange{},
                "park access number " + pa.number + " is declared here")
          .suggest(
              "send timed-out calls to a person or a group, e.g. \"sip:operator@contoso.com\"");
      break;
    }
  }
}

}  // namespace

extern const Rule kOnTimeoutLoop{
    "CP405",
    "on-timeout-loop",
    "settings",
    Severity::Error,
    "on_timeout points at an orbit or a park access number",
    R"md(`on_timeout` is where a parked call goes when nobody picks it up. If it is an orbit number
the call is "retrieved" by the park service itself; if it is a park access number it is parked
again. Either way the caller loops on hold forever (or until the service gives up and drops
the call), and no person is ever reached.

**Failing example**

```park
park_access "*70" { pool "redmond-fe01.contoso.com" }
park_settings global { on_timeout "sip:*70@contoso.com" }
```

**Fix**: point it at a person, hunt group or voicemail: `on_timeout "sip:operator@contoso.com"`.)md",
    &check};

}  // namespace callpark::rules

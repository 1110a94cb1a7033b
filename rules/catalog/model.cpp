// Catalogue entries for names and model building (CP2xx), reported by compiler/model
// (ModelBuilder.cpp and internal/UsersJson.cpp). Owned by the model's authors.
#include <span>

#include "rules/Registry.h"

namespace callpark::rules::catalog {

std::span<const Rule> model() {
  static const Rule kRules[] = {
      {"CP201", "duplicate-declaration", "model", Severity::Error,
       "a name, number or scope is declared more than once",
       R"md(Sites, pools, orbit range names, park access numbers and users are identified by their
name, and a scope (global, a site, a pool or a tag) holds at most one `park_settings`, one
`voice_policy` and one `dialplan`. A second declaration would make it ambiguous which one
applies, so it is an error; the message points at the second and a note at the first. The first
declaration wins every lookup. Pools are compared by FQDN, whatever the spelling
(`ApplicationServer:x`, `Registrar:x`, any case); users by SIP address, ignoring case, across
inline `user` blocks and every `users from` file. Naming the same users file twice is reported
too.

**Failing example**

```park
site "Redmond" { pool "redmond-fe01.contoso.com" }
site "Dublin"  { pool "ApplicationServer:redmond-fe01.contoso.com" }  // CP201
```

**Fix**: declare each pool in exactly one site; merge or rename the duplicate declaration.)md"},
      {"CP202", "unknown-pool", "model", Severity::Error, "a pool is named that no site declares",
       R"md(Orbit ranges, park access numbers, `park_settings pool`, `dialplan pool`, users and the
`RegistrarPool` of a users export must name a pool declared inside a `site`. Any Lync spelling
is accepted (`service:ApplicationServer:<fqdn>`, `Registrar:<fqdn>`, case-insensitive). An
unknown pool leaves the orbit range without an owner, which is why it is an error. The closest
declared pool is suggested when there is one. In a users file, many users naming the same
unknown pool are grouped: the first ten are listed and a note counts the rest.

**Failing example**

```park
site "Redmond" { pool "redmond-fe01.contoso.com" }
orbit "Redmond CPO 1" { numbers *3000..*3099  pool "redmond-fe02.contoso.com" }  // CP202
```

**Fix**: correct the FQDN (`redmond-fe01.contoso.com`) or declare the pool in its site.)md"},
      {"CP203", "unknown-site", "model", Severity::Error,
       "a site scope names a site that is not declared",
       R"md(`park_settings site "X"`, `voice_policy site "X"` and `dialplan site "X"` apply to the users
and pools of site X, so X must be declared with `site "X" { ... }`. Site names are matched
exactly (case matters); the closest declared name is suggested.

**Failing example**

```park
site "Dublin" { pool "dublin-fe01.contoso.com" }
park_settings site "Dublim" { pickup_timeout 1m }  // CP203
```

**Fix**: `park_settings site "Dublin" { pickup_timeout 1m }`.)md"},
      {"CP204", "unknown-voice-policy", "model", Severity::Error,
       "a user is assigned a per-user voice policy that is not declared",
       R"md(A user's `voice_policy "Tag"` (or `VoicePolicy` in a users export, with or without the
`Tag:` prefix) must name a tag-scoped `voice_policy "Tag" { ... }`. Otherwise whether that user
may park cannot be decided, so the user falls back to the site or global policy, which is
probably not what was meant. Tags are matched exactly; the closest tag is suggested.

**Failing example**

```park
voice_policy "Reception" { call_park on }
user "sip:alice@contoso.com" { voice_policy "Receptoin" }  // CP204
```

**Fix**: `voice_policy "Reception"`, or declare the missing policy. `null` in a users export
means the user inherits and is never reported.)md"},
      {"CP205", "unknown-dial-plan", "model", Severity::Error,
       "a user is assigned a per-user dial plan that is not declared",
       R"md(A user's `dialplan "Tag"` (or `DialPlan` in a users export, with or without the `Tag:`
prefix) must name a tag-scoped `dialplan "Tag" { ... }`. Otherwise the numbers that user dials
would be normalized by a different plan than the directory says, and the orbit conflict
analysis would check the wrong plan. Tags are matched exactly; the closest tag is suggested.

**Failing example**

```park
dialplan "RedmondReception" { rule "Operator" priority 0 { pattern '^0$' translation '+14255550100' } }
user "sip:alice@contoso.com" { dialplan "RedmondReceptoin" }  // CP205
```

**Fix**: `dialplan "RedmondReception"`, or declare the missing dial plan.)md"},
      {"CP206", "invalid-enum-value", "model", Severity::Error,
       "an orbit's type or allocation is not one of the allowed keywords",
       R"md(An orbit range's `type` is `callpark` (the default) or `group_pickup`; its `allocation` is
`least_recent` (the default), `random`, `next` or `first`. Any other word is an error, with the
closest keyword suggested; the default is used meanwhile.

**Failing example**

```park
orbit "Redmond Pickup" { type group-pickup  numbers #4100..#4199  pool "redmond-fe01.contoso.com" }
```

**Fix**: `type group_pickup`.)md"},
      {"CP207", "scope-not-allowed", "model", Severity::Error,
       "a declaration is written for a scope its kind does not support",
       R"md(Park settings apply to global, a site or a pool; voice policies to global, a site or a
per-user tag; dial plans to all four. Park settings for a tag would have no pool to govern, and
a voice policy for a pool is not something Lync has (policies follow users, not servers). The
declaration is left out of the model.

**Failing example**

```park
voice_policy pool "redmond-fe01.contoso.com" { call_park on }  // CP207
```

**Fix**: `voice_policy site "Redmond" { call_park on }`, or a tag assigned to the users.)md"},
      {"CP208", "users-file-not-found", "model", Severity::Error,
       "a users file named by `users from` cannot be read",
       R"md(`users from "path"` reads a users export; the path is relative to the folder of the .park
file that names it. When the file is missing (or is a directory) no users are loaded from it,
so every check involving those users would be silently skipped: this is an error pointing at
the path.

**Failing example**

```park
users from "user.json"   // the export is called users.json
```

**Fix**: correct the path, or create the export with
`Get-CsUser | Select-Object SipAddress,LineURI,RegistrarPool,VoicePolicy,DialPlan | ConvertTo-Json | Out-File -Encoding utf8 users.json`.)md"},
      {"CP209", "users-file-malformed", "model", Severity::Error,
       "a users file is not valid UTF-8 JSON",
       R"md(The users export must be JSON. The diagnostic points at the line and column where the JSON
breaks; users before that point are still loaded. A UTF-16 file (what Windows PowerShell's
`Out-File` writes by default) is reported as such.

**Failing example**

```json
[ { "SipAddress": "sip:alice@contoso.com", } ]
```

**Fix**: remove the trailing comma; when exporting, use `ConvertTo-Json` and
`Out-File -Encoding utf8`.)md"},
      {"CP210", "users-file-wrong-shape", "model", Severity::Error,
       "a users file is JSON but not an array of user objects with string values",
       R"md(The export is an array of objects (a single object is accepted: that is what
`ConvertTo-Json` writes for one user). The keys `SipAddress`, `LineURI`, `RegistrarPool`,
`VoicePolicy` and `DialPlan` (any case) must hold a string or null; other keys are ignored.
Anything else cannot be a user and is reported where it is.

**Failing example**

```json
[ "sip:alice@contoso.com", { "SipAddress": "sip:bob@contoso.com", "RegistrarPool": 7 } ]
```

**Fix**: export with `Select-Object SipAddress,LineURI,RegistrarPool,VoicePolicy,DialPlan`
so every entry is an object with those keys.)md"},
      {"CP211", "user-missing-sip-address", "model", Severity::Error,
       "an entry of a users file has no SipAddress",
       R"md(A user is identified by its SIP address; an entry without one (missing, null or empty)
cannot be assigned anything and is skipped. This usually means the export selected the wrong
columns or a user is not enabled for Lync.

**Failing example**

```json
[ { "RegistrarPool": "redmond-fe01.contoso.com", "VoicePolicy": "Reception" } ]
```

**Fix**: include `SipAddress` in `Select-Object`, or drop users that are not enabled
(`Get-CsUser -Filter {Enabled -eq $true}`).)md"},
  };
  return kRules;
}

}  // namespace callpark::rules::catalog

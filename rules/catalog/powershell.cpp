// Catalogue entries for `parkc import` (CP950..CP966), reported by compiler/powershell
// (Lexer.cpp and Importer.cpp) while reading a Lync / Skype for Business PowerShell script.
#include <span>

#include "rules/Registry.h"

namespace callpark::rules::catalog {

std::span<const Rule> powershell() {
  static const Rule kRules[] = {
      {"CP950", "ps-syntax", "import", Severity::Error,
       "the PowerShell script has a string, comment or bracket that is never closed",
       R"md(`parkc import` tokenizes the script as PowerShell does. A string, `<# #>` comment,
here-string or bracket that is never closed makes the rest of the file unreadable, so what follows
it may be missing from the import.

**Failing example**

```powershell
New-CsCallParkOrbit -Identity "Redmond CPO 1 -NumberRangeStart 100
```

**Fix**: close the string: `-Identity "Redmond CPO 1"`.)md"},
      {"CP951", "ps-double-quoted-capture", "import", Severity::Warning,
       "a double-quoted string loses `$1`: PowerShell expands it to nothing",
       R"md(Inside double quotes PowerShell expands variables, and `$1` is a variable (unset, so
empty). `-Translation "+1425$1"` therefore stores the translation `+1425`, and every number the
rule matches becomes `+1425`. This is a real bug found in deployed scripts. The import keeps what
PowerShell stored (so the policy behaves like the deployment) and reports the string.

**Failing example**

```powershell
New-CsVoiceNormalizationRule -Parent site:Redmond -Name "4 digit" -Pattern '^(\d{4})$' -Translation "+1425555$1"
```

**Fix**: single quotes, as the product documentation requires: `-Translation '+1425555$1'`, then
re-import (or fix `translation` in the imported policy).)md"},
      {"CP952", "ps-unknown-value", "import", Severity::Warning,
       "a value comes from a variable or expression known only when the script runs",
       R"md(The importer follows variables the script sets to text, arrays, in-memory rules and
`Get-Content` results. A value computed from user input, another command's output, or a `$( )`
expression cannot be known; the parameter (or the command, when the value is essential) is
skipped.

**Failing example**

```powershell
$site = (Get-CsSite)[0].Identity
New-CsDialPlan -Identity $site
```

**Fix**: write the value in the script (`New-CsDialPlan -Identity site:Redmond`) before importing.)md"},
      {"CP953", "ps-ambiguous-parameter", "import", Severity::Error,
       "a parameter abbreviation matches several parameters",
       R"md(PowerShell accepts any unique prefix of a parameter name (`-NumberRangeS`), but rejects
one that matches several (`-P` for `-Parent`, `-Pattern` and `-Priority`). The command fails in
PowerShell, so it is skipped.

**Failing example**

```powershell
New-CsVoiceNormalizationRule -Identity "global/Ten" -P '^(\d{10})$'
```

**Fix**: write more of the name: `-Pattern '^(\d{10})$'`.)md"},
      {"CP954", "ps-unknown-parameter", "import", Severity::Error,
       "the cmdlet has no such parameter, or an argument is in the wrong place",
       R"md(A parameter the cmdlet does not have (often a misspelling), or a second positional
argument, makes PowerShell reject the command; it is skipped. The closest parameter is suggested.

**Failing example**

```powershell
New-CsCallParkOrbit -Identity "CPO" -NumberRangStart 100 -NumberRangeEnd 199 -CallParkService fe01.contoso.com
```

**Fix**: `-NumberRangeStart 100`.)md"},
      {"CP955", "ps-missing-value", "import", Severity::Error,
       "a parameter has no value, or a required parameter is missing",
       R"md(A parameter that takes a value is followed by another parameter or the end of the
command, or the cmdlet is missing something it needs (an orbit without `-NumberRangeEnd`, a
normalization rule without a name). The command is skipped.

**Failing example**

```powershell
New-CsCallParkOrbit -Identity "CPO" -NumberRangeStart 100 -CallParkService fe01.contoso.com
```

**Fix**: add `-NumberRangeEnd 199`.)md"},
      {"CP956", "ps-unknown-object", "import", Severity::Warning,
       "a command refers to something the script did not create, or creates it twice",
       R"md(`Set-`, `Remove-` and `Grant-` commands change objects; when the script never created
the object, its other properties are unknown (the object existed in the deployment). A `New-`
command for something that already exists fails in PowerShell. The message says what the import
did: skipped the command, or imported what it could with a note.

**Failing example**

```powershell
Remove-CsVoiceNormalizationRule -Identity "site:Dublin/Keep All"   # no New-CsDialPlan site:Dublin
```

**Fix**: include the commands (or an export) that create the object, or add it to the imported
policy by hand.)md"},
      {"CP957", "ps-splatting", "import", Severity::Warning,
       "splatting (`@params`) is not supported by the importer",
       R"md(`Cmdlet @params` passes a hash table of parameters built elsewhere. The importer does not
follow hash tables into parameters; the command is skipped.

**Failing example**

```powershell
$p = @{ Identity = "CPO"; NumberRangeStart = 100; NumberRangeEnd = 199 }
New-CsCallParkOrbit @p
```

**Fix**: write the parameters out on the command.)md"},
      {"CP958", "ps-skipped-cmdlets", "import", Severity::Note,
       "commands with nothing to import were skipped (the note lists them)",
       R"md(Scripts do much more than Call Park: voice routes, PSTN usages, trunks, `Write-Host`. One
note per script lists every skipped cmdlet with how often it appears, so a reviewer can see that
nothing relevant was missed.

**Failing example**

```powershell
New-CsVoiceRoute -Identity Route1 -PstnUsages @{add="Local"}
```

**Fix**: nothing to fix; read the list.)md"},
      {"CP959", "ps-ignored-parameters", "import", Severity::Note,
       "parameters with no equivalent in a Callpark policy were not imported",
       R"md(A voice policy's `-PstnUsages` or `-AllowSimulRing`, a dial plan's `-SimpleName`: the policy
language describes Call Park, so these are dropped, and the note names them.

**Failing example**

```powershell
New-CsVoicePolicy -Identity Reception -EnableCallPark $true -AllowSimulRing $false
```

**Fix**: nothing to fix; keep managing those settings in Lync.)md"},
      {"CP960", "ps-tenant-dial-plan", "import", Severity::Note,
       "Teams tenant dial plans were imported as per-user dial plans",
       R"md(`New-CsTenantDialPlan` (Microsoft Teams) takes the same normalization rule objects as
Lync's dial plans. The importer reads them as per-user (tag) dial plans so their rules can be
checked and reused.

**Failing example**

```powershell
New-CsTenantDialPlan -Identity "AU-QLD" -NormalizationRules @{Add=$rules}
```

**Fix**: nothing to fix; assign the plans to users in the policy if needed.)md"},
      {"CP961", "ps-pipeline-input", "import", Severity::Warning,
       "a command takes the objects it changes from a pipeline",
       R"md(`Get-CsUser -OU ... | Grant-CsVoicePolicy -PolicyName X` changes whatever the first
command returns when the script runs; the importer cannot know which objects, so the command is
skipped. (`Get-CsVoiceNormalizationRule -Filter 'PLAN/*' | Remove-CsVoiceNormalizationRule`, which
empties a dial plan, is understood.)

**Failing example**

```powershell
Get-CsUser -OU "OU=Reception,DC=contoso,DC=com" | Grant-CsVoicePolicy -PolicyName Reception
```

**Fix**: list the users (`Grant-CsVoicePolicy -Identity sip:alice@contoso.com ...`) or add them to
the imported policy.)md"},
      {"CP962", "ps-keep-all-rule", "import", Severity::Note,
       "New-CsDialPlan created the default \"Keep All\" rule and the script keeps it",
       R"md(Lync gives every new dial plan a rule named "Keep All" (`^(\d{11})$` -> `+$1`). Scripts
usually remove it; when this one does not, the deployed plan has it, so the import has it too.

**Failing example**

```powershell
New-CsDialPlan -Identity site:Redmond
```

**Fix**: `Remove-CsVoiceNormalizationRule -Identity "site:Redmond/Keep All"` in the script, or
delete the rule from the imported policy.)md"},
      {"CP963", "ps-invalid-value", "import", Severity::Error,
       "a value is not valid for its parameter",
       R"md(`-EnableCallPark` takes `$true`/`$false`, `-CallPickupTimeoutThreshold` a time span like
`00:01:30`, `-MaxCallPickupAttempts` a number, orbit numbers a dial string, identities a known
scope form. PowerShell or Lync rejects anything else; the parameter or command is skipped.

**Failing example**

```powershell
Set-CsCpsConfiguration -Identity global -CallPickupTimeoutThreshold 90
```

**Fix**: `-CallPickupTimeoutThreshold 00:01:30` (a bare 90 is 90 days to .NET).)md"},
      {"CP964", "ps-user-identity", "import", Severity::Warning,
       "a user is named by something other than a SIP address",
       R"md(`Grant-CsVoicePolicy -Identity "Ken Myer"` names a user by display name, which only Active
Directory can resolve. The policy names users by SIP address, so the command is skipped.

**Failing example**

```powershell
Grant-CsVoicePolicy -Identity "Ken Myer" -PolicyName Reception
```

**Fix**: `Grant-CsVoicePolicy -Identity sip:kenmyer@litwareinc.com -PolicyName Reception`.)md"},
      {"CP965", "ps-conditional", "import", Severity::Note,
       "configuration commands inside if/else, loops or functions were imported as if run once",
       R"md(The importer does not run the script: a `New-CsTenantDialPlan` in the `else` branch of
`if (Get-CsTenantDialPlan ...)` is imported as if the branch ran, a command in a function as if the
function were called once. Review the imported policy for branches that would not run.

**Failing example**

```powershell
if (-not (Get-CsDialPlan site:Redmond)) { New-CsDialPlan -Identity site:Redmond }
```

**Fix**: nothing to fix; review.)md"},
      {"CP966", "ps-topology", "import", Severity::Note,
       "pools whose site the script does not say were put in a site named \"Imported\"",
       R"md(Which pool belongs to which site is Lync's topology (Topology Builder), not PowerShell. The
import needs every pool in a site, so pools the script names (in `-CallParkService`,
`service:...` identities, `Move-CsUser -Target`) go into a site called "Imported" unless a
`#parkc:site` line (written by `parkc export`) says where they are.

**Failing example**

```powershell
New-CsCallParkOrbit -Identity "CPO 1" -NumberRangeStart 100 -NumberRangeEnd 199 -CallParkService fe01.contoso.com
```

**Fix**: move the pool into its site in topology.park (`site "Redmond" { pool "fe01.contoso.com" }`).)md"},
  };
  return kRules;
}

}  // namespace callpark::rules::catalog

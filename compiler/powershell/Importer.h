// `parkc import`: a Lync 2013 / Skype for Business Server PowerShell script (or export) to an
// equivalent policy.
//
// importScript() tokenizes the script (Lexer.h) and interprets the configuration cmdlets in
// order, the way the deployment would have executed them, into a PolicyDraft:
//   New-/Set-CsCallParkOrbit, New-/Set-CsCpsConfiguration, Set-CsCallParkServiceMusicOnHoldFile,
//   New-/Set-CsVoicePolicy, Grant-CsVoicePolicy, New-/Set-CsDialPlan, New-/Set-/Remove-
//   CsVoiceNormalizationRule, and, because the same objects come from them, Grant-CsDialPlan,
//   New-/Set-CsTenantDialPlan (Teams; imported as per-user dial plans), Set-CsUser -LineURI and
//   Move-CsUser -Target (a user's line and home pool).
// It follows simple variables (`$x = 'text'`, `$rules = @()`, `$rules += New-Cs... -InMemory`,
// `$moh = Get-Content -ReadCount 0 -Encoding Byte 'file.wav'`) and binds parameters as
// PowerShell does: case-insensitive, unique prefixes (`-NumberRangeS`), switch parameters,
// `-Name:value`, positional Identity. Rule priorities are positions in the dial plan's list
// (a new rule with -Priority N is inserted at N, without it appended), and New-CsDialPlan
// creates Lync's default "Keep All" rule, as the product does.
// Everything else is skipped; the cmdlets skipped are listed in one note. Commands inside
// `if`/loops/functions are imported as if they ran once (a note says how many). Splatting
// (`@params`) is not supported: such a command is reported and skipped.
//
// Lync's topology (which pool is in which site) is not in PowerShell: pools go to the sites the
// script names when it can tell, else to a site named "Imported" (a note says so). Comment lines
// `#parkc:site "Site" "pool-fqdn" ...`, `#parkc:park_access "*70" "pool-fqdn"` and
// `#parkc:allocation "Orbit" next` (written by `parkc export --powershell`) carry what Lync has
// no cmdlet for, so an export imports back to the same policy.
//
// Problems are diagnostics CP950..CP966 pointing into the script.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/Diagnostic.h"
#include "compiler/support/Source.h"

namespace callpark::powershell {

struct DraftScope {
  enum Kind { Global, Site, Pool, Tag } kind = Global;
  std::string name;
  bool operator<(const DraftScope& o) const {
    return kind != o.kind ? kind < o.kind : name < o.name;
  }
  bool operator==(const DraftScope& o) const = default;
};

struct DraftOrbit {
  std::string name, start, end, pool, type = "callpark", allocation;
};
struct DraftSettings {
  DraftScope scope;
  std::optional<int64_t> pickupTimeoutSeconds, maxPickupAttempts;
  std::optional<bool> musicOnHold;
  std::optional<std::string> onTimeout, musicFile;
};
struct DraftVoicePolicy {
  DraftScope scope;
  std::optional<bool> callPark;
};
struct DraftRule {
  std::string name, pattern = "^(\\d{11})$", translation = "+$1", description;
  bool internalExtension = false;
};
struct DraftDialPlan {
  DraftScope scope;
  std::string description, externalAccessPrefix;
  std::optional<bool> optimizeDeviceDialing;
  std::vector<DraftRule> rules;  // in evaluation order; priority = position
};
struct DraftUser {
  std::string sip, pool, line, voicePolicy, dialPlan;
};

struct PolicyDraft {
  std::map<std::string, std::vector<std::string>> sites;  // site -> pools (fqdn)
  std::vector<DraftOrbit> orbits;
  std::vector<std::pair<std::string, std::string>> parkAccess;  // number, pool
  std::vector<DraftSettings> settings;
  std::vector<DraftVoicePolicy> voicePolicies;
  std::vector<DraftDialPlan> dialPlans;
  std::vector<DraftUser> users;
};

struct ImportSummary {
  // What was imported, one line each ("orbit \"Redmond CPO 1\" (New-CsCallParkOrbit, line 3)").
  std::vector<std::string> imported;
  // Skipped cmdlets with their counts.
  std::map<std::string, int> skipped;
  size_t commands = 0;  // configuration commands recognised
};

PolicyDraft importScript(const SourceManager& sm, FileId file, DiagnosticEngine& diags,
                         ImportSummary* summary = nullptr);

// The .park files of a draft: file name -> text (topology.park, orbits.park, settings.park,
// policies.park, dialplans.park, users.park; only the non-empty ones).
std::map<std::string, std::string> writePark(const PolicyDraft& d, const std::string& header);

}  // namespace callpark::powershell

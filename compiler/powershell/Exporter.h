// `parkc export --powershell`: the Lync Server 2013 / Skype for Business Server Management
// Shell script that configures a deployment to match a policy.
//
// Written in dependency order: orbit ranges (New-CsCallParkOrbit), Call Park service settings
// (Set-CsCpsConfiguration for global, New-CsCpsConfiguration for sites and pools,
// Set-CsCallParkServiceMusicOnHoldFile), voice policies (Set-/New-CsVoicePolicy
// -EnableCallPark), dial plans (Set-CsDialPlan global / New-CsDialPlan, their default
// "Keep All" rule removed, then every rule with New-CsVoiceNormalizationRule in evaluation
// order, -Priority being the position, patterns and translations in single quotes so `$1`
// reaches the rule), then user assignments (Grant-CsVoicePolicy, Grant-CsDialPlan).
// What Lync has no cmdlet for (the topology, park access numbers, allocation strategies,
// users' home pools and lines, which the directory already holds) is written as `#parkc:`
// comment lines that `parkc import` reads back, so export then import gives the same policy.
// Strings are single-quoted with `''` escapes: nothing in them is expanded.
#pragma once

#include <string>

#include "compiler/model/Model.h"

namespace callpark::powershell {

std::string exportPowerShell(const model::Model& m, const std::string& sourceLabel);

// A PowerShell single-quoted literal: 'it''s'.
std::string psQuote(const std::string& s);

}  // namespace callpark::powershell

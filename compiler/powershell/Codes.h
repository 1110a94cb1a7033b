// Diagnostic codes of `parkc import` (catalogue: rules/catalog/powershell.cpp).
#pragma once

namespace callpark::powershell::codes {

inline constexpr const char* kSyntax = "CP950";               // unreadable PowerShell
inline constexpr const char* kDoubleQuotedCapture = "CP951";  // "+1$1" loses $1
inline constexpr const char* kUnknownVariable = "CP952";      // value from a variable not set here
inline constexpr const char* kAmbiguousParameter = "CP953";   // -P matches -Parent and -Pattern
inline constexpr const char* kUnknownParameter = "CP954";     // no such parameter
inline constexpr const char* kMissingValue = "CP955";         // parameter without value / required
inline constexpr const char* kUnknownObject = "CP956";        // Set/Remove/Grant on what is unknown
inline constexpr const char* kSplatting = "CP957";            // @params
inline constexpr const char* kSkippedCmdlets = "CP958";       // the note listing skipped cmdlets
inline constexpr const char* kIgnoredParameters = "CP959";    // no equivalent in the language
inline constexpr const char* kTenantDialPlan = "CP960";       // Teams tenant dial plan
inline constexpr const char* kPipelineInput = "CP961";        // Get-X | Set-Y
inline constexpr const char* kKeepAll = "CP962";              // New-CsDialPlan's default rule
inline constexpr const char* kInvalidValue = "CP963";         // not a bool / time span / number
inline constexpr const char* kUserIdentity = "CP964";         // not a SIP address
inline constexpr const char* kConditional = "CP965";          // commands inside if/loops/functions
inline constexpr const char* kTopology = "CP966";             // pools whose site is unknown

}  // namespace callpark::powershell::codes

// Reading a users export (users.json) with a source range for every user and value.
//
// The file is the output of
//   Get-CsUser | Select-Object SipAddress,LineURI,RegistrarPool,VoicePolicy,DialPlan |
//   ConvertTo-Json
// an array of objects (or, for a single user, one object: that is what ConvertTo-Json writes
// then). Keys are matched case-insensitively, as PowerShell does; unknown keys are ignored;
// null (or an empty string) means "inherit". This reader only checks the JSON syntax (CP209)
// and the shape (CP210); resolving names is the builder's job.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "compiler/diag/Diagnostic.h"
#include "compiler/support/Source.h"

namespace callpark::model::internal {

struct JsonString {
  std::string value;  // unescaped
  SourceRange range;  // the string literal including its quotes
};

struct JsonUser {
  SourceRange range;                                                 // the object, `{` to `}`
  std::optional<JsonString> sip, line, pool, voicePolicy, dialPlan;  // nullopt: absent or null
  bool sipWrongType = false;  // SipAddress held a number, array, ... (already reported, CP210)
};

// Reads `file` (already in `sm`) and calls `onUser` for every user object, in file order.
// Reports CP209 (not JSON; line and column of the error) and CP210 (wrong shape). Returns
// false when the file is not valid JSON (users before the error have been delivered).
bool readUsersJson(FileId file, const SourceManager& sm, DiagnosticEngine& diags,
                   const std::function<void(JsonUser&)>& onUser);

}  // namespace callpark::model::internal

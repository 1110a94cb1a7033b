// Bearer tokens for the admin API and what each administrative role may do (CALLPARK.md §8).
//
// Token file: one token per line, `TOKEN ROLE` separated by blanks; `#` starts a comment; blank
// lines are ignored. ROLE is one of the Lync administrative roles:
//   RTCUniversalServerAdmins, CsVoiceAdministrator, CsServerAdministrator, CsAdministrator,
//   CsUserAdministrator, CsViewOnlyAdministrator, CsHelpDesk (and any other Cs* role read-only).
// Reading (GET) is allowed to every role. Reloading the policy changes orbit ranges, park
// settings and music, so it needs a role that may change those:
//   RTCUniversalServerAdmins, CsVoiceAdministrator, CsServerAdministrator, CsAdministrator.
// Pure values; thread-safe after loading.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace callpark::admin {

enum class Permission { Read, Reload };

bool roleAllows(std::string_view role, Permission p);
bool isKnownRole(std::string_view role);

class TokenTable {
 public:
  // Parses a token file's text. Returns "" or the first problem ("line 3: unknown role 'X'").
  std::string parse(std::string_view text);
  std::string loadFile(const std::string& path);
  // The role of `token`, nullopt if unknown. Constant-time comparison per token.
  std::optional<std::string> roleOf(std::string_view token) const;
  bool empty() const { return roles_.empty(); }
  size_t size() const { return roles_.size(); }

 private:
  std::map<std::string, std::string> roles_;
};

}  // namespace callpark::admin

#include "runtime/admin/Auth.h"

#include <fstream>
#include <sstream>
#include <vector>

namespace callpark::admin {

namespace {
const char* kChangeRoles[] = {"RTCUniversalServerAdmins", "CsVoiceAdministrator",
                              "CsServerAdministrator", "CsAdministrator"};
const char* kOtherRoles[] = {
    "CsUserAdministrator",      "CsViewOnlyAdministrator",      "CsHelpDesk",
    "CsArchivingAdministrator", "CsResponseGroupAdministrator", "CsLocationAdministrator",
    "CsResponseGroupManager",   "CsPersistentChatAdministrator"};
}  // namespace

bool isKnownRole(std::string_view role) {
  for (auto r : kChangeRoles)
    if (role == r) return true;
  for (auto r : kOtherRoles)
    if (role == r) return true;
  return false;
}

bool roleAllows(std::string_view role, Permission p) {
  if (!isKnownRole(role)) return false;
  if (p == Permission::Read) return true;
  for (auto r : kChangeRoles)
    if (role == r) return true;
  return false;
}

std::string TokenTable::parse(std::string_view text) {
  std::map<std::string, std::string> roles;
  std::istringstream in{std::string(text)};
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (auto h = line.find('#'); h != std::string::npos) line.erase(h);
    std::istringstream ls(line);
    std::vector<std::string> f;
    std::string w;
    while (ls >> w) f.push_back(w);
    if (f.empty()) continue;
    if (f.size() != 2) return "line " + std::to_string(n) + ": expected `TOKEN ROLE`";
    if (!isKnownRole(f[1]))
      return "line " + std::to_string(n) + ": unknown administrative role '" + f[1] + "'";
    if (f[0].size() < 16)
      return "line " + std::to_string(n) + ": token too short (at least 16 characters)";
    roles[f[0]] = f[1];
  }
  roles_ = std::move(roles);
  return "";
}

std::string TokenTable::loadFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) return "cannot read token file " + path;
  std::stringstream ss;
  ss << f.rdbuf();
  std::string err = parse(ss.str());
  return err.empty() ? "" : path + ": " + err;
}

std::optional<std::string> TokenTable::roleOf(std::string_view token) const {
  std::optional<std::string> found;
  for (const auto& [t, role] : roles_) {
    unsigned diff = t.size() != token.size();
    for (size_t i = 0; i < t.size(); ++i)
      diff |= unsigned(t[i] ^ (i < token.size() ? token[i] : 0));
    if (diff == 0) found = role;
  }
  return found;
}

}  // namespace callpark::admin

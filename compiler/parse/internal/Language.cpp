#include "compiler/parse/internal/Language.h"

#include <algorithm>
#include <charconv>

namespace callpark::parse::internal {

const char* ruleName(Rule r) {
  switch (r) {
    case Rule::File:
      return "file";
    case Rule::Declaration:
      return "declaration";
    case Rule::DeclBody:
      return "declBody";
    case Rule::Annotation:
      return "annotation";
    case Rule::AnnotationCode:
      return "annotationCode";
    case Rule::SiteDecl:
      return "siteDecl";
    case Rule::SiteItem:
      return "siteItem";
    case Rule::OrbitDecl:
      return "orbitDecl";
    case Rule::OrbitItem:
      return "orbitItem";
    case Rule::DialRange:
      return "dialRange";
    case Rule::Dial:
      return "dial";
    case Rule::ParkAccessDecl:
      return "parkAccessDecl";
    case Rule::DialString:
      return "dialString";
    case Rule::ParkAccessItem:
      return "parkAccessItem";
    case Rule::ParkSettingsDecl:
      return "parkSettingsDecl";
    case Rule::ParkSetting:
      return "parkSetting";
    case Rule::Scope:
      return "scope";
    case Rule::VoicePolicyDecl:
      return "voicePolicyDecl";
    case Rule::VoicePolicyItem:
      return "voicePolicyItem";
    case Rule::DialPlanDecl:
      return "dialPlanDecl";
    case Rule::DialPlanItem:
      return "dialPlanItem";
    case Rule::RuleDecl:
      return "ruleDecl";
    case Rule::RuleItem:
      return "ruleItem";
    case Rule::UserDecl:
      return "userDecl";
    case Rule::UserItem:
      return "userItem";
    case Rule::UsersFromDecl:
      return "usersFromDecl";
    case Rule::TestDecl:
      return "testDecl";
    case Rule::Expectation:
      return "expectation";
    case Rule::Caller:
      return "caller";
    case Rule::DialResult:
      return "dialResult";
    case Rule::ParkResult:
      return "parkResult";
    case Rule::Text:
      return "text";
    case Rule::Bool:
      return "boolean";
    case Rule::Duration:
      return "duration";
    case Rule::KeywordValue:
      return "keywordValue";
    case Rule::Count_:
      break;
  }
  return "?";
}

bool isBlockRule(Rule r) {
  switch (r) {
    case Rule::SiteDecl:
    case Rule::OrbitDecl:
    case Rule::ParkAccessDecl:
    case Rule::ParkSettingsDecl:
    case Rule::VoicePolicyDecl:
    case Rule::DialPlanDecl:
    case Rule::RuleDecl:
    case Rule::UserDecl:
    case Rule::TestDecl:
      return true;
    default:
      return false;
  }
}

const std::vector<std::string>& declarationKeywords() {
  static const std::vector<std::string> k = {"site",          "orbit",        "park_access",
                                             "park_settings", "voice_policy", "dialplan",
                                             "user",          "users",        "test"};
  return k;
}

const char* blockKeyword(Rule r) {
  switch (r) {
    case Rule::SiteDecl:
      return "site";
    case Rule::OrbitDecl:
      return "orbit";
    case Rule::ParkAccessDecl:
      return "park_access";
    case Rule::ParkSettingsDecl:
      return "park_settings";
    case Rule::VoicePolicyDecl:
      return "voice_policy";
    case Rule::DialPlanDecl:
      return "dialplan";
    case Rule::RuleDecl:
      return "rule";
    case Rule::UserDecl:
      return "user";
    case Rule::TestDecl:
      return "test";
    case Rule::UsersFromDecl:
      return "users";
    default:
      return "block";
  }
}

const std::vector<std::string>& blockItems(Rule r) {
  static const std::vector<std::string> none;
  static const std::vector<std::string> site = {"pool"};
  static const std::vector<std::string> orbit = {"numbers", "pool", "type", "allocation"};
  static const std::vector<std::string> access = {"pool"};
  static const std::vector<std::string> settings = {"pickup_timeout", "max_pickup_attempts",
                                                    "music_on_hold", "on_timeout", "music_file"};
  static const std::vector<std::string> voice = {"call_park"};
  static const std::vector<std::string> dialplan = {
      "external_access_prefix", "optimize_device_dialing", "description", "rule"};
  static const std::vector<std::string> rule = {"pattern", "translation", "priority",
                                                "internal_extension", "description"};
  static const std::vector<std::string> user = {"pool", "line", "voice_policy", "dialplan"};
  static const std::vector<std::string> test = {"dial", "park"};
  switch (r) {
    case Rule::SiteDecl:
      return site;
    case Rule::OrbitDecl:
      return orbit;
    case Rule::ParkAccessDecl:
      return access;
    case Rule::ParkSettingsDecl:
      return settings;
    case Rule::VoicePolicyDecl:
      return voice;
    case Rule::DialPlanDecl:
      return dialplan;
    case Rule::RuleDecl:
      return rule;
    case Rule::UserDecl:
      return user;
    case Rule::TestDecl:
      return test;
    default:
      return none;
  }
}

bool isItemKeyword(std::string_view w) {
  for (Rule r : {Rule::SiteDecl, Rule::OrbitDecl, Rule::ParkSettingsDecl, Rule::VoicePolicyDecl,
                 Rule::DialPlanDecl, Rule::RuleDecl, Rule::UserDecl}) {
    const auto& items = blockItems(r);
    if (std::find(items.begin(), items.end(), w) != items.end()) return true;
  }
  return false;
}

std::string listOf(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += i + 1 == v.size() ? " or " : ", ";
    s += "`" + v[i] + "`";
  }
  return s;
}

std::string stringValue(std::string_view t, Tok kind, bool unterminated) {
  if (t.empty()) return {};
  std::string_view body = t.substr(1, t.size() - (unterminated ? 1 : 2));
  if (kind == Tok::Raw) return std::string(body);
  std::string s;
  s.reserve(body.size());
  for (size_t j = 0; j < body.size(); ++j) {
    if (body[j] == '\\' && j + 1 < body.size() && (body[j + 1] == '"' || body[j + 1] == '\\'))
      s += body[++j];
    else
      s += body[j];
  }
  return s;
}

bool parseDuration(std::string_view t, int64_t& secs, std::string& why) {
  const int64_t kMax = int64_t{1} << 40;
  secs = 0;
  if (t.empty() || t[0] < '0' || t[0] > '9') {
    why = "a duration starts with a number";
    return false;
  }
  if (t.find(':') != std::string_view::npos) {
    std::vector<int64_t> parts;
    size_t b = 0;
    while (true) {
      size_t e = t.find(':', b);
      std::string_view p = t.substr(b, e == std::string_view::npos ? t.npos : e - b);
      if (p.empty() || p.size() > 9 ||
          !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        why = "the parts of a clock duration are numbers, `hh:mm:ss`";
        return false;
      }
      int64_t v = 0;
      std::from_chars(p.data(), p.data() + p.size(), v);
      parts.push_back(v);
      if (e == std::string_view::npos) break;
      b = e + 1;
    }
    if (parts.size() != 3) {
      why = "a clock duration has three parts, `hh:mm:ss`";
      return false;
    }
    if (parts[1] > 59 || parts[2] > 59) {
      why = "minutes and seconds go up to 59";
      return false;
    }
    secs = parts[0] * 3600 + parts[1] * 60 + parts[2];
    return true;
  }
  const std::string order = "hms";
  size_t lastUnit = 0;  // index+1 in `order` of the previous unit
  size_t i = 0;
  while (i < t.size()) {
    size_t b = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == b) {
      why = "the units are `h`, `m` and `s`, each after a number";
      return false;
    }
    if (i >= t.size()) {
      why = "`" + std::string(t.substr(b)) + "` needs a unit `h`, `m` or `s`";
      return false;
    }
    if (i - b > 9) {
      why = "the duration is far too long";
      return false;
    }
    size_t u = order.find(t[i]);
    if (u == std::string::npos) {
      why = "the units are `h`, `m` and `s`";
      return false;
    }
    if (u + 1 <= lastUnit) {
      why = "units go from hours to seconds, each once (`1h30m`, `1m30s`)";
      return false;
    }
    lastUnit = u + 1;
    int64_t v = 0;
    std::from_chars(t.data() + b, t.data() + i, v);
    secs += v * (u == 0 ? 3600 : u == 1 ? 60 : 1);
    if (secs > kMax) {
      why = "the duration is far too long";
      return false;
    }
    ++i;
  }
  return true;
}

std::optional<int64_t> parseInteger(std::string_view t) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size()) return std::nullopt;
  return v;
}

}  // namespace callpark::parse::internal

// Realistic normalization rules for benchmarks: the shapes administrators write (and the corpus
// in ../shared/corpus/lync-ps shows): internal extensions of a few lengths, local and national
// numbers with a trunk prefix, international access codes, emergency and service numbers,
// operator shortcuts, inter-site prefixes and pass-through rules. Each "country profile"
// instantiates the shapes with its own codes, so a set of profiles yields a few hundred distinct
// patterns, as a large organisation's dial plans do.
//
// Header-only, deterministic (no randomness here: callers pick from the lists with a seeded
// generator). Used by bench/genorg (synthetic organisations) and bench/normalize.
#pragma once

#include <string>
#include <vector>

namespace callpark::bench {

struct RuleShape {
  std::string name;
  std::string pattern;      // .NET, anchored
  std::string translation;  // .NET substitution
  bool internal = false;    // internal_extension
};

struct CountryProfile {
  std::string name;
  std::string cc;                  // country code without '+'
  std::string trunk;               // national trunk prefix ("0", "1", "")
  std::string intl;                // international access code ("011", "00", "0011")
  std::vector<std::string> areas;  // area codes used by local/extension rules
  std::string emergency;           // "911", "112|999", "000|112"
  int extDigits = 3;               // digits after the first of an internal extension
};

inline const std::vector<CountryProfile>& countryProfiles() {
  static const std::vector<CountryProfile> k = {
      {"US", "1", "1", "011", {"206", "212", "312", "415", "425", "512", "617", "702"}, "911", 3},
      {"IE", "353", "0", "00", {"1", "21", "61", "91", "51", "74", "66", "42"}, "112|999", 3},
      {"AU", "61", "0", "0011", {"2", "3", "7", "8", "2", "3", "7", "8"}, "000|112", 4},
      {"NZ", "64", "0", "00", {"3", "4", "6", "7", "9", "3", "4", "9"}, "111", 4},
      {"UK",
       "44",
       "0",
       "00",
       {"20", "121", "131", "141", "161", "113", "117", "118"},
       "112|999",
       5},
      {"DE", "49", "0", "00", {"30", "40", "69", "89", "221", "211", "711", "341"}, "112|110", 4},
      {"FR", "33", "0", "00", {"1", "2", "3", "4", "5", "1", "4", "5"}, "112|15|17|18", 3},
      {"NL", "31", "0", "00", {"20", "10", "70", "30", "40", "50", "43", "13"}, "112", 4},
      {"JP", "81", "0", "010", {"3", "6", "52", "92", "11", "22", "45", "75"}, "110|119", 5},
      {"IN", "91", "0", "00", {"11", "22", "33", "44", "80", "40", "20", "79"}, "112|100", 5},
  };
  return k;
}

// The rule shapes of one profile; `site` (0..7) picks the area code and the extension block, so
// the sites of one country share most rules and differ in a few. About 30 shapes per profile.
inline std::vector<RuleShape> rulesFor(const CountryProfile& c, int site) {
  const std::string& area = c.areas[static_cast<size_t>(site) % c.areas.size()];
  std::string digit = std::to_string(1 + site % 8);  // first digit of this site's extensions
  std::string cc = c.cc;
  std::vector<RuleShape> r;
  auto add = [&](std::string name, std::string p, std::string t, bool internal = false) {
    r.push_back({std::move(name), std::move(p), std::move(t), internal});
  };
  std::string digit2 = std::to_string(1 + (site + 4) % 8);
  std::string nat = c.trunk;
  std::string n = std::to_string(c.extDigits), n1 = std::to_string(c.extDigits - 1),
              n2 = std::to_string(c.extDigits + 1);
  // Specific rules first, so that no rule is shadowed by an earlier one (CP804).
  add("Emergency", "^(" + c.emergency + ")$", "$1");
  add("Operator", "^0$", "+" + cc + area + "0000");
  add("Reception", "^9$", "+" + cc + area + "1000");
  add(c.name + " helpdesk", "^(4357|43" + std::to_string(5 + site % 4) + "6)$",
      "+" + cc + area + "9$1", true);
  add(c.name + " site code", "^6" + digit + "(\\d{4})$", "+" + cc + area + "6" + digit + "$1");
  add(c.name + " conference", "^(7[5-9]\\d{" + n1 + "})$", "+" + cc + area + "7$1", true);
  add(c.name + " named extension", "^(?<ext>" + digit + "[0-4]\\d{" + n1 + "})$",
      "+" + cc + area + "444${ext}", true);
  add(c.name + " " + digit + "xxx extension", "^(" + digit + "\\d{" + n + "})$",
      "+" + cc + area + "555$1", true);
  add(c.name + " " + digit2 + "xxx extension", "^(" + digit2 + "\\d{" + n + "})$",
      "+" + cc + area + "556$1", true);
  add(c.name + " 5 digit extension", "^(" + digit2 + "9\\d{" + n2 + "})$", "+" + cc + area + "55$1",
      true);
  add(c.name + " inter-site", "^8(" + digit + "\\d)(\\d{4})$", "+" + cc + area + "$1$2");
  add(c.name + " service", "^(1[0-9]{2,3})$", "$1");
  add(c.name + " voicemail", "^(\\*86|\\*98)$", "$1");
  add(c.name + " short code", "^\\*(\\d{2})$", "*$1");
  add(c.name + " local 7", "^([2-" + std::to_string(9 - site % 3) + "]\\d{6})$",
      "+" + cc + area + "$1");
  add(c.name + " local 8", "^([2-9]\\d{7})$", "+" + cc + area + "$1");
  add(c.name + " E.164", "^\\+" + cc + "(\\d{8,11})$", "+" + cc + "$1");
  add(c.name + " international plus", "^\\+(\\d{7,15})$", "+$1");
  add(c.name + " international", "^" + c.intl + "(\\d{7,15})$", "+$1");
  add(c.name + " with extension", "^(\\d{10})[#*](\\d{1,5})$", "+" + cc + "$1;ext=$2");
  add(c.name + " toll free", "^" + nat + "?(1?8(00|33|44|55|66|77|88)\\d{7})$", "+" + cc + "$1");
  add(c.name + " premium", "^" + nat + "?(9\\d{8})$", "+" + cc + "$1");
  add(c.name + " mobile", "^" + nat + "([4-7]\\d{8})$", "+" + cc + "$1");
  add(c.name + " national area", "^" + nat + "(" + area + "\\d{6,8})$", "+" + cc + "$1");
  add(c.name + " national", "^" + nat + "(\\d{9,10})$", "+" + cc + "$1");
  add(c.name + " keep all", "^(\\d{11})$", "+$1");
  add(c.name + " area only", "^(" + area + "\\d{5,7})$", "+" + cc + "$1");
  add(c.name + " lazy tail", "^" + nat + nat + "(\\d{4,6}?)$", "+" + cc + "$1");
  add(c.name + " extension with plus", "^\\+?" + digit + "(\\d{" + n + "})$",
      "+" + cc + area + "555" + digit + "$1");
  return r;
}

}  // namespace callpark::bench

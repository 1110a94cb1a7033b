// Helpers shared by the rule files: orbit-number syntax (spec §2), an index answering "which
// orbit range holds this number" in O(log n), ranges of single characters inside literals, and
// number formatting for messages. Private to rules/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast/Ast.h"
#include "compiler/model/Model.h"

namespace callpark::rules::internal {

inline constexpr uint64_t kMaxNumbersPerRange = 10'000;
inline constexpr uint64_t kMaxNumbersPerPool = 50'000;

// Why a string is not an orbit number, matching ^(?:[*#][1-9][0-9]{0,7}|[1-9][0-9]{0,8})$.
struct OrbitSyntaxError {
  size_t index;  // the offending character (== size() when something is missing at the end)
  std::string reason;
};
std::optional<OrbitSyntaxError> checkOrbitNumber(std::string_view s);

// True when both ends are orbit numbers, same prefix and length, start <= end, and a prefixed
// range's digits are greater than 100 (spec §2 rules 1-5): the range means what it says.
// Size limits are separate rules and do not affect this.
bool wellFormedRange(const model::OrbitRange& o);
// '*', '#' or 0 (no prefix) for a non-empty dial string.
inline char orbitPrefix(std::string_view n) {
  return !n.empty() && (n[0] == '*' || n[0] == '#') ? n[0] : 0;
}
// Value of the digits after the prefix of a valid orbit number.
uint64_t digitsValue(std::string_view orbitNumber);

// The orbit ranges that are well formed, grouped by (prefix, length) and sorted, so a number
// is looked up in O(log n). Ranges may overlap (that is CP308); lookups then return one of them.
class OrbitIndex {
 public:
  explicit OrbitIndex(const model::Model& m);
  // The index in m.orbits of a range holding `number`, or model::kNone.
  int find(std::string_view number) const;

 private:
  struct Interval {
    uint64_t lo, hi;
    int orbit;
    uint64_t maxHi;  // max hi over this and every earlier interval of the group
  };
  struct Group {
    char prefix;
    size_t length;
    std::vector<Interval> intervals;
  };
  std::vector<Group> groups_;
};

// A `sip:`/`sips:` URI as on_timeout accepts it: scheme, optional user part ending in '@',
// host (domain name, IPv4 or [IPv6]), optional :port, then ;params and ?headers.
struct SipUri {
  std::string user;  // the user part without ;params ("" when absent)
  std::string host;
};
struct SipUriError {
  size_t index;  // offending character in the text
  std::string reason;
};
// Exactly one of the two is set.
struct SipUriResult {
  std::optional<SipUri> uri;
  std::optional<SipUriError> error;
};
SipUriResult parseSipUri(std::string_view text);

// The range of characters [index, index+len) inside a literal or token: when the token is a
// quoted string the content starts one column after the quote. Clamped to the token; falls
// back to the whole range when the literal spans lines or the range is invalid.
SourceRange charRange(const SourceManager& sm, const ast::Str& s, size_t index, size_t len = 1);

// 12345 -> "12,345".
std::string withCommas(uint64_t n);
// "1 user" / "3 users".
std::string plural(uint64_t n, std::string_view one, std::string_view many);
// `"Redmond CPO 1" (*3000..*3099)`.
std::string describeOrbit(const model::OrbitRange& o);
// The range to point at for an orbit's numbers (the `a..b` text), else its declaration.
SourceRange numbersRange(const model::OrbitRange& o);
// The declaration range of a pool (inside its site), or invalid.
SourceRange poolRange(const model::Model& m, int pool);

}  // namespace callpark::rules::internal

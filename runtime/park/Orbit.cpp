#include "runtime/park/Orbit.h"

#include <cassert>

namespace callpark::park {

uint32_t pow10u(unsigned digits) {
  static constexpr uint32_t kPow[10] = {1,      10,      100,      1000,      10000,
                                        100000, 1000000, 10000000, 100000000, 1000000000};
  assert(digits < 10);
  return kPow[digits];
}

OrbitNumber formatOrbit(char prefix, unsigned digits, uint32_t value) {
  assert(isValidPrefix(prefix) && digits >= 1 && digits <= maxDigits(prefix));
  assert(value < pow10u(digits));
  OrbitNumber out;
  unsigned pos = 0;
  if (prefix != '\0') out.text[pos++] = prefix;
  for (unsigned i = digits; i-- > 0;) {
    out.text[pos + i] = char('0' + value % 10);
    value /= 10;
  }
  out.size = uint8_t(pos + digits);
  return out;
}

std::optional<OrbitParts> parseOrbit(std::string_view text) {
  OrbitParts parts;
  size_t pos = 0;
  if (!text.empty() && (text[0] == '*' || text[0] == '#')) {
    parts.prefix = text[0];
    pos = 1;
  }
  size_t digits = text.size() - pos;
  if (digits == 0 || digits > maxDigits(parts.prefix)) return std::nullopt;
  if (text[pos] < '1' || text[pos] > '9') return std::nullopt;
  uint32_t value = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + uint32_t(c - '0');
  }
  parts.digits = uint8_t(digits);
  parts.value = value;
  return parts;
}

}  // namespace callpark::park

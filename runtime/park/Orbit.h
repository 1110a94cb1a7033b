// Orbit numbers as the park runtime sees them.
//
// An orbit number is a string: an optional prefix `*` or `#`, then 1 to 9 digits (at most 9
// characters in all), never starting with `0` (CALLPARK.md §2). A range is a block of orbits
// sharing prefix and digit count, so an orbit is fully described by (prefix, digit count, value).
// These helpers convert between that triple and the string, and pack the triple into a 64-bit
// key whose numeric order equals the order of orbits inside one (prefix, digit count) family.
//
// Everything here is a pure function or a plain value; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace callpark::park {

// A formatted orbit number held inline (no allocation): at most 9 characters plus a spare.
struct OrbitNumber {
  char text[11] = {};
  uint8_t size = 0;

  std::string_view view() const { return {text, size}; }
  std::string str() const { return std::string(view()); }
  bool empty() const { return size == 0; }
  friend bool operator==(const OrbitNumber& a, const OrbitNumber& b) {
    return a.view() == b.view();
  }
};

// Prefix of a range or orbit: '\0' for none, else '*' or '#'.
inline bool isValidPrefix(char p) {
  return p == '\0' || p == '*' || p == '#';
}

// Largest digit count allowed after `prefix` (9 without prefix, 8 with one).
inline unsigned maxDigits(char prefix) {
  return prefix == '\0' ? 9u : 8u;
}

// 10^digits for digits in 0..9.
uint32_t pow10u(unsigned digits);

// Formats prefix + `value` zero-padded to `digits` digits. Precondition: prefix valid,
// 1 <= digits <= maxDigits(prefix), value < 10^digits (checked by assert only).
OrbitNumber formatOrbit(char prefix, unsigned digits, uint32_t value);

// The parts of an orbit number.
struct OrbitParts {
  char prefix = '\0';
  uint8_t digits = 0;
  uint32_t value = 0;
  friend bool operator==(const OrbitParts&, const OrbitParts&) = default;
};

// Parses an orbit number with the grammar of CALLPARK.md §2
// (`^(?:[*#][1-9][0-9]{0,7}|[1-9][0-9]{0,8})$`). Anything else (empty, leading zero, spaces,
// too long, other characters) yields nullopt: such a string is never an orbit.
std::optional<OrbitParts> parseOrbit(std::string_view text);

// Packs parts into an ordered key: (prefix code, digit count, value). Orbits of the same family
// compare like their values; different families never compare equal.
inline uint64_t orbitKey(char prefix, unsigned digits, uint32_t value) {
  uint64_t code = prefix == '\0' ? 0 : (prefix == '*' ? 1 : 2);
  return (code << 40) | (uint64_t(digits) << 32) | value;
}
inline uint64_t orbitKey(const OrbitParts& p) {
  return orbitKey(p.prefix, p.digits, p.value);
}

}  // namespace callpark::park

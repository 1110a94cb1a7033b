#include "compiler/support/Strings.h"

#include <algorithm>
#include <cctype>

namespace callpark {

size_t editDistance(std::string_view a, std::string_view b, size_t max) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > max) return max + 1;
  std::vector<size_t> row(a.size() + 1);
  for (size_t i = 0; i <= a.size(); ++i) row[i] = i;
  for (size_t j = 1; j <= b.size(); ++j) {
    size_t prev = row[0];
    row[0] = j;
    size_t best = row[0];
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t cur = row[i];
      size_t sub = prev + (std::tolower((unsigned char)a[i - 1]) !=
                           std::tolower((unsigned char)b[j - 1]));
      row[i] = std::min({row[i] + 1, row[i - 1] + 1, sub});
      prev = cur;
      best = std::min(best, row[i]);
    }
    if (best > max) return max + 1;
  }
  return row[a.size()];
}

std::string closestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  size_t limit = std::max<size_t>(1, word.size() / 3);
  std::string best;
  size_t bestD = limit + 1;
  for (const auto& c : candidates) {
    size_t d = editDistance(word, c, limit);
    if (d < bestD || (d == bestD && !best.empty() && c < best)) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= limit ? best : std::string();
}

std::string toLower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

bool isValidUtf8(std::string_view s, size_t* badOffset) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 9;
    if (n == 9 || (n == 1 && c < 0xC2)) {
      if (badOffset) *badOffset = i;
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) {
        if (badOffset) *badOffset = i;
        return false;
      }
    }
    i += n + 1;
  }
  return true;
}

}  // namespace callpark

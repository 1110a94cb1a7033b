#include "compiler/support/Strings.h"

#include <algorithm>
#include <cctype>

namespace callpark {

size_t editDistance(std::string_view a, std::string_view b, size_t max) {
  // Optimal string alignment distance (Levenshtein plus adjacent transpositions, each 1), on
  // ASCII case-folded characters, with three rolling rows and an early exit past `max`.
  auto fold = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > max) return max + 1;
  std::vector<size_t> prev2(a.size() + 1), prev(a.size() + 1), cur(a.size() + 1);
  for (size_t i = 0; i <= a.size(); ++i) prev[i] = i;
  for (size_t j = 1; j <= b.size(); ++j) {
    cur[0] = j;
    size_t best = cur[0];
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t cost = fold(a[i - 1]) != fold(b[j - 1]);
      cur[i] = std::min({prev[i] + 1, cur[i - 1] + 1, prev[i - 1] + cost});
      if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1]))
        cur[i] = std::min(cur[i], prev2[i - 2] + 1);
      best = std::min(best, cur[i]);
    }
    if (best > max) return max + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[a.size()];
}

std::string closestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  // One edit per five characters (at least one): `Redmnod` -> `Redmond`, `pickup_timout` ->
  // `pickup_timeout`, but not `sydney-fe01...` -> `redmond-fe01...`. A candidate that the word
  // starts with, or that starts with the word (4 characters at least), is as good as the
  // worst allowed edit: `Receptionist` -> `Reception`.
  size_t limit = std::max<size_t>(1, word.size() / 5);
  auto prefixOf = [](std::string_view a, std::string_view b) {
    return a.size() >= 4 && a.size() <= b.size() && toLower(b.substr(0, a.size())) == toLower(a);
  };
  // Ties go to the longest common prefix (`CP5020` -> `CP502`, not `CP020`), then the
  // alphabetically first.
  auto common = [&](std::string_view c) {
    size_t n = 0;
    while (n < c.size() && n < word.size() &&
           std::tolower(static_cast<unsigned char>(c[n])) ==
               std::tolower(static_cast<unsigned char>(word[n])))
      ++n;
    return n;
  };
  std::string best;
  size_t bestD = limit + 1, bestCommon = 0;
  for (const auto& c : candidates) {
    size_t d = editDistance(word, c, limit);
    if (d > limit && (prefixOf(word, c) || prefixOf(c, word))) d = limit;
    if (d > limit) continue;
    size_t cp = common(c);
    if (d < bestD || (d == bestD && (cp > bestCommon || (cp == bestCommon && c < best)))) {
      bestD = d;
      bestCommon = cp;
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

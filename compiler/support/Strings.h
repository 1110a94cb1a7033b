// Small string helpers shared by every phase.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace callpark {

// Edit distance (insertions, deletions, substitutions and swaps of adjacent characters each
// count 1; ASCII case is ignored), capped: returns max+1 as soon as it exceeds max.
size_t editDistance(std::string_view a, std::string_view b, size_t max = 64);
// The candidate closest to `word` within one edit per five characters (at least one), or "".
// Ties go to the longest common prefix, then the alphabetically first. Used for "did you
// mean ...?" suggestions.
std::string closestMatch(std::string_view word, const std::vector<std::string>& candidates);
std::string toLower(std::string_view s);
bool isValidUtf8(std::string_view s, size_t* badOffset = nullptr);

}  // namespace callpark

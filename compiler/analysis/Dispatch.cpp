#include "compiler/analysis/Dispatch.h"

#include <algorithm>

namespace callpark::analysis {

const char* destinationKindName(Destination::Kind k) {
  switch (k) {
    case Destination::NotOurs:
      return "not ours";
    case Destination::Orbit:
      return "orbit";
    case Destination::ParkAccess:
      return "park access";
  }
  return "not ours";
}

NumberIndex::NumberIndex(const model::Model& m) : m_(m) {
  for (size_t k = 0; k < m.parkAccess.size(); ++k)
    if (m.parkAccess[k].pool != model::kNone)
      parkAccess_.emplace(m.parkAccess[k].number, static_cast<int>(k));
  for (size_t k = 0; k < m.orbits.size(); ++k) {
    const model::OrbitRange& r = m.orbits[k];
    if (!r.usable()) continue;
    spans_[{r.start.prefix, r.start.digits.size()}].push_back(
        {r.start.value, r.end.value, static_cast<int>(k)});
  }
  // Stable by start, so that among equal starts the first declared comes first.
  for (auto& [key, v] : spans_)
    std::stable_sort(v.begin(), v.end(),
                     [](const Span& a, const Span& b) { return a.start < b.start; });
}

Destination NumberIndex::classify(std::string_view number) const {
  Destination d;
  if (auto it = parkAccess_.find(number); it != parkAccess_.end()) {
    d.kind = Destination::ParkAccess;
    d.index = it->second;
    d.pool = m_.parkAccess[it->second].pool;
    return d;
  }
  model::DialNumber n = model::DialNumber::parse(number);
  if (!n.wellFormed) return d;
  auto it = spans_.find({n.prefix, n.digits.size()});
  if (it == spans_.end()) return d;
  // Overlapping spans are possible (a reported mistake): scan every span starting at or before
  // the number and take the first declared one that contains it.
  const auto& v = it->second;
  auto end = std::upper_bound(v.begin(), v.end(), n.value,
                              [](uint64_t x, const Span& s) { return x < s.start; });
  int best = model::kNone;
  for (auto s = v.begin(); s != end; ++s)
    if (n.value <= s->end && (best == model::kNone || s->orbit < best)) best = s->orbit;
  if (best == model::kNone) return d;
  d.kind = Destination::Orbit;
  d.index = best;
  d.pool = m_.orbits[best].pool;
  return d;
}

}  // namespace callpark::analysis

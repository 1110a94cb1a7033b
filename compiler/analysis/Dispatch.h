// Where a normalized number goes (spec §6): a park access number (a park request on its pool),
// an orbit of a range (a retrieve, or a group pickup, on the range's pool), or not ours.
//
// NumberIndex is built once from the model and answers in O(log ranges). Only usable ranges
// (OrbitRange::usable) and park access numbers with a known pool take part. When a number is
// both a park access number and an orbit (a mistake the rules report), park access wins, as in
// the spec's decision procedure. Among overlapping ranges the first declared wins.
//
// Thread safety: immutable after construction. It refers to the model, which must outlive it.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/model/Model.h"

namespace callpark::analysis {

struct Destination {
  enum Kind { NotOurs, Orbit, ParkAccess } kind = NotOurs;
  int index = model::kNone;  // into Model::orbits or Model::parkAccess
  int pool = model::kNone;   // the pool that handles it
};
const char* destinationKindName(Destination::Kind k);  // "not ours", "orbit", "park access"

class NumberIndex {
 public:
  explicit NumberIndex(const model::Model& m);
  Destination classify(std::string_view number) const;

 private:
  struct Span {
    uint64_t start, end;
    int orbit;
  };
  const model::Model& m_;
  std::map<std::string, int, std::less<>> parkAccess_;
  // (prefix char, digit count) -> spans sorted by start
  std::map<std::pair<char, size_t>, std::vector<Span>> spans_;
};

}  // namespace callpark::analysis

// CP308 orbit-range-overlap: no number belongs to two ranges (spec §2 rule 8).
//
// How: ranges are grouped by (prefix, length), since only numbers of the same prefix and
// length can be equal, then sorted by start and swept while remembering the range that reaches
// furthest so far. A range starting at or before that reach overlaps it, and its start is the
// first shared number. O(n log n) in the number of ranges, independent of their sizes.
#include <algorithm>
#include <tuple>

#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

struct Item {
  char prefix;
  size_t length;
  uint64_t lo, hi;
  size_t orbit;
};

void check(const RuleContext& ctx, Reporter& out) {
  const auto& m = ctx.model;
  std::vector<Item> items;
  for (size_t i = 0; i < m.orbits.size(); ++i) {
    const auto& o = m.orbits[i];
    if (!internal::wellFormedRange(o)) continue;
    items.push_back({internal::orbitPrefix(o.start.text), o.start.text.size(),
                     internal::digitsValue(o.start.text), internal::digitsValue(o.end.text), i});
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::tie(a.prefix, a.length, a.lo, a.orbit) <
           std::tie(b.prefix, b.length, b.lo, b.orbit);
  });
  for (size_t i = 0; i < items.size();) {
    size_t j = i;
    const Item* reach = &items[i];
    for (++j; j < items.size() && items[j].prefix == items[i].prefix &&
              items[j].length == items[i].length;
         ++j) {
      const Item& cur = items[j];
      if (cur.lo <= reach->hi) {
        // Report on the range declared later; the other is the note.
        size_t first = std::min(cur.orbit, reach->orbit),
               second = std::max(cur.orbit, reach->orbit);
        const auto& a = m.orbits[first];
        const auto& b = m.orbits[second];
        // Valid orbit numbers have no leading zero, so the value's digits are the number.
        std::string shared =
            (cur.prefix ? std::string(1, cur.prefix) : "") + std::to_string(cur.lo);
        out.report(internal::numbersRange(b),
                   "orbit range " + internal::describeOrbit(b) + " overlaps orbit range " +
                       internal::describeOrbit(a) + "; the first shared number is " + shared)
            .note(internal::numbersRange(a), "\"" + a.name + "\" is declared here")
            .suggest("move one of the ranges so that no number belongs to both");
      }
      if (cur.hi > reach->hi) reach = &cur;
    }
    i = j;
  }
}

}  // namespace

extern const Rule kOrbitRangeOverlap{
    "CP308",
    "orbit-range-overlap",
    "orbit",
    Severity::Error,
    "two orbit ranges share a number",
    R"md(Every orbit number must lead to exactly one range (and so one pool): a number in two ranges
would be parked on by one pool and retrieved from another. Ranges of either type (call park and
group pickup) count. `*100`, `#100` and `100` are different strings, so ranges that differ only
in prefix do not overlap. The diagnostic names both ranges and the first shared number.

**Failing example**

```park
orbit "Dublin CPO 1" { numbers 7000..7099  pool "dublin-fe01.contoso.com" }
orbit "Dublin CPO 2" { numbers 7050..7149  pool "dublin-fe01.contoso.com" }
```

**Fix**: make the ranges disjoint: `numbers 7100..7199` for the second one.)md",
    &check};

}  // namespace callpark::rules

// Prometheus text exposition (format 0.0.4) for parkd's counters and gauges.
//
// A MetricsWriter collects samples family by family and renders them with HELP/TYPE lines.
// Label values are escaped (backslash, quote, newline). Families appear in the order they were
// first written; samples inside a family in the order written. Pure value; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callpark::admin {

using Labels = std::vector<std::pair<std::string, std::string>>;

class MetricsWriter {
 public:
  // type: "counter" or "gauge".
  void add(std::string_view name, std::string_view type, std::string_view help, double value,
           const Labels& labels = {});
  // A histogram family: `bounds` are the buckets' upper bounds (ascending, without +Inf),
  // `counts` has bounds.size() + 1 per-bucket (not cumulative) counts, the last for +Inf.
  void addHistogram(std::string_view name, std::string_view help, const std::vector<double>& bounds,
                    const std::vector<uint64_t>& counts, double sum);
  std::string str() const;

 private:
  struct Family {
    std::string name, type, help;
    std::vector<std::string> samples;
  };
  std::vector<Family> families_;
};

std::string escapeLabel(std::string_view v);

}  // namespace callpark::admin

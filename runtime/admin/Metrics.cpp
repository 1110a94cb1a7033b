#include "runtime/admin/Metrics.h"

#include <cmath>
#include <cstdio>

namespace callpark::admin {

std::string escapeLabel(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void MetricsWriter::add(std::string_view name, std::string_view type, std::string_view help,
                        double value, const Labels& labels) {
  Family* f = nullptr;
  for (auto& fam : families_)
    if (fam.name == name) f = &fam;
  if (!f) {
    families_.push_back({std::string(name), std::string(type), std::string(help), {}});
    f = &families_.back();
  }
  std::string s(name);
  if (!labels.empty()) {
    s += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i) s += ',';
      s += labels[i].first + "=\"" + escapeLabel(labels[i].second) + '"';
    }
    s += '}';
  }
  char buf[64];
  if (std::floor(value) == value && std::fabs(value) < 1e15)
    std::snprintf(buf, sizeof buf, " %.0f", value);
  else
    std::snprintf(buf, sizeof buf, " %.6g", value);
  s += buf;
  f->samples.push_back(std::move(s));
}

void MetricsWriter::addHistogram(std::string_view name, std::string_view help,
                                 const std::vector<double>& bounds,
                                 const std::vector<uint64_t>& counts, double sum) {
  families_.push_back({std::string(name), "histogram", std::string(help), {}});
  Family& f = families_.back();
  uint64_t cumulative = 0;
  char buf[96];
  for (size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    if (i < bounds.size())
      std::snprintf(buf, sizeof buf, "_bucket{le=\"%g\"} %llu", bounds[i],
                    static_cast<unsigned long long>(cumulative));
    else
      std::snprintf(buf, sizeof buf, "_bucket{le=\"+Inf\"} %llu",
                    static_cast<unsigned long long>(cumulative));
    f.samples.push_back(std::string(name) + buf);
  }
  std::snprintf(buf, sizeof buf, "_sum %.6f", sum);
  f.samples.push_back(std::string(name) + buf);
  std::snprintf(buf, sizeof buf, "_count %llu", static_cast<unsigned long long>(cumulative));
  f.samples.push_back(std::string(name) + buf);
}

std::string MetricsWriter::str() const {
  std::string out;
  for (const auto& f : families_) {
    out += "# HELP " + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.type + "\n";
    for (const auto& s : f.samples) out += s + "\n";
  }
  return out;
}

}  // namespace callpark::admin

#include "runtime/admin/Metrics.h"

#include <cmath>
#include <cstdio>

namespace callpark::admin {

std::string escapeLabel(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
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

std::string MetricsWriter::str() const {
  std::string out;
  for (const auto& f : families_) {
    out += "# HELP " + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.type + "\n";
    for (const auto& s : f.samples) out += s + "\n";
  }
  return out;
}

}  // namespace callpark::admin

#include "runtime/park/EventJson.h"

#include <charconv>

namespace callpark::park {

nlohmann::ordered_json toJson(const EventRecord& r) {
  nlohmann::ordered_json j;
  j["time"] = r.time;
  j["event"] = recordName(r.kind);
  if (r.call) j["call"] = r.call;
  if (!r.orbit.empty()) j["orbit"] = r.orbit.view();
  if (!r.range.empty()) j["range"] = r.range;
  if (!r.pool.empty()) j["pool"] = r.pool;
  if (!r.parker.empty()) j["parker"] = r.parker;
  if (!r.parked.empty()) j["parked"] = r.parked;
  if (!r.peer.empty()) j["peer"] = r.peer;
  j["attempt"] = r.attempt;
  if (r.outcome != Outcome::None) j["outcome"] = outcomeName(r.outcome);
  if (!r.reason.empty()) j["reason"] = r.reason;
  return j;
}

namespace {

template <typename Int>
void appendInt(std::string& out, Int v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

// A JSON string literal. Valid UTF-8 is copied; each invalid sequence becomes U+FFFD exactly as
// nlohmann's serializer does with error_handler_t::replace (which follows the Unicode "maximal
// subpart" rule): an invalid lead byte is replaced and skipped; a sequence cut short by a byte
// that cannot continue it is replaced and that byte is read again; a sequence cut short by the
// end of the string is replaced once. Well-formed sequences are those of Unicode Table 3-7 (no
// overlong forms, no surrogates, nothing above U+10FFFF).
void appendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr char kReplacement[] = "\xEF\xBF\xBD";
  out.push_back('"');
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    size_t run = i;  // copy plain ASCII in runs
    while (run < n) {
      unsigned char b = static_cast<unsigned char>(s[run]);
      if (b < 0x20 || b == '"' || b == '\\' || b >= 0x80) break;
      ++run;
    }
    out.append(s.data() + i, run - i);
    i = run;
    if (i == n) break;
    unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      switch (b) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\r':
          out += "\\r";
          break;
        default:
          out += "\\u00";
          out.push_back(kHex[b >> 4]);
          out.push_back(kHex[b & 15]);
      }
      ++i;
      continue;
    }
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b >= 0xC2 && b <= 0xDF)
      len = 2;
    else if (b == 0xE0)
      len = 3, lo = 0xA0;
    else if (b >= 0xE1 && b <= 0xEC)
      len = 3;
    else if (b == 0xED)
      len = 3, hi = 0x9F;
    else if (b >= 0xEE && b <= 0xEF)
      len = 3;
    else if (b == 0xF0)
      len = 4, lo = 0x90;
    else if (b >= 0xF1 && b <= 0xF3)
      len = 4;
    else if (b == 0xF4)
      len = 4, hi = 0x8F;
    if (len == 0) {  // not a lead byte
      out += kReplacement;
      ++i;
      continue;
    }
    size_t k = 1;
    for (; k < len && i + k < n; ++k) {
      unsigned char c = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) break;
    }
    if (k == len) {
      out.append(s.data() + i, len);
      i += len;
    } else {
      out += kReplacement;
      i = i + k >= n ? n : i + k;
    }
  }
  out.push_back('"');
}

void appendField(std::string& out, const char* key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":";
  appendString(out, value);
}

}  // namespace

void appendJsonLine(std::string& out, const EventRecord& r) {
  out += "{\"time\":";
  appendInt(out, r.time);
  out += ",\"event\":\"";
  out += recordName(r.kind);
  out += '"';
  if (r.call) {
    out += ",\"call\":";
    appendInt(out, r.call);
  }
  if (!r.orbit.empty()) appendField(out, "orbit", r.orbit.view());
  if (!r.range.empty()) appendField(out, "range", r.range);
  if (!r.pool.empty()) appendField(out, "pool", r.pool);
  if (!r.parker.empty()) appendField(out, "parker", r.parker);
  if (!r.parked.empty()) appendField(out, "parked", r.parked);
  if (!r.peer.empty()) appendField(out, "peer", r.peer);
  out += ",\"attempt\":";
  appendInt(out, unsigned(r.attempt));
  if (r.outcome != Outcome::None) {
    out += ",\"outcome\":\"";
    out += outcomeName(r.outcome);
    out += '"';
  }
  if (!r.reason.empty()) appendField(out, "reason", r.reason);
  out += "}\n";
}

std::string toJsonLine(const EventRecord& r) {
  std::string line;
  line.reserve(128 + r.range.size() + r.pool.size() + r.parker.size() + r.parked.size() +
               r.peer.size() + r.reason.size());
  appendJsonLine(line, r);
  return line;
}

}  // namespace callpark::park

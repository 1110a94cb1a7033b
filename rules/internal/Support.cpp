#include "rules/internal/Support.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

namespace callpark::rules::internal {

namespace {
std::string toLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

std::string quoteChar(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
  char buf[8];
  snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned char>(c));
  return buf;
}
}  // namespace

std::optional<OrbitSyntaxError> checkOrbitNumber(std::string_view s) {
  if (s.empty()) return OrbitSyntaxError{0, "it is empty"};
  size_t i = 0;
  if (s[0] == '*' || s[0] == '#') i = 1;
  if (i == 1 && s.size() == 1)
    return OrbitSyntaxError{1, std::string("'") + s[0] + "' must be followed by digits"};
  if (!isDigit(s[i]) && s[i] != '*' && s[i] != '#')
    return OrbitSyntaxError{i, quoteChar(s[i]) + " is not a digit"};
  if (s[i] == '*' || s[i] == '#')
    return OrbitSyntaxError{i, i == 0 ? quoteChar(s[i]) + " is not a digit"
                                      : "only one '*' or '#' is allowed, at the start"};
  if (s[i] == '0')
    return OrbitSyntaxError{
        i, i == 0 ? "it starts with 0; orbit numbers never start with 0"
                  : std::string("0 follows '") + s[0] + "'; orbit numbers never start with 0"};
  for (size_t j = i; j < s.size(); ++j) {
    if (!isDigit(s[j])) {
      if (s[j] == '*' || s[j] == '#')
        return OrbitSyntaxError{j, "only one '*' or '#' is allowed, at the start"};
      return OrbitSyntaxError{j, quoteChar(s[j]) + " is not a digit"};
    }
  }
  if (s.size() > 9)
    return OrbitSyntaxError{
        9, "it has " + std::to_string(s.size()) + " characters; an orbit number has at most 9"};
  return std::nullopt;
}

uint64_t digitsValue(std::string_view n) {
  uint64_t v = 0;
  for (char c : n)
    if (isDigit(c)) v = v * 10 + static_cast<uint64_t>(c - '0');
  return v;
}

bool wellFormedRange(const model::OrbitRange& o) {
  const std::string& a = o.start.text;
  const std::string& b = o.end.text;
  if (checkOrbitNumber(a) || checkOrbitNumber(b)) return false;
  auto prefixOf = [](const std::string& n) { return (n[0] == '*' || n[0] == '#') ? n[0] : 0; };
  if (prefixOf(a) != prefixOf(b) || a.size() != b.size()) return false;
  if (a > b) return false;
  if (prefixOf(a) != 0 && (digitsValue(a) <= 100 || digitsValue(b) <= 100)) return false;
  return true;
}

OrbitIndex::OrbitIndex(const model::Model& m) {
  std::map<std::pair<char, size_t>, std::vector<Interval>> byKey;
  for (size_t i = 0; i < m.orbits.size(); ++i) {
    const auto& o = m.orbits[i];
    if (!wellFormedRange(o)) continue;
    char prefix = (o.start.text[0] == '*' || o.start.text[0] == '#') ? o.start.text[0] : 0;
    byKey[{prefix, o.start.text.size()}].push_back(
        {digitsValue(o.start.text), digitsValue(o.end.text), static_cast<int>(i), 0});
  }
  for (auto& [key, v] : byKey) {
    std::sort(v.begin(), v.end(), [](const Interval& x, const Interval& y) {
      return x.lo != y.lo ? x.lo < y.lo : x.orbit < y.orbit;
    });
    uint64_t mx = 0;
    for (auto& iv : v) iv.maxHi = mx = std::max(mx, iv.hi);
    groups_.push_back({key.first, key.second, std::move(v)});
  }
}

int OrbitIndex::find(std::string_view number) const {
  if (checkOrbitNumber(number)) return model::kNone;
  char prefix = (number[0] == '*' || number[0] == '#') ? number[0] : 0;
  uint64_t v = digitsValue(number);
  for (const auto& g : groups_) {
    if (g.prefix != prefix || g.length != number.size()) continue;
    // Last interval with lo <= v; walk back while an earlier interval may still reach v.
    auto it = std::upper_bound(g.intervals.begin(), g.intervals.end(), v,
                               [](uint64_t x, const Interval& iv) { return x < iv.lo; });
    while (it != g.intervals.begin()) {
      --it;
      if (it->maxHi < v) break;
      if (it->hi >= v) return it->orbit;
    }
    return model::kNone;
  }
  return model::kNone;
}

SipUriResult parseSipUri(std::string_view t) {
  auto fail = [](size_t i, std::string why) {
    return SipUriResult{std::nullopt, SipUriError{i, std::move(why)}};
  };
  size_t colon = t.find(':');
  std::string scheme = toLowerAscii(t.substr(0, colon == std::string_view::npos ? 0 : colon));
  if (colon == std::string_view::npos || (scheme != "sip" && scheme != "sips"))
    return fail(0, "it does not start with \"sip:\"");
  size_t i = colon + 1;
  SipUri uri;
  // The user part runs to the last '@' before any '?' (users may contain ';' params).
  size_t q = t.find('?', i);
  size_t at = t.substr(0, q).rfind('@');
  if (at != std::string_view::npos && at >= i) {
    if (at == i) return fail(i, "the user part before '@' is empty");
    for (size_t j = i; j < at; ++j) {
      unsigned char c = static_cast<unsigned char>(t[j]);
      bool ok =
          std::isalnum(c) || std::string_view("-_.!~*'()&=+$,;?/:%#").find(static_cast<char>(c)) !=
                                 std::string_view::npos;
      if (!ok)
        return fail(j, c == ' ' ? "it contains a space"
                                : std::string("'") + static_cast<char>(c) +
                                      "' is not allowed in the user part");
    }
    std::string_view user = t.substr(i, at - i);
    uri.user = std::string(user.substr(0, user.find(';')));
    size_t pw = uri.user.find(':');
    if (pw != std::string::npos) uri.user.resize(pw);
    i = at + 1;
  }
  if (i >= t.size()) return fail(t.size(), "the host is missing");
  size_t hostStart = i;
  if (t[i] == '[') {
    size_t close = t.find(']', i);
    if (close == std::string_view::npos) return fail(i, "'[' of an IPv6 host is never closed");
    for (size_t j = i + 1; j < close; ++j)
      if (!std::isxdigit(static_cast<unsigned char>(t[j])) && t[j] != ':' && t[j] != '.')
        return fail(j, std::string("'") + t[j] + "' is not allowed in an IPv6 address");
    i = close + 1;
  } else {
    bool labelStart = true;
    for (; i < t.size() && t[i] != ':' && t[i] != ';' && t[i] != '?'; ++i) {
      unsigned char c = static_cast<unsigned char>(t[i]);
      if (c == '.') {
        if (labelStart) return fail(i, "the host has an empty label");
        labelStart = true;
        continue;
      }
      if (!std::isalnum(c) && c != '-')
        return fail(i, c == ' ' ? "it contains a space"
                                : std::string("'") + static_cast<char>(c) +
                                      "' is not allowed in a host name");
      if (c == '-' && labelStart) return fail(i, "a host label cannot start with '-'");
      labelStart = false;
    }
    if (i == hostStart) return fail(i, "the host is missing");
  }
  uri.host = std::string(t.substr(hostStart, i - hostStart));
  if (i < t.size() && t[i] == ':') {
    size_t p = ++i;
    unsigned long port = 0;
    for (; i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])); ++i) {
      port = port * 10 + static_cast<unsigned long>(t[i] - '0');
      if (port > 65535) return fail(p, "the port is greater than 65535");
    }
    if (i == p) return fail(p, "the port is missing after ':'");
    if (port == 0) return fail(p, "port 0 is not a port");
  }
  if (i < t.size() && t[i] != ';' && t[i] != '?')
    return fail(i, std::string("'") + t[i] + "' cannot follow the host");
  for (; i < t.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(t[i]);
    if (c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>')
      return fail(
          i, c == ' ' ? "it contains a space" : "it contains a character not allowed in a URI");
  }
  return SipUriResult{std::move(uri), std::nullopt};
}

SourceRange charRange(const SourceManager& sm, const ast::Str& s, size_t index, size_t len) {
  const SourceRange& r = s.range;
  if (!r.valid() || r.endLine != r.line || r.file >= sm.fileCount()) return r;
  std::string_view text = sm.slice(r);
  size_t start = 0, end = text.size();
  if (!text.empty() && (text[0] == '"' || text[0] == '\'')) {
    start = 1;
    if (end >= 2 && text[end - 1] == text[0]) --end;
  }
  size_t contentLen = end - start;
  if (contentLen == 0) return r;
  if (index >= contentLen) index = contentLen - 1;
  len = std::max<size_t>(1, std::min(len, contentLen - index));
  SourceRange out = r;
  out.col = r.col + static_cast<uint32_t>(start + index);
  out.endCol = out.col + static_cast<uint32_t>(len);
  return out;
}

std::string withCommas(uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

std::string plural(uint64_t n, std::string_view one, std::string_view many) {
  return withCommas(n) + " " + std::string(n == 1 ? one : many);
}

std::string describeOrbit(const model::OrbitRange& o) {
  return "\"" + o.name + "\" (" + o.start.text + ".." + o.end.text + ")";
}

SourceRange numbersRange(const model::OrbitRange& o) {
  if (o.decl && o.decl->numbers && o.decl->numbers->range.valid()) return o.decl->numbers->range;
  if (o.decl) return o.decl->name.range.valid() ? o.decl->name.range : o.decl->range;
  return {};
}

SourceRange poolRange(const model::Model& m, int pool) {
  if (pool < 0 || static_cast<size_t>(pool) >= m.pools.size()) return {};
  return m.pools[static_cast<size_t>(pool)].range;
}

}  // namespace callpark::rules::internal

#include "compiler/normalize/Substitution.h"

#include <algorithm>
#include <cctype>

namespace callpark::normalize {

struct SubstitutionBuilder {
  Substitution s;
  void literal(std::string_view t) {
    if (s.pieces_.empty() || s.pieces_.back().group >= 0) s.pieces_.push_back({});
    s.pieces_.back().literal.append(t);
  }
  void group(int re2Index) {
    if (s.pieces_.empty() || s.pieces_.back().group >= 0) s.pieces_.push_back({});
    s.pieces_.back().group = re2Index;
    s.capturesNeeded_ = std::max(s.capturesNeeded_, re2Index + 1);
  }
};

namespace {

bool isWord(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

std::string describeGroups(const TranslatedPattern& p) {
  if (p.groupCount == 0) return "the pattern has no capturing groups";
  std::string s = "the pattern has " + std::to_string(p.groupCount) + " capturing group" +
                  (p.groupCount == 1 ? "" : "s");
  if (!p.names.empty()) {
    s += " (named:";
    for (const auto& [name, num] : p.names) s += " " + name + "=$" + std::to_string(num);
    s += ")";
  }
  return s;
}

}  // namespace

TranslationResult parseTranslation(std::string_view t, const TranslatedPattern& p) {
  SubstitutionBuilder b;
  TranslationResult r;
  auto fail = [&](const char* code, size_t from, size_t to, std::string msg, std::string hint) {
    r.error = TextError{from, to, code, std::move(msg), std::move(hint)};
    return r;
  };
  // CP705: the first reference to a group (not $0) when the pattern repeats a part that can
  // match the empty string. Reported at that repetition in the pattern.
  std::string firstRef;
  auto warnIfLoop = [&](int num, size_t from, size_t to) {
    if (num <= 0 || !p.emptyLoop || !firstRef.empty()) return;
    firstRef = std::string(t.substr(from, to - from));
  };
  size_t i = 0;
  while (i < t.size()) {
    size_t dollar = t.find('$', i);
    if (dollar == std::string_view::npos) {
      b.literal(t.substr(i));
      break;
    }
    b.literal(t.substr(i, dollar - i));
    size_t k = dollar + 1;
    if (k >= t.size()) {  // trailing `$`: literal
      b.literal("$");
      i = k;
      continue;
    }
    char c = t[k];
    if (c >= '0' && c <= '9') {
      size_t e = k;
      long n = 0;
      while (e < t.size() && t[e] >= '0' && t[e] <= '9') {
        if (n < 1000000) n = n * 10 + (t[e] - '0');
        ++e;
      }
      if (n > p.groupCount) {
        std::string ref(t.substr(dollar, e - dollar));
        std::string hint = "refer to a group the pattern has, or write `$$` for a literal `$`";
        if (e - k >= 2 && (t[k] - '0') >= 1 && (t[k] - '0') <= p.groupCount)
          hint = "in .NET `" + ref + "` means group " + std::to_string(n) + ", not group " +
                 std::string(1, t[k]) + " followed by \"" +
                 std::string(t.substr(k + 1, e - k - 1)) + "\"; write `${" + std::string(1, t[k]) +
                 "}" + std::string(t.substr(k + 1, e - k - 1)) + "` for that";
        return fail(kMissingGroup, dollar, e,
                    "translation refers to group " + std::to_string(n) + " (`" + ref + "`), but " +
                        describeGroups(p),
                    hint);
      }
      b.group(p.re2Group[n]);
      warnIfLoop(static_cast<int>(n), dollar, e);
      i = e;
      continue;
    }
    if (c == '{') {
      size_t close = k + 1;
      while (close < t.size() && isWord(t[close])) ++close;
      std::string_view name = t.substr(k + 1, close - k - 1);
      if (close >= t.size() || t[close] != '}' || name.empty()) {
        size_t end =
            close < t.size() && t[close] == '}' ? close + 1 : std::min(close + 1, t.size());
        return fail(kMalformedTranslation, dollar, end,
                    "`" + std::string(t.substr(dollar, end - dollar)) +
                        "` is not a well-formed group reference (.NET would insert it literally)",
                    "write `${1}` or `${name}` with a closing `}`, or `$$` for a literal `$`");
      }
      std::string ref(t.substr(dollar, close + 1 - dollar));
      int num = -1;
      if (std::all_of(name.begin(), name.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
        long n = 0;
        for (char ch : name)
          if (n < 1000000) n = n * 10 + (ch - '0');
        if (n <= p.groupCount) num = static_cast<int>(n);
      } else {
        auto it = p.names.find(std::string(name));
        if (it != p.names.end()) num = it->second;
      }
      if (num < 0)
        return fail(kMissingGroup, dollar, close + 1,
                    "translation refers to group `" + std::string(name) + "` (`" + ref +
                        "`), but " + describeGroups(p),
                    "refer to a group the pattern has");
      b.group(p.re2Group[num]);
      warnIfLoop(num, dollar, close + 1);
      i = close + 1;
      continue;
    }
    switch (c) {
      case '$':
        b.literal("$");
        break;
      case '&':
      case '_':
        b.group(0);
        break;  // whole match == whole input (full-string matching)
      case '`':
      case '\'':
        break;  // text before / after the match: always empty
      case '+':
        b.group(p.re2Group[p.groupCount]);
        warnIfLoop(p.groupCount, dollar, k + 1);
        break;
      default:
        b.literal("$");
        i = k;
        continue;
    }
    i = k + 1;
  }
  if (!firstRef.empty()) {
    TextError w;
    w.begin = p.emptyLoop->first;
    w.end = p.emptyLoop->second;
    w.inPattern = true;
    w.code = kEmptyIterationCapture;
    w.message =
        "the pattern repeats a part that can match the empty string, and the translation uses "
        "captured text (`" +
        firstRef +
        "`): Lync (.NET) and this engine (RE2) can capture "
        "different text here, so the result may differ from Lync's";
    w.hint =
        "make the repeated part unable to match the empty string (e.g. `(\\d*){1,5}` -> "
        "`(\\d*)`, `(\\d?)+` -> `(\\d+)`)";
    r.warnings.push_back(std::move(w));
  }
  r.substitution = std::move(b.s);
  return r;
}

}  // namespace callpark::normalize

// CP311 park-access-syntax: a park access number is a dial string.
#include "rules/Registry.h"
#include "rules/internal/Support.h"

namespace callpark::rules {
namespace {

// Accepted: '+' then 1-15 digits (an E.164 number), or an optional '*'/'#' then 1-15 digits.
// Returns the offending index and why, or nothing when valid.
std::optional<std::pair<size_t, std::string>> problem(std::string_view s) {
  if (s.empty()) return std::pair<size_t, std::string>{0, "it is empty"};
  size_t i = (s[0] == '*' || s[0] == '#' || s[0] == '+') ? 1 : 0;
  if (i == s.size())
    return std::pair<size_t, std::string>{i, std::string("'") + s[0] + "' needs digits after it"};
  for (size_t j = i; j < s.size(); ++j) {
    char c = s[j];
    if (c >= '0' && c <= '9') continue;
    std::string why = (c == '*' || c == '#' || c == '+')
                          ? std::string("'") + c + "' may only appear once, at the start"
                          : (c >= 0x20 && c < 0x7f ? std::string("'") + c + "' is not a digit"
                                                   : std::string("a non-ASCII character"));
    return std::pair<size_t, std::string>{j, why};
  }
  if (s.size() - i > 15)
    return std::pair<size_t, std::string>{i + 15, "it has more than 15 digits"};
  return std::nullopt;
}

void check(const RuleContext& ctx, Reporter& out) {
  for (const auto& pa : ctx.model.parkAccess) {
    auto p = problem(pa.number);
    if (!p) continue;
    SourceRange where =
        pa.decl ? internal::charRange(ctx.sources, pa.decl->number, p->first) : SourceRange{};
    out.report(where, "park access number \"" + pa.number + "\" is not a dial string: " + p->second)
        .suggest(
            "a park access number is digits with an optional leading '*', '#' or '+', "
            "e.g. \"*70\"");
  }
}

}  // namespace

extern const Rule kParkAccessSyntax{
    "CP311",
    "park-access-syntax",
    "orbit",
    Severity::Error,
    "a park access number is not a valid dial string",
    R"md(A park access number is what a phone dials (or transfers to) to park a call, so it must be
something a keypad can send: digits with an optional leading `*`, `#` or `+` (E.164), at most 15
digits. The diagnostic points at the first offending character.

**Failing example**

```park
park_access "*7O" { pool "redmond-fe01.contoso.com" }   // letter O, not zero
```

**Fix**: `park_access "*70" { pool "redmond-fe01.contoso.com" }`.)md",
    &check};

}  // namespace callpark::rules

// Catalogue entries for the normalization engine's diagnostics (CP7xx), reported by
// compiler/normalize (Pattern.cpp, Substitution.cpp, CompiledDialPlan.cpp) in the "normalize"
// phase of `parkc check`. compiler/normalize/README.md explains the dialect in full.
#include <span>

#include "rules/Registry.h"

namespace callpark::rules::catalog {

std::span<const Rule> normalize() {
  static const Rule kRules[] = {
      {"CP701", "unsupported-regex-construct", "normalization", Severity::Error,
       "the pattern uses a .NET regex construct RE2 cannot run",
       R"md(Patterns are written in the .NET dialect Lync used (as administrators paste them from
PowerShell) and executed with RE2, which runs in linear time and never backtracks. The common
subset (anchors, classes, `\d`, groups, named groups, alternation, counted repetition, lazy
quantifiers, inline options) is translated exactly. These have no RE2 equivalent and are
rejected, with the construct underlined inside the pattern:

- look-ahead `(?=...)`, `(?!...)` and look-behind `(?<=...)`, `(?<!...)`;
- back-references `\1`, `\k<name>`;
- atomic groups `(?>...)`, conditionals `(?(...)yes|no)`, possessive quantifiers `\d++`;
- balancing groups `(?<a-b>...)`, explicitly numbered groups `(?<3>...)`, duplicate group
  names, `\G`, character class subtraction `[0-9-[5]]`, Unicode blocks `\p{IsGreek}`;
- repetition counts above 1000.

The rule is skipped (numbers it should normalize are left as dialed), so it is an error.

**Failing example**

```park
rule "Not 911" priority 1 { pattern '^(?!911)(\d{3})$'  translation '+1425555$1' }
```

**Fix**: express the condition with plain regex, or split the rule in two ordered by priority: a
pass-through rule `'^(911)$' -> '$1'` before `'^(\d{3})$'`.)md"},
      {"CP702", "invalid-pattern", "normalization", Severity::Error,
       "the pattern is not a valid regular expression",
       R"md(The pattern does not parse: Lync would refuse the rule too, or RE2 rejects it. The
diagnostic underlines the fragment at fault inside the pattern literal (for errors RE2 finds, the
.NET text that produced RE2's complaint). The rule is skipped.

**Failing example**

```park
rule "Bad" priority 4 { pattern '^(\d{4}$'  translation '+$1' }   // `(` never closed
```

**Fix**: correct the underlined fragment: close groups and classes, escape a literal `*`, `+`,
`?` as `\*`, `\+`, `\?`, remove unknown escapes such as `\q`.)md"},
      {"CP703", "translation-missing-group", "normalization", Severity::Error,
       "the translation refers to a capturing group the pattern does not have",
       R"md(Translations follow .NET's substitution rules: `$1`..`$99` and `${n}` insert a group,
`${name}` a named group, `$0` (also `$&`) the whole match, `$$` a literal `$`. .NET reads every
digit after `$`: `$10` is group 10, never group 1 followed by `0`. .NET inserts a reference to a
group the pattern lacks literally (`$2` stays `$2`), which yields a number no phone system can
route, so it is an error here and the rule is skipped. When `$10` was meant as group 1 then
`0`, the fix suggests `${1}0`.

**Failing example**

```park
rule "4 digit" priority 1 { pattern '^(\d{4})$'  translation '+1425555$2' }
```

**Fix**: refer to a group the pattern has (`$1`), write `${1}0` for group 1 followed by a literal
`0`, or `$$` for a dollar sign.)md"},
      {"CP704", "malformed-translation", "normalization", Severity::Error,
       "the translation contains `${` without a well-formed `name}`",
       R"md(`${1` or `${area code}` is not a group reference; .NET would insert the text literally,
which is never a valid number. The rule is skipped.

**Failing example**

```park
rule "Local" priority 2 { pattern '^(?<local>\d{7})$'  translation '+1425${local' }
```

**Fix**: close the reference, `${local}`; group names consist of letters, digits and `_`.)md"},
      {"CP705", "empty-iteration-capture", "normalization", Severity::Warning,
       "the pattern repeats a part that can match nothing, so captures may differ from Lync's",
       R"md(In a pattern that repeats something able to match the empty string (`(\d*)+`,
`(\d*){1,5}`, `(?:x?)*`), .NET's backtracking engine (like Perl's and Python's) may run one more
iteration that matches nothing after the last real one, record its empty capture and stop. RE2
never records an empty iteration. Which strings match is the same in both; the text a group
captures can differ, for groups inside the loop and for groups whose share of the number depends
on how much the loop took. The rule works, but a translation that uses captured text may give a
different number than Lync did. The diagnostic underlines the repetition; it is only reported
when the translation uses a group (`$0` is always the whole number).

Microsoft's own `New-CsDialPlan` example is such a pattern: with `^9(\d*){1,5}$`, Lync's `$1` is
the empty last iteration, so every number became `+1206`.

**Failing example**

```park
rule "Seattle prefix" priority 1 { pattern '^9(\d*){1,5}$'  translation '+1206$1' }
```

**Fix**: repeat something that cannot be empty, or do not repeat at all: `'^9(\d{1,5})$'`,
`'^9(\d*)$'`.)md"},
      {"CP706", "pattern-without-anchors", "normalization", Severity::Note,
       "a pattern without `^` and `$` still only fires on a full match of the dialed string",
       R"md(A normalization rule fires only when its pattern matches the WHOLE dialed string (after
the external access prefix is removed), exactly as if it were written between `^` and `$`.
This holds for patterns written without anchors too: `\d{4}` matches `1234` but not `91234` or
`12345`, it never rewrites part of a number. Lync's management tools add the anchors for the
same reason; this note only makes the implicit anchors visible, and the fix writes them.

Rules are tried in ascending priority (then declaration order) and the first full match wins;
its translation is the result. When no rule matches, the number is used as dialed.

**Failing example**

```park
rule "4 digit" priority 1 { pattern '(\d{4})'  translation '+1425555$1' }   // only 4-digit numbers
```

**Fix**: write the anchors so the intent is explicit: `pattern '^(\d{4})$'`.)md"},
  };
  return kRules;
}

}  // namespace callpark::rules::catalog

// Catalogue entries for the syntax errors (CP1xx) reported by compiler/parse. The codes are
// defined in compiler/parse/Codes.h; the wording of each message is in
// compiler/parse/internal/SyntaxErrors.cpp and compiler/parse/Builder.cpp.
#include <span>

#include "rules/Registry.h"

namespace callpark::rules::catalog {

std::span<const Rule> syntax() {
  static const Rule kRules[] = {
      {"CP100", "file-not-utf8", "syntax", Severity::Error, "a policy file is not UTF-8 text",
       R"md(Policy files are UTF-8 (plain ASCII is UTF-8 too). A file saved as UTF-16 (Windows
PowerShell's `Out-File`, Notepad's "Unicode") or in a legacy code page such as Windows-1252 is
reported at the first byte that is not UTF-8, and nothing else in it is checked. The source
line is shown with the offending bytes written as `\xNN`.

**Failing example**

A file containing `site "Z\xFCrich" { pool "zurich-fe01.contoso.com" }`, where `\xFC` is
Windows-1252 for `ü`.

**Fix**: save the file as UTF-8 (`iconv -f cp1252 -t utf-8`, or "Save with encoding" in the
editor).)md"},
      {"CP101", "unexpected-token", "syntax", Severity::Error,
       "something other than what the language expects at this point",
       R"md(The parser names what it expected in the language's terms: a name in double quotes
after `orbit`, a `{` to open a block, a scope after `park_settings`, `=>` in a test line. The
diagnostic points at the token that does not fit, or at the keyword whose value is missing.
Parsing recovers at the next item or line, so every mistake in the file is reported.

**Failing example**

```park
orbit {
  numbers *3000..*3099
}
```

**Fix**: `orbit "Redmond CPO 1" { numbers *3000..*3099 }`.)md"},
      {"CP102", "missing-closing-brace", "syntax", Severity::Error,
       "a block is missing its closing `}`",
       R"md(A block ends with `}`. When the next declaration starts (or a `rule` starts inside a
rule, or the file ends) while a block is still open, the block's `{` is reported with a note
where the next declaration starts. Parsing then continues with that declaration.

**Failing example**

```park
dialplan site "Dublin" {
  rule "4 digit" priority 1 { pattern '^(\d{4})$'  translation '+35315550$1' }

orbit "Dublin CPO 1" { numbers 7000..7099  pool "dublin-fe01.contoso.com" }
```

**Fix**: close the dial plan with `}` before `orbit`.)md"},
      {"CP103", "unmatched-closing-brace", "syntax", Severity::Error, "a `}` closes no block",
       R"md(A `}` at the top level of a file closes nothing; usually a block was closed twice, or
a `{` was deleted.

**Failing example**

```park
site "Redmond" {
  pool "redmond-fe01.contoso.com"
}
}
```

**Fix**: remove the extra `}`.)md"},
      {"CP104", "unknown-declaration", "syntax", Severity::Error,
       "a word at the top level is not a declaration",
       R"md(A policy file is a list of declarations: `site`, `orbit`, `park_access`,
`park_settings`, `voice_policy`, `dialplan`, `user`, `users from` and `test` (each may be
preceded by `@allow`). A misspelt keyword is reported with the closest one; a setting such as
`pool` at the top level usually means a block was closed too early.

**Failing example**

```park
orbt "Redmond CPO 1" { numbers *3000..*3099 }
```

**Fix**: `orbit "Redmond CPO 1" { numbers *3000..*3099 }`.)md"},
      {"CP105", "unknown-setting", "syntax", Severity::Error,
       "a block contains a setting it does not take",
       R"md(Each block takes a fixed set of settings (an `orbit` takes `numbers`, `pool`, `type`
and `allocation`; a `park_settings` block takes `pickup_timeout`, `max_pickup_attempts`,
`music_on_hold`, `on_timeout` and `music_file`, ...). An unknown word is reported with the
closest setting of that block, or the list of settings it takes, and the rest of its line is
skipped.

**Failing example**

```park
park_settings global {
  pickup_timout 90s
}
```

**Fix**: `pickup_timeout 90s`.)md"},
      {"CP106", "duplicate-setting", "syntax", Severity::Error,
       "a setting is written twice in one block",
       R"md(Settings inside a block may come in any order, but each at most once (a site's
`pool` may repeat: a site holds several pools). A second one would silently win or lose, so it
is an error pointing at both. A rule's `priority` counts once whether it is written in the
header (`rule "x" priority 1 { ... }`) or inside the block.

**Failing example**

```park
park_settings global {
  pickup_timeout 90s
  pickup_timeout 2m
}
```

**Fix**: keep one of them.)md"},
      {"CP107", "invalid-value", "syntax", Severity::Error,
       "a setting has a value of the wrong kind",
       R"md(Every setting takes one kind of value: names, pools, SIP and tel URIs and file paths in
double quotes; patterns and translations in single quotes (raw, as pasted from PowerShell);
`numbers` a range of dial strings `*3000..*3099`; `type` and `allocation` a keyword. The
message says what the setting needs, with an example; an unquoted name gets a fix that adds the
quotes, `7000-7099` one that writes the range with `..`.

**Failing example**

```park
site "Redmond" {
  pool redmond-fe01.contoso.com
}
orbit "Dublin CPO 1" { numbers 7000-7099 }
```

**Fix**: `pool "redmond-fe01.contoso.com"`, `numbers 7000..7099`.)md"},
      {"CP108", "invalid-duration", "syntax", Severity::Error, "a duration is malformed",
       R"md(Durations are written with units, largest first, each once: `90s`, `1m30s`, `10m`,
`1h`, or as Lync prints them, `hh:mm:ss` (`00:01:30`). A bare number has no unit (seconds are
not assumed), `30s1m` has its units out of order, `00:90:00` has 90 minutes.

**Failing example**

```park
park_settings site "Dublin" { pickup_timeout 90 }
```

**Fix**: `pickup_timeout 90s`.)md"},
      {"CP109", "invalid-boolean", "syntax", Severity::Error, "an on/off setting has another value",
       R"md(`call_park`, `music_on_hold` and `optimize_device_dialing` take `on` or `off` (also
`true` or `false`), without quotes.

**Failing example**

```park
voice_policy global { call_park yes }
```

**Fix**: `voice_policy global { call_park on }`.)md"},
      {"CP110", "invalid-number", "syntax", Severity::Error,
       "a whole number is missing, malformed or too large",
       R"md(`max_pickup_attempts` and a rule's `priority` are whole numbers written in digits. A
number that does not fit in 64 bits is reported too (the range checks of the values are rules:
CP402 for the attempts).

**Failing example**

```park
park_settings global { max_pickup_attempts two }
```

**Fix**: `max_pickup_attempts 2`.)md"},
      {"CP111", "unterminated-string", "syntax", Severity::Error,
       "a string is missing its closing quote",
       R"md(Strings end on the line they start. A string without its closing `"` (or `'` for a
raw string) runs to the end of the line and swallows whatever follows, often a `{` or `}`;
errors on that line, and a `}` that went missing into the string, are not reported separately.

**Failing example**

```park
site "Redmond {
  pool "redmond-fe01.contoso.com"
}
```

**Fix**: `site "Redmond" {`.)md"},
      {"CP112", "invalid-escape", "syntax", Severity::Error,
       "a double-quoted string contains an escape other than `\\\"` or `\\\\`",
       R"md(Double-quoted strings know two escapes, `\"` and `\\`. Anything else (`\d`, `\n`) is
almost always a regular expression pasted into double quotes; patterns and translations belong
in single-quoted raw strings, where a backslash is just a backslash.

**Failing example**

```park
dialplan global {
  rule "Keep All" priority 10 { pattern "^(\d{11})$"  translation '+$1' }
}
```

**Fix**: `pattern '^(\d{11})$'`.)md"},
      {"CP113", "unterminated-comment", "syntax", Severity::Error, "a `/*` comment is never closed",
       R"md(A block comment runs from `/*` to the next `*/`. Without one, the rest of the file is
a comment and none of its declarations exist, which is rarely what was meant.

**Failing example**

```park
/* the Dublin site is not ready yet
site "Dublin" { pool "dublin-fe01.contoso.com" }
```

**Fix**: add `*/` where the comment should end, or use `//` line comments.)md"},
      {"CP114", "stray-character", "syntax", Severity::Error,
       "a character that is not part of the language",
       R"md(The language has no `;`, `=`, `[`, `$` outside strings, typographic quotes and so on.
Settings need no separator, a test uses `=>`, strings use straight quotes. Note that `#` is a
dial character (`#4100`), not a comment; comments start with `//`.

**Failing example**

```park
park_settings global {
  pickup_timeout 90s;
  max_pickup_attempts = 2
}
```

**Fix**: `pickup_timeout 90s` and `max_pickup_attempts 2`.)md"},
      {"CP115", "invalid-annotation", "syntax", Severity::Error,
       "an annotation is malformed or not before a declaration",
       R"md(The only annotation is `@allow(CODE, "reason")`, written right before a declaration
or before a `rule` inside a dial plan. The code is a diagnostic code (`CP404`) or a rule name
(`on-timeout-missing`); the reason, in double quotes, is mandatory (see CP901).

**Failing example**

```park
@allow(CP404)
orbit "Legacy" { numbers 5000..5009  pool "dublin-fe01.contoso.com" }
```

**Fix**: `@allow(CP404, "legacy range, removed after the Q3 migration")`.)md"},
      {"CP116", "invalid-test-line", "syntax", Severity::Error,
       "a line of a `test` block is malformed",
       R"md(A test line is `dial "NUMBER" CALLER => RESULT` or `park CALLER => allowed|denied`.
The caller is `as "sip:user@domain"` or `with dialplan SCOPE`; a dial's result is
`orbit "Name"`, a number in double quotes (optionally followed by `internal`),
`park pool "fqdn"` or `not_ours`.

**Failing example**

```park
test "orbits" {
  dial "*3001" as "sip:alice@contoso.com" orbit "Redmond CPO 1"
}
```

**Fix**: `dial "*3001" as "sip:alice@contoso.com" => orbit "Redmond CPO 1"`.)md"},
      {"CP117", "file-too-large", "syntax", Severity::Error,
       "a policy file is larger than the parser accepts",
       R"md(A policy file may hold at most 16 MiB and one million tokens, so that no input can
make the compiler run out of memory or time. Real policies are a few kilobytes; large user
lists belong in a `users from "users.json"` export, which has no such limit.

**Failing example**

A generated `users.park` of 20 MB with 200,000 `user` blocks.

**Fix**: export the users with `Get-CsUser | ... | ConvertTo-Json` and read them with
`users from "users.json"`, or split the file.)md"},
      {"CP118", "nesting-too-deep", "syntax", Severity::Error,
       "blocks are nested deeper than the parser accepts",
       R"md(The language nests at most a `rule` block inside a `dialplan` block. Braces nested
more than 64 deep can only be garbage (or an attempt to exhaust the parser); the file is not
parsed further.

**Failing example**

```park
orbit "x" {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}}
```

**Fix**: remove the extra braces.)md"},
      {"CP119", "too-many-syntax-errors", "syntax", Severity::Note,
       "a file has so many syntax errors that reporting stopped",
       R"md(After 50 syntax errors in one file, parkc stops reporting more for that file (the first
ones, in file order, are shown). Beyond that point the errors are almost always consequences of
the first few, or the file is not a policy at all.

**Failing example**

A `.park` file that is really a PowerShell script or a binary file renamed.

**Fix**: fix the first errors and check again; make sure the file is a policy.)md"},
      {"CP120", "parser-internal-error", "syntax", Severity::Error,
       "the parser failed on this file (a bug in parkc)",
       R"md(The parser reports every mistake in a file as a diagnostic; this code means it failed
itself (for example it ran out of memory). It is reported at the start of the file instead of
crashing, and the file is treated as unparsed.

**Failing example**

None by design: please report the file that triggers it.

**Fix**: report it with the file attached; meanwhile, look for unusual content (a very long
line, binary data).)md"},
  };
  return kRules;
}

}  // namespace callpark::rules::catalog

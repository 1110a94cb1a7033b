#include "compiler/normalize/Codes.h"

namespace callpark::normalize {

const std::vector<CodeDoc>& codeCatalog() {
  static const std::vector<CodeDoc> docs = {
      {"CP701", "unsupported-regex-construct", Severity::Error,
       "the pattern uses a .NET regex construct RE2 cannot run",
       "Patterns are written in the .NET dialect but executed with RE2, which guarantees linear "
       "time and has no backtracking. Look-ahead and look-behind, back-references (\\1, \\k<n>), "
       "atomic groups (?>...), conditionals (?(...)...), possessive quantifiers, balancing groups, "
       "\\G, explicitly numbered groups (?<3>...), duplicate group names, character class "
       "subtraction [a-z-[aeiou]], Unicode blocks \\p{IsGreek} and repetition counts above 1000 "
       "have no RE2 equivalent. The rule is skipped, so numbers it should normalize are left as "
       "dialed.",
       "rule \"Ext\" priority 1 { pattern '^(?!911)(\\d{3})$'  translation '+1425555$1' }",
       "Rewrite the condition with plain regex (alternation, classes), or split it into two rules "
       "ordered by priority: e.g. a pass-through rule '^(911)$' -> '$1' before '^(\\d{3})$'."},
      {"CP702", "invalid-pattern", Severity::Error,
       "the pattern is not a valid regular expression",
       "Lync would refuse the rule too (or RE2 rejects it). The rule is skipped.",
       "rule \"Bad\" priority 4 { pattern '^(\\d{4}$'  translation '+$1' }   // `(` never closed",
       "Fix the marked fragment: close groups and classes, escape a literal `*`, `+`, `?` as "
       "`\\*`, `\\+`, `\\?`, remove unknown escapes like `\\q`."},
      {"CP703", "translation-missing-group", Severity::Error,
       "the translation refers to a capturing group the pattern does not have",
       ".NET would insert such a reference literally (\"$2\" stays \"$2\"), producing a number no "
       "phone system can route; it is always a mistake. Note that `$10` means group 10 in .NET, "
       "not group 1 followed by 0. The rule is skipped.",
       "rule \"4 digit\" priority 1 { pattern '^(\\d{4})$'  translation '+1425555$2' }",
       "Refer to an existing group ($1 here), write `${1}0` for group 1 followed by a literal 0, "
       "or `$$` for a literal dollar sign."},
      {"CP704", "malformed-translation", Severity::Error,
       "the translation contains `${` without a well-formed `name}`",
       "`${1` or `${area code}` is not a group reference; .NET would insert the text literally, "
       "which is never a valid number. The rule is skipped.",
       "rule \"Local\" priority 2 { pattern '^(?<local>\\d{7})$'  translation '+1425${local' }",
       "Close the reference: `${local}`; group names consist of letters, digits and `_`."},
  };
  return docs;
}

}  // namespace callpark::normalize

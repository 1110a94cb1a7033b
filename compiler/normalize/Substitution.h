// .NET substitution strings (the Translation of a normalization rule).
//
// parseTranslation() follows .NET's Regex.Replace substitution rules (RegexParser.ScanReplacement,
// non-ECMAScript mode):
//   $n, $nn...  group n; ALL following digits are read (`$10` is group 10, never `$1` + "0")
//   ${n}        group n;   ${name}  named group
//   $$          a literal `$`
//   $0, $&      the whole match;  $_ the whole input (the same thing here: rules match the whole
//               dialed string);  $` and $' the text before/after the match (always empty here)
//   $+          the group with the highest .NET number (group 0 when there is none)
//   `$` followed by anything else is a literal `$`.
// A reference to a group of a pattern that repeats a part able to match the empty string is CP705,
// a warning (TranslationResult::warnings): RE2 and .NET can capture different text there.
// Where .NET would silently emit a reference to a missing group literally (`$3` with two groups,
// `${area}` with no group "area"), we report CP703: it is certainly a mistake. `$10` with fewer
// than ten groups is CP703 too; the hint says to write `${1}0` for group 1 then "0".
// `${` not followed by a well-formed `name}` (which .NET emits literally) is CP704.
//
// Group numbers are .NET numbers; the Substitution holds RE2 group indices (resolved through
// TranslatedPattern::re2Group), so apply() takes RE2's submatch array directly.
// Unmatched optional groups substitute as empty, as in .NET.
#pragma once

#include <re2/stringpiece.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/normalize/Pattern.h"

namespace callpark::normalize {

class Substitution {
 public:
  struct Piece {
    std::string literal;  // emitted first
    int group = -1;       // then this RE2 group (-1: none)
  };

  // Appends the substituted text to *out. `groups` is RE2's submatch array (groups[0] is the
  // whole match) with at least capturesNeeded() entries.
  void apply(const re2::StringPiece* groups, std::string* out) const {
    for (const Piece& p : pieces_) {
      out->append(p.literal);
      if (p.group >= 0 && groups[p.group].data() != nullptr)
        out->append(groups[p.group].data(), groups[p.group].size());
    }
  }
  std::string apply(const re2::StringPiece* groups) const {
    std::string s;
    apply(groups, &s);
    return s;
  }
  // 1 + the highest RE2 group index referenced; 0 when the translation is constant.
  int capturesNeeded() const { return capturesNeeded_; }
  bool isConstant() const { return capturesNeeded_ == 0; }
  const std::vector<Piece>& pieces() const { return pieces_; }

 private:
  friend struct SubstitutionBuilder;
  std::vector<Piece> pieces_;
  int capturesNeeded_ = 0;
};

struct TranslationResult {
  std::optional<Substitution> substitution;
  std::optional<TextError> error;  // CP703 or CP704, offsets into the translation text
  // With a substitution: CP705 when the translation uses a capture group (not $0) of a pattern
  // with TranslatedPattern::emptyLoop; its offsets are into the PATTERN (inPattern). The rule
  // still works; the warning says the result may not be what Lync produced.
  std::vector<TextError> warnings;
  bool ok() const { return substitution.has_value(); }
};

TranslationResult parseTranslation(std::string_view text, const TranslatedPattern& pattern);

}  // namespace callpark::normalize

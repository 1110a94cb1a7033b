// .NET regular expressions (as administrators paste them from Lync / Skype for Business
// PowerShell) translated to RE2 syntax.
//
// translatePattern() parses a pattern in the .NET dialect and produces an RE2 pattern that accepts
// the same dial strings with the same captures, or a PatternError that points at the offending
// construct with byte offsets into the pattern. compilePattern() additionally compiles the result
// with RE2 and maps RE2's own complaints (error_arg) back to offsets in the .NET text.
//
// Dialect decisions (compiler/normalize/README.md has the full table):
//  - \d is [0-9], \w is [0-9A-Za-z_], \s is [\t\n\v\f\r ] (.NET's are Unicode-aware; dial strings
//    are ASCII, where both agree). \Z is \z (no dial string ends in a newline).
//  - Named groups: .NET numbers unnamed groups first, then named groups in order of appearance.
//    RE2 numbers all groups left to right. TranslatedPattern::re2Group maps every .NET group
//    number to its RE2 group index, so `$2` in a translation means what it means in .NET.
//  - Look-around, back-references, atomic groups, conditionals, possessive quantifiers,
//    balancing groups, \G, explicit group numbers (?<3>..), duplicate group names, character
//    class subtraction and Unicode blocks (\p{IsGreek}) are rejected with CP701.
//  - Syntax .NET itself rejects is CP702 (invalid pattern).
//
// Thread safety: pure functions. No exceptions for bad input.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace callpark::normalize {

// Diagnostic codes of this library (documented in rules/catalog/normalize.cpp).
inline constexpr const char* kUnsupportedConstruct = "CP701";
inline constexpr const char* kInvalidPattern = "CP702";
inline constexpr const char* kMissingGroup = "CP703";
inline constexpr const char* kMalformedTranslation = "CP704";
inline constexpr const char* kEmptyIterationCapture = "CP705";  // a warning
inline constexpr const char* kWithoutAnchors = "CP706";         // a note

// A problem in a pattern or translation: [begin, end) are byte offsets into the text given to
// the function (the string's content, without quotes). end > begin unless the text is empty.
struct TextError {
  size_t begin = 0, end = 0;
  std::string code;        // one of the constants above
  std::string message;     // domain words: "look-ahead `(?=...)` is not supported by RE2"
  std::string hint;        // how to fix it; may be empty
  bool inPattern = false;  // for translation results: the offsets are into the pattern instead
};
using PatternError = TextError;

struct TranslatedPattern {
  std::string re2;                      // the pattern in RE2 syntax
  int groupCount = 0;                   // .NET capturing groups, group 0 excluded
  std::vector<int> re2Group;            // .NET group number -> RE2 group index (size groupCount+1)
  std::vector<std::string> groupNames;  // .NET group number -> name ("" when unnamed)
  std::map<std::string, int> names;     // name -> .NET group number
  // The [begin, end) of the first repetition (max above 1) whose body can match the empty
  // string, like `(\d*){1,5}` or `(?:a?)*`, if any. In such a pattern .NET's backtracking can
  // take one more, empty, iteration that RE2 never takes, so the text captured by ANY group may
  // differ (the match verdict never does). parseTranslation warns (CP705).
  std::optional<std::pair<size_t, size_t>> emptyLoop;
  // For each byte of `re2`, the [begin, end) range of the .NET construct that produced it.
  std::vector<std::pair<uint32_t, uint32_t>> sourceMap;
};

struct PatternResult {
  std::optional<TranslatedPattern> pattern;
  std::optional<PatternError> error;
  bool ok() const { return pattern.has_value(); }
};

// Translates without compiling. Errors: CP701, CP702.
PatternResult translatePattern(std::string_view dotnet);

// The RE2 options the engine compiles every pattern with (UTF-8, no logging, case-sensitive).
struct CompiledPattern {
  TranslatedPattern pattern;
  std::shared_ptr<const re2::RE2> re;  // compiled, ok()
};
struct CompileResult {
  std::optional<CompiledPattern> compiled;
  std::optional<PatternError> error;
  bool ok() const { return compiled.has_value(); }
};
// translatePattern + RE2 compilation. RE2's error (e.g. a repetition count above RE2's limit of
// 1000, an unknown \p{...} name) is reported at the .NET fragment that produced RE2's error_arg.
CompileResult compilePattern(std::string_view dotnet);

// CP706 (a note) when the .NET pattern does not begin with `^` / `\A` or does not end with an
// unescaped `$` / `\z` / `\Z`: it still only fires on a full match (the engine always matches
// the whole dialed string), which the note makes visible. Offsets span the whole pattern; the
// hint shows the anchored spelling.
std::optional<TextError> anchorNote(std::string_view dotnet);

}  // namespace callpark::normalize

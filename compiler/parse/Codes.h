// The syntax diagnostic codes (CP1xx) reported by compiler/parse. Stable: a code is never
// reused for another meaning. Documented in compiler/parse/README.md and the rule catalogue.
#pragma once

namespace callpark::parse::codes {

inline constexpr const char* kNotUtf8 = "CP100";              // file is not valid UTF-8
inline constexpr const char* kUnexpected = "CP101";           // unexpected token / missing piece
inline constexpr const char* kMissingBrace = "CP102";         // block missing its closing `}`
inline constexpr const char* kUnmatchedBrace = "CP103";       // `}` with no open block
inline constexpr const char* kUnknownDecl = "CP104";          // unknown top-level declaration
inline constexpr const char* kUnknownSetting = "CP105";       // unknown setting in a block
inline constexpr const char* kDuplicateSetting = "CP106";     // setting repeated in one block
inline constexpr const char* kInvalidValue = "CP107";         // value of the wrong kind
inline constexpr const char* kInvalidDuration = "CP108";      // malformed duration
inline constexpr const char* kInvalidBoolean = "CP109";       // not on/off/true/false
inline constexpr const char* kInvalidNumber = "CP110";        // not a whole number / overflow
inline constexpr const char* kUnterminatedString = "CP111";   // string without closing quote
inline constexpr const char* kInvalidEscape = "CP112";        // `\x` other than `\"` `\\`
inline constexpr const char* kUnterminatedComment = "CP113";  // `/*` never closed
inline constexpr const char* kStrayCharacter = "CP114";       // character outside the language
inline constexpr const char* kBadAnnotation = "CP115";        // malformed or misplaced @allow
inline constexpr const char* kBadExpectation = "CP116";       // malformed test expectation
inline constexpr const char* kFileTooLarge = "CP117";         // over the size / token limit
inline constexpr const char* kNestingTooDeep = "CP118";       // `{` nested beyond the limit
inline constexpr const char* kTooManyErrors = "CP119";        // error cap reached, parsing stopped
inline constexpr const char* kInternalError = "CP120";        // the parser itself failed

}  // namespace callpark::parse::codes

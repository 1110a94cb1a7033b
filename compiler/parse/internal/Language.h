// What the builder and the syntax-error wording share about the language: the keywords of each
// block (mirroring grammar/Park.g4; tests/parse checks the two agree), and the parsing of token
// contents (strings, durations, numbers). No ANTLR here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/parse/internal/Cst.h"

namespace callpark::parse::internal {

// The keywords that start a declaration: `site`, `orbit`, ..., `users`, `test`.
const std::vector<std::string>& declarationKeywords();
// The keyword that opens a block rule's declaration: "orbit" for OrbitDecl, "rule" for RuleDecl.
const char* blockKeyword(Rule blockRule);
// The item keywords a block takes, in the order the grammar lists them.
const std::vector<std::string>& blockItems(Rule blockRule);
// Every keyword that is an item of some block (`pool`, `numbers`, `pickup_timeout`, ...).
bool isItemKeyword(std::string_view word);

// "`a`, `b` or `c`"
std::string listOf(const std::vector<std::string>& words);

// The content of a double-quoted string token (unescaped; `\"` and `\\` only) or of a raw
// single-quoted one (verbatim). Works on unterminated strings too.
std::string stringValue(std::string_view tokenText, Tok kind, bool unterminated);

// A duration as the language writes it: `90s`, `1m30s`, `1h`, `00:01:30`. Returns false with
// *why set (in words) when malformed.
bool parseDuration(std::string_view text, int64_t& seconds, std::string& why);

// A whole number; nullopt when it does not fit in 64 bits or is not a number.
std::optional<int64_t> parseInteger(std::string_view text);

}  // namespace callpark::parse::internal

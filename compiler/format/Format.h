// The canonical layout of .park files (`parkc fmt`).
//
// formatFile() prints one file of a parsed policy in the canonical layout:
//  - two-space indentation, one item per line, `{` on the declaration's line;
//  - items inside a block in a fixed order per block kind (orbit: type, numbers, pool,
//    allocation; park_settings: pickup_timeout, max_pickup_attempts, music_on_hold, music_file,
//    on_timeout; dialplan: description, external_access_prefix, optimize_device_dialing, then
//    the rules in the order written, because that order is a tie-break with meaning; rule:
//    description, pattern, translation, internal_extension; the priority goes in the header);
//  - declarations keep their order in the file; blank lines between items are kept, collapsed
//    to one, and dropped right after `{` and before `}`;
//  - a block written on one line stays on one line when it has no comment inside and fits in
//    100 columns; consecutive one-line rules of a dial plan are aligned in columns (name,
//    `{`, translation), consecutive test expectations on their `=>`;
//  - booleans print as `on` / `off`; strings, dial strings and durations print exactly as
//    written (quoting and escapes are never changed, so patterns stay byte-identical).
//
// Comments are kept and stay attached to what they describe: a comment on its own line(s)
// belongs to the item or declaration that follows it (it moves with it when items are
// reordered), a comment after code on the same line belongs to that code, a comment right after
// a block's `{` stays on the header line, and comments before a `}` or at the end of the file
// stay there. Formatting is idempotent: formatting the output again changes nothing.
//
// Only files that parsed without errors can be formatted (the caller checks the diagnostics of
// that file); the AST is the parser's (compiler/parse), comments come from a small trivia scan
// of the same text (compiler/format/internal/Trivia.h), since the parser drops them.
//
// Thread safety: pure functions of their inputs.
#pragma once

#include <string>

#include "compiler/ast/Ast.h"
#include "compiler/support/Source.h"

namespace callpark::format {

struct FormatOptions {
  size_t maxWidth = 100;  // one-line blocks longer than this are broken up
  size_t indent = 2;
};

// The canonical text of `file`, whose declarations are in `ast` (which may hold other files too:
// only declarations whose range is in `file` are printed).
std::string formatFile(const SourceManager& sm, FileId file, const ast::PolicyAst& ast,
                       const FormatOptions& opts = {});

// A unified diff (`diff -u` style, 3 lines of context) from `before` to `after`, with the
// given labels. Empty when the texts are equal.
std::string unifiedDiff(const std::string& before, const std::string& after,
                        const std::string& fromLabel, const std::string& toLabel);

}  // namespace callpark::format

// parseFile: the one boundary of the front end. Checks size and encoding, runs the ANTLR stage
// (internal/AntlrAdapter.cpp) and the builder, and turns any internal failure into a diagnostic.
#include "compiler/parse/Parser.h"

#include <algorithm>
#include <exception>
#include <new>

#include "compiler/parse/Builder.h"
#include "compiler/parse/Codes.h"
#include "compiler/parse/internal/Cst.h"
#include "compiler/support/Strings.h"

namespace callpark::parse {
namespace {

// Tokens per file. Far beyond any real policy (a 16 MiB file of real settings has ~2M
// tokens only if it is mostly one-character words); bounds the parse tree's memory.
constexpr size_t kMaxTokens = 1'000'000;

}  // namespace

bool parseFile(const SourceManager& sm, FileId file, DiagnosticEngine& diags, ast::PolicyAst& out,
               const ParseLimits& limits) {
  out.files.push_back(file);
  const std::string& text = sm.text(file);
  SourceRange start = sm.rangeOf(file, 0, 0);
  if (text.size() > limits.maxFileBytes) {
    diags.report(codes::kFileTooLarge, Severity::Error, start,
                 "this file is " + std::to_string(text.size()) + " bytes; policy files are " +
                     "limited to " + std::to_string(limits.maxFileBytes) +
                     " bytes (split it, or move users to `users from \"users.json\"`)");
    return false;
  }
  size_t bad = 0;
  if (!isValidUtf8(text, &bad)) {
    diags.report(
        codes::kNotUtf8, Severity::Error, sm.rangeOf(file, bad, bad + 1),
        "this file is not valid UTF-8 (byte " + std::to_string(bad) + "); save it as UTF-8");
    return false;
  }
  try {
    internal::ParseResult parsed;
    size_t where = 0;
    size_t maxNesting = limits.maxNesting == 0 ? 1 : limits.maxNesting;
    // Syntax events beyond the error cap are never shown; a few more than the cap are kept so
    // that errors suppressed on garbled lines do not hide later ones.
    size_t maxEvents = std::max<size_t>(1, limits.maxErrorsPerFile) * 4 + 16;
    switch (internal::parseText(text, maxNesting, kMaxTokens, maxEvents, parsed, &where)) {
      case internal::ParseStatus::TooDeep:
        diags.report(codes::kNestingTooDeep, Severity::Error, sm.rangeOf(file, where, where + 1),
                     "blocks are nested more than " + std::to_string(maxNesting) +
                         " deep here; the language nests at most a `rule` inside a `dialplan`");
        return false;
      case internal::ParseStatus::TooManyTokens:
        diags.report(codes::kFileTooLarge, Severity::Error, sm.rangeOf(file, where, where),
                     "this file has more than " + std::to_string(kMaxTokens) +
                         " words and symbols; split it into several files");
        return false;
      case internal::ParseStatus::Ok:
        break;
    }
    return buildAst(sm, file, parsed, diags, out, limits) == 0;
  } catch (const std::bad_alloc&) {
    diags.report(codes::kInternalError, Severity::Error, start,
                 "out of memory while parsing this file");
  } catch (const std::exception& e) {
    diags.report(codes::kInternalError, Severity::Error, start,
                 std::string("internal error while parsing this file: ") + e.what());
  } catch (...) {
    diags.report(codes::kInternalError, Severity::Error, start,
                 "internal error while parsing this file");
  }
  return false;
}

}  // namespace callpark::parse

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

bool parseFile(const SourceManager& sm, FileId file, DiagnosticEngine& diags, ast::PolicyAst& out,
               const ParseLimits& limits) {
  out.files.push_back(file);
  const std::string& text = sm.text(file);
  SourceRange start = sm.rangeOf(file, 0, 0);
  if (text.size() > limits.maxFileBytes) {
    diags.report(codes::kFileTooLarge, Severity::Error, start,
                 "this file is larger than " + std::to_string(limits.maxFileBytes) +
                     " bytes, the limit for a policy file (split it, or move users to `users "
                     "from \"users.json\"`)");
    return false;
  }
  size_t bad = 0;
  if (!isValidUtf8(text, &bad)) {
    std::string msg;
    if (text.size() >= 2 &&
        ((text[0] == '\xFF' && text[1] == '\xFE') || (text[0] == '\xFE' && text[1] == '\xFF'))) {
      msg =
          "this file is UTF-16 (what Windows PowerShell's `Out-File` and Notepad's \"Unicode\" "
          "write); save it as UTF-8";
    } else {
      static const char* hex = "0123456789ABCDEF";
      unsigned char b = static_cast<unsigned char>(text[bad]);
      msg = std::string("this file is not valid UTF-8: byte 0x") + hex[b >> 4] + hex[b & 0xF] +
            " is not part of a UTF-8 character (a Latin-1 or Windows-1252 file?); save it as "
            "UTF-8";
    }
    diags.report(codes::kNotUtf8, Severity::Error, sm.rangeOf(file, bad, bad + 1), msg);
    return false;
  }
  try {
    internal::ParseResult parsed;
    size_t where = 0;
    size_t maxNesting = limits.maxNesting == 0 ? 1 : limits.maxNesting;
    // Syntax events beyond the error cap are never shown; a few more than the cap are kept so
    // that errors suppressed on garbled lines do not hide later ones.
    size_t maxEvents = std::max<size_t>(1, limits.maxErrorsPerFile) * 4 + 16;
    switch (internal::parseText(text, maxNesting, limits.maxTokens, maxEvents, parsed, &where)) {
      case internal::ParseStatus::TooDeep:
        diags.report(codes::kNestingTooDeep, Severity::Error, sm.rangeOf(file, where, where + 1),
                     "blocks are nested more than " + std::to_string(maxNesting) +
                         " deep here; the language nests at most a `rule` inside a `dialplan`");
        return false;
      case internal::ParseStatus::TooManyTokens:
        diags.report(codes::kFileTooLarge, Severity::Error, sm.rangeOf(file, where, where),
                     "this file has more than " + std::to_string(limits.maxTokens) +
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

// Source files and ranges.
//
// A SourceManager owns the text of every file a compilation reads (.park files, users.json,
// parkc.json). Every diagnostic points into it through a SourceRange, so renderers can show
// the source line and carets long after parsing finished.
//
// Lines and columns are 1-based. Columns count bytes (the language is ASCII outside strings
// and comments). A range is [line:col, endLine:endCol) with an exclusive end column.
// Thread safety: not thread-safe; one SourceManager per compilation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callpark {

using FileId = uint32_t;
inline constexpr FileId kNoFile = UINT32_MAX;

struct SourceRange {
  FileId file = kNoFile;
  uint32_t line = 0, col = 0;        // first character, 1-based
  uint32_t endLine = 0, endCol = 0;  // one past the last character

  bool valid() const { return file != kNoFile && line != 0; }
  // The smallest range covering both (same file expected).
  static SourceRange cover(const SourceRange& a, const SourceRange& b);
  friend bool operator==(const SourceRange&, const SourceRange&) = default;
  friend auto operator<=>(const SourceRange&, const SourceRange&) = default;
};

class SourceManager {
 public:
  // Registers text under a display path (as given on the command line, relative paths kept).
  FileId add(std::string path, std::string text);
  // Reads a file; std::nullopt with *error set (with the system's reason) when it cannot be
  // read. At most maxBytes + 1 bytes are kept, so a huge file (or a device) cannot exhaust
  // memory; the caller sees that the text is longer than maxBytes and reports it.
  std::optional<FileId> load(const std::string& path, std::string* error,
                             size_t maxBytes = SIZE_MAX - 1);

  const std::string& path(FileId id) const { return files_.at(id).path; }
  const std::string& text(FileId id) const { return files_.at(id).text; }
  size_t fileCount() const { return files_.size(); }

  // The text of a 1-based line without its newline; empty when out of range.
  std::string_view lineText(FileId id, uint32_t line) const;
  uint32_t lineCount(FileId id) const;
  // Byte offset <-> line/col conversions.
  size_t offset(FileId id, uint32_t line, uint32_t col) const;
  SourceRange rangeOf(FileId id, size_t beginOffset, size_t endOffset) const;
  // The text a range covers (same-line or multi-line).
  std::string_view slice(const SourceRange& r) const;

 private:
  struct File {
    std::string path;
    std::string text;
    std::vector<size_t> lineStarts;  // byte offset of each line start
  };
  std::vector<File> files_;
};

}  // namespace callpark

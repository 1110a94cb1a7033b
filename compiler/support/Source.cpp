#include "compiler/support/Source.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace callpark {

SourceRange SourceRange::cover(const SourceRange& a, const SourceRange& b) {
  if (!a.valid()) return b;
  if (!b.valid()) return a;
  SourceRange r = a;
  if (std::make_pair(b.line, b.col) < std::make_pair(r.line, r.col)) {
    r.line = b.line;
    r.col = b.col;
  }
  if (std::make_pair(b.endLine, b.endCol) > std::make_pair(r.endLine, r.endCol)) {
    r.endLine = b.endLine;
    r.endCol = b.endCol;
  }
  return r;
}

FileId SourceManager::add(std::string path, std::string text) {
  File f;
  f.path = std::move(path);
  f.text = std::move(text);
  f.lineStarts.push_back(0);
  for (size_t i = 0; i < f.text.size(); ++i)
    if (f.text[i] == '\n') f.lineStarts.push_back(i + 1);
  files_.push_back(std::move(f));
  return static_cast<FileId>(files_.size() - 1);
}

std::optional<FileId> SourceManager::load(const std::string& path, std::string* error,
                                          size_t maxBytes) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error)
      *error =
          "cannot open '" + path + "'" + (errno ? std::string(": ") + std::strerror(errno) : "");
    return std::nullopt;
  }
  std::string text;
  char buf[65536];
  while (text.size() <= maxBytes) {
    size_t want = std::min(sizeof buf, maxBytes + 1 - text.size());
    in.read(buf, static_cast<std::streamsize>(want));
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (!in) break;
  }
  if (in.bad()) {
    if (error)
      *error =
          "cannot read '" + path + "'" + (errno ? std::string(": ") + std::strerror(errno) : "");
    return std::nullopt;
  }
  return add(path, std::move(text));
}

uint32_t SourceManager::lineCount(FileId id) const {
  return static_cast<uint32_t>(files_.at(id).lineStarts.size());
}

std::string_view SourceManager::lineText(FileId id, uint32_t line) const {
  const File& f = files_.at(id);
  if (line == 0 || line > f.lineStarts.size()) return {};
  size_t b = f.lineStarts[line - 1];
  size_t e = line < f.lineStarts.size() ? f.lineStarts[line] : f.text.size();
  while (e > b && (f.text[e - 1] == '\n' || f.text[e - 1] == '\r')) --e;
  return std::string_view(f.text).substr(b, e - b);
}

size_t SourceManager::offset(FileId id, uint32_t line, uint32_t col) const {
  const File& f = files_.at(id);
  if (line == 0) return 0;
  if (line > f.lineStarts.size()) return f.text.size();
  return std::min(f.text.size(), f.lineStarts[line - 1] + (col ? col - 1 : 0));
}

SourceRange SourceManager::rangeOf(FileId id, size_t b, size_t e) const {
  const File& f = files_.at(id);
  auto pos = [&](size_t off, uint32_t& line, uint32_t& col) {
    off = std::min(off, f.text.size());
    auto it = std::upper_bound(f.lineStarts.begin(), f.lineStarts.end(), off);
    size_t idx = static_cast<size_t>(it - f.lineStarts.begin()) - 1;
    line = static_cast<uint32_t>(idx + 1);
    col = static_cast<uint32_t>(off - f.lineStarts[idx] + 1);
  };
  SourceRange r;
  r.file = id;
  pos(b, r.line, r.col);
  pos(std::max(b, e), r.endLine, r.endCol);
  return r;
}

std::string_view SourceManager::slice(const SourceRange& r) const {
  if (!r.valid()) return {};
  size_t b = offset(r.file, r.line, r.col);
  size_t e = offset(r.file, r.endLine, r.endCol);
  if (e < b) return {};
  return std::string_view(files_.at(r.file).text).substr(b, e - b);
}

}  // namespace callpark

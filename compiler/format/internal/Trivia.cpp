#include "compiler/format/internal/Trivia.h"

namespace callpark::format::internal {

std::vector<TriviaToken> scanTrivia(std::string_view t) {
  std::vector<TriviaToken> out;
  size_t i = 0, n = t.size();
  auto isSpace = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
  };
  auto startsComment = [&](size_t k) {
    return k + 1 < n && t[k] == '/' && (t[k + 1] == '/' || t[k + 1] == '*');
  };
  while (i < n) {
    char c = t[i];
    if (isSpace(c)) {
      ++i;
      continue;
    }
    size_t b = i;
    if (startsComment(i)) {
      if (t[i + 1] == '/') {
        while (i < n && t[i] != '\n' && t[i] != '\r') ++i;
      } else {
        size_t close = t.find("*/", i + 2);
        i = close == std::string_view::npos ? n : close + 2;
      }
      out.push_back({TriviaToken::Comment, b, i});
      continue;
    }
    if (c == '{' || c == '}') {
      out.push_back({c == '{' ? TriviaToken::LBrace : TriviaToken::RBrace, b, b + 1});
      ++i;
      continue;
    }
    if (c == '(' || c == ')' || c == ',' || c == '@') {
      out.push_back({TriviaToken::Other, b, b + 1});
      ++i;
      continue;
    }
    if (c == '"') {
      ++i;
      while (i < n && t[i] != '"' && t[i] != '\n' && t[i] != '\r')
        i += (t[i] == '\\' && i + 1 < n && t[i + 1] != '\n') ? 2 : 1;
      if (i < n && t[i] == '"') ++i;
      out.push_back({TriviaToken::Other, b, i});
      continue;
    }
    if (c == '\'') {
      ++i;
      while (i < n && t[i] != '\'' && t[i] != '\n' && t[i] != '\r') ++i;
      if (i < n && t[i] == '\'') ++i;
      out.push_back({TriviaToken::Other, b, i});
      continue;
    }
    while (i < n && !isSpace(t[i]) && t[i] != '{' && t[i] != '}' && t[i] != '(' && t[i] != ')' &&
           t[i] != ',' && t[i] != '"' && t[i] != '\'' && !startsComment(i))
      ++i;
    out.push_back({TriviaToken::Other, b, i});
  }
  return out;
}

}  // namespace callpark::format::internal

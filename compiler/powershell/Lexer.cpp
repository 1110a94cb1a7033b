// The PowerShell tokenizer. A hand-written recursive scanner: statements() reads statement
// lists (top level and `{ }` blocks, where newlines and `;` end statements), flat() reads the
// inside of `( )`, `@( )`, `$( )`, `[ ]` and `@{ }` (where newlines are only spacing), elem()
// reads one element. Adjacent elements with no space between them (`$site'/Rule'`) form one
// argument, as in PowerShell's argument mode; they become a synthesized DoubleQuoted element
// whose parts are the pieces.
#include "compiler/powershell/Lexer.h"

#include <cctype>

#include "compiler/powershell/Codes.h"

namespace callpark::powershell {
namespace {

bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '?';
}

class Lexer {
 public:
  Lexer(const SourceManager& sm, FileId f, DiagnosticEngine& d)
      : sm_(sm), f_(f), t_(sm.text(f)), d_(d) {
    if (t_.rfind("\xEF\xBB\xBF", 0) == 0) i_ = 3;  // UTF-8 byte order mark
  }

  std::vector<Statement> statements(char close, size_t open) {
    std::vector<Statement> out;
    Statement cur;
    auto flush = [&] {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    };
    while (true) {
      skipSpace(false);
      if (i_ >= t_.size()) {
        if (close) error(open, open + 1, "this `{` has no matching `}`");
        break;
      }
      char c = t_[i_];
      if (c == '\n' || c == '\r' || c == ';') {
        ++i_;
        flush();
        continue;
      }
      if (c == close) {
        ++i_;
        break;
      }
      if (c == ')' || c == ']' || c == '}') {
        error(i_, i_ + 1, std::string("unexpected `") + c + "`");
        ++i_;
        continue;
      }
      Elem e;
      if (!elem(e)) {
        ++i_;
        continue;
      }
      glue(e);
      cur.push_back(std::move(e));
    }
    flush();
    return out;
  }

 private:
  const SourceManager& sm_;
  FileId f_;
  const std::string& t_;
  DiagnosticEngine& d_;
  size_t i_ = 0;

  SourceRange rng(size_t b, size_t e) const { return sm_.rangeOf(f_, b, e); }
  void error(size_t b, size_t e, const std::string& msg) {
    d_.report(codes::kSyntax, Severity::Error, rng(b, e), msg);
  }
  bool at(const char* s) const { return t_.compare(i_, std::char_traits<char>::length(s), s) == 0; }

  // Spaces, tabs, backtick continuations, comments; newlines too when `newlines`.
  void skipSpace(bool newlines) {
    while (i_ < t_.size()) {
      char c = t_[i_];
      if (c == ' ' || c == '\t' || c == '\f' ||
          (newlines && (c == '\n' || c == '\r' || c == ';'))) {
        ++i_;
      } else if (c == '`' && i_ + 1 < t_.size() && (t_[i_ + 1] == '\n' || t_[i_ + 1] == '\r')) {
        i_ += 2;
        if (t_[i_ - 1] == '\r' && i_ < t_.size() && t_[i_] == '\n') ++i_;
      } else if (c == '#') {
        while (i_ < t_.size() && t_[i_] != '\n' && t_[i_] != '\r') ++i_;
      } else if (at("<#")) {
        size_t e = t_.find("#>", i_ + 2);
        if (e == std::string::npos) {
          error(i_, i_ + 2, "this `<#` comment is never closed with `#>`");
          i_ = t_.size();
        } else {
          i_ = e + 2;
        }
      } else {
        break;
      }
    }
  }

  std::vector<Elem> flat(char close, size_t open) {
    std::vector<Elem> out;
    while (true) {
      skipSpace(true);
      if (i_ >= t_.size()) {
        error(open, open + 1, std::string("this bracket has no matching `") + close + "`");
        break;
      }
      char c = t_[i_];
      if (c == close) {
        ++i_;
        break;
      }
      if (c == ')' || c == ']' || c == '}') {
        error(i_, i_ + 1, std::string("unexpected `") + c + "`");
        ++i_;
        continue;
      }
      Elem e;
      if (!elem(e)) {
        ++i_;
        continue;
      }
      glue(e);
      out.push_back(std::move(e));
    }
    return out;
  }

  // Joins elements written with no space between them into one argument.
  void glue(Elem& e) {
    auto gluable = [](const Elem& x) {
      return x.kind == Elem::Word || x.kind == Elem::SingleQuoted || x.kind == Elem::DoubleQuoted ||
             x.kind == Elem::Variable;
    };
    if (!gluable(e)) return;
    while (i_ < t_.size()) {
      char c = t_[i_];
      if (!(c == '\'' || c == '"' || c == '$' || isNameChar(c) || c == '/' || c == '*' ||
            c == '#' || c == ':' || c == '+' || c == '.' || c == '-'))
        break;
      if (c == '$' && (i_ + 1 >= t_.size() || t_[i_ + 1] == '(')) break;
      size_t save = i_;
      Elem next;
      if (!elem(next) || !gluable(next)) {
        i_ = save;
        break;
      }
      if (e.kind != Elem::DoubleQuoted || e.parts.empty() || e.text != "\x01glued") {
        Elem g;
        g.kind = Elem::DoubleQuoted;
        g.text = "\x01glued";
        g.range = e.range;
        append(g, e);
        e = std::move(g);
      }
      append(e, next);
      e.range = SourceRange::cover(e.range, next.range);
    }
  }
  static void append(Elem& g, const Elem& x) {
    switch (x.kind) {
      case Elem::Word:
      case Elem::SingleQuoted:
        g.parts.push_back({Part::Text, x.text, x.range});
        break;
      case Elem::Variable:
        g.parts.push_back({Part::Variable, x.text, x.range});
        break;
      case Elem::DoubleQuoted:
        for (const auto& p : x.parts) g.parts.push_back(p);
        break;
      default:
        break;
    }
  }

  bool elem(Elem& e) {
    size_t b = i_;
    char c = t_[i_];
    char n = i_ + 1 < t_.size() ? t_[i_ + 1] : '\0';
    if (c == '\'' || c == '\xE2') {
      if (c == '\'') return single(e);
    }
    if (c == '"') return dbl(e);
    if (c == '@' && (n == '\'' || n == '"') && i_ + 2 < t_.size() &&
        (t_[i_ + 2] == '\n' || t_[i_ + 2] == '\r'))
      return here(e);
    if (c == '@' && n == '(') return group(e, Elem::ArrayExpr, 2, ')');
    if (c == '@' && n == '{') return group(e, Elem::Hash, 2, '}');
    if (c == '@' && isNameChar(n)) {
      ++i_;
      while (i_ < t_.size() && isNameChar(t_[i_])) ++i_;
      e.kind = Elem::Splat;
      e.text = t_.substr(b + 1, i_ - b - 1);
      e.range = rng(b, i_);
      return true;
    }
    if (c == '$' && n == '(') return group(e, Elem::SubExpr, 2, ')');
    if (c == '$') return variable(e);
    if (c == '(') return group(e, Elem::Paren, 1, ')');
    if (c == '[') return group(e, Elem::Bracket, 1, ']');
    if (c == '{') {
      ++i_;
      e.kind = Elem::Block;
      e.statements = statements('}', b);
      e.range = rng(b, i_);
      return true;
    }
    if (c == '|' || c == ',' || c == '=' || c == '>' || c == '!' || c == '&' ||
        (c == '+' && n == '=') || (c == '2' && n == '>') || (c == '.' && (n == ' ' || n == '\t'))) {
      i_ += (c == '+' || (c == '2' && n == '>') || (c == '>' && n == '>') ||
             (c == '&' && n == '&') || (c == '|' && n == '|'))
                ? 2
                : 1;
      e.kind = Elem::Operator;
      e.text = t_.substr(b, i_ - b);
      e.range = rng(b, i_);
      return true;
    }
    if (c == '-' && (std::isalpha(static_cast<unsigned char>(n)) || n == '_')) {
      ++i_;
      while (i_ < t_.size() && (isNameChar(t_[i_]) || t_[i_] == '-') && t_[i_] != '?') {
        if (t_[i_] == '-') break;
        ++i_;
      }
      e.kind = Elem::Parameter;
      e.text = t_.substr(b + 1, i_ - b - 1);
      if (i_ < t_.size() && t_[i_] == ':' && i_ + 1 < t_.size() && t_[i_ + 1] != ' ' &&
          t_[i_ + 1] != '\n' && t_[i_ + 1] != '\r') {
        ++i_;
        Elem v;
        if (elem(v)) {
          glue(v);
          e.children.push_back(std::move(v));
        }
      }
      e.range = rng(b, i_);
      return true;
    }
    return word(e);
  }

  bool word(Elem& e) {
    size_t b = i_;
    std::string text;
    while (i_ < t_.size()) {
      char c = t_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ';' || c == '|' || c == '(' ||
          c == ')' || c == '{' || c == '}' || c == ',' || c == '"' || c == '\'' || c == '[' ||
          c == ']' || (c == '$' && i_ > b) || c == '=')
        break;
      if (c == '`' && i_ + 1 < t_.size()) {
        if (t_[i_ + 1] == '\n' || t_[i_ + 1] == '\r') break;
        text += t_[i_ + 1];
        i_ += 2;
        continue;
      }
      text += c;
      ++i_;
    }
    if (i_ == b) return false;
    e.kind = Elem::Word;
    e.text = text;
    e.range = rng(b, i_);
    return true;
  }

  bool group(Elem& e, Elem::Kind k, size_t openLen, char close) {
    size_t b = i_;
    i_ += openLen;
    e.kind = k;
    e.children = flat(close, b);
    e.range = rng(b, i_);
    return true;
  }

  bool variable(Elem& e) {
    size_t b = i_;
    ++i_;
    std::string name;
    if (i_ < t_.size() && t_[i_] == '{') {
      size_t end = t_.find('}', i_);
      if (end == std::string::npos) {
        error(b, i_ + 1, "this `${` is never closed");
        end = t_.size() - 1;
      }
      name = t_.substr(i_ + 1, end - i_ - 1);
      i_ = end + 1;
    } else {
      size_t s = i_;
      while (i_ < t_.size() && isNameChar(t_[i_])) ++i_;
      if (i_ < t_.size() && t_[i_] == ':' && i_ + 1 < t_.size() && isNameChar(t_[i_ + 1])) {
        ++i_;
        while (i_ < t_.size() && isNameChar(t_[i_])) ++i_;
      }
      name = t_.substr(s, i_ - s);
      if (name.empty()) {
        e.kind = Elem::Word;
        e.text = "$";
        e.range = rng(b, i_);
        return true;
      }
    }
    // Member access and indexing make the value something the importer does not follow.
    while (i_ < t_.size() &&
           ((t_[i_] == '.' && i_ + 1 < t_.size() && isNameChar(t_[i_ + 1])) || t_[i_] == '[')) {
      if (t_[i_] == '[') {
        Elem idx;
        group(idx, Elem::Bracket, 1, ']');
        name += "[]";
      } else {
        size_t s = i_;
        ++i_;
        while (i_ < t_.size() && isNameChar(t_[i_])) ++i_;
        name += t_.substr(s, i_ - s);
      }
    }
    e.kind = Elem::Variable;
    e.text = name;
    e.range = rng(b, i_);
    return true;
  }

  bool single(Elem& e) {
    size_t b = i_++;
    std::string v;
    while (true) {
      if (i_ >= t_.size()) {
        error(b, b + 1, "this single-quoted string is never closed");
        break;
      }
      if (t_[i_] == '\'') {
        if (i_ + 1 < t_.size() && t_[i_ + 1] == '\'') {
          v += '\'';
          i_ += 2;
          continue;
        }
        ++i_;
        break;
      }
      v += t_[i_++];
    }
    e.kind = Elem::SingleQuoted;
    e.text = v;
    e.range = rng(b, i_);
    return true;
  }

  // Reads the body of a double-quoted string (or here-string when `here`), filling parts.
  void expandable(Elem& e, bool here) {
    std::string text;
    size_t textStart = i_;
    auto flushText = [&](size_t end) {
      if (!text.empty()) e.parts.push_back({Part::Text, text, rng(textStart, end)});
      text.clear();
    };
    while (i_ < t_.size()) {
      char c = t_[i_];
      if (!here && c == '"') {
        if (i_ + 1 < t_.size() && t_[i_ + 1] == '"') {
          text += '"';
          i_ += 2;
          continue;
        }
        break;
      }
      if (here && (c == '\n' || c == '\r')) {
        size_t k = i_ + (c == '\r' && i_ + 1 < t_.size() && t_[i_ + 1] == '\n' ? 2 : 1);
        if (t_.compare(k, 2, "\"@") == 0) {
          flushText(i_);
          i_ = k;
          return;
        }
      }
      if (c == '`' && i_ + 1 < t_.size()) {
        char x = t_[i_ + 1];
        static const std::string from = "0abfnrtv", to = std::string("\0\a\b\f\n\r\t\v", 8);
        size_t p = from.find(x);
        text += p == std::string::npos ? x : to[p];
        i_ += 2;
        continue;
      }
      if (c == '$' && i_ + 1 < t_.size()) {
        char n = t_[i_ + 1];
        if (n == '(') {
          flushText(i_);
          size_t b = i_;
          int depth = 0;
          while (i_ < t_.size()) {
            if (t_[i_] == '(') ++depth;
            if (t_[i_] == ')' && --depth == 0) break;
            ++i_;
          }
          if (i_ < t_.size()) ++i_;
          e.parts.push_back({Part::SubExpression, t_.substr(b, i_ - b), rng(b, i_)});
          textStart = i_;
          continue;
        }
        if (isNameChar(n) || n == '{') {
          flushText(i_);
          size_t b = i_;
          std::string name;
          if (n == '{') {
            size_t end = t_.find('}', i_);
            if (end == std::string::npos) end = t_.size() - 1;
            name = t_.substr(i_ + 2, end - i_ - 2);
            i_ = end + 1;
          } else {
            ++i_;
            size_t s = i_;
            while (i_ < t_.size() && isNameChar(t_[i_])) ++i_;
            if (i_ + 1 < t_.size() && t_[i_] == ':' && isNameChar(t_[i_ + 1])) {
              ++i_;
              while (i_ < t_.size() && isNameChar(t_[i_])) ++i_;
            }
            name = t_.substr(s, i_ - s);
          }
          e.parts.push_back({Part::Variable, name, rng(b, i_)});
          textStart = i_;
          continue;
        }
      }
      text += c;
      ++i_;
    }
    flushText(i_);
  }

  bool dbl(Elem& e) {
    size_t b = i_++;
    e.kind = Elem::DoubleQuoted;
    size_t contentStart = i_;
    expandable(e, false);
    if (i_ >= t_.size()) {
      error(b, b + 1, "this double-quoted string is never closed");
      e.text = t_.substr(contentStart);
    } else {
      e.text = t_.substr(contentStart, i_ - contentStart);
      ++i_;
    }
    e.range = rng(b, i_);
    return true;
  }

  bool here(Elem& e) {
    size_t b = i_;
    char q = t_[i_ + 1];
    i_ += 2;
    if (t_[i_] == '\r') ++i_;
    if (i_ < t_.size() && t_[i_] == '\n') ++i_;
    size_t contentStart = i_;
    if (q == '"') {
      e.kind = Elem::DoubleQuoted;
      expandable(e, true);
      e.text = t_.substr(contentStart, i_ - contentStart);
      if (i_ < t_.size())
        i_ += 2;
      else
        error(b, b + 2, "this here-string is never closed with `\"@`");
    } else {
      size_t end = std::string::npos;
      for (size_t k = i_; k < t_.size(); ++k)
        if ((t_[k] == '\n') && t_.compare(k + 1, 2, "'@") == 0) {
          end = k;
          break;
        }
      e.kind = Elem::SingleQuoted;
      if (end == std::string::npos) {
        error(b, b + 2, "this here-string is never closed with `'@`");
        e.text = t_.substr(i_);
        i_ = t_.size();
      } else {
        size_t textEnd = end > contentStart && t_[end - 1] == '\r' ? end - 1 : end;
        e.text = t_.substr(contentStart, textEnd - contentStart);
        i_ = end + 3;
      }
    }
    e.range = rng(b, i_);
    return true;
  }
};

}  // namespace

std::vector<Statement> tokenizeScript(const SourceManager& sm, FileId file,
                                      DiagnosticEngine& diags) {
  Lexer lx(sm, file, diags);
  return lx.statements('\0', 0);
}

}  // namespace callpark::powershell

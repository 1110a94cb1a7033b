// How positions are found.
//
// nlohmann/json validates the text and unescapes strings, but neither its DOM nor its SAX
// interface says where a value was. So the SAX handler below walks a second, trivial cursor over
// the same bytes in lock-step: every SAX event corresponds to exactly one JSON token (`{`, `}`,
// `[`, `]`, a key, a string, a number or a literal), and nlohmann emits the event only after it
// has lexed that whole token. Before each event's work, the cursor skips whitespace, `,` and `:`
// and then steps over one token, which is therefore the token the event is about. Tokens never
// contain a raw newline (JSON forbids it inside strings), so the cursor keeps line and column
// incrementally: the whole file costs one extra linear pass and no allocation.
//
// On a syntax error nlohmann reports the byte count it had read, where the offending token
// ends; the cursor, still just past the last good token, knows where it starts.
#include "compiler/model/internal/UsersJson.h"

#include <nlohmann/json.hpp>

#include <cctype>

#include "compiler/support/JsonError.h"
#include "compiler/support/Strings.h"

namespace callpark::model::internal {

namespace {

// Steps over the tokens of text nlohmann has already accepted (see the essay above).
class TokenCursor {
 public:
  TokenCursor(FileId file, std::string_view text)
      : file_(file), b_(text.data()), e_(b_ + text.size()) {
    p_ = b_;
    lineStart_ = b_;
    if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
        static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF)
      p_ += 3;  // nlohmann skips a UTF-8 byte order mark too
  }

  // The byte offset where the next token starts (separators skipped); does not advance.
  size_t peekOffset() const {
    const char* p = p_;
    while (p < e_ &&
           (*p == '\n' || *p == ' ' || *p == '\t' || *p == '\r' || *p == ',' || *p == ':'))
      ++p;
    return static_cast<size_t>(p - b_);
  }

  // The range of the next token; advances past it.
  SourceRange next() {
    while (p_ < e_) {
      char c = *p_;
      if (c == '\n') {
        ++p_;
        ++line_;
        lineStart_ = p_;
      } else if (c == ' ' || c == '\t' || c == '\r' || c == ',' || c == ':') {
        ++p_;
      } else {
        break;
      }
    }
    SourceRange r;
    r.file = file_;
    r.line = r.endLine = line_;
    r.col = static_cast<uint32_t>(p_ - lineStart_ + 1);
    if (p_ < e_) {
      char c = *p_;
      if (c == '"') {
        ++p_;
        while (p_ < e_ && *p_ != '"') p_ += (*p_ == '\\' && p_ + 1 < e_) ? 2 : 1;
        if (p_ < e_) ++p_;
      } else if (c == '{' || c == '}' || c == '[' || c == ']') {
        ++p_;
      } else if (c >= 'a' && c <= 'z') {
        while (p_ < e_ && *p_ >= 'a' && *p_ <= 'z') ++p_;
      } else {
        while (p_ < e_ && ((*p_ >= '0' && *p_ <= '9') || *p_ == '-' || *p_ == '+' || *p_ == '.' ||
                           *p_ == 'e' || *p_ == 'E'))
          ++p_;
      }
    }
    r.endCol = static_cast<uint32_t>(p_ - lineStart_ + 1);
    return r;
  }

 private:
  FileId file_;
  const char* b_;
  const char* e_;
  const char* p_;
  const char* lineStart_;
  uint32_t line_ = 1;
};

enum class Field { Sip, Line, Pool, VoicePolicy, DialPlan, Other };

const char* fieldKey(Field f) {
  switch (f) {
    case Field::Sip:
      return "SipAddress";
    case Field::Line:
      return "LineURI";
    case Field::Pool:
      return "RegistrarPool";
    case Field::VoicePolicy:
      return "VoicePolicy";
    case Field::DialPlan:
      return "DialPlan";
    case Field::Other:
      break;
  }
  return "";
}

Field fieldOf(const std::string& key) {
  std::string k = toLower(key);
  if (k == "sipaddress") return Field::Sip;
  if (k == "lineuri") return Field::Line;
  if (k == "registrarpool") return Field::Pool;
  if (k == "voicepolicy") return Field::VoicePolicy;
  if (k == "dialplan") return Field::DialPlan;
  return Field::Other;
}

class Handler : public nlohmann::json_sax<nlohmann::json> {
 public:
  Handler(FileId file, const SourceManager& sm, DiagnosticEngine& diags,
          const std::function<void(JsonUser&)>& onUser)
      : file_(file), sm_(sm), diags_(diags), onUser_(onUser), cur_(file, sm.text(file)) {}

  bool null() override { return scalar(cur_.next(), nullptr, "null"); }
  bool boolean(bool) override { return scalar(cur_.next(), nullptr, "a boolean"); }
  bool number_integer(number_integer_t) override {
    return scalar(cur_.next(), nullptr, "a number");
  }
  bool number_unsigned(number_unsigned_t) override {
    return scalar(cur_.next(), nullptr, "a number");
  }
  bool number_float(number_float_t, const string_t&) override {
    return scalar(cur_.next(), nullptr, "a number");
  }
  bool string(string_t& s) override { return scalar(cur_.next(), &s, "a string"); }
  bool binary(binary_t&) override { return scalar(cur_.next(), nullptr, "binary data"); }

  bool key(string_t& k) override {
    cur_.next();
    if (skipping_ == 0 && inUser_ && depth_ == userDepth_) field_ = fieldOf(k);
    return true;
  }

  bool start_object(std::size_t) override { return open(cur_.next(), true); }
  bool start_array(std::size_t) override { return open(cur_.next(), false); }
  bool end_object() override { return close(cur_.next()); }
  bool end_array() override { return close(cur_.next()); }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    // `position` counts the bytes read, so the offending token ends there; it starts where the
    // cursor (just past the last token that produced an event) finds the next token. When that
    // is not before `position` (e.g. a stray `,`), show the last byte read.
    const std::string& text = sm_.text(file_);
    size_t end = std::min(position, text.size());
    size_t begin = cur_.peekOffset();
    if (begin >= end) begin = position > 0 ? std::min(position - 1, text.size()) : 0;
    JsonErrorText why = describeJsonError(ex.what(), text, begin, end);
    SourceRange r = sm_.rangeOf(file_, why.begin, why.end);
    diags_
        .report("CP209", Severity::Error, r,
                "users file \"" + sm_.path(file_) + "\" is not valid JSON: " + why.message)
        .suggest("export it again with `ConvertTo-Json` and save it as UTF-8");
    return false;
  }

 private:
  bool shape(SourceRange r, std::string msg) {
    diags_.report("CP210", Severity::Error, r, std::move(msg))
        .suggest(
            "the file must be the output of `Get-CsUser | Select-Object SipAddress, LineURI, "
            "RegistrarPool, VoicePolicy, DialPlan | ConvertTo-Json`");
    return true;
  }

  bool scalar(SourceRange r, string_t* s, const char* what) {
    if (skipping_ > 0) return true;
    if (depth_ == 0)
      return shape(r,
                   "a users file must hold an array of user objects, found " + std::string(what));
    if (!inUser_)
      return shape(r,
                   "each entry of a users file must be a user object, found " + std::string(what));
    if (depth_ != userDepth_ || field_ == Field::Other) return true;
    if (!s) {
      if (std::string_view(what) != "null") {
        shape(r, std::string(fieldKey(field_)) + " must be a string or null, found " + what);
        if (field_ == Field::Sip) user_.sipWrongType = true;
      }
      slot(field_).reset();
      return true;
    }
    if (s->empty()) {
      slot(field_).reset();  // an empty value inherits, like null
      return true;
    }
    slot(field_) = JsonString{std::move(*s), r};
    return true;
  }

  bool open(SourceRange r, bool object) {
    if (skipping_ > 0) {
      ++skipping_;
      ++depth_;
      return true;
    }
    if (object && (depth_ == 0 || (depth_ == 1 && topArray_))) {
      ++depth_;
      inUser_ = true;
      userDepth_ = depth_;
      user_ = JsonUser{};
      user_.range = r;
      field_ = Field::Other;
      return true;
    }
    if (!object && depth_ == 0) {
      topArray_ = true;
      ++depth_;
      return true;
    }
    const char* what = object ? "an object" : "an array";
    if (!inUser_)
      shape(r, std::string("each entry of a users file must be a user object, found ") + what);
    else if (field_ != Field::Other) {
      shape(r, std::string(fieldKey(field_)) + " must be a string or null, found " + what);
      if (field_ == Field::Sip) user_.sipWrongType = true;
    }
    if (inUser_ && field_ != Field::Other) slot(field_).reset();
    skipping_ = 1;
    ++depth_;
    return true;
  }

  bool close(SourceRange r) {
    --depth_;
    if (skipping_ > 0) {
      --skipping_;
      return true;
    }
    if (inUser_ && depth_ + 1 == userDepth_) {
      inUser_ = false;
      user_.range = SourceRange::cover(user_.range, r);
      onUser_(user_);
    }
    return true;
  }

  std::optional<JsonString>& slot(Field f) {
    switch (f) {
      case Field::Sip:
        return user_.sip;
      case Field::Line:
        return user_.line;
      case Field::Pool:
        return user_.pool;
      case Field::VoicePolicy:
        return user_.voicePolicy;
      case Field::DialPlan:
        return user_.dialPlan;
      case Field::Other:
        break;
    }
    return scratch_;
  }

  FileId file_;
  const SourceManager& sm_;
  DiagnosticEngine& diags_;
  const std::function<void(JsonUser&)>& onUser_;
  TokenCursor cur_;
  int depth_ = 0;     // open containers
  int skipping_ = 0;  // >0: inside a value being ignored, nesting count
  bool topArray_ = false;
  bool inUser_ = false;
  int userDepth_ = 0;
  Field field_ = Field::Other;
  JsonUser user_;
  std::optional<JsonString> scratch_;
};

}  // namespace

bool readUsersJson(FileId file, const SourceManager& sm, DiagnosticEngine& diags,
                   const std::function<void(JsonUser&)>& onUser) {
  const std::string& text = sm.text(file);
  if (text.size() >= 2 && ((static_cast<unsigned char>(text[0]) == 0xFF &&
                            static_cast<unsigned char>(text[1]) == 0xFE) ||
                           (static_cast<unsigned char>(text[0]) == 0xFE &&
                            static_cast<unsigned char>(text[1]) == 0xFF))) {
    diags
        .report("CP209", Severity::Error, sm.rangeOf(file, 0, 2),
                "users file \"" + sm.path(file) + "\" is UTF-16 encoded; parkc reads UTF-8")
        .suggest(
            "save it as UTF-8, e.g. `... | ConvertTo-Json | Out-File -Encoding utf8 users.json`");
    return false;
  }
  Handler h(file, sm, diags, onUser);
  try {
    return nlohmann::json::sax_parse(text.begin(), text.end(), &h);
  } catch (const std::exception& e) {
    // Not expected (SAX errors go to parse_error), but never let user input throw out.
    diags.report("CP209", Severity::Error, sm.rangeOf(file, 0, 0),
                 "users file \"" + sm.path(file) + "\" could not be read as JSON: " + e.what());
    return false;
  }
}

}  // namespace callpark::model::internal

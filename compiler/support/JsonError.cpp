#include "compiler/support/JsonError.h"

#include <algorithm>
#include <cctype>

namespace callpark {

JsonErrorText describeJsonError(std::string_view what, std::string_view text, size_t begin,
                                size_t end) {
  std::string detail(what);
  size_t colon = detail.find(": ");  // after "... line 4, column 3"
  if (colon != std::string::npos) detail = detail.substr(colon + 2);
  size_t last = detail.find("; last read:");
  if (last != std::string::npos) detail.resize(last);
  size_t dash = detail.find(" - ");
  std::string core = dash != std::string::npos ? detail.substr(dash + 3) : detail;
  begin = std::min(begin, text.size());
  end = std::max(begin, std::min(end, text.size()));
  JsonErrorText out{core, begin, end};
  if (core.find("control character U+000A") != std::string::npos ||
      core.find("control character U+000D") != std::string::npos) {
    out.message = "a string is not closed before the end of its line";
  } else if (core.find("ill-formed UTF-8") != std::string::npos) {
    out.message = "it is not UTF-8 text (save it as UTF-8)";
  } else if (core.find("unexpected end of input") != std::string::npos) {
    out.message = "the file ends before the JSON does (was it cut short?)";
  } else if (core.find("unexpected '}'") != std::string::npos ||
             core.find("unexpected ']'") != std::string::npos) {
    size_t p = begin;
    while (p > 0 && std::isspace(static_cast<unsigned char>(text[p - 1]))) --p;
    if (p > 0 && text[p - 1] == ',' && begin < text.size()) {
      out.message = "this `,` is followed by `" + std::string(1, text[begin]) +
                    "`; JSON allows no comma after the last element";
      out.begin = p - 1;
      out.end = p;
    }
  } else if (core.find("invalid literal") != std::string::npos) {
    size_t first = text.find_first_not_of(" \t\r\n");
    if (text.substr(0, 3) == "\xEF\xBB\xBF") first = text.find_first_not_of(" \t\r\n", 3);
    out.message = begin <= first
                      ? "it does not start with `[` or `{`, so it is not JSON (a PowerShell "
                        "export must go through `ConvertTo-Json`, not Format-Table or Export-Csv)"
                      : "unexpected text; JSON values are strings in double quotes, numbers, "
                        "true, false, null, objects and arrays";
  }
  return out;
}

}  // namespace callpark

// JSON syntax errors in words an administrator knows.
//
// nlohmann/json reports "[json.exception.parse_error.101] parse error at line 4, column 3:
// syntax error while parsing object key - unexpected '}'; expected string literal". users.json,
// parkc.json and baselines are written by people and by PowerShell, so their errors are worded
// for those: a trailing comma, a string cut at the end of the line, a file cut short, a
// PowerShell table instead of JSON. Pure string processing; no JSON library needed here.
#pragma once

#include <string>
#include <string_view>

namespace callpark {

struct JsonErrorText {
  std::string message;  // "this `,` is followed by `}`; JSON allows no comma after ..."
  size_t begin, end;    // the bytes to point at (a trailing comma moves the range onto it)
};

// `what`: the library's message; `text`: the whole document; [begin, end): the offending token
// as the caller located it.
JsonErrorText describeJsonError(std::string_view what, std::string_view text, size_t begin,
                                size_t end);

}  // namespace callpark

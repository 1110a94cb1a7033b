// Pieces several commands share: option parsing for the compile pipeline and rendering.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/render/Render.h"
#include "compiler/driver/Compilation.h"

namespace callpark::driver {

struct CommonOptions {
  CompileOptions compile;
  render::Format format = render::Format::Text;
  bool color = false;
  std::string baseline;       // --baseline FILE
  std::string writeBaseline;  // --write-baseline FILE
};

// Parses the options every pipeline command accepts; unknown options are an error (returns
// the message). Positional arguments become compile.paths.
std::optional<std::string> parseCommonOptions(const std::vector<std::string>& args,
                                              CommonOptions& out);
// Render options backed by the rule catalogue.
render::RenderOptions renderOptions(bool color);

}  // namespace callpark::driver

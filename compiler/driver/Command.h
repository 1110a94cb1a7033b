// parkc subcommands. Each lives in compiler/driver/commands/<name>.cpp and is listed once in
// Commands.cpp. A command returns the process exit code:
//   0 success / nothing at error level, 1 findings at error level (or failed tests),
//   2 the tool could not do its job (usage, I/O).
#pragma once

#include <string>
#include <vector>

namespace callpark::driver {

struct Command {
  const char* name;
  const char* summary;  // one line for `parkc help`
  const char* usage;    // full help text for `parkc CMD --help`
  int (*run)(const std::vector<std::string>& args);
};

const std::vector<Command>& commands();
const Command* findCommand(const std::string& name);

// Shared helpers for commands.
int usageError(const Command& cmd, const std::string& message);  // prints, returns 2
bool wantsHelp(const std::vector<std::string>& args);
bool colorForStdout(const std::vector<std::string>& args);  // --color=auto|always|never, NO_COLOR

}  // namespace callpark::driver

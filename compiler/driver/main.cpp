// parkc: the Callpark policy compiler and linter.
#include <exception>
#include <iostream>

#include "compiler/driver/Command.h"
#include "compiler/driver/Compilation.h"

using namespace callpark::driver;

static void printHelp(std::ostream& out) {
  out << "parkc " << toolVersion() << ": the Callpark policy compiler and linter\n\n"
      << "usage: parkc COMMAND [options] [PATH...]\n\ncommands:\n";
  for (const auto& c : commands()) {
    std::string name = c.name;
    out << "  " << name << std::string(name.size() < 10 ? 10 - name.size() : 1, ' ') << c.summary
        << "\n";
  }
  out << "  help      show this help, or `parkc help COMMAND`\n"
      << "\nexit status: 0 no errors, 1 errors found (or tests failed), 2 the tool could not "
         "run\n"
      << "`parkc COMMAND --help` shows a command's options.\n";
}

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
      printHelp(std::cerr);
      return 2;
    }
    std::string cmd = args.front();
    args.erase(args.begin());
    if (cmd == "--version" || cmd == "version") {
      std::cout << "parkc " << toolVersion() << "\n";
      return 0;
    }
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
      if (!args.empty()) {
        if (const Command* c = findCommand(args.front())) {
          std::cout << c->usage;
          return 0;
        }
        std::cerr << "parkc: unknown command '" << args.front() << "'\n";
        return 2;
      }
      printHelp(std::cout);
      return 0;
    }
    const Command* c = findCommand(cmd);
    if (!c) {
      std::cerr << "parkc: unknown command '" << cmd << "'\n\n";
      printHelp(std::cerr);
      return 2;
    }
    if (wantsHelp(args)) {
      std::cout << c->usage;
      return 0;
    }
    return c->run(args);
  } catch (const std::exception& e) {
    // Only the tool failing lands here; user mistakes are diagnostics.
    std::cerr << "parkc: internal error: " << e.what() << "\n";
    return 2;
  }
}

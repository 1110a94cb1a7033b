// gen_rules_doc: writes or checks rules/README.md, generated from the rule registry.
//
//   gen_rules_doc                 print the Markdown to stdout
//   gen_rules_doc --write FILE    write it to FILE
//   gen_rules_doc --check FILE    exit 1 (with a hint) when FILE differs from the registry
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "rules/Registry.h"

int main(int argc, char** argv) {
  using namespace callpark::rules;
  auto problems = validateCatalogue();
  for (const auto& p : problems) std::cerr << "gen_rules_doc: catalogue: " << p << "\n";
  if (!problems.empty()) return 1;
  std::string md = renderMarkdown();
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode.empty()) {
    std::cout << md;
    return 0;
  }
  if (argc != 3 || (mode != "--write" && mode != "--check")) {
    std::cerr << "usage: gen_rules_doc [--write FILE | --check FILE]\n";
    return 2;
  }
  std::string path = argv[2];
  if (mode == "--write") {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << md;
    if (!out) {
      std::cerr << "gen_rules_doc: cannot write " << path << "\n";
      return 2;
    }
    return 0;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in || ss.str() != md) {
    std::cerr << "gen_rules_doc: " << path
              << " is out of date with the rule registry; regenerate it with\n"
                 "  cmake --build <build> --target rules_doc\n";
    return 1;
  }
  return 0;
}

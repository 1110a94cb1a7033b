// normalize_probe: evaluates normalization rules for scripts (the differential test against
// Python's `re` in tests/normalize/differential.py).
//
// stdin: one case per line, fields separated by TAB: pattern, translation, dialed string.
// stdout: one line per case:
//   ERR <TAB> code <TAB> begin <TAB> end <TAB> message   the rule does not compile
//   NOMATCH [<TAB> warning code]...                      the pattern does not match the whole input
//   MATCH <TAB> result [<TAB> warning code]...           the translated number
//   (warning codes: CP705 when the translation uses a group whose capture may differ from .NET)
//   INCONSISTENT <TAB> ...                               the RE2::Set path, the one-by-one path and
//                                                        the trace disagree (always a bug)
// Exit status 0 unless stdin is malformed.
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "compiler/normalize/CompiledDialPlan.h"

using namespace callpark;

int main() {
  std::map<std::pair<std::string, std::string>, std::unique_ptr<normalize::CompiledDialPlan>> cache;
  std::string line;
  while (std::getline(std::cin, line)) {
    size_t a = line.find('\t');
    size_t b = a == std::string::npos ? a : line.find('\t', a + 1);
    if (b == std::string::npos) {
      std::cerr << "normalize_probe: expected pattern<TAB>translation<TAB>input\n";
      return 2;
    }
    std::string pattern = line.substr(0, a), translation = line.substr(a + 1, b - a - 1);
    std::string input = line.substr(b + 1);
    auto& plan = cache[{pattern, translation}];
    if (!plan) {
      model::DialPlan dp;
      model::NormRule r;
      r.name = "probe";
      r.pattern = pattern;
      r.translation = translation;
      dp.rules.push_back(r);
      plan =
          std::make_unique<normalize::CompiledDialPlan>(normalize::CompiledDialPlan::compile(dp));
    }
    if (!plan->ruleCompiled(0)) {
      const normalize::TextError* e = plan->ruleError(0);
      std::cout << "ERR\t" << e->code << '\t' << e->begin << '\t' << e->end << '\t' << e->message
                << '\n';
      continue;
    }
    normalize::Normalized n = plan->normalize(input);
    normalize::Normalized o = plan->normalizeOneByOne(input);
    normalize::Trace t = plan->trace(input);
    if (n.rule != o.rule || n.result != o.result || t.outcome.rule != n.rule ||
        t.outcome.result != n.result) {
      std::cout << "INCONSISTENT\tset=" << n.rule << ":" << n.result << " one=" << o.rule << ":"
                << o.result << " trace=" << t.outcome.rule << ":" << t.outcome.result << '\n';
      continue;
    }
    std::string flags;  // warning codes of the rule, e.g. "\tCP705"
    for (const normalize::TextError& w : plan->ruleWarnings(0)) flags += "\t" + w.code;
    if (n.rule < 0)
      std::cout << "NOMATCH" << flags << '\n';
    else
      std::cout << "MATCH\t" << n.result << flags << '\n';
  }
  return 0;
}

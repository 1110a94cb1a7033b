#include "compiler/driver/commands/Common.h"

#include "compiler/driver/Command.h"
#include "rules/Registry.h"

namespace callpark::driver {

std::optional<std::string> parseCommonOptions(const std::vector<std::string>& args,
                                              CommonOptions& out) {
  out.color = colorForStdout(args);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& flag, std::string& dst) -> std::optional<std::string> {
      if (a.rfind(flag + "=", 0) == 0) {
        dst = a.substr(flag.size() + 1);
        return std::string();
      }
      if (a == flag) {
        if (i + 1 >= args.size()) return flag + " needs a value";
        dst = args[++i];
        return std::string();
      }
      return std::nullopt;
    };
    std::string v;
    if (auto r = value("--format", v)) {
      if (!r->empty()) return r;
      auto f = render::parseFormat(v);
      if (!f) return "unknown format '" + v + "' (text, json, sarif, github)";
      out.format = *f;
    } else if (auto r2 = value("--baseline", out.baseline)) {
      if (!r2->empty()) return r2;
    } else if (auto r3 = value("--write-baseline", out.writeBaseline)) {
      if (!r3->empty()) return r3;
    } else if (auto r4 = value("--stop-after", out.compile.stopAfter)) {
      if (!r4->empty()) return r4;
      bool known = false;
      for (const auto& p : Compilation::phases()) known |= p.name == out.compile.stopAfter;
      if (!known) return "unknown phase '" + out.compile.stopAfter + "'";
    } else if (a == "--werror") {
      out.compile.werror = true;
    } else if (a == "--no-tests") {
      out.compile.runPolicyTests = false;
    } else if (a == "--no-config") {
      out.compile.readConfig = false;
    } else if (a.rfind("--color", 0) == 0) {
      if (a != "--color=always" && a != "--color=never" && a != "--color=auto")
        return "--color takes always, never or auto";
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return "unknown option '" + a + "'";
    } else {
      out.compile.paths.push_back(a);
    }
  }
  if (out.compile.paths.empty()) return "give a policy directory or .park files";
  return std::nullopt;
}

render::RenderOptions renderOptions(bool color) {
  render::RenderOptions o;
  o.color = color;
  o.toolVersion = toolVersion();
  o.lookup = [](const std::string& code) -> std::optional<render::CodeInfo> {
    const rules::Rule* r = rules::findRule(code);
    if (!r) return std::nullopt;
    render::CodeInfo info;
    info.name = std::string(r->name);
    info.summary = std::string(r->summary);
    info.defaultSeverity = r->severity;
    info.doc = std::string(r->doc);
    return info;
  };
  return o;
}

}  // namespace callpark::driver

// Times buildModel on a policy with N users from a users.json export (default 100,000), and,
// for comparison, a plain nlohmann DOM parse of the same file (what a naive loader would do
// before even resolving names). Prints milliseconds; run: bench_model [users] [repeats]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "compiler/model/ModelBuilder.h"

using namespace callpark;
using Clock = std::chrono::steady_clock;

namespace {

double ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

ast::Str str(std::string v, FileId f, uint32_t line) {
  return ast::Str{std::move(v), SourceRange{f, line, 1, line, 2}};
}

}  // namespace

int main(int argc, char** argv) {
  int users = argc > 1 ? std::atoi(argv[1]) : 100000;
  int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  std::string dir = (std::filesystem::temp_directory_path() / "cp_bench_model").string();
  std::filesystem::create_directories(dir);
  std::ostringstream js;
  js << "[\n";
  for (int i = 0; i < users; ++i)
    js << (i ? ",\n" : "") << "    {\n        \"SipAddress\":  \"sip:user" << i
       << "@contoso.com\",\n        \"LineURI\":  \"tel:+1425555" << (100000 + i % 900000)
       << ";ext=" << i << "\",\n        \"RegistrarPool\":  \"fe" << i % 10
       << ".contoso.com\",\n        \"VoicePolicy\":  " << (i % 7 ? "null" : "\"Park\"")
       << ",\n        \"DialPlan\":  " << (i % 11 ? "null" : "\"Plan\"") << "\n    }";
  js << "\n]\n";
  std::string json = js.str();
  std::ofstream(dir + "/users.json", std::ios::binary) << json;
  std::printf("users: %d, users.json: %.1f MB\n", users, json.size() / 1e6);

  double best = 1e30, bestDom = 1e30;
  for (int r = 0; r < repeats; ++r) {
    SourceManager sm;
    DiagnosticEngine diags(sm);
    FileId f = sm.add(dir + "/policy.park", std::string(100, '\n'));
    ast::PolicyAst ast;
    for (int s = 0; s < 5; ++s) {
      ast::SiteDecl site;
      site.name = str("Site" + std::to_string(s), f, 1);
      site.pools.push_back(str("fe" + std::to_string(2 * s) + ".contoso.com", f, 2));
      site.pools.push_back(str("fe" + std::to_string(2 * s + 1) + ".contoso.com", f, 3));
      ast.sites.push_back(site);
    }
    ast::VoicePolicyDecl vp;
    vp.scope.kind = ast::Scope::Tag;
    vp.scope.name = str("Park", f, 4);
    ast.voicePolicies.push_back(vp);
    ast::DialPlanDecl dp;
    dp.scope.kind = ast::Scope::Tag;
    dp.scope.name = str("Plan", f, 5);
    ast.dialPlans.push_back(dp);
    ast::UsersFromDecl uf;
    uf.path = str("users.json", f, 6);
    ast.usersFrom.push_back(uf);

    auto t0 = Clock::now();
    auto m = model::buildModel(ast, sm, diags);
    auto t1 = Clock::now();
    if (m->users.size() != static_cast<size_t>(users) || !diags.diagnostics().empty()) {
      std::fprintf(stderr, "unexpected result: %zu users, %zu diagnostics\n", m->users.size(),
                   diags.diagnostics().size());
      return 1;
    }
    best = std::min(best, ms(t0, t1));

    auto t2 = Clock::now();
    auto dom = nlohmann::json::parse(json);
    auto t3 = Clock::now();
    if (dom.size() != static_cast<size_t>(users)) return 1;
    bestDom = std::min(bestDom, ms(t2, t3));
  }
  std::printf("buildModel (read file, SAX + ranges, resolve %d users): best of %d: %.1f ms\n",
              users, repeats, best);
  std::printf("nlohmann::json::parse DOM only (no ranges, no resolution): best of %d: %.1f ms\n",
              repeats, bestDom);
  std::filesystem::remove_all(dir);
  return 0;
}

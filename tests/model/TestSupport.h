// Helpers for model tests: build a PolicyAst by hand with distinct, valid source ranges.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <unistd.h>

#include "compiler/ast/Ast.h"
#include "compiler/diag/Diagnostic.h"
#include "compiler/model/ModelBuilder.h"

namespace callpark::model::testing {

class ModelTest : public ::testing::Test {
 protected:
  void SetUp() override { file_ = sm.add(dir() + "/main.park", std::string(4000, '\n')); }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  // A fresh temporary folder per test; the hand-made .park file lives in it.
  const std::string& dir() {
    if (dir_.empty()) {
      static std::atomic<int> n{0};
      dir_ = (std::filesystem::temp_directory_path() /
              ("cp_model_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++)))
                 .string();
      std::filesystem::create_directories(dir_);
    }
    return dir_;
  }
  void writeFile(const std::string& name, const std::string& text) {
    std::ofstream(dir() + "/" + name, std::ios::binary) << text;
  }

  // Every call gives a new line of main.park, so ranges are distinct and ordered.
  SourceRange at(uint32_t width = 10) {
    SourceRange r;
    r.file = file_;
    r.line = r.endLine = ++line_;
    r.col = 1;
    r.endCol = 1 + width;
    return r;
  }
  ast::Str S(std::string v) {
    ast::Str s{std::move(v), at()};
    return s;
  }
  ast::Scope scope(ast::Scope::Kind k, std::string name = "") {
    ast::Scope s;
    s.kind = k;
    if (k != ast::Scope::Global) s.name = S(std::move(name));
    s.range = at();
    return s;
  }

  ast::SiteDecl& site(std::string name, std::vector<std::string> pools) {
    ast::SiteDecl d;
    d.keyword = at();
    d.name = S(std::move(name));
    for (auto& p : pools) d.pools.push_back(S(p));
    d.range = d.keyword;
    return ast.sites.emplace_back(std::move(d));
  }
  ast::OrbitDecl& orbit(std::string name, std::string from, std::string to, std::string pool) {
    ast::OrbitDecl d;
    d.keyword = at();
    d.name = S(std::move(name));
    d.numbers = ast::DialRange{S(std::move(from)), S(std::move(to)), at()};
    d.pool = S(std::move(pool));
    return ast.orbits.emplace_back(std::move(d));
  }
  ast::ParkAccessDecl& parkAccess(std::string number, std::string pool) {
    ast::ParkAccessDecl d;
    d.keyword = at();
    d.number = S(std::move(number));
    d.pool = S(std::move(pool));
    return ast.parkAccess.emplace_back(std::move(d));
  }
  ast::ParkSettingsDecl& settings(ast::Scope::Kind k, std::string name = "") {
    ast::ParkSettingsDecl d;
    d.keyword = at();
    d.scope = scope(k, std::move(name));
    return ast.parkSettings.emplace_back(std::move(d));
  }
  ast::VoicePolicyDecl& voicePolicy(ast::Scope::Kind k, std::string name,
                                    std::optional<bool> park) {
    ast::VoicePolicyDecl d;
    d.keyword = at();
    d.scope = scope(k, std::move(name));
    if (park) d.callPark = ast::Bool{*park, at()};
    return ast.voicePolicies.emplace_back(std::move(d));
  }
  ast::DialPlanDecl& dialPlan(ast::Scope::Kind k, std::string name = "") {
    ast::DialPlanDecl d;
    d.keyword = at();
    d.scope = scope(k, std::move(name));
    return ast.dialPlans.emplace_back(std::move(d));
  }
  ast::RuleDecl& rule(ast::DialPlanDecl& dp, std::string name, std::optional<int64_t> priority) {
    ast::RuleDecl r;
    r.keyword = at();
    r.name = S(std::move(name));
    if (priority) r.priority = ast::Int{*priority, at()};
    r.pattern = S("^(\\d+)$");
    r.translation = S("$1");
    return dp.rules.emplace_back(std::move(r));
  }
  ast::UserDecl& user(std::string sip, std::optional<std::string> pool = std::nullopt) {
    ast::UserDecl d;
    d.keyword = at();
    d.sip = S(std::move(sip));
    if (pool) d.pool = S(*pool);
    d.range = d.keyword;
    return ast.users.emplace_back(std::move(d));
  }
  ast::UsersFromDecl& usersFrom(std::string path) {
    ast::UsersFromDecl d;
    d.keyword = at();
    d.path = S(std::move(path));
    return ast.usersFrom.emplace_back(std::move(d));
  }

  // The usual topology: two sites with one pool each.
  void topology() {
    site("Redmond", {"redmond-fe01.contoso.com"});
    site("Dublin", {"dublin-fe01.contoso.com"});
  }

  std::unique_ptr<Model> build() { return buildModel(ast, sm, diags); }

  std::vector<const Diagnostic*> withCode(const std::string& code) const {
    std::vector<const Diagnostic*> v;
    for (const auto& d : diags.diagnostics())
      if (d.code == code) v.push_back(&d);
    return v;
  }
  std::string allDiags() const {
    std::string s;
    for (const auto& d : diags.diagnostics()) s += d.code + ": " + d.message + "\n";
    return s;
  }

  SourceManager sm;
  DiagnosticEngine diags{sm};
  ast::PolicyAst ast;
  FileId file_ = kNoFile;

 private:
  uint32_t line_ = 0;
  std::string dir_;
};

}  // namespace callpark::model::testing

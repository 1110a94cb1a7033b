// The rule catalogue as a whole: it is sound (validateCatalogue), every page has a failing
// example and a fix, the failing example of each rule really produces its code, every code the
// compiler reports is in the catalogue, and the documentation renders deterministically.
// The last part drives the whole pipeline (parkc check, in process) over random mutations of
// examples/contoso: nothing escapes as an exception, and every diagnostic is a catalogued code
// with a valid location.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "compiler/driver/Compilation.h"
#include "rules/Registry.h"

namespace callpark::rules {
namespace {

namespace fs = std::filesystem;

TEST(Catalogue, IsSound) {
  std::vector<std::string> problems = validateCatalogue();
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  EXPECT_TRUE(problems.empty()) << all;
}

TEST(Catalogue, EveryEntryHasWhyFailingExampleAndFix) {
  for (const Rule* r : allRules()) {
    std::string_view doc = r->doc;
    size_t ex = doc.find("**Failing example**");
    size_t fix = doc.find("**Fix**");
    ASSERT_NE(ex, std::string_view::npos) << r->code;
    ASSERT_NE(fix, std::string_view::npos) << r->code;
    EXPECT_LT(ex, fix) << r->code << ": the fix follows the example";
    EXPECT_GT(ex, 40u) << r->code << ": a paragraph on why the rule exists comes first";
    EXPECT_GT(fix - ex, std::string_view("**Failing example**").size() + 10) << r->code;
    EXPECT_GT(doc.size() - fix, std::string_view("**Fix**").size() + 5) << r->code;
    EXPECT_FALSE(r->summary.empty()) << r->code;
  }
}

TEST(Catalogue, CoversEveryRangeAndLookupWorks) {
  std::set<char> hundreds;
  for (const Rule* r : allRules()) {
    hundreds.insert(r->code[2]);
    EXPECT_EQ(findRule(r->code), r);
    EXPECT_EQ(findRule(r->name), r);
    std::string lower(r->code);
    lower[0] = 'c';
    lower[1] = 'p';
    EXPECT_EQ(findRule(lower), r);
  }
  for (char c : std::string("0123456789")) EXPECT_TRUE(hundreds.count(c)) << "CP" << c << "xx";
  EXPECT_EQ(findRule("CP000"), nullptr);
  EXPECT_EQ(findRule("no-such-rule"), nullptr);
  // Rules with a check: the CP3xx..CP6xx catalogue proper and the CP91x test resolution.
  for (const Rule* r : allRules()) {
    char h = r->code[2];
    if (h >= '3' && h <= '6') {
      EXPECT_NE(r->check, nullptr) << r->code;
    }
  }
}

TEST(Catalogue, DocumentationIsDeterministicAndComplete) {
  std::string md = renderMarkdown();
  EXPECT_EQ(md, renderMarkdown());
  std::string list = renderRuleList();
  for (const Rule* r : allRules()) {
    EXPECT_NE(md.find("## " + std::string(r->code) + " " + std::string(r->name)), std::string::npos)
        << r->code;
    EXPECT_NE(list.find(std::string(r->code) + "  " + std::string(r->name)), std::string::npos);
    std::string page = renderRuleDoc(*r);
    EXPECT_NE(page.find(r->summary), std::string::npos);
    EXPECT_NE(page.find("parkc.json"), std::string::npos) << "how to change the severity";
  }
}

// Runs `parkc check` (in process) on a policy directory.
struct Checked {
  driver::Compilation c;
  bool ran = false;
  std::set<std::string> codes;
};

std::unique_ptr<Checked> check(const fs::path& dir) {
  auto out = std::make_unique<Checked>();
  driver::CompileOptions opts;
  opts.paths = {dir.string()};
  out->ran = out->c.run(opts);
  for (const Diagnostic& d : out->c.diags.diagnostics()) out->codes.insert(d.code);
  return out;
}

class TempDir {
 public:
  TempDir() {
    static int n = 0;
    path_ = fs::temp_directory_path() /
            ("callpark-rules-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  void write(const std::string& name, const std::string& text) const {
    fs::create_directories((path_ / name).parent_path());
    std::ofstream(path_ / name, std::ios::binary) << text;
  }

 private:
  fs::path path_;
};

// The ```park block of a page's failing example, or "".
std::string failingExample(std::string_view doc) {
  size_t ex = doc.find("**Failing example**");
  size_t fix = doc.find("**Fix**");
  size_t b = doc.find("```park\n", ex);
  if (b == std::string_view::npos || b > fix) return {};
  b += 8;
  size_t e = doc.find("```", b);
  return std::string(doc.substr(b, e - b));
}

// Every failing example of the codes this catalogue's own phases report (configuration, syntax,
// names, the rules, @allow and test resolution) produces its code when checked.
TEST(Catalogue, FailingExamplesProduceTheirCode) {
  // Examples that need a file next to them (an audio file of a given format) cannot be
  // reproduced from the page alone; the golden cases in tests/golden/settings cover them.
  const std::set<std::string> needFiles = {"CP407", "CP408", "CP410"};
  size_t tried = 0;
  for (const Rule* r : allRules()) {
    std::string code(r->code);
    char h = code[2];
    bool ours = h <= '6' || code.rfind("CP90", 0) == 0 || code.rfind("CP91", 0) == 0;
    if (!ours || needFiles.count(code)) continue;
    std::string example = failingExample(r->doc);
    if (example.empty()) continue;  // described in words (CP100, CP117, JSON files, ...)
    TempDir dir;
    dir.write("example.park", example);
    auto result = check(dir.path());
    ASSERT_TRUE(result->ran) << code << ": " << result->c.toolError;
    std::string got;
    for (const auto& c : result->codes) got += c + " ";
    EXPECT_TRUE(result->codes.count(code))
        << code << " (" << r->name << "): its failing example reports only " << got << "\n---\n"
        << example;
    ++tried;
  }
  EXPECT_GE(tried, 40u);
}

// Every code the compiler can be made to report is in the catalogue: checked over the golden
// inputs of every suite (whatever their owners test), through the whole pipeline.
TEST(Catalogue, EveryReportedCodeIsCatalogued) {
  size_t cases = 0;
  for (const auto& suite : fs::directory_iterator(CALLPARK_TESTS_DIR "/golden")) {
    if (!suite.is_directory()) continue;
    for (const auto& c : fs::directory_iterator(suite.path())) {
      if (!c.is_directory()) continue;
      bool hasPark = false;
      for (const auto& f : fs::recursive_directory_iterator(c.path()))
        hasPark |= f.path().extension() == ".park";
      if (!hasPark) continue;
      auto result = check(c.path());
      if (!result->ran) continue;
      ++cases;
      for (const Diagnostic& d : result->c.diags.diagnostics())
        EXPECT_NE(findRule(d.code), nullptr) << d.code << " reported for " << c.path();
    }
  }
  EXPECT_GE(cases, 100u);
}

// Random mutations of the contoso policy through the whole pipeline.
TEST(PipelineRobustness, MutationsOfContoso) {
  const fs::path src = CALLPARK_EXAMPLES_DIR "/contoso";
  std::vector<std::pair<std::string, std::string>> files;  // relative path, text
  for (const auto& e : fs::recursive_directory_iterator(src)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    files.emplace_back(fs::relative(e.path(), src).string(), ss.str());
  }
  std::vector<size_t> mutable_;  // the text files (.park, .json)
  for (size_t i = 0; i < files.size(); ++i) {
    auto ext = fs::path(files[i].first).extension();
    if (ext == ".park" || ext == ".json") mutable_.push_back(i);
  }
  ASSERT_FALSE(mutable_.empty());
  const char* inserts[] = {"{",
                           "}",
                           "\"",
                           "..",
                           "=>",
                           "@allow(CP502, \"x\")\n",
                           ",",
                           "]",
                           "orbit \"X\" { numbers 7000..7999 pool \"dublin-fe01.contoso.com\" }\n",
                           "null",
                           "*3001",
                           "priority 0",
                           "\"Tag:Lobby\"",
                           "\xff"};
  std::mt19937 rng(7);
  const int kRounds = 120;
  TempDir dir;
  for (int round = 0; round < kRounds; ++round) {
    fs::remove_all(dir.path());
    for (const auto& [name, text] : files) dir.write(name, text);
    auto& [name, text] = files[mutable_[rng() % mutable_.size()]];
    std::string s = text;
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      size_t at = rng() % s.size();
      switch (rng() % 3) {
        case 0:
          s.erase(at, 1 + rng() % 20);
          break;
        case 1:
          s.insert(at, inserts[rng() % std::size(inserts)]);
          break;
        case 2:
          s.insert(at, s.substr(rng() % s.size(), 1 + rng() % 60));
          break;
      }
    }
    dir.write(name, s);
    auto result = check(dir.path());
    ASSERT_TRUE(result->ran) << result->c.toolError;
    const SourceManager& sm = result->c.sm;
    for (const Diagnostic& d : result->c.diags.diagnostics()) {
      EXPECT_NE(findRule(d.code), nullptr) << d.code << " " << d.message;
      EXPECT_EQ(d.message.find("mismatched input"), std::string::npos) << d.message;
      EXPECT_EQ(d.message.find("expecting {"), std::string::npos) << d.message;
      if (d.range.file != kNoFile) {
        ASSERT_LT(d.range.file, sm.fileCount());
        EXPECT_LE(d.range.line, sm.lineCount(d.range.file)) << d.code << " " << d.message;
      }
    }
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "mutated " << name << " (round " << round << ")";
      break;
    }
  }
}

}  // namespace
}  // namespace callpark::rules

// parkc fmt over the whole repository: every policy directory under examples/ and every golden
// case that parses (tests/golden/**), file by file:
//  - formatting is idempotent (format(format(x)) == format(x));
//  - the formatted text parses without errors;
//  - every comment is still there (same multiset of comment texts);
//  - the policy means the same (diff::canonicalDump of the model is equal before and after).
// Plus small cases of comment attachment and ordering.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "compiler/diff/Canonical.h"
#include "compiler/format/Format.h"
#include "compiler/format/internal/Trivia.h"
#include "compiler/model/ModelBuilder.h"
#include "compiler/parse/Parser.h"

namespace fs = std::filesystem;
using namespace callpark;

namespace {

std::string readFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<std::string> comments(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& t : format::internal::scanTrivia(text)) {
    if (t.kind != format::internal::TriviaToken::Comment) continue;
    std::string c = text.substr(t.begin, t.end - t.begin);
    while (!c.empty() && (c.back() == ' ' || c.back() == '\t')) c.pop_back();
    out.push_back(c);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Formats one text as a file of its own; empty optional when it does not parse.
std::optional<std::string> formatText(const std::string& path, const std::string& text) {
  SourceManager sm;
  DiagnosticEngine diags(sm);
  FileId id = sm.add(path, text);
  ast::PolicyAst a;
  if (!parse::parseFile(sm, id, diags, a)) return std::nullopt;
  return format::formatFile(sm, id, a);
}

// Canonical dump of a policy given as path -> text; nullopt when a file does not parse.
std::optional<std::string> dumpOf(const std::map<std::string, std::string>& files) {
  SourceManager sm;
  DiagnosticEngine diags(sm);
  ast::PolicyAst a;
  for (const auto& [p, t] : files) sm.add(p, t);
  for (FileId f = 0; f < sm.fileCount(); ++f)
    if (!parse::parseFile(sm, f, diags, a)) return std::nullopt;
  auto m = model::buildModel(a, sm, diags);
  return diff::canonicalDump(*m);
}

std::string fmt(const std::string& text) {
  auto r = formatText("t.park", text);
  EXPECT_TRUE(r.has_value()) << text;
  return r.value_or("");
}

}  // namespace

TEST(FormatRepository, EveryParkFileIsIdempotentCommentPreservingAndMeansTheSame) {
  const fs::path root = CALLPARK_SOURCE_DIR;
  std::map<fs::path, std::vector<fs::path>> policies;  // directory -> its .park files
  for (const char* top : {"examples", "tests/golden"}) {
    for (auto it = fs::recursive_directory_iterator(root / top);
         it != fs::recursive_directory_iterator(); ++it)
      if (it->is_regular_file() && it->path().extension() == ".park")
        policies[it->path().parent_path()].push_back(it->path());
  }
  size_t tested = 0, files = 0, skipped = 0;
  for (auto& [dir, paths] : policies) {
    std::sort(paths.begin(), paths.end());
    std::map<std::string, std::string> before, after;
    bool parses = true;
    for (const auto& p : paths) before[p.string()] = readFile(p);
    for (const auto& [p, t] : before) {
      auto f = formatText(p, t);
      if (!f) {
        parses = false;
        break;
      }
      after[p] = *f;
    }
    if (!parses) {
      ++skipped;  // a golden case about syntax errors: nothing to format
      continue;
    }
    auto d1 = dumpOf(before);
    ASSERT_TRUE(d1.has_value()) << dir;
    for (const auto& [p, f] : after) {
      auto again = formatText(p, f);
      ASSERT_TRUE(again.has_value()) << p << " does not parse after formatting:\n" << f;
      EXPECT_EQ(*again, f) << p << ": formatting is not idempotent";
      EXPECT_EQ(comments(before[p]), comments(f)) << p << ": comments changed";
      ++files;
    }
    auto d2 = dumpOf(after);
    ASSERT_TRUE(d2.has_value()) << dir;
    EXPECT_EQ(*d1, *d2) << dir << ": the formatted policy means something else";
    ++tested;
  }
  std::cout << "formatted " << files << " files of " << tested << " policies (" << skipped
            << " with syntax errors skipped)\n";
  EXPECT_GE(tested, 10u);
}

TEST(Format, OrdersItemsAndCommentsMoveWithThem) {
  EXPECT_EQ(
      fmt("orbit \"O\" {\n  pool \"p\"  // the pool\n  // the numbers\n  numbers 7000..7009\n}\n"),
      "orbit \"O\" {\n  // the numbers\n  numbers 7000..7009\n  pool \"p\"  // the pool\n}\n");
}

TEST(Format, HeaderDanglingAndEndOfFileComments) {
  EXPECT_EQ(fmt("dialplan \"T\" {   // per-user\n rule \"R\" priority 0 { pattern '^0$' "
                "translation '+1' }\n  // end of plan\n}\n// end of file\n"),
            "dialplan \"T\" {  // per-user\n  rule \"R\" priority 0 { pattern '^0$' translation "
            "'+1' }\n  // end of plan\n}\n// end of file\n");
}

TEST(Format, OneLineBlocksStayWhenShortAndNoComment) {
  EXPECT_EQ(fmt("voice_policy global {call_park true}"), "voice_policy global { call_park on }\n");
  EXPECT_EQ(fmt("voice_policy global { call_park on /* why */ }"),
            "voice_policy global {\n  call_park on  /* why */\n}\n");
}

TEST(Format, AlignsRunsOfOneLineRules) {
  EXPECT_EQ(fmt("dialplan global {\n"
                "rule \"A\" priority 1 { pattern '^(\\d{4})$' translation '+1$1' }\n"
                "rule \"Longer\" priority 2 { pattern '^(\\d{10})$' translation '+$1' }\n}\n"),
            "dialplan global {\n"
            "  rule \"A\"      priority 1 { pattern '^(\\d{4})$'  translation '+1$1' }\n"
            "  rule \"Longer\" priority 2 { pattern '^(\\d{10})$' translation '+$1' }\n"
            "}\n");
}

TEST(Format, BlankLinesCollapseAndAnnotationsKeepTheirComment) {
  EXPECT_EQ(fmt("// header\n\n\n\n@allow(CP404, \"legacy\")\n// the legacy range\norbit \"L\" { "
                "numbers 5000..5009 pool \"p\" }\n"),
            "// header\n\n@allow(CP404, \"legacy\")\n// the legacy range\norbit \"L\" { numbers "
            "5000..5009 pool \"p\" }\n");
}

TEST(Format, UnifiedDiff) {
  std::string d = format::unifiedDiff("a\nb\nc\n", "a\nB\nc\n", "x.park", "x.park");
  EXPECT_EQ(d, "--- x.park\n+++ x.park\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
  EXPECT_EQ(format::unifiedDiff("same\n", "same\n", "a", "b"), "");
}

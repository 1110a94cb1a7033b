// Bundles: round trip, the stamp (what makes it stale), the object cache, damage, and the
// Dispatcher built from a policy, from a current bundle and from a stale one.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <random>

#include "compiler/dispatch/bundle/Bundle.h"
#include "compiler/dispatch/dispatcher/Dispatcher.h"
#include "compiler/dispatch/ir/Ir.h"

namespace fs = std::filesystem;

namespace callpark::dispatch {
namespace {

// A private copy of examples/contoso, so tests can edit it.
class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int n = 0;
    dir_ = fs::temp_directory_path() /
           ("cp_bundle_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::create_directories(dir_);
    fs::copy(std::string(CALLPARK_SOURCE_DIR) + "/examples/contoso", dir_ / "contoso",
             fs::copy_options::recursive);
    policy_ = (dir_ / "contoso").string();
    bundle_ = (dir_ / "policy.bundle").string();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void append(const std::string& file, const std::string& text) {
    std::ofstream(policy_ + "/" + file, std::ios::app) << text;
  }
  // Compiles the policy and writes the bundle; returns the dispatcher it came from.
  std::unique_ptr<Dispatcher> compileToBundle() {
    Dispatcher::Built b = Dispatcher::fromPolicy({policy_}, options());
    EXPECT_TRUE(b.dispatcher) << b.toolError << b.diagnostics;
    if (!b.dispatcher) return nullptr;
    std::string bytes, error;
    EXPECT_TRUE(b.dispatcher->bundleBytes(&bytes, &error)) << error;
    EXPECT_TRUE(bundle::writeFile(bundle_, bytes, &error)) << error;
    return std::move(b.dispatcher);
  }
  DispatcherOptions options() {
    DispatcherOptions o;
    o.warn = [this](const std::string& w) { warnings_.push_back(w); };
    return o;
  }
  // Same decisions on a spread of inputs and callers.
  static void expectSameDecisions(const Dispatcher& a, const Dispatcher& b) {
    std::vector<std::string> dials = {"*3001",   "*3150",      "97042", "7042", "#4101", "#5150",
                                      "7920",    "*70",        "*72",   "1234", "91234", "0",
                                      "5551234", "0212345678", "",      "*",    "12"};
    for (int user = -1; user < 20; ++user) {
      cp_caller c =
          user < 0 ? cp_caller{CP_NONE, CP_INHERIT, CP_INHERIT, CP_NONE} : cp_caller{user, 0, 0, 0};
      for (const auto& d : dials) {
        cp_dispatch_result x, y;
        int sx = a.dispatch(c, d, &x), sy = b.dispatch(c, d, &y);
        EXPECT_EQ(sx, sy);
        EXPECT_EQ(x.action, y.action) << d;
        EXPECT_EQ(x.rule, y.rule) << d;
        EXPECT_EQ(x.target, y.target) << d;
        EXPECT_EQ(x.orbit, y.orbit) << d;
        EXPECT_EQ(std::string(x.normalized, x.normalized_len),
                  std::string(y.normalized, y.normalized_len));
      }
    }
  }
  fs::path dir_;
  std::string policy_, bundle_;
  std::vector<std::string> warnings_;
};

TEST_F(BundleTest, IrBinaryRoundTrip) {
  auto d = compileToBundle();
  ASSERT_TRUE(d);
  std::string bin = ir::writeBinary(d->module());
  auto back = ir::readBinary(bin);
  ASSERT_TRUE(back);
  EXPECT_EQ(ir::toText(*back), ir::toText(d->module()));
  EXPECT_EQ(ir::writeBinary(*back), bin);
  // Every truncation is refused, none crashes.
  for (size_t cut = 0; cut < bin.size(); cut += 1 + bin.size() / 300)
    EXPECT_FALSE(ir::readBinary(std::string_view(bin).substr(0, cut))) << cut;
}

TEST_F(BundleTest, CurrentStampLinksCachedObjectCode) {
  auto fresh = compileToBundle();
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->backend(), Backend::Jit);
  Dispatcher::Built loaded = Dispatcher::load(bundle_, options());
  ASSERT_TRUE(loaded.dispatcher) << loaded.toolError;
  EXPECT_FALSE(loaded.recompiled) << loaded.staleReason;
  EXPECT_EQ(loaded.dispatcher->backend(), Backend::Jit);
  EXPECT_NE(loaded.dispatcher->backendName().find("object code from the bundle"), std::string::npos)
      << loaded.dispatcher->backendName();
  EXPECT_EQ(loaded.dispatcher->stamp().digest(), fresh->stamp().digest());
  EXPECT_TRUE(warnings_.empty());
  expectSameDecisions(*fresh, *loaded.dispatcher);
  // Names and the policy section survive.
  EXPECT_EQ(loaded.dispatcher->module().poolNames, fresh->module().poolNames);
  EXPECT_EQ(loaded.dispatcher->policy().ranges.size(), 6u);
  EXPECT_EQ(loaded.dispatcher->policy().musicFiles.size(), 1u);
  EXPECT_EQ(loaded.dispatcher->musicPath(loaded.dispatcher->policy().musicFiles[0]),
            (dir_ / "contoso" / "moh" / "redmond.wav").string());
  EXPECT_EQ(loaded.dispatcher->musicPath("elsewhere.wav"), "");
  cp_park_settings s;
  ASSERT_EQ(loaded.dispatcher->settings(loaded.dispatcher->findPool("sydney-fe01.contoso.com"), &s),
            CP_STATUS_OK);
  EXPECT_EQ(s.pickup_timeout_seconds, 120);
  EXPECT_EQ(s.max_pickup_attempts, 3);
  EXPECT_STREQ(s.on_timeout, "sip:operator@contoso.com");
}

TEST_F(BundleTest, StampNamesEveryInputAndIsDeterministic) {
  auto d = compileToBundle();
  ASSERT_TRUE(d);
  const bundle::Stamp& s = d->stamp();
  size_t park = 0, users = 0, music = 0;
  for (const auto& f : s.inputs) {
    park += f.kind == bundle::InputFile::Park;
    users += f.kind == bundle::InputFile::Users;
    music += f.kind == bundle::InputFile::Music;
    EXPECT_EQ(f.hash.size(), 64u) << f.path;
  }
  EXPECT_EQ(park, 7u);
  EXPECT_EQ(users, 1u);
  EXPECT_EQ(music, 1u);
  EXPECT_EQ(bundle::staleReason(s, 2), "");
  EXPECT_NE(bundle::staleReason(s, 1), "");
  auto again = Dispatcher::fromPolicy({policy_}, options());
  ASSERT_TRUE(again.dispatcher);
  EXPECT_EQ(again.dispatcher->stamp().digest(), s.digest());
}

TEST_F(BundleTest, EditedPolicyIsRecompiled) {
  auto before = compileToBundle();
  ASSERT_TRUE(before);
  // A new orbit range: the stale bundle must not be used, the new range must dispatch.
  append("orbits.park",
         "\norbit \"Added\" { numbers *8000..*8009  pool \"dublin-fe01.contoso.com\" }\n");
  Dispatcher::Built b = Dispatcher::load(bundle_, options());
  ASSERT_TRUE(b.dispatcher) << b.toolError << b.diagnostics;
  EXPECT_TRUE(b.recompiled);
  EXPECT_NE(b.staleReason.find("orbits.park changed"), std::string::npos) << b.staleReason;
  EXPECT_EQ(b.dispatcher->backend(), Backend::Jit);
  EXPECT_NE(b.dispatcher->stamp().digest(), before->stamp().digest());
  Decision dec = b.dispatcher->decide("sip:nobody@example.com", "*8005");
  EXPECT_EQ(dec.action, CP_ACTION_RETRIEVE);
  EXPECT_EQ(dec.range, "Added");
  EXPECT_EQ(before->decide("sip:nobody@example.com", "*8005").action, CP_ACTION_NOT_OURS);
}

TEST_F(BundleTest, NewRemovedAndSideFilesMakeItStale) {
  ASSERT_TRUE(compileToBundle());
  std::string bytes, error;
  ASSERT_TRUE(bundle::readFile(bundle_, &bytes, &error));
  auto stamp = bundle::readStamp(bytes, &error);
  ASSERT_TRUE(stamp) << error;
  EXPECT_EQ(bundle::staleReason(*stamp, 2), "");

  std::ofstream(policy_ + "/extra.park") << "// nothing\n";
  EXPECT_NE(bundle::staleReason(*stamp, 2).find("extra.park is new"), std::string::npos);
  fs::remove(policy_ + "/extra.park");
  EXPECT_EQ(bundle::staleReason(*stamp, 2), "");

  fs::rename(policy_ + "/tests.park", dir_ / "tests.park.away");
  EXPECT_NE(bundle::staleReason(*stamp, 2).find("tests.park was removed"), std::string::npos);
  fs::rename(dir_ / "tests.park.away", policy_ + "/tests.park");
  EXPECT_EQ(bundle::staleReason(*stamp, 2), "");

  append("users.json", " ");
  EXPECT_NE(bundle::staleReason(*stamp, 2).find("users.json changed"), std::string::npos);
  ASSERT_TRUE(compileToBundle());
  ASSERT_TRUE(bundle::readFile(bundle_, &bytes, &error));
  stamp = bundle::readStamp(bytes, &error);
  ASSERT_TRUE(stamp);
  std::ofstream(policy_ + "/moh/redmond.wav", std::ios::app) << '\0';
  EXPECT_NE(bundle::staleReason(*stamp, 2).find("redmond.wav changed"), std::string::npos);
}

TEST_F(BundleTest, BrokenPolicyGivesDiagnosticsNotADispatcher) {
  ASSERT_TRUE(compileToBundle());
  append("orbits.park",
         "\norbit \"Clash\" { numbers 7050..7060  pool \"dublin-fe01.contoso.com\" }\n");
  Dispatcher::Built b = Dispatcher::load(bundle_, options());
  EXPECT_FALSE(b.dispatcher);
  EXPECT_TRUE(b.recompiled);
  EXPECT_GT(b.errors, 0u);
  EXPECT_NE(b.diagnostics.find("error"), std::string::npos) << b.diagnostics;
}

TEST_F(BundleTest, DamagedOrForeignBundlesAreRefused) {
  ASSERT_TRUE(compileToBundle());
  std::string bytes, error;
  ASSERT_TRUE(bundle::readFile(bundle_, &bytes, &error));
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x40;
  Dispatcher::Built b = Dispatcher::loadBytes(flipped, options());
  EXPECT_FALSE(b.dispatcher);
  EXPECT_NE(b.toolError.find("damaged"), std::string::npos) << b.toolError;
  b = Dispatcher::loadBytes(bytes.substr(0, bytes.size() - 10), options());
  EXPECT_FALSE(b.dispatcher);
  b = Dispatcher::loadBytes("not a bundle", options());
  EXPECT_EQ(b.toolError, "not a callpark bundle");
  b = Dispatcher::load((dir_ / "missing.bundle").string(), options());
  EXPECT_FALSE(b.dispatcher);
  EXPECT_FALSE(b.toolError.empty());
}

TEST_F(BundleTest, ObjectCodeFromAnotherCompilerIsRecompiled) {
  ASSERT_TRUE(compileToBundle());
  std::string bytes, error;
  ASSERT_TRUE(bundle::readFile(bundle_, &bytes, &error));
  auto b = bundle::read(bytes, &error);
  ASSERT_TRUE(b) << error;
  const std::string compiler = b->stamp.compiler;
  b->stamp.compiler = "parkc 0.0.1 codegen r0";
  Dispatcher::Built loaded = Dispatcher::loadBytes(bundle::write(*b), options());
  ASSERT_TRUE(loaded.dispatcher);
  EXPECT_TRUE(loaded.recompiled);
  EXPECT_EQ(loaded.staleReason, "compiled by parkc 0.0.1 codegen r0");
  b->stamp.compiler = compiler;
  b->stamp.target = "sparc-sun-solaris cpu=v9 features=";
  loaded = Dispatcher::loadBytes(bundle::write(*b), options());
  ASSERT_TRUE(loaded.dispatcher);
  EXPECT_TRUE(loaded.recompiled);
  EXPECT_NE(loaded.staleReason.find("another machine"), std::string::npos) << loaded.staleReason;
}

// parkd finds the caller through UserIndex (a hash table); it must answer exactly as the binary
// search over PolicyInfo::userOrder: ASCII case-insensitive, exact otherwise, the first
// declaration among users sharing a URI, -1 for everyone else. Random URIs of mixed case and
// lengths around the 8-byte words the hash reads, with shared prefixes and duplicates.
TEST(UserIndex, AgreesWithTheBinarySearch) {
  std::mt19937_64 rng(20261202);
  const std::string alphabet = "abcXYZ09.-@:_\x80\xc3\xa9";
  auto randomUri = [&] {
    std::string s = "sip:";
    size_t n = rng() % 24;
    for (size_t i = 0; i < n; ++i) s += alphabet[rng() % alphabet.size()];
    return s;
  };
  auto flipCase = [&](std::string s) {
    for (char& c : s)
      if (std::isalpha(static_cast<unsigned char>(c)) && rng() % 2)
        c = static_cast<char>(std::islower(static_cast<unsigned char>(c)) ? std::toupper(c)
                                                                          : std::tolower(c));
    return s;
  };
  for (size_t users : {0u, 1u, 7u, 300u, 5000u}) {
    model::Model m;
    std::vector<std::string> names;
    for (size_t u = 0; u < users; ++u) {
      // Every fifth user repeats an earlier URI in another case: the first one must win.
      std::string uri = (u % 5 == 4) ? flipCase(names[rng() % u]) : randomUri();
      names.push_back(uri);
      model::User user;
      user.sip = uri;
      m.users.push_back(user);
    }
    bundle::PolicyInfo info = bundle::PolicyInfo::fromModel(m);
    bundle::UserIndex index;
    index.build(names, info.userOrder);
    std::vector<std::string> queries;
    for (const auto& n : names) {
      queries.push_back(n);
      queries.push_back(flipCase(n));
      queries.push_back(n + "x");
      if (!n.empty()) queries.push_back(n.substr(0, n.size() - 1));
    }
    for (int i = 0; i < 2000; ++i) queries.push_back(randomUri());
    for (const auto& q : queries)
      ASSERT_EQ(index.find(names, q), info.findUser(names, q)) << users << " users, query " << q;
  }
}

}  // namespace
}  // namespace callpark::dispatch

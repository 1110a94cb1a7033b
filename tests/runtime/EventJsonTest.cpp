// The hand-written JSON-lines writer against nlohmann's serializer, on random records whose
// strings are full of what SIP peers may send: quotes, backslashes, control characters, valid
// multi-byte UTF-8, and invalid / truncated / overlong / surrogate sequences.
#include <gtest/gtest.h>

#include <random>

#include "runtime/park/EventJson.h"

namespace callpark::park {
namespace {

std::string nlohmannLine(const EventRecord& r) {
  return toJson(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string randomBytes(std::mt19937_64& rng) {
  static const std::vector<std::string> pieces = {
      "a",
      "sip:",
      "@",
      "\"",
      "\\",
      "\n",
      "\t",
      "\r",
      "\b",
      "\f",
      std::string(1, '\0'),
      "\x01",
      "\x1f",
      "\x7f",
      " ",
      "/",
      "\xc3\xa9",          // é
      "\xe2\x82\xac",      // €
      "\xf0\x9d\x84\x9e",  // U+1D11E
      "\xc0\xaf",
      "\xe0\x80\xaf",
      "\xed\xa0\x80",  // overlong, surrogate
      "\xf4\x90\x80\x80",
      "\xf5",
      "\xff",
      "\x80",  // above U+10FFFF, bad leads
      "\xe2\x82",
      "\xf0\x9d\x84",
      "\xc3",  // truncated
  };
  std::string s;
  size_t n = rng() % 12;
  for (size_t i = 0; i < n; ++i) {
    if (rng() % 5 == 0)
      s.push_back(char(rng() % 256));  // any byte at all
    else
      s += pieces[rng() % pieces.size()];
  }
  return s;
}

TEST(EventJson, TheLineWriterMatchesNlohmannOnHostileStrings) {
  std::mt19937_64 rng(2013);
  for (int i = 0; i < 20000; ++i) {
    std::string range = randomBytes(rng), pool = randomBytes(rng), parker = randomBytes(rng),
                parked = randomBytes(rng), peer = randomBytes(rng), reason = randomBytes(rng);
    EventRecord r;
    r.time = TimeMs(rng() % 4 == 0 ? -int64_t(rng() % 1000) : int64_t(rng() >> 1));
    r.kind = RecordKind(rng() % 10);
    r.call = rng() % 3 == 0 ? 0 : rng();
    if (rng() % 3) r.orbit = formatOrbit('*', 4, 1000 + uint32_t(rng() % 9000));
    r.range = range;
    r.pool = pool;
    r.parker = parker;
    r.parked = parked;
    r.peer = peer;
    r.reason = reason;
    r.attempt = uint8_t(rng());
    r.outcome = Outcome(rng() % 6);
    std::string line = toJsonLine(r);
    ASSERT_EQ(line, nlohmannLine(r)) << "record " << i;
    ASSERT_TRUE(nlohmann::json::accept(line)) << line;
    std::string appended = "x";
    appendJsonLine(appended, r);
    ASSERT_EQ(appended, "x" + line);
  }
}

TEST(EventJson, ReplacementFollowsTheMaximalSubpartRule) {
  EventRecord r;
  r.kind = RecordKind::Refused;
  r.peer =
      "a\xe2\x82"
      "b";  // truncated euro sign, then a letter that is kept
  EXPECT_NE(toJsonLine(r).find("\"peer\":\"a\xEF\xBF\xBD"
                               "b\""),
            std::string::npos);
  r.peer = "\xf0\x9d\x84";  // truncated at the end: one replacement
  EXPECT_NE(toJsonLine(r).find("\"peer\":\"\xEF\xBF\xBD\""), std::string::npos);
  r.peer = "\xff\xfe";  // two bad leads: two replacements
  EXPECT_NE(toJsonLine(r).find("\"peer\":\"\xEF\xBF\xBD\xEF\xBF\xBD\""), std::string::npos);
  const std::string controls("\x01\x1f", 2);
  r.peer = controls;
  EXPECT_NE(toJsonLine(r).find("\"peer\":\"\\u0001\\u001f\""), std::string::npos);
}

}  // namespace
}  // namespace callpark::park

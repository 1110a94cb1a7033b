#include <gtest/gtest.h>

#include "runtime/park/EventJson.h"
#include "runtime/park/Orbit.h"
#include "runtime/park/Policy.h"

namespace callpark::park {
namespace {

TEST(Orbit, FormatsWithPrefixAndPadding) {
  EXPECT_EQ(formatOrbit('*', 4, 3001).view(), "*3001");
  EXPECT_EQ(formatOrbit('\0', 4, 7001).view(), "7001");
  EXPECT_EQ(formatOrbit('#', 3, 7).view(), "#007");
  EXPECT_EQ(formatOrbit('\0', 9, 999999999).view(), "999999999");
  EXPECT_EQ(formatOrbit('*', 8, 12345678).view(), "*12345678");
}

TEST(Orbit, ParsesTheSpecGrammar) {
  EXPECT_EQ(parseOrbit("*3001"), (OrbitParts{'*', 4, 3001}));
  EXPECT_EQ(parseOrbit("#101"), (OrbitParts{'#', 3, 101}));
  EXPECT_EQ(parseOrbit("7001"), (OrbitParts{'\0', 4, 7001}));
  EXPECT_EQ(parseOrbit("123456789"), (OrbitParts{'\0', 9, 123456789}));
  EXPECT_EQ(parseOrbit("*12345678"), (OrbitParts{'*', 8, 12345678}));
  for (const char* bad : {"", "*", "#", "0", "0123", "*0123", "1234567890", "*123456789", "**12",
                          "12a", " 123", "123 ", "+123", "*#12"})
    EXPECT_FALSE(parseOrbit(bad)) << bad;
}

TEST(Orbit, KeysOrderWithinAFamilyAndSeparateFamilies) {
  EXPECT_LT(orbitKey('*', 4, 3000), orbitKey('*', 4, 3001));
  EXPECT_NE(orbitKey('*', 3, 100), orbitKey('#', 3, 100));
  EXPECT_NE(orbitKey('*', 3, 100), orbitKey('\0', 3, 100));
  // Same value, different digit counts: different orbits.
  EXPECT_NE(orbitKey('\0', 3, 100), orbitKey('\0', 4, 100));
  for (const char* text : {"*3001", "#4199", "7001", "5"}) {
    auto p = parseOrbit(text);
    ASSERT_TRUE(p);
    EXPECT_EQ(formatOrbit(p->prefix, p->digits, p->value).view(), text);
  }
}

TEST(Policy, ValidationNamesTheProblem) {
  RuntimePolicy ok{{PoolSpec{"p1", {}, {RangeSpec{"a", '*', 4, 3000, 3099}}},
                    PoolSpec{"p2", {}, {RangeSpec{"b", '\0', 4, 3000, 3099}}}}};
  EXPECT_EQ(validatePolicy(ok), "");

  RuntimePolicy overlap = ok;
  overlap.pools[1].ranges[0] = RangeSpec{"b", '*', 4, 3050, 3150};
  EXPECT_NE(validatePolicy(overlap).find("overlap"), std::string::npos);

  RuntimePolicy dupRange = ok;
  dupRange.pools[1].ranges[0].name = "a";
  EXPECT_NE(validatePolicy(dupRange).find("used twice"), std::string::npos);

  RuntimePolicy dupPool = ok;
  dupPool.pools[1].name = "p1";
  EXPECT_NE(validatePolicy(dupPool).find("listed twice"), std::string::npos);

  RuntimePolicy leadingZero = ok;
  leadingZero.pools[0].ranges[0] = RangeSpec{"a", '*', 4, 300, 399};
  EXPECT_NE(validatePolicy(leadingZero), "");

  RuntimePolicy backwards = ok;
  backwards.pools[0].ranges[0] = RangeSpec{"a", '*', 4, 3099, 3000};
  EXPECT_NE(validatePolicy(backwards).find("starts after"), std::string::npos);

  RuntimePolicy noAttempts = ok;
  noAttempts.pools[0].settings.maxAttempts = 0;
  EXPECT_NE(validatePolicy(noAttempts).find("no pickup attempts"), std::string::npos);

  RuntimePolicy badPrefix = ok;
  badPrefix.pools[0].ranges[0].prefix = '+';
  EXPECT_NE(validatePolicy(badPrefix).find("prefix"), std::string::npos);
}

TEST(EventJson, OneObjectPerLineWithFixedKeys) {
  EventRecord r;
  r.time = 90000;
  r.kind = RecordKind::Ended;
  r.call = 16777217;
  r.orbit = formatOrbit('*', 4, 3001);
  r.range = "Redmond CPO 1";
  r.pool = "redmond-fe01.contoso.com";
  r.parker = "sip:alice@contoso.com";
  r.parked = "sip:+14255550100@contoso.com";
  r.peer = "sip:bob@contoso.com";
  r.attempt = 1;
  r.outcome = Outcome::Retrieved;
  EXPECT_EQ(toJsonLine(r),
            "{\"time\":90000,\"event\":\"ended\",\"call\":16777217,\"orbit\":\"*3001\","
            "\"range\":\"Redmond CPO 1\",\"pool\":\"redmond-fe01.contoso.com\","
            "\"parker\":\"sip:alice@contoso.com\",\"parked\":\"sip:+14255550100@contoso.com\","
            "\"peer\":\"sip:bob@contoso.com\",\"attempt\":1,\"outcome\":\"retrieved\"}\n");

  EventRecord minimal;
  minimal.time = 5;
  minimal.kind = RecordKind::PolicyReplaced;
  EXPECT_EQ(toJsonLine(minimal), "{\"time\":5,\"event\":\"policy_replaced\",\"attempt\":0}\n");

  // Strings are escaped, invalid UTF-8 replaced: the line stays one valid JSON object.
  EventRecord odd;
  odd.kind = RecordKind::ParkFailed;
  odd.parker = "sip:\"q\"\n\xff@x";
  std::string line = toJsonLine(odd);
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["event"], "park_failed");
}

}  // namespace
}  // namespace callpark::park

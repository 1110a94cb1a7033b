// The pure functions of Model.h: pool spellings, dial numbers, orbit ranges, names.
#include <gtest/gtest.h>

#include "compiler/model/Model.h"

namespace callpark::model {
namespace {

TEST(CanonicalPool, AllLyncSpellingsNameTheSamePool) {
  for (const char* s :
       {"redmond-fe01.contoso.com", "ApplicationServer:redmond-fe01.contoso.com",
        "service:ApplicationServer:redmond-fe01.contoso.com", "Registrar:redmond-fe01.contoso.com",
        "service:Registrar:redmond-fe01.contoso.com", "REDMOND-FE01.Contoso.COM",
        "applicationserver:Redmond-FE01.contoso.com", "SERVICE:registrar:redmond-fe01.contoso.com"})
    EXPECT_EQ(canonicalPool(s), "redmond-fe01.contoso.com") << s;
}

TEST(CanonicalPool, OtherServicePrefixesAreKept) {
  EXPECT_EQ(canonicalPool("service:UserServer:a.b"), "userserver:a.b");
  EXPECT_EQ(canonicalPool(""), "");
}

TEST(DialNumber, ParsesPrefixAndDigits) {
  DialNumber a = DialNumber::parse("*3000");
  EXPECT_EQ(a.prefix, '*');
  EXPECT_EQ(a.digits, "3000");
  EXPECT_EQ(a.value, 3000u);
  EXPECT_TRUE(a.wellFormed);
  DialNumber b = DialNumber::parse("#4100");
  EXPECT_EQ(b.prefix, '#');
  EXPECT_EQ(b.value, 4100u);
  DialNumber c = DialNumber::parse("7000");
  EXPECT_EQ(c.prefix, 0);
  EXPECT_EQ(c.text, "7000");
  EXPECT_TRUE(c.wellFormed);
  DialNumber z = DialNumber::parse("0100");
  EXPECT_TRUE(z.wellFormed);
  EXPECT_EQ(z.value, 100u);
  EXPECT_EQ(z.digits, "0100");
}

TEST(DialNumber, MalformedIsMarkedNotRejected) {
  for (const char* s : {"", "*", "#", "12a4", "**12", "+1425", "1234567890123456789"}) {
    DialNumber n = DialNumber::parse(s);
    EXPECT_FALSE(n.wellFormed) << s;
    EXPECT_EQ(n.text, s);
  }
  EXPECT_TRUE(DialNumber::parse("123456789012345678").wellFormed);
  EXPECT_EQ(DialNumber::parse("123456789012345678").value, 123456789012345678ull);
}

OrbitRange range(const char* a, const char* b) {
  OrbitRange r;
  r.start = DialNumber::parse(a);
  r.end = DialNumber::parse(b);
  return r;
}

TEST(OrbitRange, UsableRangesEnumerateTheirNumbers) {
  OrbitRange r = range("*3000", "*3099");
  ASSERT_TRUE(r.usable());
  EXPECT_EQ(r.size(), 100u);
  EXPECT_EQ(r.numberAt(0), "*3000");
  EXPECT_EQ(r.numberAt(1), "*3001");
  EXPECT_EQ(r.numberAt(99), "*3099");
  OrbitRange z = range("0100", "0199");
  ASSERT_TRUE(z.usable());
  EXPECT_EQ(z.numberAt(5), "0105");
  OrbitRange one = range("#4100", "#4100");
  EXPECT_EQ(one.size(), 1u);
  EXPECT_EQ(one.numberAt(0), "#4100");
}

TEST(OrbitRange, UnusableRangesHaveNoNumbers) {
  EXPECT_FALSE(range("*3000", "#3099").usable());  // prefix differs
  EXPECT_FALSE(range("3000", "30999").usable());   // length differs
  EXPECT_FALSE(range("3099", "3000").usable());    // reversed
  EXPECT_FALSE(range("30a0", "3099").usable());    // malformed
  EXPECT_EQ(range("3099", "3000").size(), 0u);
}

TEST(Names, EnumsHaveTheirKeywords) {
  EXPECT_STREQ(orbitTypeName(OrbitType::CallPark), "callpark");
  EXPECT_STREQ(orbitTypeName(OrbitType::GroupPickup), "group_pickup");
  EXPECT_STREQ(allocationName(Allocation::LeastRecent), "least_recent");
  EXPECT_STREQ(allocationName(Allocation::Random), "random");
  EXPECT_STREQ(allocationName(Allocation::Next), "next");
  EXPECT_STREQ(allocationName(Allocation::First), "first");
}

TEST(Names, DescribeScope) {
  Model m;
  m.sites.push_back(Site{"Dublin", {0}, nullptr});
  m.pools.push_back(Pool{"dublin-fe01.contoso.com", 0, {}});
  EXPECT_EQ(describeScope({ast::Scope::Global, kNone, ""}, m), "global");
  EXPECT_EQ(describeScope({ast::Scope::Site, 0, ""}, m), "site \"Dublin\"");
  EXPECT_EQ(describeScope({ast::Scope::Pool, 0, ""}, m), "pool \"dublin-fe01.contoso.com\"");
  EXPECT_EQ(describeScope({ast::Scope::Tag, kNone, "Reception"}, m), "tag \"Reception\"");
  EXPECT_EQ(describeScope({ast::Scope::Site, kNone, ""}, m), "site (unknown)");
}

}  // namespace
}  // namespace callpark::model

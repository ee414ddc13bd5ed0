// Key encoding: integers that sort like numbers, child keys that group by parent, and
// page tokens that only their own listing accepts.
#include "storage/keys.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace sello::storage {
namespace {

using std::string_literals::operator""s;

TEST(EncodeU64Test, IsBigEndianFixedWidth) {
  EXPECT_EQ(EncodeU64(0), std::string(8, '\0'));
  EXPECT_EQ(EncodeU64(0x0102030405060708), "\x01\x02\x03\x04\x05\x06\x07\x08"s);
  EXPECT_EQ(EncodeU64(std::numeric_limits<uint64_t>::max()), std::string(8, '\xff'));
  EXPECT_EQ(EncodeU32(0x0a0b0c0d), "\x0a\x0b\x0c\x0d"s);
  EXPECT_EQ(EncodeU32(255), "\x00\x00\x00\xff"s);
}

TEST(EncodeU64Test, DecodesWhatItEncodes) {
  for (uint64_t value : {uint64_t{0}, uint64_t{1}, uint64_t{255}, uint64_t{256},
                         uint64_t{0x8000000000000000}, std::numeric_limits<uint64_t>::max()}) {
    absl::StatusOr<uint64_t> decoded = DecodeU64(EncodeU64(value));
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, value);
  }
  for (uint32_t value :
       {uint32_t{0}, uint32_t{7}, uint32_t{0x80000000}, std::numeric_limits<uint32_t>::max()}) {
    absl::StatusOr<uint32_t> decoded = DecodeU32(EncodeU32(value));
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, value);
  }
}

TEST(EncodeU64Test, RefusesBytesOfTheWrongWidth) {
  EXPECT_EQ(DecodeU64("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeU64(std::string(7, 'x')).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeU64(std::string(9, 'x')).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeU32(EncodeU64(1)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeU32("abc").status().code(), absl::StatusCode::kInvalidArgument);
}

// Values around every byte boundary (where a carry changes a more significant byte)
// plus random ones across the whole range.
std::vector<uint64_t> InterestingU64s() {
  std::vector<uint64_t> values = {0, 1, std::numeric_limits<uint64_t>::max()};
  for (int shift = 1; shift < 64; ++shift) {
    const uint64_t power = uint64_t{1} << shift;
    values.insert(values.end(), {power - 1, power, power + 1});
  }
  std::mt19937_64 random(20240611);
  for (int i = 0; i < 5000; ++i) {
    values.push_back(random() >> (random() % 64));  // all magnitudes, not just huge ones
  }
  return values;
}

TEST(EncodeU64Test, ByteOrderIsNumericOrder) {
  const std::vector<uint64_t> values = InterestingU64s();
  std::vector<std::string> encoded;
  encoded.reserve(values.size());
  for (uint64_t value : values) encoded.push_back(EncodeU64(value));
  std::sort(encoded.begin(), encoded.end());  // bytewise, as RocksDB orders keys
  std::vector<uint64_t> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  ASSERT_EQ(encoded.size(), sorted.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    absl::StatusOr<uint64_t> decoded = DecodeU64(encoded[i]);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    ASSERT_EQ(*decoded, sorted[i]) << "position " << i;
  }
  // And pairwise, so equal values also compare equal.
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    const uint64_t a = values[i];
    const uint64_t b = values[i + 1];
    ASSERT_EQ(EncodeU64(a) < EncodeU64(b), a < b) << a << " vs " << b;
    ASSERT_EQ(EncodeU64(a) == EncodeU64(b), a == b) << a << " vs " << b;
  }
}

TEST(EncodeU32Test, ByteOrderIsNumericOrder) {
  std::vector<uint32_t> values;
  for (uint64_t value : InterestingU64s()) values.push_back(static_cast<uint32_t>(value));
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    const uint32_t a = values[i];
    const uint32_t b = values[i + 1];
    ASSERT_EQ(EncodeU32(a) < EncodeU32(b), a < b) << a << " vs " << b;
    ASSERT_EQ(EncodeU32(a) > EncodeU32(b), a > b) << a << " vs " << b;
  }
}

TEST(ChildKeyTest, JoinsParentAndChildWithNul) {
  EXPECT_EQ(ChildKey("firm-1", "site-9"), "firm-1\0site-9"s);
  EXPECT_EQ(ChildPrefix("firm-1"), "firm-1\0"s);
  EXPECT_TRUE(ChildKey("firm-1", "site-9").starts_with(ChildPrefix("firm-1")));
  EXPECT_EQ(ChildOf(ChildKey("firm-1", "site-9")), "site-9");
  EXPECT_EQ(ChildOf(ChildKey("CSCS", EncodeU32(3))), EncodeU32(3));
  EXPECT_EQ(ChildOf("no-parent"), "no-parent");
  EXPECT_EQ(ChildOf(ChildKey("p", "")), "");
}

TEST(ChildKeyTest, ParentWhoseIdExtendsAnotherIsNotMixedIn) {
  // "firm-1" must not list the sites of "firm-10".
  EXPECT_FALSE(ChildKey("firm-10", "site-1").starts_with(ChildPrefix("firm-1")));
  EXPECT_FALSE(ChildKey("firm-1", "site-1").starts_with(ChildPrefix("firm-10")));
}

TEST(ChildKeyTest, ChildrenOfOneParentSortTogether) {
  std::vector<std::string> keys = {ChildKey("b", "1"), ChildKey("a", "z"), ChildKey("ab", "0"),
                                   ChildKey("a", "a"), ChildKey("b", "0")};
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys,
            (std::vector<std::string>{ChildKey("a", "a"), ChildKey("a", "z"), ChildKey("ab", "0"),
                                      ChildKey("b", "0"), ChildKey("b", "1")}));
}

TEST(PageTokenTest, RoundTrips) {
  for (const std::string& key :
       {"org-17"s, ChildKey("firm-1", "site-3"), EncodeU64(42), "\xff\xff\x00\x01"s, ""s}) {
    const std::string token = EncodePageToken("sites_by_firm", key);
    EXPECT_FALSE(token.empty());
    absl::StatusOr<std::string> decoded = DecodePageToken("sites_by_firm", token);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, key);
  }
}

TEST(PageTokenTest, IsWebSafe) {
  const std::string token = EncodePageToken("events", "\xfb\xff\xfe\x3e\x3f"s + EncodeU64(~0ull));
  for (char c : token) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')
        << "character '" << c << "' in " << token;
  }
}

TEST(PageTokenTest, EmptyTokenIsTheFirstPage) {
  absl::StatusOr<std::string> decoded = DecodePageToken("organisations", "");
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, "");
}

void ExpectRefused(absl::string_view listing, absl::string_view token) {
  absl::StatusOr<std::string> decoded = DecodePageToken(listing, token);
  ASSERT_FALSE(decoded.ok()) << "accepted '" << token << "' as " << *decoded;
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(decoded.status().message(), "page_token: ")) << decoded.status();
}

TEST(PageTokenTest, TokenFromAnotherListingIsRefused) {
  ExpectRefused("sites", EncodePageToken("organisations", "org-1"));
  // Listing names that extend one another are still different listings.
  ExpectRefused("organisations", EncodePageToken("organisations_by_kind", "org-1"));
  ExpectRefused("organisations_by_kind", EncodePageToken("organisations", "org-1"));
}

TEST(PageTokenTest, GarbageIsRefused) {
  ExpectRefused("sites", "not a token!");
  ExpectRefused("sites", "%%%");
  ExpectRefused("sites", "c2l0ZXM");  // base64 of "sites": no separator, no key
  ExpectRefused("sites", "A");        // not a whole base64 quantum
  std::string tampered = EncodePageToken("sites", "site-1");
  tampered[0] = tampered[0] == 'A' ? 'B' : 'A';  // the listing tag no longer matches
  ExpectRefused("sites", tampered);
}

// KeyOrder must agree with comparing whole keys bytewise, whatever the keys share.
TEST(KeyOrderTest, AgreesWithBytewiseComparison) {
  std::vector<std::string> keys = {"abcdefghZ", "ab\0\1"s, "abcdefgh", "ab",         "abcdefghA",
                                   "ab\0"s,     "",        "\xff"s,    "abcdefgh",   "b",
                                   "ab\x80"s,   "ab\x7f"s, "abcdefg",  "abcdefgh\0"s};
  std::mt19937 random(7);
  for (int i = 0; i < 200; ++i) {
    std::string key(random() % 12, '\0');
    // Few distinct bytes, so that many keys share long prefixes.
    for (char& c : key) c = "\0a\xff"[random() % 3];
    keys.push_back(key);
  }
  const std::vector<size_t> order = KeyOrder(keys);
  ASSERT_EQ(order.size(), keys.size());
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(keys[order[i]], sorted[i]) << "position " << i;
  }
  std::vector<size_t> indexes = order;
  std::sort(indexes.begin(), indexes.end());
  for (size_t i = 0; i < indexes.size(); ++i) ASSERT_EQ(indexes[i], i);
  EXPECT_TRUE(KeyOrder({}).empty());
}

}  // namespace
}  // namespace sello::storage

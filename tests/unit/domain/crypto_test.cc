#include "daemon/domain/crypto.h"

#include <gtest/gtest.h>

#include <set>

#include "absl/strings/match.h"

namespace sello::domain {
namespace {

TEST(CryptoTest, Sha256MatchesFips180Vectors) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(CryptoTest, TokenSecretsAreLongRandomAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string secret = NewTokenSecret();
    ASSERT_TRUE(absl::StartsWith(secret, "sello_"));
    ASSERT_EQ(secret.size(), 6u + 43u) << secret;  // 256 bits in unpadded base64
    ASSERT_TRUE(seen.insert(secret).second);
  }
}

TEST(CryptoTest, IdsHaveThePrefixAndAnUnambiguousAlphabet) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewId("site");
    ASSERT_TRUE(absl::StartsWith(id, "site-")) << id;
    ASSERT_EQ(id.size(), 15u) << id;
    for (char c : id.substr(5)) {
      ASSERT_TRUE((c >= 'a' && c <= 'z' && c != 'l' && c != 'o') || (c >= '2' && c <= '9')) << id;
    }
    ASSERT_TRUE(seen.insert(id).second);
  }
}

TEST(CryptoTest, ConstantTimeEqualComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abcd"));
  EXPECT_TRUE(ConstantTimeEqual("", ""));
}

}  // namespace
}  // namespace sello::domain

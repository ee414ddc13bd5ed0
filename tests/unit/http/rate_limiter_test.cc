#include "daemon/http/rate_limiter.h"

#include <gtest/gtest.h>

namespace sello::http {
namespace {

using Kind = RateLimiter::Kind;

class RateLimiterTest : public ::testing::Test {
 protected:
  RateLimiter Limiter(double rate, double burst, size_t max_addresses = 100'000) {
    return RateLimiter(
        {.requests_per_second = rate, .burst = burst, .max_addresses = max_addresses},
        [this] { return now_; });
  }
  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
};

TEST_F(RateLimiterTest, ABurstThenTheRate) {
  RateLimiter limiter = Limiter(2, 3);
  const std::string client = "ipv4:203.0.113.7:51234";
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.Take(client, Kind::kAnonymous)) << i;
  const std::optional<absl::Duration> wait = limiter.Take(client, Kind::kAnonymous);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, absl::Milliseconds(500));
  EXPECT_EQ(limiter.refused(), 1u);
  // Another port of the same address is the same client; another address is not.
  EXPECT_TRUE(limiter.Take("ipv4:203.0.113.7:60000", Kind::kAnonymous));
  EXPECT_FALSE(limiter.Take("ipv4:203.0.113.8:51234", Kind::kAnonymous));
  // Tokens of unknown worth have their own bucket.
  EXPECT_FALSE(limiter.Take(client, Kind::kUnverifiedToken));
  now_ += absl::Milliseconds(500);
  EXPECT_FALSE(limiter.Take(client, Kind::kAnonymous));
  EXPECT_TRUE(limiter.Take(client, Kind::kAnonymous));
  now_ += absl::Hours(1);  // refills to the burst, not beyond
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.Take(client, Kind::kAnonymous)) << i;
  EXPECT_TRUE(limiter.Take(client, Kind::kAnonymous));
}

TEST_F(RateLimiterTest, IPv6CountsPerSlash64) {
  EXPECT_EQ(RateLimiter::AddressKey("ipv6:[2001:db8:1:2:aaaa::1]:443"), "2001:db8:1:2::/64");
  EXPECT_EQ(RateLimiter::AddressKey("ipv6:[::ffff:192.0.2.1]:443"), "192.0.2.1");
  EXPECT_EQ(RateLimiter::AddressKey("ipv4:192.0.2.1:80"), "192.0.2.1");
  EXPECT_EQ(RateLimiter::AddressKey("ipv4:192.0.2.1"), "192.0.2.1");
  RateLimiter limiter = Limiter(1, 1);
  EXPECT_FALSE(limiter.Take("ipv6:[2001:db8:1:2::1]:1", Kind::kAnonymous));
  EXPECT_TRUE(limiter.Take("ipv6:[2001:db8:1:2::ffff]:2", Kind::kAnonymous));
  EXPECT_FALSE(limiter.Take("ipv6:[2001:db8:1:3::1]:1", Kind::kAnonymous));
}

TEST_F(RateLimiterTest, GoodTokensSkipTheLimitUntilRefusedOrForgotten) {
  RateLimiter limiter = Limiter(1, 1);
  EXPECT_FALSE(limiter.IsKnownGoodToken("Bearer abc"));
  limiter.RememberGoodToken("Bearer abc");
  EXPECT_TRUE(limiter.IsKnownGoodToken("Bearer abc"));
  EXPECT_FALSE(limiter.IsKnownGoodToken("Bearer abd"));
  now_ += absl::Minutes(11);
  EXPECT_FALSE(limiter.IsKnownGoodToken("Bearer abc"));
  limiter.RememberGoodToken("Bearer abc");
  limiter.ForgetToken("Bearer abc");
  EXPECT_FALSE(limiter.IsKnownGoodToken("Bearer abc"));
}

TEST_F(RateLimiterTest, MemoryIsBoundedAndQuietAddressesMakeRoom) {
  RateLimiter limiter = Limiter(1, 2, /*max_addresses=*/16);  // one bucket per shard
  int refused = 0;
  for (int i = 0; i < 1000; ++i) {
    refused +=
        limiter.Take("ipv4:198.51.100." + std::to_string(i % 250) + ":1", Kind::kAnonymous) ? 1 : 0;
  }
  EXPECT_GT(refused, 900);  // a flood from many addresses shares the overflow buckets
  now_ += absl::Seconds(10);
  EXPECT_FALSE(limiter.Take("ipv4:192.0.2.1:1", Kind::kAnonymous));
}

TEST_F(RateLimiterTest, ZeroTurnsItOff) {
  RateLimiter limiter = Limiter(0, 1);
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(limiter.Take("ipv4:192.0.2.1:1", Kind::kAnonymous));
}

}  // namespace
}  // namespace sello::http

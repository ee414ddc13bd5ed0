#include "daemon/http/rate_limiter.h"

#include <arpa/inet.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>

#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace sello::http {
namespace {

// How long a token that worked skips the limit without being seen again.
constexpr absl::Duration kGoodTokenLifetime = absl::Minutes(10);
// Tokens remembered at most (a digest and a time each).
constexpr size_t kMaxGoodTokens = 10'000;

std::string TokenDigest(absl::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

}  // namespace

RateLimiter::RateLimiter(Options options, std::function<absl::Time()> clock)
    : options_(options), clock_(std::move(clock)) {}

std::string RateLimiter::AddressKey(absl::string_view client_address) {
  absl::string_view address = client_address;
  if (absl::ConsumePrefix(&address, "ipv4:")) {
    return std::string(address.substr(0, address.rfind(':')));
  }
  if (absl::ConsumePrefix(&address, "ipv6:")) {
    if (absl::ConsumePrefix(&address, "[")) address = address.substr(0, address.find(']'));
    in6_addr v6{};
    if (inet_pton(AF_INET6, std::string(address).c_str(), &v6) != 1) {
      return std::string(client_address);
    }
    // An IPv4-mapped address is the IPv4 client it stands for.
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      char text[INET_ADDRSTRLEN] = {};
      inet_ntop(AF_INET, &v6.s6_addr[12], text, sizeof(text));
      return text;
    }
    std::memset(&v6.s6_addr[8], 0, 8);
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, &v6, text, sizeof(text));
    return absl::StrCat(text, "/64");
  }
  return std::string(client_address);
}

std::optional<absl::Duration> RateLimiter::TakeFrom(Bucket& bucket, absl::Time now) const {
  const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - bucket.updated));
  bucket.tokens = std::min(options_.burst, bucket.tokens + elapsed * options_.requests_per_second);
  bucket.updated = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  return absl::Seconds((1 - bucket.tokens) / options_.requests_per_second);
}

std::optional<absl::Duration> RateLimiter::Take(absl::string_view client_address, Kind kind) {
  if (!enabled()) return std::nullopt;
  const std::string key =
      absl::StrCat(kind == Kind::kAnonymous ? "a " : "t ", AddressKey(client_address));
  Shard& shard = shards_[absl::HashOf(key) % kShards];
  const absl::Time now = clock_();
  std::optional<absl::Duration> wait;
  {
    absl::MutexLock lock(&shard.mu);
    auto found = shard.buckets.find(key);
    if (found == shard.buckets.end()) {
      const size_t per_shard = std::max<size_t>(1, options_.max_addresses / kShards);
      if (shard.buckets.size() >= per_shard) {
        // Drop the buckets that have refilled (their addresses have been quiet): they
        // would start full again anyway.
        absl::erase_if(shard.buckets, [&](const auto& entry) {
          return entry.second.tokens + absl::ToDoubleSeconds(now - entry.second.updated) *
                                           options_.requests_per_second >=
                 options_.burst;
        });
      }
      if (shard.buckets.size() >= per_shard) {
        // Still full: a flood from very many addresses. Newcomers share one bucket.
        if (!shard.overflow_started) {
          shard.overflow = {.tokens = options_.burst, .updated = now};
          shard.overflow_started = true;
        }
        wait = TakeFrom(shard.overflow, now);
      } else {
        found = shard.buckets.emplace(key, Bucket{.tokens = options_.burst, .updated = now}).first;
      }
    }
    if (found != shard.buckets.end()) wait = TakeFrom(found->second, now);
  }
  if (wait.has_value()) refused_.fetch_add(1, std::memory_order_relaxed);
  return wait;
}

void RateLimiter::RememberGoodToken(absl::string_view token) {
  if (!enabled()) return;
  const absl::Time now = clock_();
  std::string digest = TokenDigest(token);
  absl::MutexLock lock(&tokens_mu_);
  if (good_tokens_.size() >= kMaxGoodTokens && !good_tokens_.contains(digest)) {
    absl::erase_if(good_tokens_, [&](const auto& entry) { return entry.second < now; });
    if (good_tokens_.size() >= kMaxGoodTokens) return;
  }
  good_tokens_[std::move(digest)] = now + kGoodTokenLifetime;
}

void RateLimiter::ForgetToken(absl::string_view token) {
  const std::string digest = TokenDigest(token);
  absl::MutexLock lock(&tokens_mu_);
  good_tokens_.erase(digest);
}

bool RateLimiter::IsKnownGoodToken(absl::string_view token) {
  if (!enabled()) return true;
  const std::string digest = TokenDigest(token);
  const absl::Time now = clock_();
  absl::MutexLock lock(&tokens_mu_);
  const auto found = good_tokens_.find(digest);
  return found != good_tokens_.end() && found->second >= now;
}

}  // namespace sello::http

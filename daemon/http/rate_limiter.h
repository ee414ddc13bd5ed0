// A per-client-address rate limit for sellod's HTTP front: a token bucket per address
// (an IPv6 client counts per /64, which is what one subscriber gets), so that one client
// cannot take the public pages and calls from everyone else. Requests that carry a
// token the registry has accepted before are never counted: a flood of anonymous
// requests, or of made-up tokens, from the same address cannot starve a token holder.
// Memory is bounded: at most `max_addresses` buckets; beyond, new addresses share one.
#ifndef SELLO_DAEMON_HTTP_RATE_LIMITER_H_
#define SELLO_DAEMON_HTTP_RATE_LIMITER_H_

#include <array>
#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sello::http {

class RateLimiter {
 public:
  struct Options {
    double requests_per_second = 20;  // per address, sustained; 0 turns the limit off
    double burst = 100;               // requests an idle address may make at once
    size_t max_addresses = 100'000;   // buckets kept (about 100 bytes each)
  };
  // What a request is, for the limit: anonymous, or carrying a token not (yet) known to
  // be good. Each has its own bucket per address, so that neither starves the other.
  enum class Kind { kAnonymous, kUnverifiedToken };

  explicit RateLimiter(Options options, std::function<absl::Time()> clock = &absl::Now);

  bool enabled() const { return options_.requests_per_second > 0; }

  // Counts one request of `kind` from `client_address` (as gRPC names peers:
  // "ipv4:203.0.113.7:51234"). nullopt when allowed; otherwise how long until the next
  // one would be (for Retry-After), and the refusal is counted.
  std::optional<absl::Duration> Take(absl::string_view client_address, Kind kind);

  // A request with `token` (the bearer secret) was answered, not UNAUTHENTICATED: its
  // holder's requests skip the limit from now on (for 10 minutes after the last such
  // answer). Only a digest of the token is kept.
  void RememberGoodToken(absl::string_view token);
  bool IsKnownGoodToken(absl::string_view token);
  // A request with `token` was answered UNAUTHENTICATED (revoked): it counts again.
  void ForgetToken(absl::string_view token);

  // Requests refused so far.
  uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

  // The key of an address's bucket: the IPv4 address, or the /64 of an IPv6 one (port
  // dropped); the input itself when it is neither. Exposed for tests.
  static std::string AddressKey(absl::string_view client_address);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };
  static constexpr size_t kShards = 16;
  struct Shard {
    absl::Mutex mu;
    absl::flat_hash_map<std::string, Bucket> buckets ABSL_GUARDED_BY(mu);
    Bucket overflow ABSL_GUARDED_BY(mu);
    bool overflow_started ABSL_GUARDED_BY(mu) = false;
  };
  // Refills `bucket` to `now` and takes one token if there is one.
  std::optional<absl::Duration> TakeFrom(Bucket& bucket, absl::Time now) const;

  const Options options_;
  const std::function<absl::Time()> clock_;
  std::array<Shard, kShards> shards_;
  absl::Mutex tokens_mu_;
  absl::flat_hash_map<std::string, absl::Time> good_tokens_ ABSL_GUARDED_BY(tokens_mu_);
  std::atomic<uint64_t> refused_{0};
};

}  // namespace sello::http

#endif  // SELLO_DAEMON_HTTP_RATE_LIMITER_H_

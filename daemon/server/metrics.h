// Prometheus metrics: calls by method and status code with latency histograms, group
// commits (changes per fsync and write latency), and gauges read when scraped. Lock-free
// on the call path: the methods are known at start, every counter is an atomic.
#ifndef SELLO_DAEMON_SERVER_METRICS_H_
#define SELLO_DAEMON_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sello::service {

class Metrics {
 public:
  // `methods`: every full gRPC method name calls will be recorded for.
  explicit Metrics(const std::vector<std::string>& methods);

  // One finished call; `code` is its gRPC status code (0..16).
  void RecordCall(absl::string_view method, int code, absl::Duration latency);
  // One group commit: how many changes one write (and fsync) acknowledged, and how long
  // the write took.
  void RecordCommit(uint64_t changes, absl::Duration write);

  // The text exposition format (version 0.0.4): the counters and histograms, then
  // `gauges` (name, help, value) as computed by the caller now.
  struct Gauge {
    std::string name;
    std::string help;
    double value = 0;
    bool counter = false;  // rendered as a counter (it only ever grows)
  };
  std::string Render(const std::vector<Gauge>& gauges) const;

 private:
  static constexpr std::array<double, 14> kLatencyBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  static constexpr std::array<double, 9> kBatchBuckets = {1, 2, 4, 8, 16, 32, 64, 128, 256};

  template <size_t N>
  struct Histogram {
    std::array<std::atomic<uint64_t>, N + 1> buckets{};  // the last one is +Inf
    std::atomic<uint64_t> count{0};
    std::atomic<double> sum{0};
    void Observe(const std::array<double, N>& bounds, double value);
  };
  struct MethodStats {
    std::array<std::atomic<uint64_t>, 17> codes{};
    Histogram<kLatencyBuckets.size()> latency;
  };

  absl::flat_hash_map<std::string, std::unique_ptr<MethodStats>> methods_;
  Histogram<kBatchBuckets.size()> batch_changes_;
  Histogram<kLatencyBuckets.size()> write_seconds_;
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVER_METRICS_H_

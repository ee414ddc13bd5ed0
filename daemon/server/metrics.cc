#include "daemon/server/metrics.h"

#include <charconv>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sello::service {
namespace {

constexpr const char* kCodeNames[] = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};

std::string Bound(double bound) { return absl::StrFormat("%g", bound); }

// A sample value, exactly (the shortest text that reads back as the same double: %g's six
// digits would turn a Unix time into 1.79665e+09), in the exposition format's spelling of
// NaN and the infinities.
std::string Value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char text[64];
  const std::to_chars_result written = std::to_chars(text, text + sizeof(text), value);
  return std::string(text, written.ptr);
}

template <typename H, size_t N>
void RenderHistogram(std::string& out, absl::string_view name, absl::string_view labels,
                     const std::array<double, N>& bounds, const H& histogram) {
  const std::string prefix = labels.empty() ? "" : absl::StrCat(labels, ",");
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= N; ++i) {
    cumulative += histogram.buckets[i].load(std::memory_order_relaxed);
    absl::StrAppend(&out, name, "_bucket{", prefix, "le=\"", i < N ? Bound(bounds[i]) : "+Inf",
                    "\"} ", cumulative, "\n");
  }
  const std::string braces = labels.empty() ? "" : absl::StrCat("{", labels, "}");
  absl::StrAppend(&out, name, "_sum", braces, " ",
                  Value(histogram.sum.load(std::memory_order_relaxed)), "\n");
  absl::StrAppend(&out, name, "_count", braces, " ",
                  histogram.count.load(std::memory_order_relaxed), "\n");
}

}  // namespace

template <size_t N>
void Metrics::Histogram<N>::Observe(const std::array<double, N>& bounds, double value) {
  size_t bucket = 0;
  while (bucket < N && value > bounds[bucket]) ++bucket;
  buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  count.fetch_add(1, std::memory_order_relaxed);
  double seen = sum.load(std::memory_order_relaxed);
  while (!sum.compare_exchange_weak(seen, seen + value, std::memory_order_relaxed)) {
  }
}

Metrics::Metrics(const std::vector<std::string>& methods) {
  for (const std::string& method : methods) methods_[method] = std::make_unique<MethodStats>();
}

void Metrics::RecordCall(absl::string_view method, int code, absl::Duration latency) {
  auto found = methods_.find(method);
  if (found == methods_.end() || code < 0 || code > 16) return;
  found->second->codes[static_cast<size_t>(code)].fetch_add(1, std::memory_order_relaxed);
  found->second->latency.Observe(kLatencyBuckets, absl::ToDoubleSeconds(latency));
}

void Metrics::RecordCommit(uint64_t changes, absl::Duration write) {
  batch_changes_.Observe(kBatchBuckets, static_cast<double>(changes));
  write_seconds_.Observe(kLatencyBuckets, absl::ToDoubleSeconds(write));
}

std::string Metrics::Render(const std::vector<Gauge>& gauges) const {
  std::string out;
  absl::StrAppend(&out,
                  "# HELP sello_calls_total Calls finished, by method and gRPC status code.\n"
                  "# TYPE sello_calls_total counter\n");
  for (const auto& [method, stats] : methods_) {
    for (size_t code = 0; code < stats->codes.size(); ++code) {
      const uint64_t n = stats->codes[code].load(std::memory_order_relaxed);
      if (n == 0) continue;
      absl::StrAppend(&out, "sello_calls_total{method=\"", method, "\",code=\"", kCodeNames[code],
                      "\"} ", n, "\n");
    }
  }
  absl::StrAppend(&out,
                  "# HELP sello_call_duration_seconds Call latency, by method.\n"
                  "# TYPE sello_call_duration_seconds histogram\n");
  for (const auto& [method, stats] : methods_) {
    if (stats->latency.count.load(std::memory_order_relaxed) == 0) continue;
    RenderHistogram(out, "sello_call_duration_seconds", absl::StrCat("method=\"", method, "\""),
                    kLatencyBuckets, stats->latency);
  }
  absl::StrAppend(&out,
                  "# HELP sello_commit_changes Changes acknowledged by one group write (one "
                  "fsync).\n# TYPE sello_commit_changes histogram\n");
  RenderHistogram(out, "sello_commit_changes", "", kBatchBuckets, batch_changes_);
  absl::StrAppend(&out,
                  "# HELP sello_commit_write_seconds Time of one group write, fsync "
                  "included.\n# TYPE sello_commit_write_seconds histogram\n");
  RenderHistogram(out, "sello_commit_write_seconds", "", kLatencyBuckets, write_seconds_);
  for (const Gauge& gauge : gauges) {
    absl::StrAppend(&out, "# HELP ", gauge.name, " ", gauge.help, "\n# TYPE ", gauge.name,
                    gauge.counter ? " counter\n" : " gauge\n", gauge.name, " ", Value(gauge.value),
                    "\n");
  }
  return out;
}

}  // namespace sello::service

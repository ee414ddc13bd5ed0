// Call statistics for sello-load: every call's latency (exact percentiles and maximum,
// nothing sampled away), the items the calls carried, and every non-OK outcome by name;
// printed as a table or written as JSON.
#ifndef SELLO_TESTS_BENCH_LOAD_STATS_H_
#define SELLO_TESTS_BENCH_LOAD_STATS_H_

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace sello::load {

// What one thread recorded: one latency per call, the items of the calls that succeeded,
// and the count of failures per name (a gRPC code name, or a wrong answer such as
// "WRONG_VERDICT"). Not thread-safe: each thread keeps its own and they are merged after.
class CallRecord {
 public:
  void AddCall(int64_t latency_ns, int64_t items) {
    latencies_ns_.push_back(latency_ns);
    items_ += items;
  }
  // Items that came without a latency to record (e.g. redacted events of a watch).
  void AddItems(int64_t items) { items_ += items; }
  // A failed call: counted under `error`; the first `detail` of each name is kept.
  void AddFailure(int64_t latency_ns, absl::string_view error, absl::string_view detail);
  // A failure that is not a call (a gap in a stream, a set-up call that failed).
  void AddProblem(absl::string_view error, absl::string_view detail);
  void Merge(CallRecord&& other);

  std::vector<int64_t>& latencies_ns() { return latencies_ns_; }
  int64_t items() const { return items_; }
  const std::map<std::string, int64_t>& errors() const { return errors_; }
  const std::map<std::string, std::string>& first_details() const { return first_details_; }

 private:
  std::vector<int64_t> latencies_ns_;
  int64_t items_ = 0;
  std::map<std::string, int64_t> errors_;
  std::map<std::string, std::string> first_details_;
};

// The figures of one scenario: what the table row and the JSON object show.
struct Report {
  std::string scenario;
  int connections = 0;
  int in_flight = 0;
  double seconds = 0;
  int64_t calls = 0;
  int64_t items = 0;
  int64_t p50_ns = 0, p99_ns = 0, p999_ns = 0, max_ns = 0;
  std::map<std::string, int64_t> errors;
  std::map<std::string, std::string> first_details;
  // Extra lines shown under the row (e.g. how watchers were set up).
  std::vector<std::string> notes;

  int64_t error_count() const;
  double calls_per_second() const { return seconds > 0 ? calls / seconds : 0; }
  double items_per_second() const { return seconds > 0 ? items / seconds : 0; }
};

// Sorts the latencies and computes the figures (nearest-rank percentiles).
Report Summarise(std::string scenario, int connections, int in_flight, double seconds,
                 CallRecord record);

// The table, one row per report, each followed by its errors and notes, then a last line
// saying whether any call failed ("ok: ..." or "FAILED: ...").
void PrintReports(const std::vector<Report>& reports, std::FILE* out);

// The same as JSON: {"ok": bool, "reports": [{...}, ...]}.
absl::Status WriteJsonReports(const std::string& path, const std::vector<Report>& reports);

// Writes `message` as indented proto3 JSON to `path`.
absl::Status WriteJsonFile(const std::string& path, const google::protobuf::Message& message);

// True when no report has an error.
bool AllOk(const std::vector<Report>& reports);

}  // namespace sello::load

#endif  // SELLO_TESTS_BENCH_LOAD_STATS_H_

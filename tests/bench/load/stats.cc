#include "tests/bench/load/stats.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace sello::load {

void CallRecord::AddFailure(int64_t latency_ns, absl::string_view error, absl::string_view detail) {
  latencies_ns_.push_back(latency_ns);
  AddProblem(error, detail);
}

void CallRecord::AddProblem(absl::string_view error, absl::string_view detail) {
  const std::string name(error);
  if (errors_[name]++ == 0) first_details_[name] = std::string(detail);
}

void CallRecord::Merge(CallRecord&& other) {
  latencies_ns_.insert(latencies_ns_.end(), other.latencies_ns_.begin(), other.latencies_ns_.end());
  items_ += other.items_;
  for (const auto& [name, count] : other.errors_) {
    if (errors_[name] == 0) first_details_[name] = other.first_details_[name];
    errors_[name] += count;
  }
}

int64_t Report::error_count() const {
  int64_t total = 0;
  for (const auto& [name, count] : errors) total += count;
  return total;
}

Report Summarise(std::string scenario, int connections, int in_flight, double seconds,
                 CallRecord record) {
  Report report;
  report.scenario = std::move(scenario);
  report.connections = connections;
  report.in_flight = in_flight;
  report.seconds = seconds;
  std::vector<int64_t>& latencies = record.latencies_ns();
  report.calls = static_cast<int64_t>(latencies.size());
  report.items = record.items();
  report.errors = record.errors();
  report.first_details = record.first_details();
  if (!latencies.empty()) {
    std::sort(latencies.begin(), latencies.end());
    // Nearest rank: the smallest value with at least p of the calls at or below it.
    const auto rank = [&](double p) {
      const auto n = static_cast<double>(latencies.size());
      const auto index = static_cast<size_t>(std::max(1.0, std::ceil(p * n))) - 1;
      return latencies[std::min(index, latencies.size() - 1)];
    };
    report.p50_ns = rank(0.50);
    report.p99_ns = rank(0.99);
    report.p999_ns = rank(0.999);
    report.max_ns = latencies.back();
  }
  return report;
}

namespace {

double Millis(int64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string ErrorSummary(const std::map<std::string, int64_t>& errors) {
  return absl::StrJoin(errors, ", ", [](std::string* out, const auto& entry) {
    absl::StrAppend(out, entry.first, " ", entry.second);
  });
}

}  // namespace

bool AllOk(const std::vector<Report>& reports) {
  return std::all_of(reports.begin(), reports.end(),
                     [](const Report& report) { return report.error_count() == 0; });
}

void PrintReports(const std::vector<Report>& reports, std::FILE* out) {
  absl::FPrintF(out, "%-18s %10s %7s %10s %11s %12s %9s %9s %9s %9s %7s\n", "scenario",
                "conn x fly", "seconds", "calls", "calls/s", "items/s", "p50 ms", "p99 ms",
                "p99.9 ms", "max ms", "errors");
  int64_t calls = 0, errors = 0;
  std::map<std::string, int64_t> all_errors;
  for (const Report& report : reports) {
    absl::FPrintF(out, "%-18s %10s %7.2f %10d %11.1f %12.1f %9.3f %9.3f %9.3f %9.3f %7d\n",
                  report.scenario, absl::StrCat(report.connections, "x", report.in_flight),
                  report.seconds, report.calls, report.calls_per_second(),
                  report.items_per_second(), Millis(report.p50_ns), Millis(report.p99_ns),
                  Millis(report.p999_ns), Millis(report.max_ns), report.error_count());
    for (const auto& [name, count] : report.errors) {
      const std::string& first = report.first_details.at(name);
      absl::FPrintF(out, "    %s: %d%s\n", name, count,
                    first.empty() ? "" : absl::StrCat(" (first: ", first, ")"));
      all_errors[name] += count;
    }
    for (const std::string& note : report.notes) absl::FPrintF(out, "    %s\n", note);
    calls += report.calls;
    errors += report.error_count();
  }
  if (errors == 0) {
    absl::FPrintF(out, "ok: %d scenario(s), %d calls, no errors\n", reports.size(), calls);
  } else {
    absl::FPrintF(out, "FAILED: %d errors in %d calls (%s)\n", errors, calls,
                  ErrorSummary(all_errors));
  }
}

absl::Status WriteJsonReports(const std::string& path, const std::vector<Report>& reports) {
  google::protobuf::Struct root;
  auto& fields = *root.mutable_fields();
  fields["ok"].set_bool_value(AllOk(reports));
  auto* list = fields["reports"].mutable_list_value();
  for (const Report& report : reports) {
    auto& object = *list->add_values()->mutable_struct_value()->mutable_fields();
    object["scenario"].set_string_value(report.scenario);
    object["connections"].set_number_value(report.connections);
    object["in_flight"].set_number_value(report.in_flight);
    object["seconds"].set_number_value(report.seconds);
    object["calls"].set_number_value(static_cast<double>(report.calls));
    object["items"].set_number_value(static_cast<double>(report.items));
    object["calls_per_second"].set_number_value(report.calls_per_second());
    object["items_per_second"].set_number_value(report.items_per_second());
    auto& latency = *object["latency_ms"].mutable_struct_value()->mutable_fields();
    latency["p50"].set_number_value(Millis(report.p50_ns));
    latency["p99"].set_number_value(Millis(report.p99_ns));
    latency["p99_9"].set_number_value(Millis(report.p999_ns));
    latency["max"].set_number_value(Millis(report.max_ns));
    auto& errors = *object["errors"].mutable_struct_value()->mutable_fields();
    for (const auto& [name, count] : report.errors) {
      errors[name].set_number_value(static_cast<double>(count));
    }
    auto& details = *object["first_error"].mutable_struct_value()->mutable_fields();
    for (const auto& [name, detail] : report.first_details) {
      details[name].set_string_value(detail);
    }
    auto* notes = object["notes"].mutable_list_value();
    for (const std::string& note : report.notes) notes->add_values()->set_string_value(note);
  }
  return WriteJsonFile(path, root);
}

absl::Status WriteJsonFile(const std::string& path, const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  const auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) return absl::InternalError(std::string(status.message()));
  std::ofstream file(path, std::ios::trunc);
  file << json;
  if (!file) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace sello::load

// `sello-load populate`: builds a large, realistic registry through the public API with
// the ADMIN token — a certifier, firms with processing plants, a published standard, an
// accreditation, lots, inspections (lot inspections and plant audits) and seals issued
// 10,000 a call with several calls in flight — and writes what the other scenarios need:
// the seal codes, a certifier token and an inspection template.
#ifndef SELLO_TESTS_BENCH_LOAD_POPULATE_H_
#define SELLO_TESTS_BENCH_LOAD_POPULATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/bench/load/runner.h"
#include "tests/bench/load/stats.h"

namespace sello::load {

struct PopulateOptions {
  int64_t seals = 200'000;
  int inspections = 100;  // lot inspections (one per lot) plus plant audits
  int firms = 10;         // each with one processing plant
  uint32_t boxes_per_lot = 10'000;
  std::string prefix = "bench";  // organisation and site ids start with it
  std::string standard_file;     // a standard file, pushed and published unless it is already
  std::string codes_out;
  std::string certifier_token_out;
  std::string inspection_out;
};

// Populates the registry at `load.server` with `load.token` (ADMIN). Phases run with
// load.connections x load.in_flight calls in flight; each is reported like a scenario.
// Organisations, sites, the standard and the accreditation are reused when they exist,
// so populate can run again to add more. Stops at the first failed set-up call; failed
// calls in the bulk phases are counted in the reports.
absl::StatusOr<std::vector<Report>> Populate(const LoadOptions& load,
                                             const PopulateOptions& options);

}  // namespace sello::load

#endif  // SELLO_TESTS_BENCH_LOAD_POPULATE_H_

// The read scenarios of sello-load: VerifySeal (one code or a batch, known codes mixed with
// unknown but well-formed ones) and GetInclusionProof for random events.
#ifndef SELLO_TESTS_BENCH_LOAD_READ_WORKLOADS_H_
#define SELLO_TESTS_BENCH_LOAD_READ_WORKLOADS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/bench/load/runner.h"

namespace sello::load {

struct VerifyOptions {
  std::vector<std::string> codes;  // issued codes, to draw from
  double unknown_share = 0.1;      // share of codes that are well-formed but not issued
  int batch = 1;                   // codes per call
};

// Each call verifies `batch` random codes and checks every verdict: an issued code must be
// found, an unknown one NOT_FOUND ("WRONG_VERDICT" otherwise). Items: codes. Fails when
// there are no codes to draw from.
absl::StatusOr<std::unique_ptr<Workload>> NewVerifyWorkload(const LoadOptions& load,
                                                            VerifyOptions options);

// Each call asks the inclusion proof of a random event in [1, tree_size] and checks its
// leaf index.
std::unique_ptr<Workload> NewProofWorkload(const LoadOptions& load, uint64_t tree_size);

// The log's size at its latest checkpoint.
absl::StatusOr<uint64_t> FetchTreeSize(const LoadOptions& load);

// The codes in `path`, one per line (blank lines skipped).
absl::StatusOr<std::vector<std::string>> ReadCodes(const std::string& path);

}  // namespace sello::load

#endif  // SELLO_TESTS_BENCH_LOAD_READ_WORKLOADS_H_

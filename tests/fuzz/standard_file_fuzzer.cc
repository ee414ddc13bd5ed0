// Fuzz target: standard files (client/standard_file.h) through the validator
// (daemon/domain/standard_rules.h), as `sello standard lint` and `push` read them. Each
// input is written to one file read both as proto3 JSON and as text format. What
// validates must also diff against itself as empty and grade at its best as PREMIUM.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/standard_file.h"
#include "daemon/domain/grading.h"
#include "daemon/domain/problem.h"
#include "daemon/domain/standard_diff.h"
#include "daemon/domain/standard_rules.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/scratch_dir.h"

namespace sello::fuzz {
namespace {

// One file, two names: the extension picks the parser.
struct InputFiles {
  ScratchDir dir{"standard-file"};
  std::string json = dir.path() + "/standard.json";
  std::string textproto = dir.path() + "/standard.textproto";
  InputFiles() {
    std::ofstream(json).flush();
    if (::symlink(json.c_str(), textproto.c_str()) != 0) std::abort();
  }
};

// A value that earns PREMIUM: inside the premium range, which lies within the others'.
double PremiumValue(const v1::Criterion& criterion) {
  const v1::GradeRange& premium = criterion.grades().premium();
  if (premium.has_min()) return premium.min();
  if (premium.has_max()) return premium.max();
  return 0;
}

void CheckValidVersion(const v1::StandardVersion& version) {
  SELLO_FUZZ_CHECK(domain::DiffStandardVersions(version, version).empty(), version.DebugString());
  std::vector<std::string> stages;
  std::vector<domain::CriterionResult> results;
  for (const v1::Stage& stage : version.stages()) {
    stages.push_back(stage.id());
    for (const v1::Criterion& criterion : stage.criteria()) {
      domain::CriterionResult result{criterion.id(), std::nullopt, std::nullopt};
      if (criterion.kind() == v1::Criterion::NUMERIC) {
        result.value = PremiumValue(criterion);
      } else {
        result.passed = true;
      }
      results.push_back(result);
    }
  }
  const absl::StatusOr<domain::GradeOutcome> outcome =
      domain::ComputeGrade(version, stages, results);
  SELLO_FUZZ_CHECK(outcome.ok(), outcome.status().ToString());
  SELLO_FUZZ_CHECK(outcome->pass && outcome->grade == v1::PREMIUM, version.DebugString());
}

void CheckFile(const std::string& path) {
  const absl::StatusOr<v1::StandardVersion> version = client::LoadStandardFile(path);
  if (!version.ok()) return;
  const std::vector<domain::Problem> problems = domain::ValidateStandardVersion(*version);
  const absl::Status status = domain::ProblemsToStatus(path, problems);
  SELLO_FUZZ_CHECK(status.ok() == problems.empty(), status.ToString());
  if (problems.empty()) CheckValidVersion(*version);
}

}  // namespace
}  // namespace sello::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* files = new sello::fuzz::InputFiles();
  {
    std::ofstream out(files->json, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  sello::fuzz::CheckFile(files->json);
  sello::fuzz::CheckFile(files->textproto);
  return 0;
}

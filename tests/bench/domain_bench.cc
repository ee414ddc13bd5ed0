// Microbenchmarks of the pure domain code on the hot paths: grading an inspection,
// making and checking seal codes, Merkle hashing and proof verification, key encoding,
// and checkpoint signing and verification. Built by default, not run by ctest:
//   build/tests/bench/domain_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/standard_file.h"
#include "daemon/domain/grading.h"
#include "daemon/domain/request_hygiene.h"
#include "daemon/domain/seal_code.h"
#include "daemon/domain/time_convert.h"
#include "daemon/tlog/checkpoint.h"
#include "daemon/tlog/merkle.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/seal.pb.h"
#include "storage/keys.h"

namespace sello::domain {
namespace {

// The demo's CSCS@2 and a PREMIUM result for every criterion of its four stages.
struct GradingInput {
  GradingInput() {
    version = *client::LoadStandardFile(SELLO_SOURCE_DIR "/deploy/demo/standards/cscs-v2.json");
    for (const v1::Stage& stage : version.stages()) {
      stages.push_back(stage.id());
      for (const v1::Criterion& criterion : stage.criteria()) {
        CriterionResult result;
        result.criterion_id = criterion.id();
        if (criterion.kind() == v1::Criterion::BOOLEAN) {
          result.passed = true;
        } else {
          const v1::GradeRange& premium = criterion.grades().premium();
          result.value = premium.has_min() ? premium.min() : premium.max();
        }
        results.push_back(result);
      }
    }
  }
  v1::StandardVersion version;
  std::vector<std::string> stages;
  std::vector<CriterionResult> results;
};

void BM_GradeInspection(benchmark::State& state) {
  static const GradingInput* input = new GradingInput();
  for (auto _ : state) {
    benchmark::DoNotOptimize(ComputeGrade(input->version, input->stages, input->results));
  }
  state.counters["criteria"] = static_cast<double>(input->results.size());
}
BENCHMARK(BM_GradeInspection);

void BM_NewSealCode(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(NewSealCode("CSCS"));
}
BENCHMARK(BM_NewSealCode);

void BM_NormaliseSealCode(benchmark::State& state) {
  const std::string typed = absl::AsciiStrToLower(NewSealCode("CSCS"));
  for (auto _ : state) benchmark::DoNotOptimize(NormaliseSealCode(typed));
}
BENCHMARK(BM_NormaliseSealCode);

void BM_SealCodeKey(benchmark::State& state) {
  const std::string code = NewSealCode("CSCS");
  for (auto _ : state) benchmark::DoNotOptimize(SealCodeKey(code));
}
BENCHMARK(BM_SealCodeKey);

void BM_MerkleLeafHash(benchmark::State& state) {
  const std::string leaf(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(merkle::LeafHash(leaf));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MerkleLeafHash)->Arg(200)->Arg(2000);

void BM_MerkleNodeHash(benchmark::State& state) {
  const std::string left = merkle::LeafHash("left"), right = merkle::LeafHash("right");
  for (auto _ : state) benchmark::DoNotOptimize(merkle::NodeHash(left, right));
}
BENCHMARK(BM_MerkleNodeHash);

// A tree of `size` leaves in memory, for proofs.
class MapReader final : public merkle::HashReader {
 public:
  absl::StatusOr<std::vector<std::string>> ReadHashes(
      const std::vector<merkle::NodeId>& ids) override {
    std::vector<std::string> hashes;
    for (const merkle::NodeId& id : ids) {
      auto found = nodes.find(id);
      if (found == nodes.end()) return absl::NotFoundError("node");
      hashes.push_back(found->second);
    }
    return hashes;
  }
  std::map<merkle::NodeId, std::string> nodes;
};

MapReader& TreeOfSize(uint64_t size) {
  static auto* trees = new std::map<uint64_t, MapReader>();
  MapReader& tree = (*trees)[size];
  if (tree.nodes.empty()) {
    for (uint64_t i = 0; i < size; ++i) {
      absl::StatusOr<std::vector<std::pair<merkle::NodeId, std::string>>> nodes =
          merkle::HashesForAppend(i, merkle::LeafHash(absl::StrCat("leaf ", i)), tree);
      if (!nodes.ok()) break;
      for (auto& [id, hash] : *nodes) tree.nodes[id] = std::move(hash);
    }
  }
  return tree;
}

void BM_VerifyInclusion(benchmark::State& state) {
  const uint64_t size = static_cast<uint64_t>(state.range(0));
  MapReader& tree = TreeOfSize(size);
  const uint64_t index = size / 3;
  const std::vector<std::string> proof = *merkle::InclusionProof(index, size, tree);
  const std::string root = *merkle::RootHash(size, tree);
  const std::string leaf = merkle::LeafHash(absl::StrCat("leaf ", index));
  for (auto _ : state) {
    benchmark::DoNotOptimize(merkle::VerifyInclusion(leaf, index, size, proof, root));
  }
  state.counters["proof_hashes"] = static_cast<double>(proof.size());
}
BENCHMARK(BM_VerifyInclusion)->Arg(1 << 10)->Arg(1 << 16);

void BM_VerifyConsistency(benchmark::State& state) {
  const uint64_t size = static_cast<uint64_t>(state.range(0));
  MapReader& tree = TreeOfSize(size);
  const uint64_t old_size = size / 3;
  const std::vector<std::string> proof = *merkle::ConsistencyProof(old_size, size, tree);
  const std::string old_root = *merkle::RootHash(old_size, tree);
  const std::string root = *merkle::RootHash(size, tree);
  for (auto _ : state) {
    benchmark::DoNotOptimize(merkle::VerifyConsistency(old_size, size, old_root, root, proof));
  }
}
BENCHMARK(BM_VerifyConsistency)->Arg(1 << 10)->Arg(1 << 16);

// What every request's cleaning (unknown fields, enums, dates, text) costs the hottest
// call: VerifySeal with state.range(0) codes (read by their own rule, not as text).
void BM_CleanVerifySealRequest(benchmark::State& state) {
  v1::VerifySealRequest request;
  for (int i = 0; i < state.range(0); ++i) request.add_codes("CSCS-7KQ2-M9XD-3WPA-B");
  request.set_include_proof(true);
  const absl::Time now = absl::Now();
  for (auto _ : state) benchmark::DoNotOptimize(domain::CleanRequest(request, now));
}
BENCHMARK(BM_CleanVerifySealRequest)->Arg(1)->Arg(1000);

// And a submission: every result's note and evidence, the inspector, the date.
void BM_CleanSubmitInspectionRequest(benchmark::State& state) {
  v1::SubmitInspectionRequest request;
  v1::Inspection& inspection = *request.mutable_inspection();
  inspection.set_site_id("salmones-calbuco-pp");
  inspection.set_standard_id("CSCS");
  inspection.set_inspector("Jorge Ruiz Aguilar");
  *inspection.mutable_inspection_date() = domain::ToProto(absl::Now());
  for (int i = 0; i < 20; ++i) {
    v1::CriterionResult* result = inspection.add_results();
    result->set_criterion_id(absl::StrCat("P", i));
    result->set_measured(1.5);
    result->set_note("probe 3, core temperature at packing — línea 2");
    result->add_evidence_sha256(std::string(64, 'a'));
  }
  const absl::Time now = absl::Now();
  for (auto _ : state) benchmark::DoNotOptimize(domain::CleanRequest(request, now));
}
BENCHMARK(BM_CleanSubmitInspectionRequest);

void BM_EncodeKeys(benchmark::State& state) {
  uint64_t seq = 1'234'567;
  for (auto _ : state) {
    benchmark::DoNotOptimize(storage::EncodeU64(++seq));
    benchmark::DoNotOptimize(storage::ChildKey("salmones-calbuco-pp", "insp-7kq2m9xdf3"));
  }
}
BENCHMARK(BM_EncodeKeys);

constexpr char kCheckpointBody[] =
    "sello.registry/log\n10000000\nq7fT3ZlqKJgRWw4xV5VYbC0oW4nE4iHk6m8Xb2eH5Lc=\n";

void BM_SignCheckpoint(benchmark::State& state) {
  const NoteSigner signer = *NoteSigner::Generate("sello.registry/log");
  for (auto _ : state) benchmark::DoNotOptimize(signer.Sign(kCheckpointBody));
}
BENCHMARK(BM_SignCheckpoint);

void BM_VerifyCheckpoint(benchmark::State& state) {
  const NoteSigner signer = *NoteSigner::Generate("sello.registry/log");
  const NoteVerifier verifier = *NoteVerifier::FromVerifierKey(signer.VerifierKey());
  const std::string note = *signer.Sign(kCheckpointBody);
  for (auto _ : state) benchmark::DoNotOptimize(verifier.Verify(note));
}
BENCHMARK(BM_VerifyCheckpoint);

}  // namespace
}  // namespace sello::domain

BENCHMARK_MAIN();

// make_fuzz_corpus: writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/)
// from valid inputs: serialized requests of every RPC, standard files, inspections, signed
// checkpoints, proofs, seal codes and store keys. Deterministic: running it again gives
// the same files. Usage (from the checkout, after building with SELLO_FUZZ=ON):
//   build-fuzz/tests/fuzz/make_fuzz_corpus tests/fuzz/corpus
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "client/standard_file.h"
#include "daemon/domain/seal_code.h"
#include "daemon/domain/statistics.h"
#include "daemon/domain/time_convert.h"
#include "daemon/tlog/checkpoint.h"
#include "daemon/tlog/merkle.h"
#include "google/protobuf/text_format.h"
#include "sello/v1/inspection.pb.h"
#include "storage/keys.h"
#include "storage/stats_store.h"
#include "tests/fuzz/fuzz_keys.h"
#include "tests/fuzz/service_world.h"

namespace sello::fuzz {
namespace {

namespace fs = std::filesystem;
namespace merkle = domain::merkle;

// Writes one target's seeds into a fresh directory.
class CorpusDir {
 public:
  CorpusDir(const fs::path& root, const std::string& target) : dir_(root / target) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~CorpusDir() { std::printf("%s: %d seeds\n", dir_.c_str(), count_); }

  void Add(const std::string& name, const std::string& bytes) {
    std::ofstream out(dir_ / name, std::ios::binary);
    out << bytes;
    if (!out) {
      std::perror((dir_ / name).c_str());
      std::exit(1);
    }
    ++count_;
  }

 private:
  fs::path dir_;
  int count_ = 0;
};

std::string MethodShortName(const std::string& full_name) {
  return full_name.substr(full_name.rfind('/') + 1);
}

void ServiceSeeds(const fs::path& root, const std::string& target) {
  CorpusDir dir(root, target);
  std::map<std::string, int> per_method;
  auto add = [&](const FixtureStep& step) {
    const google::protobuf::MethodDescriptor* method = FindFuzzedMethod(step.method);
    if (method == nullptr) {
      std::fprintf(stderr, "unknown method %s\n", step.method);
      std::exit(1);
    }
    const int n = ++per_method[step.method];
    dir.Add(absl::StrCat(MethodShortName(step.method), "-", n),
            EncodeInput(*method, step.caller, *ParseRequestText(*method, step.request)));
  };
  for (const FixtureStep& step : FixtureSteps()) add(step);
  for (const FixtureStep& step : SeedRequests()) add(step);
  // Every method at least once, with an empty request, by its likeliest caller.
  for (const google::protobuf::MethodDescriptor* method : FuzzedMethods()) {
    const std::string name = FullMethodName(*method);
    if (per_method.count(name)) continue;
    dir.Add(absl::StrCat(MethodShortName(name), "-empty"),
            EncodeInput(*method, Caller::kAdmin, *NewRequest(*method)));
  }
}

void StandardFileSeeds(const fs::path& root) {
  CorpusDir dir(root, "standard_file");
  for (const char* path : {"tests/testdata/tst_v1.json", "tests/testdata/tst_v2.json",
                           "tests/testdata/tst_invalid.json", "deploy/demo/standards/cscs-v1.json",
                           "deploy/demo/standards/ptom-v1.json"}) {
    const std::string file = absl::StrCat(SELLO_SOURCE_DIR, "/", path);
    absl::StatusOr<std::string> content = client::ReadFile(file);
    absl::StatusOr<v1::StandardVersion> version = client::LoadStandardFile(file);
    if (!content.ok() || !version.ok()) {
      std::fprintf(stderr, "%s: cannot read\n", file.c_str());
      std::exit(1);
    }
    const std::string name = fs::path(path).stem();
    dir.Add(name + ".json", *content);
    std::string text;
    google::protobuf::TextFormat::PrintToString(*version, &text);
    dir.Add(name + ".textproto", text);
  }
}

absl::Time Utc(int year, int month, int day) {
  return absl::FromCivil(absl::CivilDay(year, month, day), absl::UTCTimeZone());
}

v1::Inspection Inspection(const std::string& standard, const std::vector<std::string>& stages,
                          const std::vector<std::pair<std::string, std::string>>& results) {
  v1::Inspection inspection;
  inspection.set_site_id("site-1");
  inspection.set_standard_id(standard);
  inspection.set_standard_version(1);
  for (const std::string& stage : stages) inspection.add_stages(stage);
  *inspection.mutable_inspection_date() = domain::ToProto(Utc(2025, 5, 15));
  inspection.set_inspector("M. Oyarzun");
  for (const auto& [id, value] : results) {
    v1::CriterionResult* result = inspection.add_results();
    result->set_criterion_id(id);
    if (value == "true" || value == "false") {
      result->set_passed(value == "true");
    } else {
      result->set_measured(std::stod(value));
    }
  }
  return inspection;
}

// inspection_fuzzer.cc's scenario bits.
std::string Scenario(uint8_t bits, const google::protobuf::Message& message) {
  return std::string(1, static_cast<char>(bits)) + message.SerializeAsString();
}

void InspectionSeeds(const fs::path& root) {
  CorpusDir dir(root, "inspection");
  const v1::Inspection tst =
      Inspection("TST", {"harvest"}, {{"H1", "20"}, {"B1", "true"}, {"L1", "true"}});
  v1::Inspection with_lot = tst;
  with_lot.set_lot_id("lot-1");
  with_lot.set_claimed_grade(v1::PREMIUM);
  v1::Inspection capped = tst;
  capped.mutable_results(2)->set_passed(false);
  capped.mutable_results(0)->set_note("label torn");
  capped.mutable_results(0)->add_evidence_sha256(std::string(64, 'a'));
  v1::Inspection failed = tst;
  failed.mutable_results(0)->set_measured(50);
  const v1::Inspection cscs = Inspection("CSCS", {"harvest", "processing", "final_product"},
                                         {{"H1", "20"},
                                          {"H2", "true"},
                                          {"P1", "1.5"},
                                          {"P2", "1"},
                                          {"P3", "0"},
                                          {"P4", "true"},
                                          {"Q1", "28"},
                                          {"Q2", "true"}});
  dir.Add("tst-premium", Scenario(0x00, tst));
  dir.Add("tst-lot-claimed", Scenario(0x02, with_lot));
  dir.Add("tst-capped", Scenario(0x00, capped));
  dir.Add("tst-failed", Scenario(0x00, failed));
  dir.Add("tst-superseded", Scenario(0x04, tst));
  dir.Add("tst-stage-scope", Scenario(0x08, tst));
  dir.Add("tst-suspended", Scenario(0x20, tst));
  dir.Add("tst-other-certifier", Scenario(0x40, tst));
  dir.Add("cscs-premium", Scenario(0x01, cscs));
  v1::Lot lot;
  lot.set_site_id("site-1");
  lot.set_product_form("fresh whole");
  *lot.mutable_harvest_date() = domain::ToProto(Utc(2025, 5, 1));
  lot.set_box_count(100);
  dir.Add("lot", Scenario(0x10, lot));
}

void CheckpointSeeds(const fs::path& root) {
  CorpusDir dir(root, "checkpoint");
  const domain::NoteSigner signer = FuzzLogSigner();
  const std::string key = signer.VerifierKey() + "\n";
  int n = 0;
  for (const uint64_t size : {uint64_t{0}, uint64_t{1}, uint64_t{68}, uint64_t{1} << 40}) {
    domain::Checkpoint checkpoint;
    checkpoint.origin = kFuzzLogOrigin;
    checkpoint.size = size;
    checkpoint.root_hash =
        size == 0 ? merkle::EmptyRootHash() : merkle::LeafHash(absl::StrCat(size));
    checkpoint.time = absl::FromUnixSeconds(1795666301 + static_cast<int64_t>(size % 1000));
    absl::StatusOr<std::string> note = domain::SignCheckpoint(signer, checkpoint);
    if (!note.ok()) std::exit(1);
    dir.Add(absl::StrCat("signed-", ++n), key + *note);
  }
  // Another key's note (ignored signature lines), and a bare body.
  const domain::NoteSigner other =
      *domain::NoteSigner::FromPrivateKey("other.example/log", domain::Sha256("another key"));
  domain::Checkpoint foreign{"other.example/log", 3, merkle::LeafHash("x"),
                             absl::FromUnixSeconds(1)};
  dir.Add("foreign", key + *domain::SignCheckpoint(other, foreign));
  dir.Add("other-key", other.VerifierKey() + "\n" + *domain::SignCheckpoint(other, foreign));
  dir.Add("body", key + domain::CheckpointBody(foreign));
}

std::string U64(uint64_t value) { return storage::EncodeU64(value); }

void MerkleSeeds(const fs::path& root) {
  CorpusDir dir(root, "merkle_proof");
  // A real tree of 7 leaves, as merkle_proof_fuzzer.cc's round trip builds them.
  class Reader : public merkle::HashReader {
   public:
    absl::StatusOr<std::vector<std::string>> ReadHashes(
        const std::vector<merkle::NodeId>& ids) override {
      std::vector<std::string> out;
      out.reserve(ids.size());
      for (const merkle::NodeId& id : ids) out.push_back(nodes[id]);
      return out;
    }
    std::map<merkle::NodeId, std::string> nodes;
  } reader;
  std::vector<std::string> leaves;
  for (uint64_t i = 0; i < 7; ++i) {
    leaves.push_back(merkle::LeafHash(absl::StrCat("event ", i)));
    const auto nodes = merkle::HashesForAppend(i, leaves.back(), reader);
    for (const auto& [id, hash] : *nodes) reader.nodes[id] = hash;
  }
  const std::string tree_root = *merkle::RootHash(7, reader);
  for (uint64_t index : {uint64_t{0}, uint64_t{3}, uint64_t{6}}) {
    std::string seed = std::string(1, '\0') + U64(index) + U64(7) + leaves[index] + tree_root;
    const auto proof = merkle::InclusionProof(index, 7, reader);
    for (const std::string& hash : *proof) seed += hash;
    dir.Add(absl::StrCat("inclusion-", index), seed);
  }
  for (uint64_t old_size : {uint64_t{1}, uint64_t{4}, uint64_t{5}, uint64_t{7}}) {
    std::string seed = std::string(1, '\1') + U64(old_size) + U64(7) +
                       *merkle::RootHash(old_size, reader) + tree_root;
    const auto proof = merkle::ConsistencyProof(old_size, 7, reader);
    for (const std::string& hash : *proof) seed += hash;
    dir.Add(absl::StrCat("consistency-", old_size), seed);
  }
  dir.Add("round-trip-small", std::string("\2\6\3\2\7\1leaf data", 15));
  dir.Add("round-trip-large", std::string("\2\xff\x80\x41\x13\x05", 6) + std::string(64, 'z'));
}

void SealCodeSeeds(const fs::path& root) {
  CorpusDir dir(root, "seal_code");
  int n = 0;
  for (const std::string payload : {"CSCS-7KQ2-M9XD-3WPA", "TST-0000-0000-0000",
                                    "TOMATO-PROC-ABCD-EFGH-JKMN", "A1-ZZZZ-ZZZZ-ZZZZ"}) {
    const std::string code = payload + "-" + domain::CheckCharacter(payload);
    dir.Add(absl::StrCat("code-", ++n), code);
  }
  dir.Add("typed",
          "cscs 7kq2 m9xd 3wpa " + std::string(1, domain::CheckCharacter("CSCS7KQ2M9XD3WPA")));
  dir.Add("look-alikes", "CSCS-7KQ2-M9XD-3WPO-I");
  dir.Add("standard-id", "TOMATO-PROC");
  dir.Add("too-long", std::string(70, 'A'));
}

void StorageKeySeeds(const fs::path& root) {
  CorpusDir dir(root, "storage_keys");
  dir.Add("u64", U64(0x0102030405060708));
  dir.Add("u32", storage::EncodeU32(42));
  dir.Add("u64-pair", U64(1) + U64(~uint64_t{0}));
  dir.Add("child", storage::ChildKey("fz-firm", "fz-site"));
  dir.Add("event-by-subject", storage::ChildKey("site/fz-site", U64(17)));
  dir.Add("page-token", storage::EncodePageToken("sites", storage::ChildKey("fz-firm", "fz-site")));
  dir.Add("certifier-cell", storage::EncodeCellKey(domain::CertifierCellKey{
                                "CSCS", "harvest,processing", 24300, "certificadora-austral",
                                "salmones", domain::Recording::kAddedLate}));
  dir.Add("criterion-cell",
          storage::EncodeCellKey(domain::CriterionCellKey{"CSCS", 2, "H1", 24300, "salmones",
                                                          domain::Recording::kRemovedLate}));
}

}  // namespace
}  // namespace sello::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_ROOT (tests/fuzz/corpus)\n", argv[0]);
    return 2;
  }
  const std::filesystem::path root = argv[1];
  sello::fuzz::ServiceSeeds(root, "service");
  // The same inputs seed the request cleaning's target (same format).
  sello::fuzz::ServiceSeeds(root, "request_hygiene");
  sello::fuzz::StandardFileSeeds(root);
  sello::fuzz::InspectionSeeds(root);
  sello::fuzz::CheckpointSeeds(root);
  sello::fuzz::MerkleSeeds(root);
  sello::fuzz::SealCodeSeeds(root);
  sello::fuzz::StorageKeySeeds(root);
  return 0;
}

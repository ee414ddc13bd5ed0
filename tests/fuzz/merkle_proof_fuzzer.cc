// Fuzz target: Merkle proof verification (daemon/tlog/merkle.h), as auditors check
// what a log sends them. The first byte picks the mode:
//   0 (inclusion)    u64 index, u64 size (big-endian), leaf hash (32), root (32), then
//                    the proof: the rest in 32-byte hashes (the last may be shorter);
//   1 (consistency)  u64 old size, u64 new size, old root (32), new root (32), proof;
//   2 (round trip)   the rest builds a real tree of up to 256 leaves; its proofs must
//                    verify, and any bit flipped in a proof or root must not.
// Verification must never crash and never accept what does not hold.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "daemon/tlog/merkle.h"
#include "tests/fuzz/fuzz_check.h"

namespace sello::fuzz {
namespace {

namespace merkle = domain::merkle;

// Consumes fixed-size fields from the front of the input (zeros once it runs out).
class Reader {
 public:
  explicit Reader(absl::string_view bytes) : bytes_(bytes) {}
  uint64_t U64() {
    uint64_t value = 0;
    for (int i = 0; i < 8; ++i) value = (value << 8) | Byte();
    return value;
  }
  uint8_t Byte() {
    if (bytes_.empty()) return 0;
    const uint8_t byte = static_cast<uint8_t>(bytes_[0]);
    bytes_.remove_prefix(1);
    return byte;
  }
  std::string Hash() {
    std::string hash(bytes_.substr(0, merkle::kHashSize));
    bytes_.remove_prefix(hash.size());
    return hash;
  }
  std::vector<std::string> Proof() {
    std::vector<std::string> proof;
    while (!bytes_.empty()) proof.push_back(Hash());
    return proof;
  }
  absl::string_view rest() const { return bytes_; }

 private:
  absl::string_view bytes_;
};

// A verdict is OK, INVALID_ARGUMENT (a malformed question) or DATA_LOSS (merkle.h).
void CheckCode(const absl::Status& status) {
  SELLO_FUZZ_CHECK(status.ok() || status.code() == absl::StatusCode::kInvalidArgument ||
                       status.code() == absl::StatusCode::kDataLoss,
                   status.ToString());
}

class MapReader : public merkle::HashReader {
 public:
  absl::StatusOr<std::vector<std::string>> ReadHashes(
      const std::vector<merkle::NodeId>& ids) override {
    std::vector<std::string> hashes;
    for (const merkle::NodeId& id : ids) {
      const auto found = nodes.find(id);
      if (found == nodes.end()) {
        return absl::NotFoundError(absl::StrCat("node ", id.level, "/", id.index));
      }
      hashes.push_back(found->second);
    }
    return hashes;
  }
  std::map<merkle::NodeId, std::string> nodes;
};

// RFC 9162 §2.1.1, literally: MTH of leaves [begin, end).
std::string ReferenceRoot(const std::vector<std::string>& leaves, size_t begin, size_t end) {
  if (end == begin) return merkle::EmptyRootHash();
  if (end - begin == 1) return leaves[begin];
  size_t split = 1;
  while (split * 2 < end - begin) split *= 2;
  return merkle::NodeHash(ReferenceRoot(leaves, begin, begin + split),
                          ReferenceRoot(leaves, begin + split, end));
}

std::string Flipped(std::string hash, uint8_t bit) {
  if (!hash.empty()) hash[(bit / 8) % hash.size()] ^= static_cast<char>(1 << (bit % 8));
  return hash;
}

void RoundTrip(Reader& in) {
  const size_t size = 1 + in.Byte();
  const uint64_t index = in.Byte() % size;
  const uint64_t old_size = 1 + in.Byte() % size;
  const uint8_t bit = in.Byte();
  const uint8_t which = in.Byte();
  // Leaf data from the rest of the input, repeated as needed (identical leaves included).
  const absl::string_view data = in.rest();
  MapReader reader;
  std::vector<std::string> leaves;
  for (uint64_t i = 0; i < size; ++i) {
    const std::string leaf = merkle::LeafHash(data.empty() ? "" : data.substr(i % data.size()));
    absl::StatusOr<std::vector<std::pair<merkle::NodeId, std::string>>> nodes =
        merkle::HashesForAppend(i, leaf, reader);
    SELLO_FUZZ_CHECK(nodes.ok(), nodes.status().ToString());
    for (auto& [id, hash] : *nodes) reader.nodes[id] = hash;
    leaves.push_back(leaf);
  }
  const absl::StatusOr<std::string> root = merkle::RootHash(size, reader);
  SELLO_FUZZ_CHECK(root.ok() && *root == ReferenceRoot(leaves, 0, size), "root");
  const absl::StatusOr<std::string> old_root = merkle::RootHash(old_size, reader);
  SELLO_FUZZ_CHECK(old_root.ok() && *old_root == ReferenceRoot(leaves, 0, old_size), "old root");

  absl::StatusOr<std::vector<std::string>> inclusion = merkle::InclusionProof(index, size, reader);
  SELLO_FUZZ_CHECK(inclusion.ok(), inclusion.status().ToString());
  SELLO_FUZZ_CHECK(merkle::VerifyInclusion(leaves[index], index, size, *inclusion, *root).ok(),
                   "inclusion proof does not verify");
  SELLO_FUZZ_CHECK(
      !merkle::VerifyInclusion(leaves[index], index, size, *inclusion, Flipped(*root, bit)).ok(),
      "inclusion verifies against another root");
  if (!inclusion->empty()) {
    std::vector<std::string> forged = *inclusion;
    forged[which % forged.size()] = Flipped(forged[which % forged.size()], bit);
    SELLO_FUZZ_CHECK(!merkle::VerifyInclusion(leaves[index], index, size, forged, *root).ok(),
                     "a forged inclusion proof verifies");
  }

  absl::StatusOr<std::vector<std::string>> consistency =
      merkle::ConsistencyProof(old_size, size, reader);
  SELLO_FUZZ_CHECK(consistency.ok(), consistency.status().ToString());
  SELLO_FUZZ_CHECK(merkle::VerifyConsistency(old_size, size, *old_root, *root, *consistency).ok(),
                   "consistency proof does not verify");
  SELLO_FUZZ_CHECK(
      !merkle::VerifyConsistency(old_size, size, Flipped(*old_root, bit), *root, *consistency).ok(),
      "consistency verifies from another old root");
  if (!consistency->empty()) {
    std::vector<std::string> forged = *consistency;
    forged[which % forged.size()] = Flipped(forged[which % forged.size()], bit);
    SELLO_FUZZ_CHECK(!merkle::VerifyConsistency(old_size, size, *old_root, *root, forged).ok(),
                     "a forged consistency proof verifies");
  }
}

}  // namespace
}  // namespace sello::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sello::fuzz;
  Reader in(absl::string_view(reinterpret_cast<const char*>(data), size));
  switch (in.Byte() % 3) {
    case 0: {
      const uint64_t index = in.U64();
      const uint64_t tree_size = in.U64();
      const std::string leaf = in.Hash();
      const std::string root = in.Hash();
      CheckCode(merkle::VerifyInclusion(leaf, index, tree_size, in.Proof(), root));
      break;
    }
    case 1: {
      const uint64_t old_size = in.U64();
      const uint64_t new_size = in.U64();
      const std::string old_root = in.Hash();
      const std::string new_root = in.Hash();
      CheckCode(merkle::VerifyConsistency(old_size, new_size, old_root, new_root, in.Proof()));
      break;
    }
    default:
      RoundTrip(in);
  }
  return 0;
}

// The transparency log's Merkle math: the published RFC 6962 test vectors, a brute-force
// reference written literally from RFC 6962 §2.1 swept over every small tree, corrupted
// proofs, and the O(log n) bounds on storage reads and writes.
#include "daemon/tlog/merkle.h"

#include <bit>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "daemon/domain/crypto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sello::domain::merkle {
namespace {

using ::testing::HasSubstr;

std::string Unhex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

// A node store in memory, filled only through HashesForAppend, as the log fills RocksDB.
// Counts how it is read.
class MapHashReader : public HashReader {
 public:
  absl::StatusOr<std::vector<std::string>> ReadHashes(const std::vector<NodeId>& ids) override {
    ++calls_;
    last_ids_ = ids;
    std::vector<std::string> hashes;
    for (const NodeId& id : ids) {
      auto it = nodes_.find(id);
      if (it == nodes_.end()) {
        return absl::NotFoundError(absl::StrCat("node (", id.level, ", ", id.index, ")"));
      }
      hashes.push_back(it->second);
    }
    return hashes;
  }

  // Appends one leaf; a stored node is never written twice.
  void Append(absl::string_view leaf_data) {
    absl::StatusOr<std::vector<std::pair<NodeId, std::string>>> nodes =
        HashesForAppend(size_, LeafHash(leaf_data), *this);
    ASSERT_TRUE(nodes.ok()) << nodes.status();
    last_append_writes_ = nodes->size();
    for (auto& [id, hash] : *nodes) {
      ASSERT_TRUE(nodes_.emplace(id, hash).second)
          << "node (" << id.level << ", " << id.index << ") written twice";
    }
    ++size_;
  }

  void ResetCounts() {
    calls_ = 0;
    last_ids_.clear();
  }

  uint64_t size() const { return size_; }
  const std::map<NodeId, std::string>& nodes() const { return nodes_; }
  int calls() const { return calls_; }
  const std::vector<NodeId>& last_ids() const { return last_ids_; }
  size_t last_append_writes() const { return last_append_writes_; }

 private:
  std::map<NodeId, std::string> nodes_;
  uint64_t size_ = 0;
  int calls_ = 0;
  std::vector<NodeId> last_ids_;
  size_t last_append_writes_ = 0;
};

// Answers every read with a made-up hash: for the arithmetic at sizes no test can store.
class AnyHashReader : public HashReader {
 public:
  absl::StatusOr<std::vector<std::string>> ReadHashes(const std::vector<NodeId>& ids) override {
    ++calls_;
    last_ids_ = ids;
    std::vector<std::string> hashes;
    hashes.reserve(ids.size());
    for (const NodeId& id : ids) hashes.push_back(Sha256(absl::StrCat(id.level, "/", id.index)));
    return hashes;
  }
  int calls_ = 0;
  std::vector<NodeId> last_ids_;
};

// RFC 6962 §2.1, written literally over the list of leaves: MTH, PATH and SUBPROOF, with
// D[begin:end] passed as indices. MTH is memoised so that sweeping every tree up to a few
// hundred leaves stays fast; the recursion is the RFC's.
class ReferenceTree {
 public:
  explicit ReferenceTree(std::vector<std::string> leaves) : leaves_(std::move(leaves)) {}

  // MTH(D[begin:end]).
  std::string Mth(uint64_t begin, uint64_t end) {
    const uint64_t n = end - begin;
    if (n == 0) return Sha256("");
    if (n == 1) return Sha256(std::string(1, '\x00') + leaves_[begin]);
    auto it = mth_.find({begin, end});
    if (it != mth_.end()) return it->second;
    const uint64_t k = LargestPowerOfTwoBelow(n);
    std::string hash = Sha256("\x01" + Mth(begin, begin + k) + Mth(begin + k, end));
    mth_.emplace(std::make_pair(begin, end), hash);
    return hash;
  }

  // PATH(m, D[begin:end]), m relative to begin.
  std::vector<std::string> Path(uint64_t m, uint64_t begin, uint64_t end) {
    const uint64_t n = end - begin;
    if (n == 1) return {};
    const uint64_t k = LargestPowerOfTwoBelow(n);
    std::vector<std::string> path;
    if (m < k) {
      path = Path(m, begin, begin + k);
      path.push_back(Mth(begin + k, end));
    } else {
      path = Path(m - k, begin + k, end);
      path.push_back(Mth(begin, begin + k));
    }
    return path;
  }

  // PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
  std::vector<std::string> Proof(uint64_t m, uint64_t n) { return Subproof(m, 0, n, true); }

 private:
  static uint64_t LargestPowerOfTwoBelow(uint64_t n) {
    uint64_t k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }

  // SUBPROOF(m, D[begin:end], b), m relative to begin.
  std::vector<std::string> Subproof(uint64_t m, uint64_t begin, uint64_t end, bool b) {
    const uint64_t n = end - begin;
    if (m == n) {
      if (b) return {};
      return {Mth(begin, end)};
    }
    const uint64_t k = LargestPowerOfTwoBelow(n);
    std::vector<std::string> proof;
    if (m <= k) {
      proof = Subproof(m, begin, begin + k, b);
      proof.push_back(Mth(begin + k, end));
    } else {
      proof = Subproof(m - k, begin + k, end, false);
      proof.push_back(Mth(begin, begin + k));
    }
    return proof;
  }

  std::vector<std::string> leaves_;
  std::map<std::pair<uint64_t, uint64_t>, std::string> mth_;
};

// ---------------------------------------------------------------------------------------
// Known answers. The 8-leaf reference tree of Certificate Transparency: inputs, roots and
// proofs from google/certificate-transparency cpp/merkletree/merkle_tree_test.cc
// (kInputs, kSHA256Roots, kSHA256Paths, kSHA256Proofs), also in transparency-dev/merkle
// proof/verify_test.go. CT numbers leaves from 1; the indices below are 0-based.

const char* const kEmptyRootHex =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const char* const kInputsHex[8] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};

const char* const kRootsHex[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct InclusionVector {
  uint64_t index;
  uint64_t size;
  std::vector<std::string> proof_hex;
};

const std::vector<InclusionVector>& InclusionVectors() {
  static const auto* const kVectors = new std::vector<InclusionVector>{
      {0, 1, {}},
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  return *kVectors;
}

struct ConsistencyVector {
  uint64_t old_size;
  uint64_t new_size;
  std::vector<std::string> proof_hex;
};

const std::vector<ConsistencyVector>& ConsistencyVectors() {
  static const auto* const kVectors = new std::vector<ConsistencyVector>{
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
      {6,
       7,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
  return *kVectors;
}

std::vector<std::string> UnhexAll(const std::vector<std::string>& hex) {
  std::vector<std::string> out;
  out.reserve(hex.size());
  for (const std::string& h : hex) out.push_back(Unhex(h));
  return out;
}

class MerkleVectorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* input : kInputsHex) store_.Append(Unhex(input));
  }
  MapHashReader store_;
};

TEST(MerkleHashTest, EmptyLeafAndNodeHashes) {
  EXPECT_EQ(HexEncode(EmptyRootHash()), kEmptyRootHex);
  EXPECT_EQ(HexEncode(LeafHash("")), kRootsHex[0]);
  EXPECT_EQ(HexEncode(NodeHash(LeafHash(""), LeafHash(Unhex("00")))), kRootsHex[1]);
}

TEST_F(MerkleVectorsTest, Roots) {
  MapHashReader empty;
  absl::StatusOr<std::string> root = RootHash(0, empty);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(HexEncode(*root), kEmptyRootHex);
  EXPECT_EQ(empty.calls(), 0);

  for (uint64_t size = 1; size <= 8; ++size) {
    root = RootHash(size, store_);
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_EQ(HexEncode(*root), kRootsHex[size - 1]) << "size " << size;
  }
}

TEST_F(MerkleVectorsTest, InclusionProofs) {
  for (const InclusionVector& v : InclusionVectors()) {
    SCOPED_TRACE(absl::StrCat("index ", v.index, " size ", v.size));
    absl::StatusOr<std::vector<std::string>> proof = InclusionProof(v.index, v.size, store_);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_EQ(*proof, UnhexAll(v.proof_hex));
    EXPECT_TRUE(VerifyInclusion(LeafHash(Unhex(kInputsHex[v.index])), v.index, v.size,
                                UnhexAll(v.proof_hex), Unhex(kRootsHex[v.size - 1]))
                    .ok());
  }
}

TEST_F(MerkleVectorsTest, ConsistencyProofs) {
  for (const ConsistencyVector& v : ConsistencyVectors()) {
    SCOPED_TRACE(absl::StrCat("old_size ", v.old_size, " new_size ", v.new_size));
    absl::StatusOr<std::vector<std::string>> proof =
        ConsistencyProof(v.old_size, v.new_size, store_);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_EQ(*proof, UnhexAll(v.proof_hex));
    EXPECT_TRUE(VerifyConsistency(v.old_size, v.new_size, Unhex(kRootsHex[v.old_size - 1]),
                                  Unhex(kRootsHex[v.new_size - 1]), UnhexAll(v.proof_hex))
                    .ok());
  }
}

// ---------------------------------------------------------------------------------------
// Every tree up to kSweepSize leaves, against the reference.

constexpr uint64_t kSweepSize = 300;

std::vector<std::string> SweepLeaves() {
  std::vector<std::string> leaves;
  for (uint64_t i = 0; i < kSweepSize; ++i) leaves.push_back(absl::StrCat("event ", i));
  return leaves;
}

// ceil(log2(n)) for n >= 1.
int CeilLog2(uint64_t n) { return std::bit_width(n - 1); }

// That a root or proof cost one ReadHashes call of at most `bound` distinct nodes.
::testing::AssertionResult OneReadOfAtMost(int calls, const std::vector<NodeId>& ids,
                                           size_t bound) {
  if (calls != 1) return ::testing::AssertionFailure() << calls << " ReadHashes calls";
  if (ids.size() > bound) {
    return ::testing::AssertionFailure() << ids.size() << " nodes read, bound " << bound;
  }
  if (std::set<NodeId>(ids.begin(), ids.end()).size() != ids.size()) {
    return ::testing::AssertionFailure() << "a node read twice";
  }
  return ::testing::AssertionSuccess();
}

// Grows the store one leaf at a time; after each append, with the store holding exactly
// what the log holds at that size, checks the root, the inclusion proof of every leaf and
// the consistency proof from every older size: each equals the reference, verifies, and
// costs one ReadHashes call of at most 2 * ceil(log2(n)) + 2 nodes.
TEST(MerkleSweepTest, EveryProofOfEveryTreeMatchesTheReferenceAndVerifies) {
  const std::vector<std::string> leaves = SweepLeaves();
  ReferenceTree reference(leaves);
  MapHashReader store;
  std::vector<std::string> roots = {""};  // roots[m] = MTH of the first m leaves
  size_t most_inclusion_reads = 0;
  size_t most_consistency_reads = 0;
  for (uint64_t n = 1; n <= kSweepSize; ++n) {
    store.Append(leaves[n - 1]);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    const size_t bound = 2 * CeilLog2(n) + 2;

    store.ResetCounts();
    absl::StatusOr<std::string> root = RootHash(n, store);
    ASSERT_TRUE(root.ok()) << root.status();
    ASSERT_EQ(*root, reference.Mth(0, n)) << "size " << n;
    ASSERT_TRUE(OneReadOfAtMost(store.calls(), store.last_ids(), std::popcount(n)))
        << "root of size " << n;
    roots.push_back(*root);

    for (uint64_t i = 0; i < n; ++i) {
      store.ResetCounts();
      absl::StatusOr<std::vector<std::string>> proof = InclusionProof(i, n, store);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, reference.Path(i, 0, n)) << "index " << i << " size " << n;
      if (n == 1) {
        ASSERT_EQ(store.calls(), 0);
      } else {
        ASSERT_TRUE(OneReadOfAtMost(store.calls(), store.last_ids(), bound))
            << "inclusion of " << i << " in " << n;
      }
      most_inclusion_reads = std::max(most_inclusion_reads, store.last_ids().size());
      const absl::Status verified = VerifyInclusion(LeafHash(leaves[i]), i, n, *proof, *root);
      ASSERT_TRUE(verified.ok()) << "index " << i << " size " << n << ": " << verified;
    }

    for (uint64_t m = 1; m <= n; ++m) {
      store.ResetCounts();
      absl::StatusOr<std::vector<std::string>> proof = ConsistencyProof(m, n, store);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, reference.Proof(m, n)) << "old_size " << m << " new_size " << n;
      if (m == n) {
        ASSERT_EQ(store.calls(), 0);
      } else {
        ASSERT_TRUE(OneReadOfAtMost(store.calls(), store.last_ids(), bound))
            << "consistency of " << m << " and " << n;
      }
      most_consistency_reads = std::max(most_consistency_reads, store.last_ids().size());
      const absl::Status verified = VerifyConsistency(m, n, roots[m], *root, *proof);
      ASSERT_TRUE(verified.ok()) << "old_size " << m << " new_size " << n << ": " << verified;
    }
  }
  // The read bound (20 at n = 300) is not vacuous.
  EXPECT_GE(most_inclusion_reads, 9u);
  EXPECT_GE(most_consistency_reads, 9u);

  // What is stored: every complete subtree and nothing else, 2n - popcount(n) nodes.
  EXPECT_EQ(store.nodes().size(), 2 * kSweepSize - std::popcount(kSweepSize));
  for (const auto& [id, hash] : store.nodes()) {
    const uint64_t width = uint64_t{1} << id.level;
    ASSERT_LE((id.index + 1) * width, kSweepSize);
    ASSERT_EQ(hash, reference.Mth(id.index * width, (id.index + 1) * width))
        << "node (" << id.level << ", " << id.index << ")";
  }
}

// ---------------------------------------------------------------------------------------
// Corrupted proofs, after the probes of CT's merkle_tree_test.cc and transparency-dev's
// verify_test.go: each must fail.

const std::string& SomeHash() {
  static const auto* const kHash = new std::string(Sha256("some other hash"));
  return *kHash;
}

std::vector<std::string> With(std::vector<std::string> proof, size_t at, std::string hash) {
  proof.insert(proof.begin() + at, std::move(hash));
  return proof;
}

void ExpectInclusionProbesFail(const std::string& leaf_hash, uint64_t index, uint64_t size,
                               const std::vector<std::string>& proof, const std::string& root) {
  SCOPED_TRACE(absl::StrCat("index ", index, " size ", size));
  ASSERT_TRUE(VerifyInclusion(leaf_hash, index, size, proof, root).ok());
  struct Probe {
    std::string what;
    std::string leaf_hash;
    uint64_t index;
    uint64_t size;
    std::vector<std::string> proof;
    std::string root;
  };
  std::vector<Probe> probes = {
      {"index - 1", leaf_hash, index - 1, size, proof, root},
      {"index + 1", leaf_hash, index + 1, size, proof, root},
      {"index ^ 2", leaf_hash, index ^ 2, size, proof, root},
      {"size * 2", leaf_hash, index, size * 2, proof, root},
      {"size / 2", leaf_hash, index, size / 2, proof, root},
      {"wrong leaf", SomeHash(), index, size, proof, root},
      {"empty root", leaf_hash, index, size, proof, EmptyRootHash()},
      {"other root", leaf_hash, index, size, proof, SomeHash()},
      {"trailing empty", leaf_hash, index, size, With(proof, proof.size(), ""), root},
      {"trailing root", leaf_hash, index, size, With(proof, proof.size(), root), root},
      {"preceding empty", leaf_hash, index, size, With(proof, 0, ""), root},
      {"preceding root", leaf_hash, index, size, With(proof, 0, root), root},
  };
  for (size_t i = 0; i < proof.size(); ++i) {
    std::vector<std::string> flipped = proof;
    flipped[i][0] ^= 8;
    probes.push_back(
        {absl::StrCat("flipped bit in proof[", i, "]"), leaf_hash, index, size, flipped, root});
  }
  if (!proof.empty()) {
    probes.push_back({"truncated", leaf_hash, index, size,
                      std::vector<std::string>(proof.begin(), proof.end() - 1), root});
  }
  if (proof.size() > 1) {
    probes.push_back({"inserted", leaf_hash, index, size, With(proof, 1, SomeHash()), root});
  }
  for (const Probe& p : probes) {
    EXPECT_FALSE(VerifyInclusion(p.leaf_hash, p.index, p.size, p.proof, p.root).ok()) << p.what;
  }
}

void ExpectConsistencyProbesFail(uint64_t old_size, uint64_t new_size, const std::string& old_root,
                                 const std::string& new_root,
                                 const std::vector<std::string>& proof) {
  SCOPED_TRACE(absl::StrCat("old_size ", old_size, " new_size ", new_size));
  ASSERT_TRUE(VerifyConsistency(old_size, new_size, old_root, new_root, proof).ok());
  if (proof.empty()) return;  // old_size == new_size: probed in EqualSizes below
  struct Probe {
    std::string what;
    uint64_t old_size;
    uint64_t new_size;
    std::string old_root;
    std::string new_root;
    std::vector<std::string> proof;
  };
  std::vector<Probe> probes = {
      {"old_size - 1", old_size - 1, new_size, old_root, new_root, proof},
      {"old_size + 1", old_size + 1, new_size, old_root, new_root, proof},
      {"old_size ^ 2", old_size ^ 2, new_size, old_root, new_root, proof},
      {"new_size * 2", old_size, new_size * 2, old_root, new_root, proof},
      {"new_size / 2", old_size, new_size / 2, old_root, new_root, proof},
      {"wrong old root", old_size, new_size, SomeHash(), new_root, proof},
      {"wrong new root", old_size, new_size, old_root, SomeHash(), proof},
      {"swapped roots", old_size, new_size, new_root, old_root, proof},
      {"empty proof", old_size, new_size, old_root, new_root, {}},
      {"trailing empty", old_size, new_size, old_root, new_root, With(proof, proof.size(), "")},
      {"trailing old root", old_size, new_size, old_root, new_root,
       With(proof, proof.size(), old_root)},
      {"trailing new root", old_size, new_size, old_root, new_root,
       With(proof, proof.size(), new_root)},
      {"preceding empty", old_size, new_size, old_root, new_root, With(proof, 0, "")},
      {"preceding old root", old_size, new_size, old_root, new_root, With(proof, 0, old_root)},
      {"preceding new root", old_size, new_size, old_root, new_root, With(proof, 0, new_root)},
      {"preceding proof[0]", old_size, new_size, old_root, new_root, With(proof, 0, proof[0])},
      {"truncated", old_size, new_size, old_root, new_root,
       std::vector<std::string>(proof.begin(), proof.end() - 1)},
  };
  for (size_t i = 0; i < proof.size(); ++i) {
    std::vector<std::string> flipped = proof;
    flipped[i][0] ^= 16;
    probes.push_back({absl::StrCat("flipped bit in proof[", i, "]"), old_size, new_size, old_root,
                      new_root, flipped});
  }
  for (const Probe& p : probes) {
    EXPECT_FALSE(VerifyConsistency(p.old_size, p.new_size, p.old_root, p.new_root, p.proof).ok())
        << p.what;
  }
}

TEST(MerkleVerifyTest, CorruptedVectorProofsFail) {
  for (const InclusionVector& v : InclusionVectors()) {
    ExpectInclusionProbesFail(LeafHash(Unhex(kInputsHex[v.index])), v.index, v.size,
                              UnhexAll(v.proof_hex), Unhex(kRootsHex[v.size - 1]));
  }
  for (const ConsistencyVector& v : ConsistencyVectors()) {
    ExpectConsistencyProbesFail(v.old_size, v.new_size, Unhex(kRootsHex[v.old_size - 1]),
                                Unhex(kRootsHex[v.new_size - 1]), UnhexAll(v.proof_hex));
  }
}

TEST(MerkleVerifyTest, CorruptedReferenceProofsFailForEverySmallTree) {
  const std::vector<std::string> leaves = SweepLeaves();
  ReferenceTree reference(leaves);
  for (uint64_t n = 1; n <= 64; ++n) {
    for (uint64_t i = 0; i < n; ++i) {
      ExpectInclusionProbesFail(LeafHash(leaves[i]), i, n, reference.Path(i, 0, n),
                                reference.Mth(0, n));
    }
    for (uint64_t m = 1; m <= n; ++m) {
      ExpectConsistencyProbesFail(m, n, reference.Mth(0, m), reference.Mth(0, n),
                                  reference.Proof(m, n));
    }
  }
}

TEST(MerkleVerifyTest, FailuresSayWhat) {
  const std::string leaf = LeafHash(Unhex(kInputsHex[5]));
  const std::vector<std::string> proof = UnhexAll(InclusionVectors()[2].proof_hex);
  const std::string root = Unhex(kRootsHex[7]);

  absl::Status s = VerifyInclusion(leaf, 5, 8, proof, SomeHash());
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("does not lead to the root"));

  s = VerifyInclusion(leaf, 5, 8, {proof[0], proof[1]}, root);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("wrong proof length"));

  s = VerifyInclusion(leaf, 8, 8, proof, root);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("index"));

  s = VerifyInclusion(leaf, 5, 8, proof, "short");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("root"));

  const std::vector<std::string> cproof = UnhexAll(ConsistencyVectors()[2].proof_hex);
  const std::string old_root = Unhex(kRootsHex[5]);
  s = VerifyConsistency(6, 8, root, old_root, cproof);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("does not lead to the old root"));

  s = VerifyConsistency(6, 8, old_root, SomeHash(), cproof);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("does not lead to the new root"));

  s = VerifyConsistency(6, 8, old_root, root, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("wrong proof length"));

  s = VerifyConsistency(8, 6, root, old_root, cproof);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("old_size"));

  s = VerifyConsistency(0, 6, EmptyRootHash(), old_root, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("old_size"));
}

TEST(MerkleVerifyTest, EqualSizes) {
  const std::string root = Unhex(kRootsHex[5]);
  EXPECT_TRUE(VerifyConsistency(6, 6, root, root, {}).ok());

  absl::Status s = VerifyConsistency(6, 6, root, SomeHash(), {});  // a fork
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("two different roots"));

  s = VerifyConsistency(6, 6, root, root, {root});
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("wrong proof length"));
}

// ---------------------------------------------------------------------------------------
// Arguments and storage errors.

TEST_F(MerkleVectorsTest, BadArgumentsNameTheArgument) {
  absl::StatusOr<std::vector<std::string>> proof = InclusionProof(8, 8, store_);
  EXPECT_EQ(proof.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(proof.status().message(), HasSubstr("index"));

  proof = ConsistencyProof(0, 8, store_);
  EXPECT_EQ(proof.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(proof.status().message(), HasSubstr("old_size"));

  proof = ConsistencyProof(8, 7, store_);
  EXPECT_EQ(proof.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(proof.status().message(), HasSubstr("old_size"));

  proof = ConsistencyProof(8, 8, store_);
  ASSERT_TRUE(proof.ok()) << proof.status();
  EXPECT_TRUE(proof->empty());

  absl::StatusOr<std::vector<std::pair<NodeId, std::string>>> nodes =
      HashesForAppend(8, "not a hash", store_);
  EXPECT_EQ(nodes.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(nodes.status().message(), HasSubstr("leaf_hash"));

  nodes = HashesForAppend(std::numeric_limits<uint64_t>::max(), LeafHash("x"), store_);
  EXPECT_EQ(nodes.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(nodes.status().message(), HasSubstr("leaf_index"));
}

TEST_F(MerkleVectorsTest, MissingNodesAreReported) {
  // The store holds 8 leaves: the trees of size 9 and up are not there to prove.
  EXPECT_EQ(RootHash(9, store_).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(InclusionProof(0, 9, store_).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ConsistencyProof(3, 9, store_).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(HashesForAppend(9, LeafHash("x"), store_).status().code(), absl::StatusCode::kNotFound);
}

// A store that answers badly: too few hashes, or hashes of the wrong size.
class BrokenHashReader : public HashReader {
 public:
  explicit BrokenHashReader(bool short_answer) : short_answer_(short_answer) {}
  absl::StatusOr<std::vector<std::string>> ReadHashes(const std::vector<NodeId>& ids) override {
    if (short_answer_) return std::vector<std::string>(ids.size() - 1, std::string(32, 'x'));
    return std::vector<std::string>(ids.size(), "truncated");
  }

 private:
  bool short_answer_;
};

TEST(MerkleStorageTest, ABrokenReaderIsAnError) {
  BrokenHashReader short_answer(true);
  EXPECT_EQ(RootHash(7, short_answer).status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(HashesForAppend(7, LeafHash("x"), short_answer).status().code(),
            absl::StatusCode::kInternal);
  BrokenHashReader bad_hashes(false);
  EXPECT_EQ(RootHash(7, bad_hashes).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(InclusionProof(2, 7, bad_hashes).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(HashesForAppend(7, LeafHash("x"), bad_hashes).status().code(),
            absl::StatusCode::kDataLoss);
}

// Several leaves appended in one atomic batch: each append reads through the nodes the
// batch has produced so far, as the caller overlays its pending writes on the store.
class OverlayHashReader : public HashReader {
 public:
  OverlayHashReader(const std::map<NodeId, std::string>& pending, HashReader& base)
      : pending_(pending), base_(base) {}
  absl::StatusOr<std::vector<std::string>> ReadHashes(const std::vector<NodeId>& ids) override {
    std::vector<NodeId> from_base;
    for (const NodeId& id : ids) {
      if (!pending_.contains(id)) from_base.push_back(id);
    }
    std::vector<std::string> base_hashes;
    if (!from_base.empty()) {
      absl::StatusOr<std::vector<std::string>> read = base_.ReadHashes(from_base);
      if (!read.ok()) return read.status();
      base_hashes = *std::move(read);
    }
    std::vector<std::string> hashes;
    size_t next_base = 0;
    for (const NodeId& id : ids) {
      auto it = pending_.find(id);
      hashes.push_back(it != pending_.end() ? it->second : base_hashes[next_base++]);
    }
    return hashes;
  }

 private:
  const std::map<NodeId, std::string>& pending_;
  HashReader& base_;
};

TEST(MerkleStorageTest, ABatchOfAppendsReadsItsOwnPendingNodes) {
  const std::vector<std::string> leaves = SweepLeaves();
  ReferenceTree reference(leaves);
  MapHashReader store;
  for (int i = 0; i < 6; ++i) store.Append(leaves[i]);

  // Leaf 7 completes (1, 3), whose left half is leaf 6: written earlier in the same batch,
  // so not in the store yet.
  ASSERT_TRUE(HashesForAppend(6, LeafHash(leaves[6]), store).ok());
  EXPECT_EQ(HashesForAppend(7, LeafHash(leaves[7]), store).status().code(),
            absl::StatusCode::kNotFound);

  std::map<NodeId, std::string> pending;
  OverlayHashReader overlay(pending, store);
  for (uint64_t i = 6; i < 12; ++i) {
    auto nodes = HashesForAppend(i, LeafHash(leaves[i]), overlay);
    ASSERT_TRUE(nodes.ok()) << "leaf " << i << ": " << nodes.status();
    for (auto& [id, hash] : *nodes) pending.emplace(id, hash);
  }
  absl::StatusOr<std::string> root = RootHash(12, overlay);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(*root, reference.Mth(0, 12));
}

// A LeafTree built from n leaf hashes has the reference root and proofs for every n.
TEST(MerkleLeafTreeTest, RootAndEveryProofMatchTheReference) {
  const std::vector<std::string> leaves = SweepLeaves();
  ReferenceTree reference(leaves);
  std::string hashes;
  absl::StatusOr<LeafTree> empty = LeafTree::Build("");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->size(), 0u);
  EXPECT_EQ(*empty->Root(), EmptyRootHash());
  for (uint64_t n = 1; n <= kSweepSize; ++n) {
    hashes += LeafHash(leaves[n - 1]);
    absl::StatusOr<LeafTree> tree = LeafTree::Build(hashes);
    ASSERT_TRUE(tree.ok()) << tree.status();
    ASSERT_EQ(tree->size(), n);
    absl::StatusOr<std::string> root = tree->Root();
    ASSERT_TRUE(root.ok()) << root.status();
    ASSERT_EQ(*root, reference.Mth(0, n)) << "size " << n;
    for (uint64_t i = 0; i < n; ++i) {
      absl::StatusOr<std::vector<std::string>> proof = InclusionProof(i, n, *tree);
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, reference.Path(i, 0, n)) << "index " << i << " size " << n;
    }
  }
}

TEST(MerkleLeafTreeTest, RefusesPartialHashesAndUnknownNodes) {
  const absl::Status partial = LeafTree::Build(std::string(33, 'x')).status();
  EXPECT_EQ(partial.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(partial.message(), HasSubstr("leaf_hashes"));
  absl::StatusOr<LeafTree> tree = LeafTree::Build(LeafHash("a") + LeafHash("b") + LeafHash("c"));
  ASSERT_TRUE(tree.ok());
  // (1, 1) would cover leaves 2 and 3: there is no leaf 3.
  EXPECT_EQ(tree->ReadHashes({NodeId{1, 1}}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(tree->ReadHashes({NodeId{5, 0}}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(tree->ReadHashes({NodeId{-1, 0}}).status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<std::vector<std::string>> node = tree->ReadHashes({NodeId{1, 0}});
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(node->front(), NodeHash(LeafHash("a"), LeafHash("b")));
}

// ---------------------------------------------------------------------------------------
// Costs (the reads of roots and proofs are counted in the sweep above): each append
// writes at most 1 + log2(n) nodes and reads at most log2(n).

TEST(MerkleCostTest, AppendsWriteAtMostOnePlusLogNodes) {
  MapHashReader store;
  for (uint64_t i = 0; i < kSweepSize; ++i) {
    store.ResetCounts();
    store.Append(absl::StrCat("event ", i));
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    const size_t log2_size = std::bit_width(i + 1) - 1;  // floor(log2(new size))
    EXPECT_LE(store.last_append_writes(), 1 + log2_size) << "leaf " << i;
    EXPECT_LE(store.last_ids().size(), log2_size) << "leaf " << i;
    EXPECT_LE(store.calls(), 1) << "leaf " << i;
  }
}

// The index arithmetic holds up to the largest trees a uint64_t can count.
TEST(MerkleCostTest, HugeTrees) {
  AnyHashReader reader;
  const uint64_t leaf_index = (uint64_t{1} << 40) - 1;
  auto nodes = HashesForAppend(leaf_index, LeafHash("x"), reader);
  ASSERT_TRUE(nodes.ok()) << nodes.status();
  ASSERT_EQ(nodes->size(), 41u);
  for (int level = 0; level <= 40; ++level) {
    EXPECT_EQ((*nodes)[level].first, (NodeId{level, leaf_index >> level}));
  }
  EXPECT_EQ(reader.calls_, 1);
  EXPECT_EQ(reader.last_ids_.size(), 40u);

  const uint64_t max = std::numeric_limits<uint64_t>::max();
  reader.calls_ = 0;
  ASSERT_TRUE(RootHash(max, reader).ok());
  EXPECT_EQ(reader.last_ids_.size(), 64u);
  EXPECT_EQ(reader.last_ids_.front(), (NodeId{63, 0}));
  EXPECT_EQ(reader.last_ids_.back(), (NodeId{0, max - 1}));

  for (uint64_t index : {uint64_t{0}, uint64_t{12345}, max / 2, max - 2, max - 1}) {
    reader.calls_ = 0;
    auto proof = InclusionProof(index, max, reader);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_LE(proof->size(), 64u);
    EXPECT_TRUE(OneReadOfAtMost(reader.calls_, reader.last_ids_, 2 * 64 + 2))
        << "inclusion of " << index;
  }
  for (uint64_t old_size : {uint64_t{1}, uint64_t{1} << 63, max / 3, max - 1}) {
    reader.calls_ = 0;
    auto proof = ConsistencyProof(old_size, max, reader);
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_TRUE(OneReadOfAtMost(reader.calls_, reader.last_ids_, 2 * 64 + 2))
        << "consistency from " << old_size;
  }
}

}  // namespace
}  // namespace sello::domain::merkle

// The Merkle math of the transparency log: an append-only tree with RFC 6962 / RFC 9162
// hashing, its roots, inclusion and consistency proofs, and their verification. Pure: the
// tree's nodes live wherever a HashReader finds them; this file never does I/O.
//
// Storage model (as Go's golang.org/x/mod/sumdb/tlog and Trillian): only the hashes of
// complete subtrees are stored. Node (level, index) is the perfect subtree over leaves
// [index * 2^level, (index + 1) * 2^level); level 0 holds the leaf hashes. A tree of n leaves
// stores exactly 2n - popcount(n) nodes, and a stored node never changes once written. The
// hash of any other subtree (the ragged right edge of a tree whose size is not a power of
// two) is computed from at most ceil(log2(n)) stored nodes when a root or proof needs it. So a
// root, an inclusion proof and a consistency proof each read O(log n) nodes, in one
// ReadHashes call, and an append writes at most 1 + log2(n) nodes.
//
// Keys are left to the caller: (level, index) names a node uniquely and forever, so a store
// keys it as it likes (e.g. level as one byte, then index as 8 bytes big-endian, which also
// keeps each level's nodes in leaf order).
#ifndef SELLO_DAEMON_TLOG_MERKLE_H_
#define SELLO_DAEMON_TLOG_MERKLE_H_

#include <compare>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sello::domain::merkle {

// Every hash here is a raw SHA-256 digest.
inline constexpr size_t kHashSize = 32;

// RFC 9162 §2.1.1: the hash of a leaf, SHA-256(0x00 || leaf_data).
std::string LeafHash(absl::string_view leaf_data);
// RFC 9162 §2.1.1: the hash of an interior node, SHA-256(0x01 || left || right).
std::string NodeHash(absl::string_view left, absl::string_view right);
// RFC 9162 §2.1.1: the root of the empty tree, SHA-256("").
std::string EmptyRootHash();

// A complete subtree: leaves [index * 2^level, (index + 1) * 2^level). Level 0 is a leaf.
struct NodeId {
  int level = 0;
  uint64_t index = 0;

  friend bool operator==(const NodeId&, const NodeId&) = default;
  friend auto operator<=>(const NodeId&, const NodeId&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const NodeId& id) {
    return H::combine(std::move(h), id.level, id.index);
  }
};

// Where the stored node hashes come from (a RocksDB column family, a map in a test).
class HashReader {
 public:
  virtual ~HashReader() = default;
  // The hashes of `ids`, in the same order, one per id. A node that is not stored is
  // NOT_FOUND (or DATA_LOSS, if the store knows it should be there).
  virtual absl::StatusOr<std::vector<std::string>> ReadHashes(const std::vector<NodeId>& ids) = 0;
};

// The nodes to store when leaf `leaf_index` (with hash `leaf_hash`, i.e. LeafHash(data)) is
// appended to the tree of size `leaf_index`: the leaf (0, leaf_index) first, then each
// parent it completes, (1, leaf_index >> 1), (2, leaf_index >> 2), ... for as long as the
// node below is a right child. Reads those left siblings (at most log2(leaf_index + 1)
// nodes) in at most one ReadHashes call. INVALID_ARGUMENT if leaf_hash is not 32 bytes.
//
// Appending several leaves in one atomic write: the reader must see the nodes returned for
// the earlier leaves of the same batch (overlay the pending writes on the store), since
// the parents of a later leaf may need them.
absl::StatusOr<std::vector<std::pair<NodeId, std::string>>> HashesForAppend(
    uint64_t leaf_index, absl::string_view leaf_hash, HashReader& reader);

// RFC 9162 §2.1.1: MTH of the first `size` leaves (EmptyRootHash() for 0), from the stored
// subtrees that decompose [0, size): popcount(size) reads, one ReadHashes call.
absl::StatusOr<std::string> RootHash(uint64_t size, HashReader& reader);

// A whole small tree held in memory (e.g. the tree over one seal issuance's leaves): every
// complete subtree computed once from the leaf hashes (fewer than n NodeHash calls), then
// read as a HashReader for its root and proofs.
class LeafTree final : public HashReader {
 public:
  // `leaf_hashes`: the leaves' 32-byte hashes, concatenated in leaf order.
  // INVALID_ARGUMENT if its length is not a multiple of 32.
  static absl::StatusOr<LeafTree> Build(absl::string_view leaf_hashes);

  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size() / kHashSize; }
  // RootHash(size(), *this): every node it reads is held, so it fails only if that does.
  absl::StatusOr<std::string> Root();
  // NOT_FOUND for a node that is not a complete subtree of this tree.
  absl::StatusOr<std::vector<std::string>> ReadHashes(const std::vector<NodeId>& ids) override;

 private:
  // levels_[l]: the hashes of level l's complete subtrees, concatenated.
  std::vector<std::string> levels_;
};

// RFC 9162 §2.1.3.1 (RFC 6962 §2.1.1): the audit path of leaf `index` in the tree of size
// `size`, ordered from the leaf's sibling up to the root's child. Empty for size 1.
// INVALID_ARGUMENT naming `index` if index >= size. At most 2 * ceil(log2(size)) reads, in one
// ReadHashes call (none when the path is empty).
absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t index, uint64_t size,
                                                        HashReader& reader);

// RFC 9162 §2.1.4.1 (RFC 6962 §2.1.2): the proof that the tree of size `old_size` is a
// prefix of the tree of size `new_size`. Requires 0 < old_size <= new_size, else
// INVALID_ARGUMENT naming the argument; old_size == new_size gives an empty proof. At
// most 2 * ceil(log2(new_size)) + 1 reads, in one ReadHashes call (none when equal).
absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                                          HashReader& reader);

// Verification, for clients and auditors. Each returns OK when the proof holds, and:
//   INVALID_ARGUMENT  the question itself is malformed: a hash argument that is not 32
//                     bytes, index >= size, old_size == 0, old_size > new_size;
//   DATA_LOSS         the proof does not prove it: wrong proof length, a proof hash that
//                     is not 32 bytes, or the proof does not lead to the given root(s).
//                     From a log this is evidence of misbehaviour (or of corruption).
// A proof binds the leaf to the root, not to the size alone: a proof for size n may also
// check against the same root with a neighbouring size claimed. So take each size and root
// together from one signed checkpoint, never from separate sources.

// RFC 9162 §2.1.3.2: that `leaf_hash` is leaf `index` of the tree of size `size` whose root
// is `root`.
absl::Status VerifyInclusion(absl::string_view leaf_hash, uint64_t index, uint64_t size,
                             const std::vector<std::string>& proof, absl::string_view root);

// RFC 9162 §2.1.4.2: that the tree of size `old_size` with root `old_root` is a prefix of the
// tree of size `new_size` with root `new_root`. For old_size == new_size the proof must be
// empty and the roots equal (two different roots of one size are a fork: DATA_LOSS).
absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, absl::string_view old_root,
                               absl::string_view new_root, const std::vector<std::string>& proof);

}  // namespace sello::domain::merkle

#endif  // SELLO_DAEMON_TLOG_MERKLE_H_

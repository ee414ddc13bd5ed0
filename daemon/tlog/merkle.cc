#include "daemon/tlog/merkle.h"

#include <bit>
#include <cassert>
#include <limits>

#include "absl/strings/str_cat.h"
#include "daemon/domain/crypto.h"

namespace sello::domain::merkle {
namespace {

// The leaves [begin, end) of the tree: the subtree whose MTH a root or proof hash is.
struct LeafRange {
  uint64_t begin;
  uint64_t end;
};

// The largest power of two strictly below n (n >= 2): RFC 9162 §2.1.1's split point k.
uint64_t SplitPoint(uint64_t n) { return uint64_t{1} << (std::bit_width(n - 1) - 1); }

// Appends the stored nodes whose MTHs, folded from the right, give MTH(D[begin:end]):
// one complete subtree per set bit of the range's length, largest first. Valid because
// RFC 9162 §2.1.1 splits D[n] at the largest power of two below n, which for a range
// whose begin is aligned to it is exactly a complete subtree. Every range a root or
// proof asks for starts at 0 or at a multiple of a power of two at least its length.
void AppendStoredNodes(LeafRange range, std::vector<NodeId>& out) {
  uint64_t begin = range.begin;
  while (begin < range.end) {
    const int level = std::bit_width(range.end - begin) - 1;
    assert(begin % (uint64_t{1} << level) == 0);
    out.push_back(NodeId{level, begin >> level});
    begin += uint64_t{1} << level;
  }
}

// RFC 9162 §2.1.3.1 PATH(m, D[n]), unrolled: the subtrees whose MTHs form the audit path,
// in proof order (leaf to root).
std::vector<LeafRange> InclusionRanges(uint64_t index, uint64_t size) {
  std::vector<LeafRange> top_down;
  LeafRange tree{0, size};
  while (tree.end - tree.begin > 1) {
    const uint64_t mid = tree.begin + SplitPoint(tree.end - tree.begin);
    if (index < mid) {  // PATH(m, D[0:k]) : MTH(D[k:n])
      top_down.push_back({mid, tree.end});
      tree.end = mid;
    } else {  // PATH(m - k, D[k:n]) : MTH(D[0:k])
      top_down.push_back({tree.begin, mid});
      tree.begin = mid;
    }
  }
  return {top_down.rbegin(), top_down.rend()};
}

// RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], b), unrolled: the subtrees whose MTHs form the
// consistency proof, in proof order. Requires 0 < old_size < new_size.
std::vector<LeafRange> ConsistencyRanges(uint64_t old_size, uint64_t new_size) {
  std::vector<LeafRange> top_down;
  LeafRange tree{0, new_size};
  bool is_old_root = true;  // the b flag: whether D[0:m] is the old tree itself
  while (tree.end != old_size) {
    const uint64_t mid = tree.begin + SplitPoint(tree.end - tree.begin);
    if (old_size <= mid) {  // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
      top_down.push_back({mid, tree.end});
      tree.end = mid;
    } else {  // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
      top_down.push_back({tree.begin, mid});
      tree.begin = mid;
      is_old_root = false;
    }
  }
  // SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}.
  if (!is_old_root) top_down.push_back(tree);
  return {top_down.rbegin(), top_down.rend()};
}

// The MTH of each range, from one ReadHashes call for all the stored nodes they need.
absl::StatusOr<std::vector<std::string>> RangeHashes(const std::vector<LeafRange>& ranges,
                                                     HashReader& reader) {
  std::vector<NodeId> ids;
  std::vector<size_t> first_id;  // ranges[i] folds ids [first_id[i], first_id[i + 1])
  for (const LeafRange& range : ranges) {
    first_id.push_back(ids.size());
    AppendStoredNodes(range, ids);
  }
  first_id.push_back(ids.size());
  if (ids.empty()) return std::vector<std::string>();

  absl::StatusOr<std::vector<std::string>> stored = reader.ReadHashes(ids);
  if (!stored.ok()) return stored.status();
  if (stored->size() != ids.size()) {
    return absl::InternalError(absl::StrCat("hash reader returned ", stored->size(), " hashes for ",
                                            ids.size(), " nodes"));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    if ((*stored)[i].size() != kHashSize) {
      return absl::DataLossError(absl::StrCat("stored hash of node (", ids[i].level, ", ",
                                              ids[i].index, ") has ", (*stored)[i].size(),
                                              " bytes, want ", kHashSize));
    }
  }

  std::vector<std::string> hashes;
  hashes.reserve(ranges.size());
  for (size_t r = 0; r < ranges.size(); ++r) {
    // MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n])), and D[k:n] is the rest.
    std::string hash = std::move((*stored)[first_id[r + 1] - 1]);
    for (size_t i = first_id[r + 1] - 1; i > first_id[r]; --i) {
      hash = NodeHash((*stored)[i - 1], hash);
    }
    hashes.push_back(std::move(hash));
  }
  return hashes;
}

absl::Status CheckHashArgument(absl::string_view name, absl::string_view hash) {
  if (hash.size() == kHashSize) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(name, ": a hash has ", kHashSize, " bytes, got ", hash.size()));
}

absl::Status CheckProofShape(absl::string_view what, const std::vector<std::string>& proof,
                             size_t want_length) {
  if (proof.size() != want_length) {
    return absl::DataLossError(absl::StrCat(what, ": wrong proof length: got ", proof.size(),
                                            " hashes, want ", want_length));
  }
  for (size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != kHashSize) {
      return absl::DataLossError(
          absl::StrCat(what, ": proof[", i, "] has ", proof[i].size(), " bytes, want ", kHashSize));
    }
  }
  return absl::OkStatus();
}

// Right-shifts fn and sn together until fn's lowest bit is set or fn is 0.
void ShiftPastZeroBits(uint64_t& fn, uint64_t& sn) {
  while (fn != 0 && (fn & 1) == 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

}  // namespace

std::string LeafHash(absl::string_view leaf_data) {
  return Sha256(absl::StrCat(absl::string_view("\x00", 1), leaf_data));
}

std::string NodeHash(absl::string_view left, absl::string_view right) {
  return Sha256(absl::StrCat("\x01", left, right));
}

std::string EmptyRootHash() { return Sha256(""); }

absl::StatusOr<std::vector<std::pair<NodeId, std::string>>> HashesForAppend(
    uint64_t leaf_index, absl::string_view leaf_hash, HashReader& reader) {
  if (absl::Status s = CheckHashArgument("leaf_hash", leaf_hash); !s.ok()) return s;
  if (leaf_index == std::numeric_limits<uint64_t>::max()) {
    return absl::InvalidArgumentError("leaf_index: the tree is full");
  }
  // Leaf n completes one parent per trailing 1 bit of n: at each such level the node
  // below is a right child, and its left sibling is already stored.
  const int completed = std::countr_one(leaf_index);
  std::vector<NodeId> siblings;
  siblings.reserve(completed);
  for (int level = 0; level < completed; ++level) {
    siblings.push_back(NodeId{level, (leaf_index >> level) - 1});
  }
  std::vector<std::string> sibling_hashes;
  if (!siblings.empty()) {
    absl::StatusOr<std::vector<std::string>> read = reader.ReadHashes(siblings);
    if (!read.ok()) return read.status();
    if (read->size() != siblings.size()) {
      return absl::InternalError(absl::StrCat("hash reader returned ", read->size(), " hashes for ",
                                              siblings.size(), " nodes"));
    }
    sibling_hashes = *std::move(read);
  }

  std::vector<std::pair<NodeId, std::string>> nodes;
  nodes.emplace_back(NodeId{0, leaf_index}, std::string(leaf_hash));
  for (int level = 0; level < completed; ++level) {
    if (sibling_hashes[level].size() != kHashSize) {
      return absl::DataLossError(absl::StrCat("stored hash of node (", level, ", ",
                                              siblings[level].index, ") has ",
                                              sibling_hashes[level].size(), " bytes"));
    }
    nodes.emplace_back(NodeId{level + 1, leaf_index >> (level + 1)},
                       NodeHash(sibling_hashes[level], nodes.back().second));
  }
  return nodes;
}

absl::StatusOr<std::string> RootHash(uint64_t size, HashReader& reader) {
  if (size == 0) return EmptyRootHash();
  absl::StatusOr<std::vector<std::string>> hashes = RangeHashes({LeafRange{0, size}}, reader);
  if (!hashes.ok()) return hashes.status();
  return std::move(hashes->front());
}

absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t index, uint64_t size,
                                                        HashReader& reader) {
  if (index >= size) {
    return absl::InvalidArgumentError(
        absl::StrCat("index: ", index, " is not a leaf of the tree of size ", size));
  }
  return RangeHashes(InclusionRanges(index, size), reader);
}

absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                                          HashReader& reader) {
  if (old_size == 0) {
    return absl::InvalidArgumentError(
        "old_size: must be positive (every tree extends the empty tree; there is nothing to "
        "prove)");
  }
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("old_size: ", old_size, " is larger than new_size ", new_size));
  }
  if (old_size == new_size) return std::vector<std::string>();
  return RangeHashes(ConsistencyRanges(old_size, new_size), reader);
}

absl::Status VerifyInclusion(absl::string_view leaf_hash, uint64_t index, uint64_t size,
                             const std::vector<std::string>& proof, absl::string_view root) {
  if (absl::Status s = CheckHashArgument("leaf_hash", leaf_hash); !s.ok()) return s;
  if (absl::Status s = CheckHashArgument("root", root); !s.ok()) return s;
  // RFC 9162 §2.1.3.2 step 1.
  if (index >= size) {
    return absl::InvalidArgumentError(
        absl::StrCat("index: ", index, " is not a leaf of the tree of size ", size));
  }
  // The RFC algorithm below also rejects a proof of the wrong length; checking it first
  // gives a clearer message.
  if (absl::Status s =
          CheckProofShape("inclusion proof", proof, InclusionRanges(index, size).size());
      !s.ok()) {
    return s;
  }

  // Steps 2-4.
  uint64_t fn = index;
  uint64_t sn = size - 1;
  std::string r(leaf_hash);
  for (const std::string& p : proof) {
    if (sn == 0) return absl::DataLossError("inclusion proof: wrong proof length: too long");
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      if ((fn & 1) == 0) ShiftPastZeroBits(fn, sn);
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::DataLossError("inclusion proof: wrong proof length: too short");
  if (r != root) {
    return absl::DataLossError(absl::StrCat("inclusion proof does not lead to the root: leaf ",
                                            index, " of tree size ", size, " gives root ",
                                            HexEncode(r), ", want ", HexEncode(root)));
  }
  return absl::OkStatus();
}

namespace {

// VerifyConsistency's arguments: two roots of 32 bytes, 0 < old_size <= new_size.
absl::Status CheckConsistencyArguments(uint64_t old_size, uint64_t new_size,
                                       absl::string_view old_root, absl::string_view new_root) {
  if (absl::Status s = CheckHashArgument("old_root", old_root); !s.ok()) return s;
  if (absl::Status s = CheckHashArgument("new_root", new_root); !s.ok()) return s;
  if (old_size == 0) {
    return absl::InvalidArgumentError(
        "old_size: must be positive (every tree extends the empty tree; there is nothing to "
        "verify)");
  }
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("old_size: ", old_size, " is larger than new_size ", new_size));
  }
  return absl::OkStatus();
}

// RFC 9162 §2.1.4.2, steps 2-7, for old_size < new_size and a proof of the right length:
// the roots of both trees computed from the proof must be the roots given.
absl::Status VerifyConsistencyPath(uint64_t old_size, uint64_t new_size, absl::string_view old_root,
                                   absl::string_view new_root,
                                   const std::vector<std::string>& proof) {
  // Step 2: if old_size is a power of two, the old root is itself the proof's first node.
  std::vector<absl::string_view> path(proof.begin(), proof.end());
  if (std::has_single_bit(old_size)) path.insert(path.begin(), old_root);
  // Steps 3-5.
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  std::string fr(path[0]);
  std::string sr(path[0]);
  // Step 6.
  for (size_t i = 1; i < path.size(); ++i) {
    if (sn == 0) return absl::DataLossError("consistency proof: wrong proof length: too long");
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(path[i], fr);
      sr = NodeHash(path[i], sr);
      if ((fn & 1) == 0) ShiftPastZeroBits(fn, sn);
    } else {
      sr = NodeHash(sr, path[i]);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 7.
  if (sn != 0) return absl::DataLossError("consistency proof: wrong proof length: too short");
  if (fr != old_root) {
    return absl::DataLossError(
        absl::StrCat("consistency proof does not lead to the old root: tree size ", old_size,
                     " gives ", HexEncode(fr), ", want ", HexEncode(old_root)));
  }
  if (sr != new_root) {
    return absl::DataLossError(
        absl::StrCat("consistency proof does not lead to the new root: tree size ", new_size,
                     " gives ", HexEncode(sr), ", want ", HexEncode(new_root)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, absl::string_view old_root,
                               absl::string_view new_root, const std::vector<std::string>& proof) {
  if (absl::Status s = CheckConsistencyArguments(old_size, new_size, old_root, new_root); !s.ok()) {
    return s;
  }
  if (old_size == new_size) {
    if (absl::Status s = CheckProofShape("consistency proof", proof, 0); !s.ok()) return s;
    if (old_root != new_root) {
      return absl::DataLossError(absl::StrCat("two different roots for tree size ", old_size, ": ",
                                              HexEncode(old_root), " and ", HexEncode(new_root)));
    }
    return absl::OkStatus();
  }
  // Step 1 (an empty proof) is covered by the length check.
  if (absl::Status s =
          CheckProofShape("consistency proof", proof, ConsistencyRanges(old_size, new_size).size());
      !s.ok()) {
    return s;
  }
  return VerifyConsistencyPath(old_size, new_size, old_root, new_root, proof);
}

absl::StatusOr<LeafTree> LeafTree::Build(absl::string_view leaf_hashes) {
  if (leaf_hashes.size() % kHashSize != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "leaf_hashes: ", leaf_hashes.size(), " bytes is not a whole number of 32-byte hashes"));
  }
  LeafTree tree;
  tree.levels_.emplace_back(leaf_hashes);
  while (tree.levels_.back().size() >= 2 * kHashSize) {
    const std::string& below = tree.levels_.back();
    std::string level;
    level.reserve(below.size() / (2 * kHashSize) * kHashSize);
    for (size_t at = 0; at + 2 * kHashSize <= below.size(); at += 2 * kHashSize) {
      const absl::string_view pair(below.data() + at, 2 * kHashSize);
      level += NodeHash(pair.substr(0, kHashSize), pair.substr(kHashSize));
    }
    tree.levels_.push_back(std::move(level));
  }
  return tree;
}

absl::StatusOr<std::string> LeafTree::Root() { return RootHash(size(), *this); }

absl::StatusOr<std::vector<std::string>> LeafTree::ReadHashes(const std::vector<NodeId>& ids) {
  std::vector<std::string> hashes;
  hashes.reserve(ids.size());
  for (const NodeId& id : ids) {
    if (id.level < 0 || static_cast<size_t>(id.level) >= levels_.size() ||
        id.index >= levels_[id.level].size() / kHashSize) {
      return absl::NotFoundError(
          absl::StrCat("node (", id.level, ", ", id.index, ") is not in the tree"));
    }
    hashes.push_back(levels_[id.level].substr(id.index * kHashSize, kHashSize));
  }
  return hashes;
}

}  // namespace sello::domain::merkle

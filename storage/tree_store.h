// Where the transparency log's Merkle tree lives: the hashes of complete subtrees in
// Table::kTreeNodes, read through merkle::HashReader.
#ifndef SELLO_STORAGE_TREE_STORE_H_
#define SELLO_STORAGE_TREE_STORE_H_

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "daemon/tlog/merkle.h"
#include "storage/store.h"

namespace sello::storage {

// level (u8) | index (u64 BE).
std::string TreeNodeKey(const domain::merkle::NodeId& id);

// Node hashes already read from the store, kept in memory for the proofs served. A
// stored node is the hash of a complete subtree, so it never changes and a kept copy
// never goes stale. At most `max_nodes` are kept (about 64 bytes each), the first ones
// read: the upper levels, which every proof reads, are among the first; then leaves and
// lower nodes as proofs ask for them, until the bound. Thread-safe.
class TreeNodeCache {
 public:
  explicit TreeNodeCache(size_t max_nodes) : max_nodes_(max_nodes) {}

  // Fills hashes[i] for each i of `wanted` whose node ids[i] is kept, and removes those
  // from `wanted`.
  void Find(const std::vector<domain::merkle::NodeId>& ids, std::vector<size_t>& wanted,
            std::vector<std::string>& hashes) const;
  // Keeps `hash` as node `id` (a node read from the store), unless the cache is full.
  void Add(const domain::merkle::NodeId& id, const std::string& hash);
  size_t size() const;

 private:
  using Hash = std::array<char, domain::merkle::kHashSize>;
  const size_t max_nodes_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<domain::merkle::NodeId, Hash> nodes_ ABSL_GUARDED_BY(mu_);
};

// Reads stored node hashes; nodes written by the change in progress (not committed yet)
// are seen through `Stage`, so that several leaves can be appended in one write. With a
// cache, nodes are looked up there first and the ones read from the store are added to
// it: only for reads of committed nodes (never with staged ones).
class TreeReader final : public domain::merkle::HashReader {
 public:
  explicit TreeReader(const Store& store, TreeNodeCache* cache = nullptr)
      : store_(store), cache_(cache) {}

  absl::StatusOr<std::vector<std::string>> ReadHashes(
      const std::vector<domain::merkle::NodeId>& ids) override;

  // Makes `hash` visible to later reads as node `id` (and adds it to `writes`).
  void Stage(const domain::merkle::NodeId& id, const std::string& hash, WriteSet& writes);

 private:
  const Store& store_;
  TreeNodeCache* const cache_;
  absl::flat_hash_map<domain::merkle::NodeId, std::string> staged_;
};

}  // namespace sello::storage

#endif  // SELLO_STORAGE_TREE_STORE_H_

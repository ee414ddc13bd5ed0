// Where the transparency log's Merkle tree lives: the hashes of complete subtrees in
// Table::kTreeNodes, read through merkle::HashReader.
#ifndef SELLO_STORAGE_TREE_STORE_H_
#define SELLO_STORAGE_TREE_STORE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "daemon/domain/merkle.h"
#include "storage/store.h"

namespace sello::storage {

// level (u8) | index (u64 BE).
std::string TreeNodeKey(const domain::merkle::NodeId& id);

// Reads stored node hashes; nodes written by the change in progress (not committed yet)
// are seen through `Stage`, so that several leaves can be appended in one write.
class TreeReader final : public domain::merkle::HashReader {
 public:
  explicit TreeReader(const Store& store) : store_(store) {}

  absl::StatusOr<std::vector<std::string>> ReadHashes(
      const std::vector<domain::merkle::NodeId>& ids) override;

  // Makes `hash` visible to later reads as node `id` (and adds it to `writes`).
  void Stage(const domain::merkle::NodeId& id, const std::string& hash, WriteSet& writes);

 private:
  const Store& store_;
  absl::flat_hash_map<domain::merkle::NodeId, std::string> staged_;
};

}  // namespace sello::storage

#endif  // SELLO_STORAGE_TREE_STORE_H_

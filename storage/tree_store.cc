#include "storage/tree_store.h"

#include "absl/strings/str_cat.h"
#include "storage/keys.h"

namespace sello::storage {

std::string TreeNodeKey(const domain::merkle::NodeId& id) {
  return std::string(1, static_cast<char>(id.level)) + EncodeU64(id.index);
}

absl::StatusOr<std::vector<std::string>> TreeReader::ReadHashes(
    const std::vector<domain::merkle::NodeId>& ids) {
  std::vector<std::string> hashes;
  hashes.reserve(ids.size());
  for (const domain::merkle::NodeId& id : ids) {
    if (auto staged = staged_.find(id); staged != staged_.end()) {
      hashes.push_back(staged->second);
      continue;
    }
    absl::StatusOr<std::optional<std::string>> hash =
        store_.Get(Table::kTreeNodes, TreeNodeKey(id));
    if (!hash.ok()) return hash.status();
    if (!hash->has_value() || (*hash)->size() != domain::merkle::kHashSize) {
      return absl::DataLossError(absl::StrCat("tree_nodes: node (level ", id.level, ", index ",
                                              id.index, ") is missing or damaged"));
    }
    hashes.push_back(**std::move(hash));
  }
  return hashes;
}

void TreeReader::Stage(const domain::merkle::NodeId& id, const std::string& hash,
                       WriteSet& writes) {
  staged_[id] = hash;
  writes.Put(Table::kTreeNodes, TreeNodeKey(id), hash);
}

}  // namespace sello::storage

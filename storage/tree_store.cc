#include "storage/tree_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "storage/keys.h"

namespace sello::storage {

std::string TreeNodeKey(const domain::merkle::NodeId& id) {
  return std::string(1, static_cast<char>(id.level)) + EncodeU64(id.index);
}

absl::StatusOr<std::vector<std::string>> TreeReader::ReadHashes(
    const std::vector<domain::merkle::NodeId>& ids) {
  // The nodes not staged here (nor kept in the cache), read in one batch (a proof's
  // O(log n) nodes).
  std::vector<std::string> hashes(ids.size());
  std::vector<size_t> stored;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (auto staged = staged_.find(ids[i]); staged != staged_.end()) {
      hashes[i] = staged->second;
    } else {
      stored.push_back(i);
    }
  }
  if (cache_ != nullptr && !stored.empty()) cache_->Find(ids, stored, hashes);
  std::vector<std::string> keys;
  keys.reserve(stored.size());
  for (size_t i : stored) keys.push_back(TreeNodeKey(ids[i]));
  if (keys.empty()) return hashes;
  absl::StatusOr<std::vector<std::optional<std::string>>> found =
      store_.MultiGet(Table::kTreeNodes, keys);
  if (!found.ok()) return found.status();
  for (size_t j = 0; j < stored.size(); ++j) {
    std::optional<std::string>& hash = (*found)[j];
    if (!hash.has_value() || hash->size() != domain::merkle::kHashSize) {
      const domain::merkle::NodeId& id = ids[stored[j]];
      return absl::DataLossError(absl::StrCat("tree_nodes: node (level ", id.level, ", index ",
                                              id.index, ") is missing or damaged"));
    }
    if (cache_ != nullptr) cache_->Add(ids[stored[j]], *hash);
    hashes[stored[j]] = *std::move(hash);
  }
  return hashes;
}

void TreeNodeCache::Find(const std::vector<domain::merkle::NodeId>& ids,
                         std::vector<size_t>& wanted, std::vector<std::string>& hashes) const {
  absl::ReaderMutexLock lock(&mu_);
  if (nodes_.empty()) return;
  size_t kept = 0;
  for (size_t i : wanted) {
    if (auto node = nodes_.find(ids[i]); node != nodes_.end()) {
      hashes[i].assign(node->second.data(), node->second.size());
    } else {
      wanted[kept++] = i;
    }
  }
  wanted.resize(kept);
}

void TreeNodeCache::Add(const domain::merkle::NodeId& id, const std::string& hash) {
  if (hash.size() != domain::merkle::kHashSize) return;
  absl::MutexLock lock(&mu_);
  if (nodes_.size() >= max_nodes_) return;
  Hash& kept = nodes_[id];
  std::copy(hash.begin(), hash.end(), kept.begin());
}

size_t TreeNodeCache::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return nodes_.size();
}

void TreeReader::Stage(const domain::merkle::NodeId& id, const std::string& hash,
                       WriteSet& writes) {
  staged_[id] = hash;
  writes.Put(Table::kTreeNodes, TreeNodeKey(id), hash);
}

}  // namespace sello::storage

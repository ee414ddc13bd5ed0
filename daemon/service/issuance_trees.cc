#include "daemon/service/issuance_trees.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/records.h"

namespace sello::service {

absl::StatusOr<std::shared_ptr<domain::merkle::LeafTree>> IssuanceTreeCache::Get(
    const storage::Store& store, absl::string_view issuance_id) {
  {
    absl::MutexLock lock(&mu_);
    auto found = trees_.find(issuance_id);
    if (found != trees_.end()) return found->second;
  }
  absl::StatusOr<std::optional<std::string>> leaves =
      store.Get(storage::Table::kIssuances, storage::IssuanceLeavesKey(issuance_id));
  if (!leaves.ok()) return leaves.status();
  absl::StatusOr<domain::merkle::LeafTree> built =
      domain::merkle::LeafTree::Build(leaves->value_or(""));
  // Stored leaves that are not whole hashes are damage, not a bad request.
  if (!built.ok()) {
    return absl::DataLossError(absl::StrCat(
        "issuance ", issuance_id, ": stored leaves unreadable (", built.status().message(), ")"));
  }
  auto tree = std::make_shared<domain::merkle::LeafTree>(*std::move(built));
  const size_t size = tree->size();
  if (size <= max_leaves_) {
    absl::MutexLock lock(&mu_);
    if (leaves_ + size > max_leaves_) {
      trees_.clear();
      leaves_ = 0;
    }
    if (trees_.try_emplace(issuance_id, tree).second) leaves_ += size;
  }
  return tree;
}

}  // namespace sello::service

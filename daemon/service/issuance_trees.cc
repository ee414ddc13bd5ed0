#include "daemon/service/issuance_trees.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "daemon/domain/event_rules.h"
#include "storage/loaders.h"
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
      storage::LoadIssuanceLeaves(store, issuance_id);
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

absl::StatusOr<std::shared_ptr<const v1::SealProof>> IssuanceProofCache::Get(
    const storage::Store& store, const storage::TransparencyLog& log, absl::string_view issuance_id,
    uint64_t tree_size) {
  absl::StatusOr<uint64_t> seq =
      storage::LatestEventFor(store, domain::Subject(domain::kSealIssuanceRecord, issuance_id));
  if (!seq.ok()) return seq.status();
  // The event's seq names the record too: a record changes only with a new event.
  const std::string key = absl::StrCat(issuance_id, "/", *seq, "/", tree_size);
  {
    absl::MutexLock lock(&mu_);
    auto found = proofs_.find(key);
    if (found != proofs_.end()) return found->second;
  }
  auto shared = std::make_shared<v1::SealProof>();
  if (*seq <= tree_size) {
    absl::StatusOr<std::vector<std::string>> path = log.InclusionProof(*seq - 1, tree_size);
    if (!path.ok()) return path.status();
    absl::StatusOr<std::optional<std::string>> event = storage::LoadEventData(store, *seq);
    if (!event.ok()) return event.status();
    v1::GetInclusionProofResponse* proven = shared->mutable_issuance_event();
    proven->mutable_event()->set_seq(*seq);
    proven->mutable_event()->set_leaf_data(event->value_or(""));
    proven->mutable_event()->set_leaf_hash(domain::merkle::LeafHash(event->value_or("")));
    proven->mutable_event()->mutable_event()->ParseFromString(event->value_or(""));
    proven->set_leaf_index(*seq - 1);
    proven->set_tree_size(tree_size);
    for (auto& hash : *path) proven->add_hashes(std::move(hash));
  }
  absl::StatusOr<std::optional<std::string>> record =
      storage::LoadIssuanceBytes(store, issuance_id);
  if (!record.ok()) return record.status();
  shared->set_issuance_record(record->value_or(""));
  absl::MutexLock lock(&mu_);
  if (proofs_.size() >= max_entries_) proofs_.clear();
  proofs_.insert_or_assign(key, shared);
  return shared;
}

}  // namespace sello::service

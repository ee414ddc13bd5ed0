#include "storage/overlay_store.h"

#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <vector>

#include "absl/strings/match.h"

namespace sello::storage {
namespace {

// Visits the base scan's entries merged with `pending` (in visiting order for the
// direction): a pending entry replaces the base entry of the same key, a pending delete
// hides it, and the visitor may stop the whole merge.
absl::Status Merge(const std::vector<const WriteSet::Op*>& pending, bool forward,
                   const ScanVisitor& visit,
                   const std::function<absl::Status(const ScanVisitor&)>& scan_base) {
  size_t next = 0;
  bool stopped = false;
  // Emits the pending entries that come before `limit` (all of them when null); false
  // when the visitor stopped.
  const auto emit_before = [&](const absl::string_view* limit) {
    for (; next < pending.size() && (limit == nullptr || (forward ? pending[next]->key < *limit
                                                                  : pending[next]->key > *limit));
         ++next) {
      const WriteSet::Op& op = *pending[next];
      if (op.value.has_value() && !visit(op.key, *op.value)) return false;
    }
    return true;
  };
  absl::Status status = scan_base([&](absl::string_view key, absl::string_view value) {
    if (!emit_before(&key)) {
      stopped = true;
      return false;
    }
    if (next < pending.size() && pending[next]->key == key) {
      const WriteSet::Op& op = *pending[next++];
      if (!op.value.has_value()) return true;  // deleted
      value = *op.value;
    }
    if (!visit(key, value)) {
      stopped = true;
      return false;
    }
    return true;
  });
  if (!status.ok() || stopped) return status;
  emit_before(nullptr);
  return absl::OkStatus();
}

}  // namespace

void Overlay::Add(const WriteSet& writes, size_t from, uint64_t group) {
  Index& index = groups_[group];
  const auto& ops = writes.ops();
  for (auto op = ops.begin() + static_cast<std::ptrdiff_t>(from); op != ops.end(); ++op) {
    TableIndex& table = index[op->table];
    table.by_key.insert_or_assign(absl::string_view(op->key), &*op);
    table.stale = true;
  }
}

void Overlay::Retire(uint64_t group) { groups_.erase(group); }

const WriteSet::Op* Overlay::Find(Table table, absl::string_view key) const {
  for (auto group = groups_.rbegin(); group != groups_.rend(); ++group) {
    auto in_table = group->second.find(table);
    if (in_table == group->second.end()) continue;
    auto found = in_table->second.by_key.find(key);
    if (found != in_table->second.by_key.end()) return found->second;
  }
  return nullptr;
}

std::vector<const WriteSet::Op*> Overlay::InPrefix(Table table, absl::string_view prefix) const {
  // Oldest group first, so that a newer operation on the same key replaces it.
  std::map<absl::string_view, const WriteSet::Op*> merged;
  for (auto& [id, index] : groups_) {
    auto in_table = index.find(table);
    if (in_table == index.end()) continue;
    TableIndex& ops = in_table->second;
    if (ops.stale) {
      ops.sorted.clear();
      ops.sorted.reserve(ops.by_key.size());
      for (const auto& [key, op] : ops.by_key) ops.sorted.push_back(op);
      std::sort(ops.sorted.begin(), ops.sorted.end(),
                [](const WriteSet::Op* a, const WriteSet::Op* b) { return a->key < b->key; });
      ops.stale = false;
    }
    auto it = std::lower_bound(
        ops.sorted.begin(), ops.sorted.end(), prefix,
        [](const WriteSet::Op* op, absl::string_view key) { return op->key < key; });
    for (; it != ops.sorted.end() && absl::StartsWith((*it)->key, prefix); ++it) {
      merged.insert_or_assign((*it)->key, *it);
    }
  }
  std::vector<const WriteSet::Op*> found;
  found.reserve(merged.size());
  for (const auto& [key, op] : merged) found.push_back(op);
  return found;
}

absl::StatusOr<std::optional<std::string>> OverlayStore::Get(Table table,
                                                             absl::string_view key) const {
  if (const WriteSet::Op* pending = overlay_.Find(table, key)) return pending->value;
  if (cache_ == nullptr || !CommittedCache::Keeps(table)) return base_.Get(table, key);
  if (const std::optional<std::string>* kept = cache_->Find(table, key)) return *kept;
  absl::StatusOr<std::optional<std::string>> value = base_.Get(table, key);
  if (value.ok()) cache_->Fill(table, key, *value);
  return value;
}

bool CommittedCache::Keeps(Table table) {
  return table == Table::kStatsCertifiers || table == Table::kStatsCriteria;
}

std::string CommittedCache::EntryKey(Table table, absl::string_view key) {
  std::string entry(1, static_cast<char>(table));
  entry.append(key.data(), key.size());
  return entry;
}

const std::optional<std::string>* CommittedCache::Find(Table table, absl::string_view key) const {
  if (entries_.empty()) return nullptr;
  auto entry = entries_.find(EntryKey(table, key));
  return entry == entries_.end() ? nullptr : &entry->second;
}

void CommittedCache::Fill(Table table, absl::string_view key,
                          const std::optional<std::string>& value) {
  if (entries_.size() >= max_entries_) entries_.clear();
  entries_.insert_or_assign(EntryKey(table, key), value);
}

void CommittedCache::Apply(const WriteSet& writes) {
  for (const WriteSet::Op& op : writes.ops()) {
    if (!Keeps(op.table)) continue;
    if (entries_.size() >= max_entries_) entries_.clear();
    entries_.insert_or_assign(EntryKey(op.table, op.key), op.value);
  }
}

absl::StatusOr<std::vector<std::optional<std::string>>> OverlayStore::MultiGet(
    Table table, const std::vector<std::string>& keys) const {
  std::vector<std::optional<std::string>> values(keys.size());
  // The keys the overlay does not hold, looked up in the base in one batch.
  std::vector<size_t> missing;
  std::vector<std::string> missing_keys;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (const WriteSet::Op* pending = overlay_.Find(table, keys[i])) {
      values[i] = pending->value;
    } else {
      missing.push_back(i);
      missing_keys.push_back(keys[i]);
    }
  }
  if (missing.empty()) return values;
  absl::StatusOr<std::vector<std::optional<std::string>>> base =
      base_.MultiGet(table, missing_keys);
  if (!base.ok()) return base.status();
  for (size_t j = 0; j < missing.size(); ++j) values[missing[j]] = std::move((*base)[j]);
  return values;
}

absl::Status OverlayStore::Scan(Table table, absl::string_view prefix, absl::string_view after,
                                const ScanVisitor& visit) const {
  std::vector<const WriteSet::Op*> pending = overlay_.InPrefix(table, prefix);
  if (pending.empty()) return base_.Scan(table, prefix, after, visit);
  std::erase_if(pending,
                [&](const WriteSet::Op* op) { return !after.empty() && op->key <= after; });
  return Merge(pending, /*forward=*/true, visit,
               [&](const ScanVisitor& merged) { return base_.Scan(table, prefix, after, merged); });
}

absl::Status OverlayStore::ScanReverse(Table table, absl::string_view prefix,
                                       const ScanVisitor& visit) const {
  std::vector<const WriteSet::Op*> pending = overlay_.InPrefix(table, prefix);
  if (pending.empty()) return base_.ScanReverse(table, prefix, visit);
  std::reverse(pending.begin(), pending.end());
  return Merge(pending, /*forward=*/false, visit,
               [&](const ScanVisitor& merged) { return base_.ScanReverse(table, prefix, merged); });
}

absl::Status OverlayStore::Write(const WriteSet&) {
  return absl::FailedPreconditionError("an overlay view is read-only");
}

}  // namespace sello::storage

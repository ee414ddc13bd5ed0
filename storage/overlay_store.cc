#include "storage/overlay_store.h"

#include <algorithm>
#include <functional>
#include <vector>

#include "absl/strings/match.h"

namespace sello::storage {
namespace {

using Key = std::pair<Table, std::string>;

// The overlay entries of `table` whose key starts with `prefix`, in key order.
std::vector<std::pair<absl::string_view, const Overlay::Entry*>> InPrefix(
    const Overlay::Map& entries, Table table, absl::string_view prefix) {
  std::vector<std::pair<absl::string_view, const Overlay::Entry*>> found;
  for (auto it = entries.lower_bound(Key(table, std::string(prefix)));
       it != entries.end() && it->first.first == table &&
       absl::StartsWith(it->first.second, prefix);
       ++it) {
    found.emplace_back(it->first.second, &it->second);
  }
  return found;
}

// Visits the base scan's entries merged with `pending` (in visiting order for the
// direction): a pending entry replaces the base entry of the same key, a pending delete
// hides it, and the visitor may stop the whole merge.
absl::Status Merge(const std::vector<std::pair<absl::string_view, const Overlay::Entry*>>& pending,
                   bool forward, const ScanVisitor& visit,
                   const std::function<absl::Status(const ScanVisitor&)>& scan_base) {
  size_t next = 0;
  bool stopped = false;
  // Emits the pending entries that come before `limit` (all of them when null); false
  // when the visitor stopped.
  const auto emit_before = [&](const absl::string_view* limit) {
    for (; next < pending.size() && (limit == nullptr || (forward ? pending[next].first < *limit
                                                                  : pending[next].first > *limit));
         ++next) {
      const Overlay::Entry& entry = *pending[next].second;
      if (entry.value.has_value() && !visit(pending[next].first, *entry.value)) return false;
    }
    return true;
  };
  absl::Status status = scan_base([&](absl::string_view key, absl::string_view value) {
    if (!emit_before(&key)) {
      stopped = true;
      return false;
    }
    if (next < pending.size() && pending[next].first == key) {
      const Overlay::Entry& entry = *pending[next++].second;
      if (!entry.value.has_value()) return true;  // deleted
      value = *entry.value;
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

void Overlay::Add(const WriteSet& writes, uint64_t group) {
  for (const WriteSet::Op& op : writes.ops()) {
    Entry& entry = entries_[Key(op.table, op.key)];
    entry.value = op.value;
    entry.group = group;
  }
}

void Overlay::Retire(uint64_t group) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = it->second.group == group ? entries_.erase(it) : std::next(it);
  }
}

absl::StatusOr<std::optional<std::string>> OverlayStore::Get(Table table,
                                                             absl::string_view key) const {
  auto found = overlay_.entries().find(Key(table, std::string(key)));
  if (found != overlay_.entries().end()) return found->second.value;
  return base_.Get(table, key);
}

absl::Status OverlayStore::Scan(Table table, absl::string_view prefix, absl::string_view after,
                                const ScanVisitor& visit) const {
  auto pending = InPrefix(overlay_.entries(), table, prefix);
  if (pending.empty()) return base_.Scan(table, prefix, after, visit);
  std::erase_if(pending, [&](const auto& entry) { return !after.empty() && entry.first <= after; });
  return Merge(pending, /*forward=*/true, visit,
               [&](const ScanVisitor& merged) { return base_.Scan(table, prefix, after, merged); });
}

absl::Status OverlayStore::ScanReverse(Table table, absl::string_view prefix,
                                       const ScanVisitor& visit) const {
  auto pending = InPrefix(overlay_.entries(), table, prefix);
  if (pending.empty()) return base_.ScanReverse(table, prefix, visit);
  std::reverse(pending.begin(), pending.end());
  return Merge(pending, /*forward=*/false, visit,
               [&](const ScanVisitor& merged) { return base_.ScanReverse(table, prefix, merged); });
}

absl::Status OverlayStore::Write(const WriteSet&) {
  return absl::FailedPreconditionError("an overlay view is read-only");
}

}  // namespace sello::storage

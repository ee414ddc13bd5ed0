// Writes that are sequenced but not yet durable, and a read view that sees them over
// the durable store. The ledger's group commit runs each change against this view, so
// that a change sees the changes sequenced before it in the same group.
#ifndef SELLO_STORAGE_OVERLAY_STORE_H_
#define SELLO_STORAGE_OVERLAY_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "storage/store.h"

namespace sello::storage {

// The pending operations by (table, key), each tagged with the group that wrote it.
// Not thread-safe: the ledger guards it.
class Overlay {
 public:
  struct Entry {
    std::optional<std::string> value;  // nullopt: deleted
    uint64_t group = 0;
  };
  using Map = std::map<std::pair<Table, std::string>, Entry, std::less<>>;

  // Records every operation of `writes` as written by `group` (later ones win).
  void Add(const WriteSet& writes, uint64_t group);
  // Forgets the entries `group` wrote that no later group overwrote: they are durable.
  void Retire(uint64_t group);
  void Clear() { entries_.clear(); }
  bool empty() const { return entries_.empty(); }
  const Map& entries() const { return entries_; }

 private:
  Map entries_;
};

// The durable `base` as it will be once the overlay is written: Get, Scan and ScanReverse
// merge the two. Read-only (Write is FAILED_PRECONDITION).
class OverlayStore final : public Store {
 public:
  OverlayStore(const Store& base, const Overlay& overlay) : base_(base), overlay_(overlay) {}

  absl::StatusOr<std::optional<std::string>> Get(Table table, absl::string_view key) const override;
  absl::Status Scan(Table table, absl::string_view prefix, absl::string_view after,
                    const ScanVisitor& visit) const override;
  absl::Status ScanReverse(Table table, absl::string_view prefix,
                           const ScanVisitor& visit) const override;
  absl::Status Write(const WriteSet& writes) override;

 private:
  const Store& base_;
  const Overlay& overlay_;
};

}  // namespace sello::storage

#endif  // SELLO_STORAGE_OVERLAY_STORE_H_

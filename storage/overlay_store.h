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
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "storage/store.h"

namespace sello::storage {

// The pending operations by (table, key): for each group not yet durable, an index of
// the operations it wrote. The operations themselves stay where the ledger keeps them
// (the group's WriteSet, whose operations never move: see WriteSet), so adding a change
// copies no key or value, and retiring a group drops its index whole. A lookup asks the
// groups newest first; there are at most a few (the one being written, the one forming).
// Every use, even a lookup, must hold the ledger's lock (scans sort the index lazily).
// Not thread-safe: the ledger guards it.
class Overlay {
 public:
  // Indexes the operations of `writes` from position `from` on as written by `group`
  // (later ones win). `writes` must outlive the group's entries here (Retire or Clear)
  // and only grow meanwhile.
  void Add(const WriteSet& writes, size_t from, uint64_t group);
  // Forgets what `group` wrote: it is durable.
  void Retire(uint64_t group);
  void Clear() { groups_.clear(); }
  bool empty() const { return groups_.empty(); }

  // The pending operation on `key` of `table` (the newest), or nullptr when none.
  const WriteSet::Op* Find(Table table, absl::string_view key) const;
  // The pending operations on keys of `table` starting with `prefix` (the newest for
  // each key), in key order.
  std::vector<const WriteSet::Op*> InPrefix(Table table, absl::string_view prefix) const;

 private:
  // One group's operations on one table, keyed by views of their own keys: a hash map
  // for lookups, and the same sorted for scans, rebuilt by the first scan after an Add
  // (lookups far outnumber scans, and a group of 10,000 seals is never scanned whole).
  struct TableIndex {
    absl::flat_hash_map<absl::string_view, const WriteSet::Op*> by_key;
    std::vector<const WriteSet::Op*> sorted;
    bool stale = false;
  };
  using Index = absl::flat_hash_map<Table, TableIndex>;
  // Mutable for the sorted views that scans build on demand (under the ledger's lock).
  mutable std::map<uint64_t, Index> groups_;
};

// The durable values of a few small tables that nearly every change reads and rewrites
// (the statistics cells: a submission adds to one cell per criterion), kept in memory so
// that those reads skip RocksDB. Filled by the overlay view's reads of the durable store,
// brought up to date as each group becomes durable (before the overlay retires it, so
// no read sees a stale value between the two), and dropped whole when a write fails or
// it holds `max_entries`. A key with pending writes is answered by the overlay first,
// so a value read from the durable store cannot change until the overlay holds a newer
// one — provided every write to these tables goes through the ledger once changes run
// (service::EnsureAggregates writes them directly, at start, before any change).
// Not thread-safe: the ledger guards it, like the Overlay.
class CommittedCache {
 public:
  explicit CommittedCache(size_t max_entries) : max_entries_(max_entries) {}

  static bool Keeps(Table table);
  // The durable value at `key` (nullopt inside: there is none), or nullptr when unknown.
  const std::optional<std::string>* Find(Table table, absl::string_view key) const;
  // Keeps `value`, just read from the durable store, for `key`.
  void Fill(Table table, absl::string_view key, const std::optional<std::string>& value);
  // `writes` are durable.
  void Apply(const WriteSet& writes);
  void Clear() { entries_.clear(); }
  size_t size() const { return entries_.size(); }

 private:
  static std::string EntryKey(Table table, absl::string_view key);
  const size_t max_entries_;
  absl::flat_hash_map<std::string, std::optional<std::string>> entries_;
};

// The durable `base` as it will be once the overlay is written: Get, Scan and ScanReverse
// merge the two. Read-only (Write is FAILED_PRECONDITION).
class OverlayStore final : public Store {
 public:
  // With a cache, reads of the tables it keeps that the overlay does not answer go to
  // the cache, then to `base` (filling the cache).
  OverlayStore(const Store& base, const Overlay& overlay, CommittedCache* cache = nullptr)
      : base_(base), overlay_(overlay), cache_(cache) {}

  absl::StatusOr<std::optional<std::string>> Get(Table table, absl::string_view key) const override;
  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      Table table, const std::vector<std::string>& keys) const override;
  absl::Status Scan(Table table, absl::string_view prefix, absl::string_view after,
                    const ScanVisitor& visit) const override;
  absl::Status ScanReverse(Table table, absl::string_view prefix,
                           const ScanVisitor& visit) const override;
  absl::Status Write(const WriteSet& writes) override;

 private:
  const Store& base_;
  const Overlay& overlay_;
  CommittedCache* const cache_;
};

}  // namespace sello::storage

#endif  // SELLO_STORAGE_OVERLAY_STORE_H_

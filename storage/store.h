// The key-value store Sello keeps its records in, as an interface of our own: the
// domain and gRPC layers never see RocksDB types. RocksStore (rocks_store.h) is the
// real implementation.
#ifndef SELLO_STORAGE_STORE_H_
#define SELLO_STORAGE_STORE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sello::storage {

// One table per record kind and per index (a RocksDB column family each).
enum class Table : uint8_t {
  kMeta,                       // daemon-wide values (schema version, last event, ...)
  kEvents,                     // seq (u64 BE) -> sello.v1.Event
  kOrganisations,              // org id -> sello.v1.Organisation
  kOrganisationsByKind,        // kind (u8) \0 org id -> ""
  kSites,                      // site id -> sello.v1.Site
  kSitesByFirm,                // firm id \0 site id -> ""
  kTokens,                     // token id -> sello.internal.StoredToken
  kTokensByHash,               // SHA-256 of the secret -> token id
  kTokensByOrg,                // org id \0 token id -> ""
  kStandards,                  // standard id -> sello.v1.Standard
  kStandardVersions,           // standard id \0 version (u32 BE) -> sello.v1.StandardVersion
  kTreeNodes,                  // level (u8) | index (u64 BE) -> SHA-256 of a complete subtree
  kEventsBySubject,            // subject \0 seq (u64 BE) -> ""
  kAccreditations,             // accreditation id -> sello.v1.Accreditation
  kAccreditationsByCertifier,  // certifier id \0 accreditation id -> ""
  kLots,                       // lot id -> sello.v1.Lot
  kLotsBySite,                 // site id \0 lot id -> ""
  kLotsByFirm,                 // firm id \0 lot id -> ""
  kInspections,                // inspection id -> sello.v1.Inspection
  kInspectionsBySite,          // site id \0 date (u64 BE micros) \0 id -> ""
  kInspectionsByFirm,          // firm id \0 date \0 id -> ""
  kInspectionsByLot,           // lot id \0 date \0 id -> ""
  kInspectionsByCertifier,     // certifier id \0 date \0 id -> ""
  kInspectionsByStandard,      // standard id \0 date \0 id -> ""
  kInspectionsByDate,          // date \0 id -> ""
  kInspectionRequests,         // certifier id \0 request id -> inspection id
  kSeals,                      // SealCodeKey(code) -> sello.v1.Seal (own fields, records.h)
  kSealsByLot,                 // lot id \0 code -> "" (seals stored whole only)
  kIssuances,                  // issuance id -> sello.v1.SealIssuance; id \0 "leaves",
                               // id \0 "codes", id \0 "template" (the seals' shared fields)
  kIssuanceRequests,           // certifier id \0 request id -> issuance id
  kNorms,                      // norm id -> sello.v1.Norm
  kAppeals,                    // appeal id -> sello.v1.Appeal
  kAppealsByInspection,        // inspection id \0 appeal id -> ""
  kAppealsByFirm,              // firm id \0 filing date \0 appeal id -> ""
  kAppealsByCertifier,         // original or assigned certifier \0 filing date \0 id -> ""
  kAppealsByDate,              // filing date \0 appeal id -> ""
  kStatsCertifiers,            // standard \0 stages \0 month (u32 BE) \0 certifier \0 recording
                               // \0 firm -> CertifierCell (stats_store.h)
  kStatsCriteria,              // standard \0 version \0 criterion \0 month \0 recording \0 firm
                               // -> CriterionCell
  kIssuancesByLot,             // lot id \0 issuance id -> "" (their codes: the issuance's)
  kSealChanges,                // change id -> sello.v1.SealStatusChange (a seals.* event's record)
  kIssuancesByCertifier,       // certifier id \0 issuance id -> ""
  kIssuancesByVersion,         // standard id \0 version (u32 BE) \0 issuance id -> ""
  kNormsByVersion,             // standard id \0 version (u32 BE) \0 norm id -> ""
};
inline constexpr int kTableCount = static_cast<int>(Table::kNormsByVersion) + 1;

// The column family name of a table (stable: it is on disk).
absl::string_view TableName(Table table);

// A set of puts and deletes applied all together or not at all. Its operations never
// move once added (a deque): the ledger's overlay indexes them where they are.
class WriteSet {
 public:
  struct Op {
    Table table;
    std::string key;
    std::optional<std::string> value;  // nullopt: delete
  };

  void Put(Table table, std::string key, std::string value) {
    ops_.push_back({table, std::move(key), std::move(value)});
  }
  void Delete(Table table, std::string key) {
    ops_.push_back({table, std::move(key), std::nullopt});
  }
  const std::deque<Op>& ops() const { return ops_; }
  size_t size() const { return ops_.size(); }
  // Moves every operation of `other` to the end of this set (those already here stay
  // where they are).
  void Append(WriteSet&& other) {
    if (ops_.empty()) {
      ops_ = std::move(other.ops_);
    } else {
      for (Op& op : other.ops_) ops_.push_back(std::move(op));
    }
    other.ops_.clear();
  }
  // The last operation on `key` of `table` in this set, or nullptr: for a change that
  // reads back what it wrote earlier (a linear scan; meant for small sets).
  const Op* Last(Table table, absl::string_view key) const {
    for (auto op = ops_.rbegin(); op != ops_.rend(); ++op) {
      if (op->table == table && op->key == key) return &*op;
    }
    return nullptr;
  }
  bool empty() const { return ops_.empty(); }
  // About the bytes these operations take in the write-ahead log: each key and value, and
  // a record's tag, table and lengths (at most 16 bytes). The table files they become take
  // less (compressed, shared key prefixes). For admission against a space limit.
  uint64_t ApproximateBytes() const {
    uint64_t bytes = 0;
    for (const Op& op : ops_) {
      bytes += op.key.size() + (op.value.has_value() ? op.value->size() : 0) + 16;
    }
    return bytes;
  }

 private:
  std::deque<Op> ops_;
};

// Called for each entry of a scan; return false to stop.
using ScanVisitor = std::function<bool(absl::string_view key, absl::string_view value)>;

// A durable, ordered key-value store with atomic multi-table writes. Thread-safe.
class Store {
 public:
  virtual ~Store() = default;

  // The value at `key`, or nullopt when there is none.
  virtual absl::StatusOr<std::optional<std::string>> Get(Table table,
                                                         absl::string_view key) const = 0;

  // The values at `keys` of one table, in the same order (nullopt where there is none):
  // one batched lookup, much cheaper per key than as many Get calls. Fails as a whole if
  // any lookup fails.
  virtual absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      Table table, const std::vector<std::string>& keys) const {
    std::vector<std::optional<std::string>> values;
    values.reserve(keys.size());
    for (const std::string& key : keys) {
      absl::StatusOr<std::optional<std::string>> value = Get(table, key);
      if (!value.ok()) return value.status();
      values.push_back(*std::move(value));
    }
    return values;
  }

  // Visits, in key order, the entries whose key starts with `prefix` and sorts
  // strictly after `after` (all of them when `after` is empty).
  virtual absl::Status Scan(Table table, absl::string_view prefix, absl::string_view after,
                            const ScanVisitor& visit) const = 0;

  // Visits, in reverse key order, the entries whose key starts with `prefix`.
  virtual absl::Status ScanReverse(Table table, absl::string_view prefix,
                                   const ScanVisitor& visit) const = 0;

  // An online, consistent backup into `dir` (created if missing; earlier backups there
  // are kept and share unchanged files), verified against its checksums. Writes may go
  // on meanwhile. UNIMPLEMENTED for stores that cannot.
  struct BackupInfo {
    uint32_t id = 0;
    uint64_t bytes = 0;
    uint32_t files = 0;
  };
  virtual absl::StatusOr<BackupInfo> Backup(const std::string& dir) {
    (void)dir;
    return absl::UnimplementedError("this store cannot make backups");
  }

  // A figure about the store for monitoring, e.g. estimated keys or WAL syncs so far.
  struct Figure {
    std::string name;  // lower_snake_case, unit-suffixed (_bytes, _seconds, _total)
    std::string help;
    bool counter = false;  // only ever grows (else: a gauge)
    double value = 0;
  };
  virtual std::vector<Figure> Figures() const { return {}; }

  // Applies every operation atomically and durably (synced to disk) before returning.
  // A failed write may or may not have reached the disk, so the store then refuses
  // further writes until it knows: when the disk (or the store's space limit) is full,
  // with RESOURCE_EXHAUSTED until there is room again and the store has read back what
  // the disk holds (which may include the failed write, whole); after any other I/O
  // error, with UNAVAILABLE until it is restarted. Reads go on meanwhile.
  virtual absl::Status Write(const WriteSet& writes) = 0;

  // Whether a write would be accepted now: OK, or the error it would get (see Write).
  // Cheap; for health checks and for refusing a change before it is sequenced.
  virtual absl::Status Writable() const { return absl::OkStatus(); }

  // Whether `bytes` more (WriteSet::ApproximateBytes of the writes admitted and not yet
  // written, this one included) fit under the store's space limit: OK, or
  // RESOURCE_EXHAUSTED naming the limit, so that a large write is refused whole before it
  // takes the store past the limit. Smaller writes may still fit: Writable() stays OK.
  // Cheap; called for every change that writes.
  virtual absl::Status AdmitBytes(uint64_t bytes) const {
    (void)bytes;
    return absl::OkStatus();
  }
};

}  // namespace sello::storage

#endif  // SELLO_STORAGE_STORE_H_

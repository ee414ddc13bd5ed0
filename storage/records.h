// Typed access to the records in the store: how each kind of record and its index
// entries are keyed, loaded and written, and paginated listing over any table.
#ifndef SELLO_STORAGE_RECORDS_H_
#define SELLO_STORAGE_RECORDS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "sello/internal/records.pb.h"
#include "sello/v1/accreditation.pb.h"
#include "sello/v1/appeal.pb.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/norm.pb.h"
#include "sello/v1/organisation.pb.h"
#include "sello/v1/seal.pb.h"
#include "sello/v1/standard.pb.h"
#include "storage/store.h"

namespace sello::storage {

// Deterministic serialisation: the bytes whose SHA-256 goes into the event.
std::string SerializeRecord(const google::protobuf::Message& record);

// Parses `bytes` into `out`; DATA_LOSS naming the table and key when unreadable.
absl::Status ParseRecord(Table table, absl::string_view key, absl::string_view bytes,
                         google::protobuf::Message& out);

// The record at `key`, nullopt when absent.
template <typename Record>
absl::StatusOr<std::optional<Record>> LoadRecord(const Store& store, Table table,
                                                 absl::string_view key) {
  absl::StatusOr<std::optional<std::string>> bytes = store.Get(table, key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<Record>();
  Record record;
  if (absl::Status status = ParseRecord(table, key, **bytes, record); !status.ok()) {
    return status;
  }
  return std::optional<Record>(std::move(record));
}

// Like LoadRecord, but NOT_FOUND ("<what> '<key>' not found") when absent.
template <typename Record>
absl::StatusOr<Record> RequireRecord(const Store& store, Table table, absl::string_view key,
                                     absl::string_view what) {
  absl::StatusOr<std::optional<Record>> record = LoadRecord<Record>(store, table, key);
  if (!record.ok()) return record.status();
  if (!record->has_value()) {
    return absl::NotFoundError(absl::StrCat(what, " '", key, "' not found"));
  }
  return std::move(**record);
}

// Writers: the record and its index entries.
void PutOrganisation(WriteSet& writes, const v1::Organisation& organisation);
void PutSite(WriteSet& writes, const v1::Site& site);
void PutToken(WriteSet& writes, const internal::StoredToken& token);
void PutStandard(WriteSet& writes, const v1::Standard& standard);
void PutStandardVersion(WriteSet& writes, const v1::StandardVersion& version);

void PutAccreditation(WriteSet& writes, const v1::Accreditation& accreditation);
void PutLot(WriteSet& writes, const v1::Lot& lot);
// The inspection and its indexes (by site, firm, lot, certifier, standard and date,
// each ordered by inspection date, and its request id).
void PutInspection(WriteSet& writes, const v1::Inspection& inspection);
// The issuance and its indexes: by lot, by certifier and by the standard version its
// inspection is against (`standard_id`, `version`: the issuance record does not name
// them), and its request id.
void PutIssuance(WriteSet& writes, const v1::SealIssuance& issuance, absl::string_view standard_id,
                 uint32_t version);
// The norm and its index by the standard version it adopts.
void PutNorm(WriteSet& writes, const v1::Norm& norm);
// standard id \0 version (u32 BE) \0: the prefix of a version's entries in
// kIssuancesByVersion and kNormsByVersion.
std::string VersionIndexPrefix(absl::string_view standard_id, uint32_t version);
// Builds, once, the indexes added after a data dir may have been written
// (kIssuancesByCertifier, kIssuancesByVersion, kNormsByVersion) from the issuances and
// norms it holds; a meta entry records that they are complete. Run before serving.
// Returns how many issuances and norms it indexed now (nullopt: built before).
absl::StatusOr<std::optional<size_t>> EnsureVersionIndexes(Store& store);

// Seals are stored compact: each keeps only its own fields (code, status, status_reason,
// status_decision, issuance_id, position), and what every seal of an issuance shares (lot,
// inspection, firm and site with their names, certifier, standard, grade, times) is kept once, in
// the issuance's seal template. At 10 million seals that is a fifth of the bytes to write, cache
// and read. Seals stored whole (before templates existed) are read as they are. A seal read from
// the store is compact when it has no lot_id.
std::string SealTemplateKey(absl::string_view issuance_id);
// Beside each issuance (kIssuances): its leaf hashes (32 bytes each, in position order),
// so that a seal's proof needs one read, not one per seal; and its codes
// (newline-separated, in position order), kept out of its logged record, for answering
// a retried request and finding a lot's seals.
std::string IssuanceLeavesKey(absl::string_view issuance_id);
std::string IssuanceCodesKey(absl::string_view issuance_id);
// The shared fields of a whole `seal`: its issuance's template.
v1::Seal SealTemplateOf(const v1::Seal& seal);
// The seal's own fields: what is stored for it when it is compact.
v1::Seal SealOwnFields(const v1::Seal& seal);
// Writes the template of the issuance of `seal` (any whole seal of it).
void PutSealTemplate(WriteSet& writes, const v1::Seal& seal);
// The records of the seals of one issuance, made by joining bytes: serialised protobuf
// fields come in field-number order, and a seal's own code (field 1) and position
// (field 17) are its first and last, so each record is [code] + what every seal shares
// + [position]. Much cheaper than serialising each seal (IssueSeals makes 10,000).
class IssuedSealRecords {
 public:
  // `seal`: any whole seal of the issuance (its code and position are ignored).
  explicit IssuedSealRecords(const v1::Seal& seal);
  // The whole record of the seal `code` at `position` (what its leaf hashes), and its
  // compact record (what is stored: SealOwnFields).
  std::string Whole(absl::string_view code, uint32_t position) const;
  std::string Own(absl::string_view code, uint32_t position) const;

 private:
  std::string shared_whole_;  // fields 2..16 of a whole seal
  std::string shared_own_;    // fields 2..16 of a compact one (status, issuance id)
};
// Stores a compact seal's record made by IssuedSealRecords::Own.
void PutCompactSealRecord(WriteSet& writes, absl::string_view code, std::string record);

// Stores the whole `seal` compact (its own fields; its issuance's template must exist or
// be written in the same set) or, when `compact` is false, whole; and its by-lot index.
void PutSeal(WriteSet& writes, const v1::Seal& seal, bool compact);
// Seal templates read before, kept in memory: a template never changes once written,
// and the hottest call (VerifySeal) needs one for every seal it finds. Bounded: past
// `capacity` templates it starts again empty. Thread-safe.
class SealTemplateCache {
 public:
  explicit SealTemplateCache(size_t capacity = 4096) : capacity_(capacity) {}
  std::shared_ptr<const v1::Seal> Find(absl::string_view issuance_id) const;
  void Insert(absl::string_view issuance_id, std::shared_ptr<const v1::Seal> seal_template);

 private:
  const size_t capacity_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const v1::Seal>> templates_ ABSL_GUARDED_BY(mu_);
};

// Completes compact seals read from the store with their issuances' templates (from
// `cache` when given and it has them, else read in one batch and added to it); seals
// stored whole are left alone. DATA_LOSS naming the issuance when a template is missing
// or unreadable.
absl::Status CompleteSeals(const Store& store, const std::vector<v1::Seal*>& seals,
                           SealTemplateCache* cache = nullptr);
// The whole seal stored under `code` (a normalised code) and whether it is stored
// compact; nullopt when there is none.
struct StoredSeal {
  v1::Seal seal;
  bool compact = false;
};
absl::StatusOr<std::optional<StoredSeal>> LoadSeal(const Store& store, absl::string_view code);
// The appeal and its indexes; `replaced_certifier` is a previously assigned certifier
// whose index entry a reassignment removes.
void PutAppeal(WriteSet& writes, const v1::Appeal& appeal,
               absl::string_view replaced_certifier = "");

// parent \0 date (u64 BE micros since the epoch, offset so that dates before 1970 sort
// first) \0 id: an index entry ordered by date within the parent.
std::string DatedChildKey(absl::string_view parent, absl::Time date, absl::string_view id);
// The key that sorts just before every entry of `parent` dated `date` or later.
std::string DatedChildStart(absl::string_view parent, absl::Time date);
// certifier \0 request id.
std::string RequestKey(absl::string_view certifier_id, absl::string_view request_id);

// The prefix of organisations_by_kind entries for `kind` (kind byte \0 id).
std::string OrganisationKindPrefix(v1::Organisation::Kind kind);
std::string StandardVersionKey(absl::string_view standard_id, uint32_t version);

// The stored bytes of event `seq` (its leaf data), nullopt when there is none.
absl::StatusOr<std::optional<std::string>> LoadEventData(const Store& store, uint64_t seq);

// The sequence number of the latest event naming `subject`; NOT_FOUND when none does.
absl::StatusOr<uint64_t> LatestEventFor(const Store& store, absl::string_view subject);

// A record as its latest event digested it (Event.record_sha256): its protobuf type and
// its bytes.
struct LoggedRecord {
  absl::string_view type;  // full name, e.g. "sello.v1.Lot"
  std::string bytes;
};

// The record `subject` ("lot/L-1") names, as its events digest it (for a token, its
// public part); nullopt when the record does not exist. INVALID_ARGUMENT naming the
// subject when it is malformed or names a kind whose records are not kept apart (seal
// status changes: their events and the seals are what there is).
absl::StatusOr<std::optional<LoggedRecord>> LoadLoggedRecord(const Store& store,
                                                             absl::string_view subject);

// The id an index entry points to: what follows its last '\0' ("parent \0 id", or
// "parent \0 date \0 id"; ids never contain '\0').
absl::string_view IndexedId(absl::string_view key);

// Lists one page of `table` entries under `prefix`. `page_token` (from an earlier
// page of the same `listing`) says where to continue. `visit` returns whether it took
// the entry (false: filtered out) or an error that ends the listing. Returns the
// token of the next page ("" when this was the last).
using PageVisitor =
    std::function<absl::StatusOr<bool>(absl::string_view key, absl::string_view value)>;
absl::StatusOr<std::string> ListPage(const Store& store, Table table, absl::string_view prefix,
                                     absl::string_view listing, absl::string_view page_token,
                                     int page_size, const PageVisitor& visit);

// Lists one page of `Record`s: from their own `table` or, when `index` is set, through
// an index whose keys are "parent \0 id" of records in `table`, under `prefix`. `take`
// gets each record and says whether it belongs in the page (false: filtered out).
template <typename Record>
absl::StatusOr<std::string> ListRecords(const Store& store, Table table, std::optional<Table> index,
                                        absl::string_view prefix, absl::string_view page_token,
                                        int page_size,
                                        const std::function<absl::StatusOr<bool>(Record&&)>& take) {
  const Table scanned = index.value_or(table);
  return ListPage(store, scanned, prefix, TableName(scanned), page_token, page_size,
                  [&](absl::string_view key, absl::string_view value) -> absl::StatusOr<bool> {
                    Record record;
                    if (index.has_value()) {
                      absl::StatusOr<Record> loaded =
                          RequireRecord<Record>(store, table, IndexedId(key), TableName(table));
                      if (!loaded.ok()) return loaded.status();
                      record = *std::move(loaded);
                    } else if (absl::Status status = ParseRecord(table, key, value, record);
                               !status.ok()) {
                      return status;
                    }
                    return take(std::move(record));
                  });
}

// Visits, in index order (newest first for dated indexes when `reverse`), the records
// of `table` that the entries of `index` under `prefix` point to. `visit` returns false
// to stop.
template <typename Record>
absl::Status VisitIndexed(const Store& store, Table index, absl::string_view prefix, Table table,
                          bool reverse, const std::function<bool(Record&&)>& visit) {
  absl::Status inner;
  const ScanVisitor load = [&](absl::string_view key, absl::string_view) {
    absl::StatusOr<Record> record =
        RequireRecord<Record>(store, table, IndexedId(key), TableName(table));
    if (!record.ok()) {
      inner = record.status();
      return false;
    }
    return visit(*std::move(record));
  };
  absl::Status scan =
      reverse ? store.ScanReverse(index, prefix, load) : store.Scan(index, prefix, "", load);
  if (!scan.ok()) return scan;
  return inner;
}

// Every record of `table` that the entries of `index` under `prefix` point to, in index
// order.
template <typename Record>
absl::StatusOr<std::vector<Record>> LoadIndexed(const Store& store, Table index,
                                                absl::string_view prefix, Table table) {
  std::vector<Record> records;
  absl::Status status =
      VisitIndexed<Record>(store, index, prefix, table, /*reverse=*/false, [&](Record&& record) {
        records.push_back(std::move(record));
        return true;
      });
  if (!status.ok()) return status;
  return records;
}

}  // namespace sello::storage

#endif  // SELLO_STORAGE_RECORDS_H_

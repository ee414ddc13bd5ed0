#include "storage/rocks_store.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "rocksdb/slice.h"
#include "rocksdb/status.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/backup_engine.h"
#include "rocksdb/write_batch.h"

namespace sello::storage {

absl::string_view TableName(Table table) {
  switch (table) {
    case Table::kMeta:
      return "meta";
    case Table::kEvents:
      return "events";
    case Table::kOrganisations:
      return "organisations";
    case Table::kOrganisationsByKind:
      return "organisations_by_kind";
    case Table::kSites:
      return "sites";
    case Table::kSitesByFirm:
      return "sites_by_firm";
    case Table::kTokens:
      return "tokens";
    case Table::kTokensByHash:
      return "tokens_by_hash";
    case Table::kTokensByOrg:
      return "tokens_by_org";
    case Table::kStandards:
      return "standards";
    case Table::kStandardVersions:
      return "standard_versions";
    case Table::kTreeNodes:
      return "tree_nodes";
    case Table::kEventsBySubject:
      return "events_by_subject";
    case Table::kAccreditations:
      return "accreditations";
    case Table::kAccreditationsByCertifier:
      return "accreditations_by_certifier";
    case Table::kLots:
      return "lots";
    case Table::kLotsBySite:
      return "lots_by_site";
    case Table::kLotsByFirm:
      return "lots_by_firm";
    case Table::kInspections:
      return "inspections";
    case Table::kInspectionsBySite:
      return "inspections_by_site";
    case Table::kInspectionsByFirm:
      return "inspections_by_firm";
    case Table::kInspectionsByLot:
      return "inspections_by_lot";
    case Table::kInspectionsByCertifier:
      return "inspections_by_certifier";
    case Table::kInspectionsByStandard:
      return "inspections_by_standard";
    case Table::kInspectionsByDate:
      return "inspections_by_date";
    case Table::kInspectionRequests:
      return "inspection_requests";
    case Table::kSeals:
      return "seals";
    case Table::kSealsByLot:
      return "seals_by_lot";
    case Table::kIssuances:
      return "issuances";
    case Table::kIssuanceRequests:
      return "issuance_requests";
    case Table::kNorms:
      return "norms";
    case Table::kAppeals:
      return "appeals";
    case Table::kAppealsByInspection:
      return "appeals_by_inspection";
    case Table::kAppealsByFirm:
      return "appeals_by_firm";
    case Table::kAppealsByCertifier:
      return "appeals_by_certifier";
    case Table::kAppealsByDate:
      return "appeals_by_date";
    case Table::kStatsCertifiers:
      return "stats_certifiers";
    case Table::kStatsCriteria:
      return "stats_criteria";
  }
  return "unknown";
}

namespace {

rocksdb::Slice ToSlice(absl::string_view bytes) { return {bytes.data(), bytes.size()}; }
absl::string_view ToView(const rocksdb::Slice& slice) { return {slice.data(), slice.size()}; }

// RocksDB's status as ours: corruption is lost data, I/O trouble means the store cannot
// serve right now, anything else is our own mistake.
absl::Status FromRocks(const rocksdb::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", status.ToString());
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsIOError() || status.IsBusy() || status.IsTimedOut() || status.IsTryAgain() ||
      status.IsAborted() || status.IsShutdownInProgress()) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

// RocksDB reports its LOCK file held by this process ("lock hold by current process")
// or by another one (flock's EAGAIN) as plain I/O errors; only their text tells them
// apart from a directory that cannot be used at all.
bool IsLockHeld(const rocksdb::Status& status) {
  if (!status.IsIOError()) return false;
  const std::string text = status.ToString();
  return absl::StrContains(text, "lock hold by current process") ||
         absl::StrContains(text, "While lock file") ||
         absl::StrContains(text, "Resource temporarily unavailable");
}

// The smallest key greater than every key that starts with `prefix`: the prefix with its
// trailing 0xff bytes dropped and its last byte incremented. There is none when the
// prefix is empty or all 0xff (every key above it has the prefix).
std::optional<std::string> PrefixUpperBound(absl::string_view prefix) {
  std::string bound(prefix);
  while (!bound.empty() && static_cast<unsigned char>(bound.back()) == 0xff) bound.pop_back();
  if (bound.empty()) return std::nullopt;
  bound.back() = static_cast<char>(static_cast<unsigned char>(bound.back()) + 1);
  return bound;
}

rocksdb::Options DatabaseOptions(const std::shared_ptr<rocksdb::Cache>& block_cache) {
  rocksdb::Options db;
  db.create_if_missing = true;
  db.create_missing_column_families = true;
  db.max_background_jobs = 2;
  db.bytes_per_sync = 1 << 20;
  db.keep_log_file_num = 5;
  db.max_log_file_size = 8 << 20;
  // Tables written rarely (meta, standards) would otherwise pin old WAL files forever:
  // past this size RocksDB flushes the column families that hold the oldest WAL live.
  db.max_total_wal_size = 64 << 20;
  // Memtables of all tables together; each table's own buffer is small because records
  // are small and most tables are indexes.
  db.db_write_buffer_size = 64 << 20;
  db.write_buffer_size = 16 << 20;
  db.level_compaction_dynamic_level_bytes = true;
  // Every acknowledged write was synced to the WAL (WriteOptions::sync) before we
  // returned, so what a crash or power loss leaves damaged is the WAL's tail: a torn
  // record (short, zeroed or failing its checksum, depending on what the disk kept) of a
  // write nobody was told succeeded. kPointInTimeRecovery (RocksDB's default) replays
  // up to it and drops it, whatever shape it has. kAbsoluteConsistency refuses to open
  // after every such crash, and kTolerateCorruptedTailRecords still refuses when the torn
  // tail fails its checksum rather than ending short, so both would leave the daemon
  // down after an ordinary power cut. The price is that damage in the middle of a WAL
  // (a media fault) would also end the replay there; a history rolled back that way is
  // caught one layer up, where the log refuses to sign a checkpoint that is not
  // consistent with the last one it signed. Column families already flushed past such a
  // point make the open fail (DATA_LOSS), and SST corruption is always reported.
  db.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db.paranoid_checks = true;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = block_cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index and filter blocks live in the shared cache too, so memory stays bounded by
  // block_cache_bytes however many tables and files there are.
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  db.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return db;
}

// One RocksDB database; column family i + 1 holds Table i ("default" must exist but
// holds nothing of ours).
class RocksStore final : public Store {
 public:
  RocksStore(std::string path, std::shared_ptr<rocksdb::Cache> block_cache,
             std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : path_(std::move(path)),
        block_cache_(std::move(block_cache)),
        db_(std::move(db)),
        handles_(std::move(handles)) {}

  ~RocksStore() override {
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      // Includes the handle Open returned for "default" (not DefaultColumnFamily()'s).
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    // Close() reports a sticky background error (e.g. after a failed write); there is
    // no one left to tell, and the WAL already holds every acknowledged write.
    db_->Close().PermitUncheckedError();
    db_.reset();
  }

  absl::StatusOr<std::optional<std::string>> Get(Table table,
                                                 absl::string_view key) const override {
    rocksdb::ColumnFamilyHandle* family = Family(table);
    if (family == nullptr) return UnknownTable(table);
    std::string value;
    rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), family, ToSlice(key), &value);
    if (status.IsNotFound()) return std::nullopt;
    if (!status.ok()) return FromRocks(status, Describe("read from", table));
    return std::optional<std::string>(std::move(value));
  }

  absl::Status Scan(Table table, absl::string_view prefix, absl::string_view after,
                    const ScanVisitor& visit) const override {
    rocksdb::ColumnFamilyHandle* family = Family(table);
    if (family == nullptr) return UnknownTable(table);
    std::optional<std::string> upper = PrefixUpperBound(prefix);
    rocksdb::Slice upper_slice;
    rocksdb::ReadOptions read;
    if (upper.has_value()) {
      upper_slice = ToSlice(*upper);
      read.iterate_upper_bound = &upper_slice;
    }
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, family));
    // Keys with the prefix that sort after `after` begin at whichever of the two is
    // greater (both compare bytewise, as RocksDB does).
    const bool start_after = !after.empty() && after >= prefix;
    it->Seek(ToSlice(start_after ? after : prefix));
    if (start_after && it->Valid() && ToView(it->key()) == after) it->Next();
    for (; it->Valid(); it->Next()) {
      absl::string_view key = ToView(it->key());
      if (!absl::StartsWith(key, prefix)) break;
      if (!visit(key, ToView(it->value()))) break;
    }
    return FromRocks(it->status(), Describe("scan", table));
  }

  absl::Status ScanReverse(Table table, absl::string_view prefix,
                           const ScanVisitor& visit) const override {
    rocksdb::ColumnFamilyHandle* family = Family(table);
    if (family == nullptr) return UnknownTable(table);
    std::optional<std::string> upper = PrefixUpperBound(prefix);
    rocksdb::Slice upper_slice;
    rocksdb::Slice lower_slice = ToSlice(prefix);
    rocksdb::ReadOptions read;
    // With an upper bound SeekToLast lands on the greatest key below it, i.e. the last
    // key with the prefix; without one (empty or all-0xff prefix) the table's last key
    // is the place to start. The lower bound stops the walk as soon as it leaves the
    // prefix instead of letting RocksDB step into the keys below.
    if (upper.has_value()) {
      upper_slice = ToSlice(*upper);
      read.iterate_upper_bound = &upper_slice;
    }
    if (!prefix.empty()) read.iterate_lower_bound = &lower_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read, family));
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      absl::string_view key = ToView(it->key());
      if (!absl::StartsWith(key, prefix)) break;
      if (!visit(key, ToView(it->value()))) break;
    }
    return FromRocks(it->status(), Describe("reverse scan", table));
  }

  std::vector<std::pair<std::string, uint64_t>> Properties() const override {
    std::vector<std::pair<std::string, uint64_t>> figures;
    for (const auto& [name, property] :
         {std::pair{"estimate_num_keys", "rocksdb.estimate-num-keys"},
          {"total_sst_files_bytes", "rocksdb.total-sst-files-size"},
          {"memtables_bytes", "rocksdb.cur-size-all-mem-tables"},
          {"table_readers_bytes", "rocksdb.estimate-table-readers-mem"},
          {"pending_compaction_bytes", "rocksdb.estimate-pending-compaction-bytes"}}) {
      uint64_t value = 0;
      if (db_->GetAggregatedIntProperty(property, &value)) figures.emplace_back(name, value);
    }
    figures.emplace_back("block_cache_usage_bytes", block_cache_->GetUsage());
    figures.emplace_back("block_cache_capacity_bytes", block_cache_->GetCapacity());
    return figures;
  }

  absl::StatusOr<BackupInfo> Backup(const std::string& dir) override {
    rocksdb::BackupEngine* opened = nullptr;
    rocksdb::BackupEngineOptions options(dir);
    options.sync = true;
    absl::Status status = FromRocks(
        rocksdb::BackupEngine::Open(options, rocksdb::Env::Default(), &opened), "backup open");
    if (!status.ok()) return status;
    std::unique_ptr<rocksdb::BackupEngine> engine(opened);
    rocksdb::CreateBackupOptions create;
    create.flush_before_backup = true;
    rocksdb::BackupID id = 0;
    status = FromRocks(engine->CreateNewBackup(create, db_.get(), &id), "backup");
    if (!status.ok()) return status;
    status = FromRocks(engine->VerifyBackup(id, /*verify_with_checksum=*/true), "backup verify");
    if (!status.ok()) return status;
    rocksdb::BackupInfo info;
    status = FromRocks(engine->GetBackupInfo(id, &info), "backup info");
    if (!status.ok()) return status;
    return BackupInfo{id, info.size, info.number_files};
  }

  absl::Status Write(const WriteSet& writes) override {
    {
      absl::MutexLock lock(&mu_);
      if (!failed_write_.ok()) {
        return absl::UnavailableError(
            absl::StrCat("store is read-only after a failed write: ", failed_write_.message()));
      }
    }
    if (writes.empty()) return absl::OkStatus();
    rocksdb::WriteBatch batch;
    for (const WriteSet::Op& op : writes.ops()) {
      rocksdb::ColumnFamilyHandle* family = Family(op.table);
      if (family == nullptr) return UnknownTable(op.table);
      rocksdb::Status added = op.value.has_value()
                                  ? batch.Put(family, ToSlice(op.key), ToSlice(*op.value))
                                  : batch.Delete(family, ToSlice(op.key));
      // Only a key or value over RocksDB's size limits gets here; nothing is written.
      if (!added.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("write to table ", TableName(op.table), ": ", added.ToString()));
      }
    }
    rocksdb::WriteOptions options;
    options.sync = true;
    rocksdb::Status status = db_->Write(options, &batch);
    if (status.ok()) return absl::OkStatus();
    // The batch may or may not be on disk, and RocksDB itself turns read-only after a
    // failed WAL sync: refuse every later write with the first cause (LevelDB's sticky
    // bg_error_). Reads keep working.
    absl::Status failed = FromRocks(status, absl::StrCat("write to data dir ", path_));
    absl::MutexLock lock(&mu_);
    if (failed_write_.ok()) failed_write_ = failed;
    return failed;
  }

 private:
  rocksdb::ColumnFamilyHandle* Family(Table table) const {
    const size_t index = static_cast<size_t>(table);
    return index < static_cast<size_t>(kTableCount) ? handles_[index + 1] : nullptr;
  }

  static absl::Status UnknownTable(Table table) {
    return absl::InvalidArgumentError(absl::StrCat("unknown table ", static_cast<int>(table)));
  }

  std::string Describe(absl::string_view action, Table table) const {
    return absl::StrCat(action, " table ", TableName(table), " in data dir ", path_);
  }

  const std::string path_;
  // Shared by the tables' block-based table factories; kept for as long as the DB.
  const std::shared_ptr<rocksdb::Cache> block_cache_;
  std::unique_ptr<rocksdb::DB> db_;
  // handles_[0] is "default"; handles_[i + 1] is Table i.
  const std::vector<rocksdb::ColumnFamilyHandle*> handles_;

  mutable absl::Mutex mu_;
  absl::Status failed_write_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenRocksStore(const RocksStoreOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("data dir: must not be empty");
  // RocksDB creates only the last directory of the path; make the parents too. A failure
  // here (e.g. the path is a file) is reported by the open below, with RocksDB's words.
  std::error_code ignored;
  std::filesystem::create_directories(options.path, ignored);

  std::shared_ptr<rocksdb::Cache> block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  rocksdb::Options db_options = DatabaseOptions(block_cache);
  const rocksdb::ColumnFamilyOptions family_options(db_options);

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, family_options);
  for (int i = 0; i < kTableCount; ++i) {
    families.emplace_back(std::string(TableName(static_cast<Table>(i))), family_options);
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status status =
      rocksdb::DB::Open(rocksdb::DBOptions(db_options), options.path, families, &handles, &raw_db);
  if (!status.ok()) {
    if (IsLockHeld(status)) {
      return absl::FailedPreconditionError(
          absl::StrCat("data dir ", options.path, " is in use by another process"));
    }
    std::string message =
        absl::StrCat("cannot open data dir ", options.path, ": ", status.ToString());
    if (status.IsCorruption()) return absl::DataLossError(message);
    return absl::UnavailableError(message);
  }
  return std::unique_ptr<Store>(std::make_unique<RocksStore>(options.path, std::move(block_cache),
                                                             std::unique_ptr<rocksdb::DB>(raw_db),
                                                             std::move(handles)));
}

absl::Status RestoreRocksBackup(const std::string& backup_dir, const std::string& db_path) {
  std::error_code error;
  if (std::filesystem::exists(db_path, error) && !std::filesystem::is_empty(db_path, error)) {
    return absl::FailedPreconditionError(
        absl::StrCat(db_path, " already holds a database: restore into a new data dir"));
  }
  rocksdb::BackupEngineReadOnly* opened = nullptr;
  absl::Status status =
      FromRocks(rocksdb::BackupEngineReadOnly::Open(rocksdb::BackupEngineOptions(backup_dir),
                                                    rocksdb::Env::Default(), &opened),
                absl::StrCat("backup ", backup_dir));
  if (!status.ok()) return status;
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(opened);
  std::vector<rocksdb::BackupInfo> backups;
  engine->GetBackupInfo(&backups);
  if (backups.empty()) {
    return absl::NotFoundError(absl::StrCat(backup_dir, ": no backup in it"));
  }
  status = FromRocks(engine->VerifyBackup(backups.back().backup_id, /*verify_with_checksum=*/true),
                     "backup verify");
  if (!status.ok()) return status;
  std::filesystem::create_directories(db_path, error);
  return FromRocks(engine->RestoreDBFromLatestBackup(db_path, db_path), "restore");
}

}  // namespace sello::storage

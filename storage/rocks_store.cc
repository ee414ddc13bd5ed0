#include "storage/rocks_store.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/iterator.h"
#include "rocksdb/listener.h"
#include "rocksdb/options.h"
#include "rocksdb/slice.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/sst_file_manager.h"
#include "rocksdb/statistics.h"
#include "rocksdb/status.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/backup_engine.h"
#include "rocksdb/write_batch.h"
#include "storage/keys.h"
#include "storage/read_deadline.h"

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
    case Table::kIssuancesByLot:
      return "issuances_by_lot";
    case Table::kSealChanges:
      return "seal_changes";
    case Table::kIssuancesByCertifier:
      return "issuances_by_certifier";
    case Table::kIssuancesByVersion:
      return "issuances_by_version";
    case Table::kNormsByVersion:
      return "norms_by_version";
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

// A write that failed for want of space: the disk (ENOSPC, EDQUOT) or the space limit
// (RocksDB's SstFileManager). The store can come back from those once there is room.
bool IsOutOfSpace(const rocksdb::Status& status) {
  return status.IsNoSpace() || status.subcode() == rocksdb::Status::SubCode::kSpaceLimit ||
         absl::StrContains(status.ToString(), "Disk quota exceeded");
}

// How long the recovery waits between looks at the disk, and after a reopen that failed.
constexpr absl::Duration kRecoveryPoll = absl::Milliseconds(200);
constexpr absl::Duration kRecoveryBackoff = absl::Seconds(1);
// Free space below which reopening for writes is not tried: a reopen writes a new
// MANIFEST and flushes what the write-ahead log holds, and the next writes need room too.
constexpr uint64_t kResumeHeadroomBytes = 8 << 20;
// How long a measurement of the write-ahead log's size is reused (plus what was written
// since): a directory listing per write would cost more than the limit is worth.
constexpr absl::Duration kWalSizeRefresh = absl::Milliseconds(100);

// The table format: Bloom filters, index and filter blocks pinned in the shared cache,
// hashed data blocks of 1 KiB.
rocksdb::BlockBasedTableOptions TableOptions(const std::shared_ptr<rocksdb::Cache>& block_cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = block_cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index and filter blocks live in the shared cache too, so memory stays bounded by
  // block_cache_bytes however many tables and files there are; and they are pinned
  // there (charged to the cache, never evicted: about 2 bytes a key, 20 MiB with 10^7
  // seals). Unpinned, the data blocks of random lookups pushed out a table file's whole
  // filter block (1.6 MiB for a 64 MiB file), which the next lookup read back and
  // checksummed: with a 24 MiB cache and 10^6 seals a VerifySeal cost 100-135 us of CPU
  // instead of 28-29.
  table.cache_index_and_filter_blocks = true;
  table.metadata_cache_options.unpartitioned_pinning = rocksdb::PinningTier::kAll;
  // A hash index inside each data block: a point lookup (VerifySeal's, the hottest
  // read) finds its key's restart interval in one probe instead of a binary search, and
  // a restart every 4 keys instead of 16 leaves fewer keys to step through from there.
  // Seal codes are random, so a longer interval saved almost no prefix bytes anyway.
  // Together: 9 % fewer instructions in a 1,000-code VerifySeal's MultiGet.
  table.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
  table.data_block_hash_table_util_ratio = 0.75;
  table.block_restart_interval = 4;
  // 1 KiB data blocks instead of 4: a lookup that misses the cache reads, checksums,
  // decompresses and caches a quarter of the bytes. With 10^7 seals (1.1 GB of tables
  // against the 256 MiB cache) a warm VerifySeal cost 27-30 us of CPU instead of 30-37;
  // the larger index is pinned in the cache (above) and the tables grow by 0-4 %.
  table.block_size = 1024;
  return table;
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
  // A Bloom filter over each memtable's whole keys: a lookup of a key the memtable does
  // not hold (an unknown seal code, a new code checked before it is issued) skips the
  // skiplist search, the larger part of such a lookup's cost.
  db.memtable_prefix_bloom_size_ratio = 0.05;
  db.memtable_whole_key_filtering = true;
  // Each write set is added in key order (see InWriteOrder), so each key lands next to
  // the one before it: with a hint (the last insert's place; one for the whole table,
  // the empty prefix) the memtable's skip list starts there instead of at its top. The
  // ledger's committer is the one writer, so the hint is never shared.
  db.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(0));
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

  db.table_factory.reset(rocksdb::NewBlockBasedTableFactory(TableOptions(block_cache)));
  return db;
}

// Whether the store may write. Shared with the event listener of each database instance
// the store opens, which RocksDB calls from its own threads.
struct WriteHealth {
  enum class Mode {
    kWritable,
    kOutOfSpace,  // refused until there is room and the database has been reopened
    kBroken,      // refused until a restart: an I/O error other than a full disk
  };

  // Records that a write or a background job of instance `generation` failed with
  // `error`; the first cause is kept. Returns the mode now.
  Mode Fail(uint64_t failed_generation, const rocksdb::Status& error) {
    absl::MutexLock lock(&mu);
    // Only the first failure of an instance counts: the reopen that ends kOutOfSpace
    // settles whatever happened to the instance after it.
    if (failed_generation != generation || mode != Mode::kWritable) return mode;
    mode = IsOutOfSpace(error) ? Mode::kOutOfSpace : Mode::kBroken;
    cause = error.ToString();
    return mode;
  }

  absl::Mutex mu;
  Mode mode ABSL_GUARDED_BY(mu) = Mode::kWritable;
  std::string cause ABSL_GUARDED_BY(mu);        // RocksDB's words for the first failure
  uint64_t generation ABSL_GUARDED_BY(mu) = 0;  // of the database instance in use
  bool stopping ABSL_GUARDED_BY(mu) = false;
  // Someone wants to write: the recovery looks for room now rather than at its next poll.
  bool wanted ABSL_GUARDED_BY(mu) = false;
};

// Tells the store when RocksDB stops taking writes on its own (a flush or compaction
// that failed), so that health says so before a write fails; and keeps RocksDB from
// resuming by itself (DB::Resume): after a failed write-ahead log write, RocksDB 7.8 may
// go on appending to the same log, which still holds the failed write's record and
// would replay it, under reused sequence numbers, at the next open (rocksdb#12873).
// The store recovers by reopening instead.
class BackgroundErrorListener final : public rocksdb::EventListener {
 public:
  BackgroundErrorListener(std::shared_ptr<WriteHealth> health, uint64_t generation)
      : health_(std::move(health)), generation_(generation) {}

  void OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) override {
    // Soft errors (a compaction short of space) leave writes going.
    if (error->severity() >= rocksdb::Status::Severity::kHardError) {
      health_->Fail(generation_, *error);
    }
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }

 private:
  const std::shared_ptr<WriteHealth> health_;
  const uint64_t generation_;
};

// Lets any number of threads use the open database at once, and the recovery replace it
// once they have all left (newcomers wait meanwhile, so a stream of readers cannot hold
// it off). Re-entrant, so that a scan's visitor may read again without waiting for a
// replacement that waits for the scan. Entering and leaving cost two atomic operations
// unless a replacement is under way.
class InstanceGate {
 public:
  void Enter() {
    if (Depth()++ > 0) return;
    // Announce, then look (Dekker: Exclusively() sets replacing_, then looks at users_;
    // sequentially consistent atomics make one of the two see the other).
    users_.fetch_add(1);
    while (replacing_.load()) {
      Depart();
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](std::atomic<bool>* replacing) { return !replacing->load(); }, &replacing_));
      users_.fetch_add(1);
    }
  }
  void Leave() {
    if (--Depth() > 0) return;
    Forget();
    Depart();
  }
  // Runs `replace` once every user has left, keeping new ones out until it returns.
  template <typename Replace>
  void Exclusively(Replace replace) {
    absl::MutexLock lock(&mu_);
    replacing_.store(true);
    mu_.Await(absl::Condition(
        +[](std::atomic<int>* users) { return users->load() == 0; }, &users_));
    replace();
    replacing_.store(false);
  }

 private:
  void Depart() {
    // The last one out while a replacement waits wakes it (its condition is looked at
    // again whenever the mutex is released).
    if (users_.fetch_sub(1) == 1 && replacing_.load()) {
      absl::MutexLock lock(&mu_);
    }
  }
  // This thread's nesting depth in this gate. A thread is rarely in more than one gate
  // at a time: a short list, and no allocation per read once it has grown.
  struct Nesting {
    const InstanceGate* gate;
    int depth;
  };
  static std::vector<Nesting>& Nestings() {
    thread_local std::vector<Nesting> nestings;
    return nestings;
  }
  int& Depth() {
    std::vector<Nesting>& nestings = Nestings();
    for (Nesting& nesting : nestings) {
      if (nesting.gate == this) return nesting.depth;
    }
    nestings.push_back({.gate = this, .depth = 0});
    return nestings.back().depth;
  }
  void Forget() {
    std::vector<Nesting>& nestings = Nestings();
    for (size_t i = 0; i < nestings.size(); ++i) {
      if (nestings[i].gate != this) continue;
      nestings[i] = nestings.back();
      nestings.pop_back();
      return;
    }
  }

  absl::Mutex mu_;
  std::atomic<int> users_ = 0;
  std::atomic<bool> replacing_ = false;
};

// One open RocksDB database: column family i + 1 holds Table i ("default" must exist but
// holds nothing of ours).
struct Instance {
  ~Instance() {
    if (db == nullptr) return;  // never opened
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      // Includes the handle Open returned for "default" (not DefaultColumnFamily()'s).
      db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    // Close() reports a sticky background error (e.g. after a failed write); there is
    // no one left to tell, and the WAL already holds every acknowledged write.
    db->Close().PermitUncheckedError();
  }

  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
};

// What RocksStore::Figures reports besides the block cache and the space used, each a
// name, where RocksDB keeps it, and a help text: RocksDB properties (gauges) ...
template <typename Source>
struct FigureSource {
  const char* name;
  Source source;
  const char* help;
};
constexpr FigureSource<const char*> kPropertyFigures[] = {
    {"estimate_num_keys", "rocksdb.estimate-num-keys", "Keys in all tables (estimate)."},
    {"total_sst_files_bytes", "rocksdb.total-sst-files-size", "Bytes of table files."},
    {"memtables_bytes", "rocksdb.cur-size-all-mem-tables", "Bytes of memtables."},
    {"table_readers_bytes", "rocksdb.estimate-table-readers-mem",
     "Bytes of open table readers outside the block cache."},
    {"pending_compaction_bytes", "rocksdb.estimate-pending-compaction-bytes",
     "Bytes compaction still has to rewrite (estimate)."},
};
// ... properties of the whole database, not summed over its tables ...
constexpr FigureSource<const char*> kDatabasePropertyFigures[] = {
    {"running_flushes", "rocksdb.num-running-flushes", "Memtable flushes running now."},
    {"running_compactions", "rocksdb.num-running-compactions", "Compactions running now."},
};
// ... statistics tickers (counters) ...
constexpr FigureSource<rocksdb::Tickers> kTickerFigures[] = {
    {"block_cache_hits_total", rocksdb::BLOCK_CACHE_HIT, "Block cache hits."},
    {"block_cache_misses_total", rocksdb::BLOCK_CACHE_MISS, "Block cache misses."},
    {"bloom_filter_useful_total", rocksdb::BLOOM_FILTER_USEFUL,
     "Table reads a Bloom filter avoided."},
    {"wal_synced_total", rocksdb::WAL_FILE_SYNCED, "Write-ahead log syncs."},
    {"wal_bytes_total", rocksdb::WAL_FILE_BYTES, "Bytes written to the write-ahead log."},
    {"bytes_read_total", rocksdb::BYTES_READ, "Bytes returned by point lookups."},
    {"flush_bytes_total", rocksdb::FLUSH_WRITE_BYTES, "Bytes written by memtable flushes."},
    {"compaction_read_bytes_total", rocksdb::COMPACT_READ_BYTES, "Bytes read by compactions."},
    {"compaction_write_bytes_total", rocksdb::COMPACT_WRITE_BYTES, "Bytes written by compactions."},
    {"stall_micros_total", rocksdb::STALL_MICROS, "Microseconds writes were stalled."},
};
// ... and latency histograms, reported as p50, p99, max and count.
constexpr FigureSource<rocksdb::Histograms> kHistogramFigures[] = {
    {"wal_sync", rocksdb::WAL_FILE_SYNC_MICROS, "Latency of a write-ahead log fsync"},
    {"write", rocksdb::DB_WRITE, "Latency of a write batch, its fsync included"},
    {"get", rocksdb::DB_GET, "Latency of a point lookup"},
    {"multiget", rocksdb::DB_MULTIGET, "Latency of a batched lookup"},
};

// How the store opens its database, again and again if it has to recover.
class InstanceFactory {
 public:
  explicit InstanceFactory(const RocksStoreOptions& options)
      : path_(options.path),
        block_cache_(rocksdb::NewLRUCache(options.block_cache_bytes)),
        file_system_(options.file_system != nullptr ? options.file_system
                                                    : rocksdb::FileSystem::Default()) {
    rocksdb::Env* env = rocksdb::Env::Default();
    if (options.file_system != nullptr) {
      env_ = rocksdb::NewCompositeEnv(options.file_system);
      env = env_.get();
    }
    // RocksDB makes one of these anyway; this one is shared by every instance, so that
    // the space the tables take stays known across reopens.
    sst_files_.reset(rocksdb::NewSstFileManager(env, file_system_));
    sst_files_->SetMaxAllowedSpaceUsage(options.max_space_bytes);
    options_ = DatabaseOptions(block_cache_);
    options_.env = env;
    options_.sst_file_manager = sst_files_;
    // The store recovers by itself (see BackgroundErrorListener).
    options_.max_bgerror_resume_count = 0;
    // Tickers and histograms for the metrics (RocksStore::Figures), at RocksDB's default
    // level: timers on, detailed ones (per mutex, per I/O call) off.
    options_.statistics = rocksdb::CreateDBStatistics();
  }

  // Opens the database for writing, or read-only, reporting its background errors to
  // `health` as instance `generation`. `raw` gets RocksDB's status.
  std::unique_ptr<Instance> Open(bool read_only, const std::shared_ptr<WriteHealth>& health,
                                 uint64_t generation, rocksdb::Status* raw) const {
    rocksdb::DBOptions db_options(options_);
    db_options.listeners.push_back(std::make_shared<BackgroundErrorListener>(health, generation));
    const rocksdb::ColumnFamilyOptions family_options(options_);
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    families.emplace_back(rocksdb::kDefaultColumnFamilyName, family_options);
    for (int i = 0; i < kTableCount; ++i) {
      families.emplace_back(std::string(TableName(static_cast<Table>(i))), family_options);
    }
    auto instance = std::make_unique<Instance>();
    rocksdb::DB* db = nullptr;
    *raw = read_only
               ? rocksdb::DB::OpenForReadOnly(db_options, path_, families, &instance->handles, &db)
               : rocksdb::DB::Open(db_options, path_, families, &instance->handles, &db);
    if (!raw->ok()) return nullptr;
    instance->db.reset(db);
    return instance;
  }

  const std::string& path() const { return path_; }
  rocksdb::FileSystem& file_system() const { return *file_system_; }
  rocksdb::SstFileManager& sst_files() const { return *sst_files_; }
  const std::shared_ptr<rocksdb::Cache>& block_cache() const { return block_cache_; }
  const std::shared_ptr<rocksdb::Statistics>& statistics() const { return options_.statistics; }

 private:
  const std::string path_;
  const std::shared_ptr<rocksdb::Cache> block_cache_;
  const std::shared_ptr<rocksdb::FileSystem> file_system_;
  std::unique_ptr<rocksdb::Env> env_;  // over file_system_, when it is not the machine's
  std::shared_ptr<rocksdb::SstFileManager> sst_files_;
  rocksdb::Options options_;
};

// The Store on RocksDB: one column family per Table, every write synced before it
// returns. After a write that failed for want of space it keeps serving reads from the
// database as it is and refuses writes; once there is room it reopens the database and
// takes writes again (RecoverWhenThereIsRoom). After any other failed write it refuses
// writes until it is destroyed.
// The operations of `writes` by table, then key, and in their own order for one key (so
// that the last write of a key still wins). Each key's first bytes are copied beside it
// for the sort: comparing those needs no visit to the key's own memory, which for a
// large batch is most of a sort's cost.
std::vector<const WriteSet::Op*> InWriteOrder(const WriteSet& writes) {
  static constexpr size_t kHead = 22;
  struct Item {
    Table table;
    uint8_t head_size;
    std::array<char, kHead> head;
    uint32_t position;
    const WriteSet::Op* op;
  };
  std::vector<Item> items;
  items.reserve(writes.size());
  for (const WriteSet::Op& op : writes.ops()) {
    Item item{.table = op.table,
              .head_size = static_cast<uint8_t>(std::min(op.key.size(), kHead)),
              .head = {},
              .position = static_cast<uint32_t>(items.size()),
              .op = &op};
    std::copy_n(op.key.data(), item.head_size, item.head.data());
    items.push_back(item);
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    if (a.table != b.table) return a.table < b.table;
    const int head = std::memcmp(a.head.data(), b.head.data(), std::min(a.head_size, b.head_size));
    if (head != 0) return head < 0;
    // Equal so far: the keys decide when either is longer than its head.
    if (a.head_size == kHead && b.head_size == kHead) {
      const int rest = a.op->key.compare(b.op->key);
      if (rest != 0) return rest < 0;
    } else if (a.head_size != b.head_size) {
      return a.head_size < b.head_size;
    }
    return a.position < b.position;
  });
  std::vector<const WriteSet::Op*> ordered;
  ordered.reserve(items.size());
  for (const Item& item : items) ordered.push_back(item.op);
  return ordered;
}

class RocksStore final : public Store {
 public:
  // `instance` is the opened database; `health` says whether it may write.
  RocksStore(std::unique_ptr<InstanceFactory> factory, uint64_t max_space_bytes,
             std::shared_ptr<WriteHealth> health, std::unique_ptr<Instance> instance)
      : factory_(std::move(factory)),
        path_(factory_->path()),
        max_space_bytes_(max_space_bytes),
        health_(std::move(health)),
        instance_(std::move(instance)) {
    recovery_ = std::thread([this] { RecoverWhenThereIsRoom(); });
  }

  ~RocksStore() override {
    {
      absl::MutexLock lock(&health_->mu);
      health_->stopping = true;
    }
    recovery_.join();
    instance_.reset();
  }

  absl::StatusOr<std::optional<std::string>> Get(Table table,
                                                 absl::string_view key) const override {
    const Use use(*this);
    rocksdb::ColumnFamilyHandle* family = Family(use, table);
    if (family == nullptr) return Unusable(use, table);
    std::string value;
    rocksdb::Status status = use->db->Get(rocksdb::ReadOptions(), family, ToSlice(key), &value);
    if (status.IsNotFound()) return std::nullopt;
    if (!status.ok()) return FromRocks(status, Describe("read from", table));
    return std::optional<std::string>(std::move(value));
  }

  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      Table table, const std::vector<std::string>& keys) const override {
    // One key (a single VerifySeal, the hottest call) is cheaper through Get.
    if (keys.size() == 1) return Store::MultiGet(table, keys);
    const Use use(*this);
    rocksdb::ColumnFamilyHandle* family = Family(use, table);
    if (family == nullptr) return Unusable(use, table);
    // RocksDB sorts the keys itself unless told they are sorted, and its sort is several
    // times slower than this one.
    const std::vector<size_t> order = KeyOrder(keys);
    std::vector<rocksdb::Slice> slices;
    slices.reserve(keys.size());
    for (size_t i : order) slices.push_back(ToSlice(keys[i]));
    std::vector<rocksdb::PinnableSlice> found(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    use->db->MultiGet(rocksdb::ReadOptions(), family, keys.size(), slices.data(), found.data(),
                      statuses.data(), /*sorted_input=*/true);
    std::vector<std::optional<std::string>> values(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) continue;
      if (!statuses[i].ok()) return FromRocks(statuses[i], Describe("read from", table));
      values[order[i]] = found[i].ToString();
    }
    return values;
  }

  absl::Status Scan(Table table, absl::string_view prefix, absl::string_view after,
                    const ScanVisitor& visit) const override {
    const Use use(*this);
    rocksdb::ColumnFamilyHandle* family = Family(use, table);
    if (family == nullptr) return Unusable(use, table);
    std::optional<std::string> upper = PrefixUpperBound(prefix);
    rocksdb::Slice upper_slice;
    rocksdb::ReadOptions read;
    if (upper.has_value()) {
      upper_slice = ToSlice(*upper);
      read.iterate_upper_bound = &upper_slice;
    }
    std::unique_ptr<rocksdb::Iterator> it(use->db->NewIterator(read, family));
    // Keys with the prefix that sort after `after` begin at whichever of the two is
    // greater (both compare bytewise, as RocksDB does).
    const bool start_after = !after.empty() && after >= prefix;
    it->Seek(ToSlice(start_after ? after : prefix));
    if (start_after && it->Valid() && ToView(it->key()) == after) it->Next();
    ScanClock clock(TableName(table));
    for (; it->Valid(); it->Next()) {
      absl::string_view key = ToView(it->key());
      if (!absl::StartsWith(key, prefix)) break;
      if (!visit(key, ToView(it->value()))) break;
      if (absl::Status late = clock.Tick(); !late.ok()) return late;
    }
    return FromRocks(it->status(), Describe("scan", table));
  }

  absl::Status ScanReverse(Table table, absl::string_view prefix,
                           const ScanVisitor& visit) const override {
    const Use use(*this);
    rocksdb::ColumnFamilyHandle* family = Family(use, table);
    if (family == nullptr) return Unusable(use, table);
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
    std::unique_ptr<rocksdb::Iterator> it(use->db->NewIterator(read, family));
    ScanClock clock(TableName(table));
    for (it->SeekToLast(); it->Valid(); it->Prev()) {
      absl::string_view key = ToView(it->key());
      if (!absl::StartsWith(key, prefix)) break;
      if (!visit(key, ToView(it->value()))) break;
      if (absl::Status late = clock.Tick(); !late.ok()) return late;
    }
    return FromRocks(it->status(), Describe("reverse scan", table));
  }

  std::vector<Figure> Figures() const override {
    std::vector<Figure> figures;
    const auto gauge = [&](std::string name, std::string help, double value) {
      figures.push_back({std::move(name), std::move(help), false, value});
    };
    {
      const Use use(*this);
      if (use.instance() != nullptr) {
        for (const auto& [name, property, help] : kPropertyFigures) {
          uint64_t value = 0;
          if (use->db->GetAggregatedIntProperty(property, &value)) {
            gauge(name, help, static_cast<double>(value));
          }
        }
        for (const auto& [name, property, help] : kDatabasePropertyFigures) {
          uint64_t value = 0;
          if (use->db->GetIntProperty(property, &value)) {
            gauge(name, help, static_cast<double>(value));
          }
        }
      }
    }
    gauge("block_cache_usage_bytes", "Bytes held by the block cache.",
          static_cast<double>(factory_->block_cache()->GetUsage()));
    gauge("block_cache_capacity_bytes", "The block cache's bound (--block-cache-mb).",
          static_cast<double>(factory_->block_cache()->GetCapacity()));
    gauge("data_bytes", "Bytes of tables and write-ahead log on disk.",
          static_cast<double>(UsedBytes()));
    gauge("writable", "1 when the store takes writes, 0 when it refuses them.",
          Writable().ok() ? 1 : 0);
    gauge("data_limit_bytes",
          "The most bytes tables and write-ahead log may take (--max-disk-mb; 0: no limit).",
          static_cast<double>(max_space_bytes_));
    figures.push_back({"writes_refused_for_space_total",
                       "Writes refused whole because they would take the store past its space "
                       "limit (--max-disk-mb).",
                       true, static_cast<double>(refused_for_space_.load())});
    // RocksDB's own statistics, kept since the daemon started (across reopens).
    const rocksdb::Statistics& statistics = *factory_->statistics();
    for (const auto& [name, ticker, help] : kTickerFigures) {
      figures.push_back({name, help, true, static_cast<double>(statistics.getTickerCount(ticker))});
    }
    for (const auto& [name, histogram, help] : kHistogramFigures) {
      rocksdb::HistogramData data;
      statistics.histogramData(histogram, &data);
      for (const auto& [suffix, value] : {std::pair{"_p50_seconds", data.median},
                                          {"_p99_seconds", data.percentile99},
                                          {"_max_seconds", data.max}}) {
        gauge(absl::StrCat(name, suffix), absl::StrCat(help, " (since start)"), value / 1e6);
      }
      figures.push_back({absl::StrCat(name, "_total"), absl::StrCat(help, ": how many"), true,
                         static_cast<double>(data.count)});
    }
    return figures;
  }

  absl::StatusOr<BackupInfo> Backup(const std::string& dir) override {
    const Use use(*this);
    if (use.instance() == nullptr) return Unusable(use, Table::kMeta);
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
    status = FromRocks(engine->CreateNewBackup(create, use->db.get(), &id), "backup");
    if (!status.ok()) return status;
    status = FromRocks(engine->VerifyBackup(id, /*verify_with_checksum=*/true), "backup verify");
    if (!status.ok()) return status;
    rocksdb::BackupInfo info;
    status = FromRocks(engine->GetBackupInfo(id, &info), "backup info");
    if (!status.ok()) return status;
    return BackupInfo{id, info.size, info.number_files};
  }

  absl::Status Write(const WriteSet& writes) override {
    const Use use(*this);
    if (absl::Status refused = Writable(); !refused.ok()) return refused;
    if (writes.empty()) return absl::OkStatus();
    // In (table, key) order, so that each memtable insert starts its search where the
    // last one ended: several times cheaper than from the top for a large batch of random
    // keys (e.g. issued seals). See InWriteOrder.
    const std::vector<const WriteSet::Op*> ordered = InWriteOrder(writes);
    rocksdb::WriteBatch batch;
    for (const WriteSet::Op* ordered_op : ordered) {
      const WriteSet::Op& op = *ordered_op;
      rocksdb::ColumnFamilyHandle* family = Family(use, op.table);
      if (family == nullptr) return Unusable(use, op.table);
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
    rocksdb::Status status = use->db->Write(options, &batch);
    if (status.ok()) {
      absl::MutexLock lock(&wal_mu_);
      written_since_measured_ += batch.GetDataSize();
      return absl::OkStatus();
    }
    // The batch may or may not be on disk (its log record may be there whole, with only
    // the sync failed), and RocksDB itself stops taking writes: refuse every later write
    // until that is settled (LevelDB's sticky bg_error_). Reads keep working.
    health_->Fail(use.generation(), status);
    return Writable();
  }

  absl::Status AdmitBytes(uint64_t bytes) const override {
    if (max_space_bytes_ == 0) return absl::OkStatus();
    if (absl::Status writable = Writable(); !writable.ok()) return writable;
    const uint64_t used = UsedBytes();
    if (used + bytes <= max_space_bytes_) return absl::OkStatus();
    refused_for_space_.fetch_add(1, std::memory_order_relaxed);
    return absl::ResourceExhaustedError(absl::StrCat(
        "data dir ", path_, ": this write needs about ", bytes,
        " bytes (with those queued before it), more than the space limit (--max-disk-mb) "
        "leaves: its tables and write-ahead log take ",
        used, " of the ", max_space_bytes_,
        " bytes allowed. Nothing was written; smaller writes go on (raise --max-disk-mb, a "
        "restart, for more)"));
  }

  absl::Status Writable() const override {
    {
      absl::MutexLock lock(&health_->mu);
      switch (health_->mode) {
        case WriteHealth::Mode::kWritable:
          break;
        case WriteHealth::Mode::kOutOfSpace:
          health_->wanted = true;
          return absl::ResourceExhaustedError(absl::StrCat(
              "data dir ", path_, " is full (", health_->cause,
              "): writes are refused until there is room again, then resume by themselves; "
              "reads go on"));
        case WriteHealth::Mode::kBroken:
          return absl::UnavailableError(absl::StrCat(
              "store is read-only after a failed write: write to data dir ", path_, ": ",
              health_->cause, " (writes need a restart once the disk is fixed)"));
      }
    }
    if (max_space_bytes_ > 0) {
      const uint64_t used = UsedBytes();
      if (used >= max_space_bytes_) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "data dir ", path_, " is full: its tables and write-ahead log take ", used,
            " bytes of the ", max_space_bytes_,
            " allowed (the space limit): writes are refused until the limit is raised; "
            "reads go on"));
      }
    }
    return absl::OkStatus();
  }

 private:
  // The open database, for as long as this lives (the recovery waits).
  class Use {
   public:
    explicit Use(const RocksStore& store) : store_(store) { store_.gate_.Enter(); }
    ~Use() { store_.gate_.Leave(); }
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;

    Instance* instance() const { return store_.instance_.get(); }
    Instance* operator->() const { return instance(); }
    uint64_t generation() const {
      absl::MutexLock lock(&store_.health_->mu);
      return store_.health_->generation;
    }

   private:
    const RocksStore& store_;
  };

  rocksdb::ColumnFamilyHandle* Family(const Use& use, Table table) const {
    const size_t index = static_cast<size_t>(table);
    if (use.instance() == nullptr || index >= static_cast<size_t>(kTableCount)) return nullptr;
    return use->handles[index + 1];
  }

  // Why Family() gave nothing: a table we do not know, or no database open.
  absl::Status Unusable(const Use& use, Table table) const {
    if (use.instance() == nullptr) {
      absl::MutexLock lock(&health_->mu);
      return absl::UnavailableError(
          absl::StrCat("data dir ", path_, " cannot be opened right now: ", health_->cause));
    }
    return absl::InvalidArgumentError(absl::StrCat("unknown table ", static_cast<int>(table)));
  }

  std::string Describe(absl::string_view action, Table table) const {
    return absl::StrCat(action, " table ", TableName(table), " in data dir ", path_);
  }

  // The store's data on disk: its tables, as RocksDB's SstFileManager counts them, and
  // its write-ahead log files.
  uint64_t UsedBytes() const {
    absl::MutexLock lock(&wal_mu_);
    const absl::Time now = absl::Now();
    if (now - wal_measured_at_ >= kWalSizeRefresh) {
      std::vector<rocksdb::FileAttributes> files;
      if (factory_->file_system()
              .GetChildrenFileAttributes(path_, rocksdb::IOOptions(), &files, nullptr)
              .ok()) {
        wal_bytes_ = 0;
        for (const rocksdb::FileAttributes& file : files) {
          if (absl::EndsWith(file.name, ".log")) wal_bytes_ += file.size_bytes;
        }
        wal_measured_at_ = now;
        written_since_measured_ = 0;
      }
    }
    return factory_->sst_files().GetTotalSize() + wal_bytes_ + written_since_measured_;
  }

  // Whether reopening for writes is worth a try: the limit is not reached and the disk
  // has room (or cannot tell).
  bool RoomToResume() const {
    if (max_space_bytes_ > 0 && UsedBytes() >= max_space_bytes_) return false;
    uint64_t free = 0;
    rocksdb::IOStatus known =
        factory_->file_system().GetFreeSpace(path_, rocksdb::IOOptions(), &free, nullptr);
    return !known.ok() || free >= kResumeHeadroomBytes;
  }

  // The recovery: while the store is out of space, looks for room every kRecoveryPoll
  // and whenever a write is refused, and then reopens the database. Closing and opening it again
  // settles what the failed write left: RocksDB replays the write-ahead log as the disk holds it
  // (the failed write whole, or not at all) and flushes what it replayed, durably, before the store
  // writes again; its sequence numbers and the ledger's go on from there.
  void RecoverWhenThereIsRoom() {
    absl::Time next_attempt = absl::InfinitePast();
    health_->mu.Lock();
    for (;;) {
      health_->mu.Await(absl::Condition(
          +[](WriteHealth* health) ABSL_EXCLUSIVE_LOCKS_REQUIRED(health->mu) {
            return health->stopping || health->mode == WriteHealth::Mode::kOutOfSpace;
          },
          health_.get()));
      if (health_->stopping) break;
      health_->mu.AwaitWithTimeout(
          absl::Condition(
              +[](WriteHealth* health) ABSL_EXCLUSIVE_LOCKS_REQUIRED(health->mu) {
                return health->stopping || health->wanted;
              },
              health_.get()),
          kRecoveryPoll);
      health_->wanted = false;
      if (health_->stopping) break;
      if (absl::Now() < next_attempt) continue;
      health_->mu.Unlock();
      if (RoomToResume() && !Reopen()) next_attempt = absl::Now() + kRecoveryBackoff;
      health_->mu.Lock();
    }
    health_->mu.Unlock();
  }

  // Closes the database and opens it again for writing; if that fails, for reading.
  // Returns whether the store may write again.
  bool Reopen() {
    bool reopened = false;
    gate_.Exclusively([&] {
      uint64_t generation = 0;
      {
        absl::MutexLock lock(&health_->mu);
        generation = ++health_->generation;
      }
      instance_.reset();
      rocksdb::Status status;
      instance_ = factory_->Open(/*read_only=*/false, health_, generation, &status);
      reopened = instance_ != nullptr;
      if (!reopened) {
        // Still short of room (or worse): serve reads from what the disk holds until the
        // next attempt.
        rocksdb::Status ignored;
        instance_ = factory_->Open(/*read_only=*/true, health_, generation, &ignored);
      }
      absl::MutexLock lock(&health_->mu);
      if (reopened) {
        health_->mode = WriteHealth::Mode::kWritable;
        health_->cause.clear();
      } else {
        health_->cause = status.ToString();
        if (!IsOutOfSpace(status)) health_->mode = WriteHealth::Mode::kBroken;
      }
    });
    return reopened;
  }

  const std::unique_ptr<InstanceFactory> factory_;
  const std::string path_;
  const uint64_t max_space_bytes_;
  // Writes AdmitBytes refused for want of room under the limit.
  mutable std::atomic<uint64_t> refused_for_space_ = 0;
  const std::shared_ptr<WriteHealth> health_;

  mutable InstanceGate gate_;
  std::unique_ptr<Instance> instance_;  // replaced only under gate_.Exclusively

  mutable absl::Mutex wal_mu_;
  mutable absl::Time wal_measured_at_ ABSL_GUARDED_BY(wal_mu_) = absl::InfinitePast();
  mutable uint64_t wal_bytes_ ABSL_GUARDED_BY(wal_mu_) = 0;
  mutable uint64_t written_since_measured_ ABSL_GUARDED_BY(wal_mu_) = 0;

  std::thread recovery_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenRocksStore(const RocksStoreOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("data dir: must not be empty");
  // RocksDB creates only the last directory of the path; make the parents too. A failure
  // here (e.g. the path is a file) is reported by the open below, with RocksDB's words.
  std::error_code ignored;
  std::filesystem::create_directories(options.path, ignored);

  auto factory = std::make_unique<InstanceFactory>(options);
  auto health = std::make_shared<WriteHealth>();
  rocksdb::Status status;
  std::unique_ptr<Instance> instance =
      factory->Open(/*read_only=*/false, health, /*generation=*/0, &status);
  if (instance == nullptr && IsOutOfSpace(status)) {
    // Restarted on a full disk: serve what is there, and write again once there is room.
    rocksdb::Status read_only;
    instance = factory->Open(/*read_only=*/true, health, /*generation=*/0, &read_only);
    if (instance != nullptr) health->Fail(/*failed_generation=*/0, status);
  }
  if (instance == nullptr) {
    if (IsLockHeld(status)) {
      return absl::FailedPreconditionError(
          absl::StrCat("data dir ", options.path, " is in use by another process"));
    }
    std::string message =
        absl::StrCat("cannot open data dir ", options.path, ": ", status.ToString());
    if (status.IsCorruption()) return absl::DataLossError(message);
    if (IsOutOfSpace(status)) {
      return absl::ResourceExhaustedError(absl::StrCat(message, " (the disk is full)"));
    }
    return absl::UnavailableError(message);
  }
  return std::unique_ptr<Store>(std::make_unique<RocksStore>(
      std::move(factory), options.max_space_bytes, std::move(health), std::move(instance)));
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

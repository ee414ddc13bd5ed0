// The RocksDB implementation of Store.
#ifndef SELLO_STORAGE_ROCKS_STORE_H_
#define SELLO_STORAGE_ROCKS_STORE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "storage/store.h"

namespace rocksdb {
class FileSystem;
}

namespace sello::storage {

struct RocksStoreOptions {
  // Created if missing.
  std::string path;
  // Block cache size for reads.
  size_t block_cache_bytes = 64 << 20;
  // The most the store's data may take on disk: its tables (SST files, as RocksDB's
  // SstFileManager counts them) and its write-ahead log. Writes beyond it are refused
  // with RESOURCE_EXHAUSTED, and RocksDB stops flushing and compacting past it
  // (SstFileManager::SetMaxAllowedSpaceUsage). 0: no limit.
  uint64_t max_space_bytes = 0;
  // The file system under the database; null: the machine's. Tests pass one that
  // injects faults (storage/testing/fault_fs.h).
  std::shared_ptr<rocksdb::FileSystem> file_system = nullptr;
};

// Opens (creating if needed) the RocksDB database at options.path with one column
// family per Table. Fails with FAILED_PRECONDITION when another process holds it and
// UNAVAILABLE when the directory cannot be used. When the disk is too full to open it
// for writing, it opens it read-only (writes get RESOURCE_EXHAUSTED until there is room,
// then the store reopens itself for writing); RESOURCE_EXHAUSTED if even that fails.
// The store closes cleanly when the returned object is destroyed.
absl::StatusOr<std::unique_ptr<Store>> OpenRocksStore(const RocksStoreOptions& options);

// Restores the latest backup in `backup_dir` (made by Store::Backup) as a new database at
// `db_path`, after verifying its checksums. FAILED_PRECONDITION when `db_path` already
// holds files.
absl::Status RestoreRocksBackup(const std::string& backup_dir, const std::string& db_path);

}  // namespace sello::storage

#endif  // SELLO_STORAGE_ROCKS_STORE_H_

// The RocksDB implementation of Store.
#ifndef SELLO_STORAGE_ROCKS_STORE_H_
#define SELLO_STORAGE_ROCKS_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "storage/store.h"

namespace sello::storage {

struct RocksStoreOptions {
  // Created if missing.
  std::string path;
  // Block cache size for reads.
  size_t block_cache_bytes = 64 << 20;
};

// Opens (creating if needed) the RocksDB database at options.path with one column
// family per Table. Fails with FAILED_PRECONDITION when another process holds it and
// UNAVAILABLE when the directory cannot be used. The store closes cleanly when the
// returned object is destroyed.
absl::StatusOr<std::unique_ptr<Store>> OpenRocksStore(const RocksStoreOptions& options);

// Restores the latest backup in `backup_dir` (made by Store::Backup) as a new database at
// `db_path`, after verifying its checksums. FAILED_PRECONDITION when `db_path` already
// holds files.
absl::Status RestoreRocksBackup(const std::string& backup_dir, const std::string& db_path);

}  // namespace sello::storage

#endif  // SELLO_STORAGE_ROCKS_STORE_H_

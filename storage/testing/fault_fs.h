// A RocksDB file system for tests that stands between the store and the disk and can make
// the two things happen that a store must survive without losing an acknowledged write:
// the power going out (everything written but not yet synced is lost) and the disk filling
// up (writes, syncs and renames fail with "no space left on device"). LevelDB's
// fault_injection_test.cc and RocksDB's FaultInjectionTestFS do the same; this one keeps
// only what the store's tests need. Not linked into sellod.
#ifndef SELLO_STORAGE_TESTING_FAULT_FS_H_
#define SELLO_STORAGE_TESTING_FAULT_FS_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/file_system.h"

namespace sello::storage {

// The model of durability (as on a POSIX file system after a power cut):
//  - data appended to a file is durable up to the size the file had at its last
//    Sync/Fsync; RangeSync and Close promise nothing;
//  - a file created (or a name given by a rename) is durable only once its directory
//    has been fsynced; until then a power cut removes it (and a rename is undone: the
//    old content of the target comes back);
//  - deletions are taken as durable at once (not modelled).
// Files that existed before this file system first wrote them are taken as durable.
//
// Thread-safe. While power is on, every operation reaches the real file system below, so
// RocksDB sees real files; only syncs are skipped unless `sync_to_disk` (durability is
// simulated, and skipping fsync makes the tests fast).
class FaultInjectionFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  // The operations that need disk space and can fail for want of it.
  enum class Operation { kWrite = 0, kSync = 1, kRename = 2 };

  explicit FaultInjectionFileSystem(
      const std::shared_ptr<rocksdb::FileSystem>& base = rocksdb::FileSystem::Default(),
      bool sync_to_disk = false);
  ~FaultInjectionFileSystem() override;

  const char* Name() const override { return "SelloFaultInjectionFileSystem"; }

  // --- Running out of space ---

  // The `nth` operation of `kind` from now on (1: the very next one) fails with
  // IOStatus::NoSpace, and the disk is full from then on: every write, sync and rename
  // fails the same way until FreeSpace(). A write that fails writes nothing.
  void FailNth(Operation kind, uint64_t nth);
  // Writes may add `bytes` more in all; the write that would go beyond writes the part
  // that fits, fails, and leaves the disk full.
  void SetSpaceBudget(uint64_t bytes);
  // The operator made room: the disk is not full and has no limit any more (a failure
  // armed by FailNth that has not happened yet stays armed).
  void FreeSpace();
  bool full() const;
  // Operations of `kind` seen so far (for sweeps over "the Nth one fails").
  uint64_t count(Operation kind) const;

  // --- Losing power ---

  // From now on nothing reaches the disk: every operation that would change a file or a
  // directory fails (IOError), reads still work. Take the store down after this.
  void CutPower();
  // Once nothing uses the files any more: makes the disk look as it would when the power
  // comes back (unsynced data dropped, unsynced creations and renames undone) and lets
  // operations through again. Returns what it could not do.
  absl::Status RestorePower();

  // --- rocksdb::FileSystem ---
  rocksdb::IOStatus NewWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& path, const std::string& old_path,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewRandomRWFile(const std::string& path, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSRandomRWFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& path, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& path, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& from, const std::string& to,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Truncate(const std::string& path, size_t size,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDir(const std::string& path, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus CreateDirIfMissing(const std::string& path, const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteDir(const std::string& path, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override;
  // What is left of the budget (0 when full); a terabyte when there is no limit, so that
  // the store's "is there room again?" does not depend on the machine's real disk.
  rocksdb::IOStatus GetFreeSpace(const std::string& path, const rocksdb::IOOptions& options,
                                 uint64_t* free, rocksdb::IODebugContext* dbg) override;

 private:
  class File;
  class Directory;

  // What is known of one file written through this file system.
  struct FileState {
    uint64_t size = 0;          // bytes written
    uint64_t synced = 0;        // bytes that survive a power cut
    bool entry_durable = true;  // its name survives a power cut
  };
  // A rename whose directory has not been fsynced since.
  struct PendingRename {
    std::string from, to;
    bool from_was_durable = false;
    // The durable content `to` had before (nullopt: it did not durably exist).
    std::optional<std::string> replaced;
  };

  // Lets an operation of `kind` writing `bytes` (0 for a sync or rename) through, or
  // says why not. For a write that only partly fits, OK with `*allowed` < bytes: write
  // that much, then fail.
  rocksdb::IOStatus Admit(Operation kind, absl::string_view path, uint64_t bytes,
                          uint64_t* allowed);
  // For operations that need no space: fails only while the power is cut.
  rocksdb::IOStatus AdmitMetadata(absl::string_view path);
  rocksdb::IOStatus NoSpace(absl::string_view path) const;
  std::shared_ptr<FileState> Track(const std::string& path, bool existed, bool truncated)
      ABSL_LOCKS_EXCLUDED(mu_);
  void WrapWritable(const std::string& path, std::unique_ptr<rocksdb::FSWritableFile>* file,
                    std::shared_ptr<FileState> state);
  void SyncDirectory(const std::string& dir) ABSL_LOCKS_EXCLUDED(mu_);

  const bool sync_to_disk_;

  mutable absl::Mutex mu_;
  bool power_cut_ ABSL_GUARDED_BY(mu_) = false;
  bool full_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<uint64_t> budget_ ABSL_GUARDED_BY(mu_);
  std::array<uint64_t, 3> counts_ ABSL_GUARDED_BY(mu_) = {};
  std::array<uint64_t, 3> fail_at_ ABSL_GUARDED_BY(mu_) = {};  // 0: none
  std::map<std::string, std::shared_ptr<FileState>> files_ ABSL_GUARDED_BY(mu_);
  std::vector<PendingRename> renames_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sello::storage

#endif  // SELLO_STORAGE_TESTING_FAULT_FS_H_

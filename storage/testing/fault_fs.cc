#include "storage/testing/fault_fs.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"

namespace sello::storage {
namespace {

using rocksdb::IOStatus;

constexpr uint64_t kUnlimitedFreeSpace = uint64_t{1} << 40;

size_t Index(FaultInjectionFileSystem::Operation kind) { return static_cast<size_t>(kind); }

std::string WithoutTrailingSlash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// "/a/b/c" -> "/a/b": the directory whose fsync makes the name durable.
std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".")
                                    : WithoutTrailingSlash(path.substr(0, slash));
}

}  // namespace

// A writable file whose appends and syncs go through the file system's accounting.
class FaultInjectionFileSystem::File final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  File(FaultInjectionFileSystem* fs, std::string path,
       std::unique_ptr<rocksdb::FSWritableFile> target, std::shared_ptr<FileState> state)
      : rocksdb::FSWritableFileOwnerWrapper(std::move(target)),
        fs_(fs),
        path_(std::move(path)),
        state_(std::move(state)) {}

  IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                  rocksdb::IODebugContext* dbg) override {
    return Write(data, [&](const rocksdb::Slice& part) {
      return rocksdb::FSWritableFileOwnerWrapper::Append(part, options, dbg);
    });
  }
  IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                  const rocksdb::DataVerificationInfo& /*verification*/,
                  rocksdb::IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }
  // Only for direct I/O, which the store does not use.
  IOStatus PositionedAppend(const rocksdb::Slice&, uint64_t, const rocksdb::IOOptions&,
                            rocksdb::IODebugContext*) override {
    return IOStatus::NotSupported("PositionedAppend");
  }
  IOStatus PositionedAppend(const rocksdb::Slice&, uint64_t, const rocksdb::IOOptions&,
                            const rocksdb::DataVerificationInfo&,
                            rocksdb::IODebugContext*) override {
    return IOStatus::NotSupported("PositionedAppend");
  }

  IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    return SyncWith([&] { return rocksdb::FSWritableFileOwnerWrapper::Sync(options, dbg); });
  }
  IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    return SyncWith([&] { return rocksdb::FSWritableFileOwnerWrapper::Fsync(options, dbg); });
  }
  // sync_file_range(2) starts writeback but promises nothing about a power cut.
  IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& options,
                     rocksdb::IODebugContext* dbg) override {
    if (IOStatus admitted = fs_->AdmitMetadata(path_); !admitted.ok()) return admitted;
    if (!fs_->sync_to_disk_) return IOStatus::OK();
    return rocksdb::FSWritableFileOwnerWrapper::RangeSync(offset, nbytes, options, dbg);
  }
  IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                    rocksdb::IODebugContext* dbg) override {
    if (IOStatus admitted = fs_->AdmitMetadata(path_); !admitted.ok()) return admitted;
    IOStatus truncated = rocksdb::FSWritableFileOwnerWrapper::Truncate(size, options, dbg);
    if (truncated.ok()) {
      absl::MutexLock lock(&fs_->mu_);
      state_->size = size;
      state_->synced = std::min(state_->synced, size);
    }
    return truncated;
  }

 private:
  template <typename AppendFn>
  IOStatus Write(const rocksdb::Slice& data, AppendFn append) {
    uint64_t allowed = 0;
    if (IOStatus admitted = fs_->Admit(Operation::kWrite, path_, data.size(), &allowed);
        !admitted.ok()) {
      return admitted;
    }
    IOStatus written = append(rocksdb::Slice(data.data(), allowed));
    if (written.ok()) {
      absl::MutexLock lock(&fs_->mu_);
      state_->size += allowed;
    }
    if (written.ok() && allowed < data.size()) return fs_->NoSpace(path_);
    return written;
  }

  template <typename SyncFn>
  IOStatus SyncWith(SyncFn sync) {
    uint64_t unused = 0;
    if (IOStatus admitted = fs_->Admit(Operation::kSync, path_, 0, &unused); !admitted.ok()) {
      return admitted;
    }
    // What was written before the sync began is what it makes durable.
    uint64_t covered = 0;
    {
      absl::MutexLock lock(&fs_->mu_);
      covered = state_->size;
    }
    if (fs_->sync_to_disk_) {
      if (IOStatus synced = sync(); !synced.ok()) return synced;
    }
    absl::MutexLock lock(&fs_->mu_);
    state_->synced = std::max(state_->synced, std::min(covered, state_->size));
    return IOStatus::OK();
  }

  FaultInjectionFileSystem* const fs_;
  const std::string path_;
  const std::shared_ptr<FileState> state_;
};

// A directory whose fsync makes the names created in it durable.
class FaultInjectionFileSystem::Directory final : public rocksdb::FSDirectoryWrapper {
 public:
  Directory(FaultInjectionFileSystem* fs, std::string path,
            std::unique_ptr<rocksdb::FSDirectory> target)
      : rocksdb::FSDirectoryWrapper(std::move(target)), fs_(fs), path_(std::move(path)) {}

  IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    return FsyncWith([&] { return rocksdb::FSDirectoryWrapper::Fsync(options, dbg); });
  }
  IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg,
                               const rocksdb::DirFsyncOptions& dir_options) override {
    return FsyncWith([&] {
      return rocksdb::FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options);
    });
  }

 private:
  template <typename SyncFn>
  IOStatus FsyncWith(SyncFn sync) {
    uint64_t unused = 0;
    if (IOStatus admitted = fs_->Admit(Operation::kSync, path_, 0, &unused); !admitted.ok()) {
      return admitted;
    }
    if (fs_->sync_to_disk_) {
      if (IOStatus synced = sync(); !synced.ok()) return synced;
    }
    fs_->SyncDirectory(path_);
    return IOStatus::OK();
  }

  FaultInjectionFileSystem* const fs_;
  const std::string path_;
};

FaultInjectionFileSystem::FaultInjectionFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base,
                                                   bool sync_to_disk)
    : rocksdb::FileSystemWrapper(base), sync_to_disk_(sync_to_disk) {}

FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

void FaultInjectionFileSystem::FailNth(Operation kind, uint64_t nth) {
  absl::MutexLock lock(&mu_);
  fail_at_[Index(kind)] = nth == 0 ? 0 : counts_[Index(kind)] + nth;
}

void FaultInjectionFileSystem::SetSpaceBudget(uint64_t bytes) {
  absl::MutexLock lock(&mu_);
  budget_ = bytes;
}

void FaultInjectionFileSystem::FreeSpace() {
  absl::MutexLock lock(&mu_);
  full_ = false;
  budget_.reset();
}

bool FaultInjectionFileSystem::full() const {
  absl::MutexLock lock(&mu_);
  return full_;
}

uint64_t FaultInjectionFileSystem::count(Operation kind) const {
  absl::MutexLock lock(&mu_);
  return counts_[Index(kind)];
}

void FaultInjectionFileSystem::CutPower() {
  absl::MutexLock lock(&mu_);
  power_cut_ = true;
}

absl::Status FaultInjectionFileSystem::RestorePower() {
  absl::MutexLock lock(&mu_);
  absl::Status result;
  auto note = [&](const IOStatus& status, absl::string_view what) {
    if (!status.ok() && result.ok()) {
      result = absl::InternalError(absl::StrCat(what, ": ", status.ToString()));
    }
  };
  // Renames whose directory was not synced are undone, newest first: the file goes back
  // to its old name if that name was durable, and the target gets its old content back
  // (or disappears).
  for (auto rename = renames_.rbegin(); rename != renames_.rend(); ++rename) {
    if (rename->from_was_durable) {
      std::string content;
      note(rocksdb::ReadFileToString(target(), rename->to, &content), "read " + rename->to);
      auto state = files_.find(rename->to);
      if (state != files_.end())
        content.resize(std::min<size_t>(content.size(), state->second->synced));
      note(rocksdb::WriteStringToFile(target(), content, rename->from, /*should_sync=*/false),
           "restore " + rename->from);
    }
    if (rename->replaced.has_value()) {
      note(rocksdb::WriteStringToFile(target(), *rename->replaced, rename->to, false),
           "restore " + rename->to);
    } else {
      note(target()->DeleteFile(rename->to, rocksdb::IOOptions(), nullptr), "drop " + rename->to);
    }
    files_.erase(rename->to);
  }
  renames_.clear();
  for (const auto& [path, state] : files_) {
    if (!state->entry_durable) {
      note(target()->DeleteFile(path, rocksdb::IOOptions(), nullptr), "drop " + path);
    } else if (state->size > state->synced) {
      // (The POSIX FileSystem of RocksDB 7.8 has no Truncate.)
      std::error_code error;
      std::filesystem::resize_file(path, state->synced, error);
      if (error && result.ok()) {
        result = absl::InternalError(absl::StrCat("truncate ", path, ": ", error.message()));
      }
    }
  }
  files_.clear();
  power_cut_ = false;
  return result;
}

IOStatus FaultInjectionFileSystem::Admit(Operation kind, absl::string_view path, uint64_t bytes,
                                         uint64_t* allowed) {
  absl::MutexLock lock(&mu_);
  if (power_cut_) {
    return IOStatus::IOError(rocksdb::Slice(path.data(), path.size()),
                             "the power is cut (simulated): nothing reaches the disk");
  }
  const uint64_t count = ++counts_[Index(kind)];
  if (full_) return NoSpace(path);
  if (fail_at_[Index(kind)] != 0 && count >= fail_at_[Index(kind)]) {
    fail_at_[Index(kind)] = 0;
    full_ = true;
    return NoSpace(path);
  }
  *allowed = bytes;
  if (kind == Operation::kWrite && budget_.has_value()) {
    if (bytes > *budget_) {
      *allowed = *budget_;
      budget_ = 0;
      full_ = true;
      if (*allowed == 0) return NoSpace(path);
    } else {
      *budget_ -= bytes;
    }
  }
  return IOStatus::OK();
}

IOStatus FaultInjectionFileSystem::AdmitMetadata(absl::string_view path) {
  absl::MutexLock lock(&mu_);
  if (power_cut_) {
    return IOStatus::IOError(rocksdb::Slice(path.data(), path.size()),
                             "the power is cut (simulated): nothing reaches the disk");
  }
  return IOStatus::OK();
}

IOStatus FaultInjectionFileSystem::NoSpace(absl::string_view path) const {
  return IOStatus::NoSpace(rocksdb::Slice(path.data(), path.size()),
                           "no space left on device (injected)");
}

std::shared_ptr<FaultInjectionFileSystem::FileState> FaultInjectionFileSystem::Track(
    const std::string& path, bool existed, bool truncated) {
  absl::MutexLock lock(&mu_);
  std::shared_ptr<FileState>& state = files_[path];
  if (state == nullptr) {
    state = std::make_shared<FileState>();
    state->entry_durable = existed;
    if (existed && !truncated) {
      // Written before this file system saw it: all of it is durable.
      uint64_t size = 0;
      if (target()->GetFileSize(path, rocksdb::IOOptions(), &size, nullptr).ok()) {
        state->size = state->synced = size;
      }
    }
  }
  if (truncated) state->size = state->synced = 0;
  return state;
}

void FaultInjectionFileSystem::WrapWritable(const std::string& path,
                                            std::unique_ptr<rocksdb::FSWritableFile>* file,
                                            std::shared_ptr<FileState> state) {
  *file = std::make_unique<File>(this, path, std::move(*file), std::move(state));
}

void FaultInjectionFileSystem::SyncDirectory(const std::string& dir) {
  absl::MutexLock lock(&mu_);
  for (auto& [path, state] : files_) {
    if (DirectoryOf(path) == dir) state->entry_durable = true;
  }
  std::erase_if(renames_,
                [&](const PendingRename& rename) { return DirectoryOf(rename.to) == dir; });
}

IOStatus FaultInjectionFileSystem::NewWritableFile(const std::string& path,
                                                   const rocksdb::FileOptions& options,
                                                   std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                   rocksdb::IODebugContext* dbg) {
  if (IOStatus admitted = AdmitMetadata(path); !admitted.ok()) return admitted;
  const bool existed = target()->FileExists(path, rocksdb::IOOptions(), dbg).ok();
  IOStatus opened = target()->NewWritableFile(path, options, result, dbg);
  if (!opened.ok()) return opened;
  WrapWritable(path, result, Track(path, existed, /*truncated=*/true));
  return opened;
}

IOStatus FaultInjectionFileSystem::ReopenWritableFile(
    const std::string& path, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  if (IOStatus admitted = AdmitMetadata(path); !admitted.ok()) return admitted;
  const bool existed = target()->FileExists(path, rocksdb::IOOptions(), dbg).ok();
  IOStatus opened = target()->ReopenWritableFile(path, options, result, dbg);
  if (!opened.ok()) return opened;
  WrapWritable(path, result, Track(path, existed, /*truncated=*/false));
  return opened;
}

IOStatus FaultInjectionFileSystem::ReuseWritableFile(const std::string&, const std::string&,
                                                     const rocksdb::FileOptions&,
                                                     std::unique_ptr<rocksdb::FSWritableFile>*,
                                                     rocksdb::IODebugContext*) {
  // Only for recycled WAL files (recycle_log_file_num), which the store does not use.
  return IOStatus::NotSupported("ReuseWritableFile");
}

IOStatus FaultInjectionFileSystem::NewRandomRWFile(const std::string& path,
                                                   const rocksdb::FileOptions& options,
                                                   std::unique_ptr<rocksdb::FSRandomRWFile>* result,
                                                   rocksdb::IODebugContext* dbg) {
  // Not used by the store's database (its writes are not modelled).
  if (IOStatus admitted = AdmitMetadata(path); !admitted.ok()) return admitted;
  return target()->NewRandomRWFile(path, options, result, dbg);
}

IOStatus FaultInjectionFileSystem::NewDirectory(const std::string& path,
                                                const rocksdb::IOOptions& options,
                                                std::unique_ptr<rocksdb::FSDirectory>* result,
                                                rocksdb::IODebugContext* dbg) {
  IOStatus opened = target()->NewDirectory(path, options, result, dbg);
  if (!opened.ok()) return opened;
  *result = std::make_unique<Directory>(this, WithoutTrailingSlash(path), std::move(*result));
  return opened;
}

IOStatus FaultInjectionFileSystem::DeleteFile(const std::string& path,
                                              const rocksdb::IOOptions& options,
                                              rocksdb::IODebugContext* dbg) {
  if (IOStatus admitted = AdmitMetadata(path); !admitted.ok()) return admitted;
  IOStatus deleted = target()->DeleteFile(path, options, dbg);
  if (deleted.ok()) {
    absl::MutexLock lock(&mu_);
    files_.erase(path);
    std::erase_if(renames_, [&](const PendingRename& rename) { return rename.to == path; });
  }
  return deleted;
}

IOStatus FaultInjectionFileSystem::RenameFile(const std::string& from, const std::string& to,
                                              const rocksdb::IOOptions& options,
                                              rocksdb::IODebugContext* dbg) {
  uint64_t unused = 0;
  if (IOStatus admitted = Admit(Operation::kRename, from, 0, &unused); !admitted.ok()) {
    return admitted;
  }
  PendingRename pending{.from = from, .to = to, .from_was_durable = true, .replaced = std::nullopt};
  {
    absl::MutexLock lock(&mu_);
    if (auto state = files_.find(from); state != files_.end()) {
      pending.from_was_durable = state->second->entry_durable;
    }
    // The target's durable content, to bring back if this rename does not survive.
    auto replaced = files_.find(to);
    const bool to_tracked = replaced != files_.end();
    if (!to_tracked || replaced->second->entry_durable) {
      std::string content;
      if (rocksdb::ReadFileToString(target(), to, &content).ok()) {
        if (to_tracked) {
          content.resize(std::min<size_t>(content.size(), replaced->second->synced));
        }
        pending.replaced = std::move(content);
      }
    }
  }
  IOStatus renamed = target()->RenameFile(from, to, options, dbg);
  if (!renamed.ok()) return renamed;
  std::shared_ptr<FileState> moved;
  {
    absl::MutexLock lock(&mu_);
    if (auto state = files_.find(from); state != files_.end()) {
      moved = state->second;
      files_.erase(state);
    }
  }
  if (moved == nullptr) moved = Track(to, /*existed=*/true, /*truncated=*/false);
  absl::MutexLock lock(&mu_);
  moved->entry_durable = false;
  files_[to] = moved;
  renames_.push_back(std::move(pending));
  return renamed;
}

IOStatus FaultInjectionFileSystem::LinkFile(const std::string& from, const std::string& to,
                                            const rocksdb::IOOptions& options,
                                            rocksdb::IODebugContext* dbg) {
  if (IOStatus admitted = AdmitMetadata(to); !admitted.ok()) return admitted;
  return target()->LinkFile(from, to, options, dbg);
}

IOStatus FaultInjectionFileSystem::Truncate(const std::string& path, size_t size,
                                            const rocksdb::IOOptions& options,
                                            rocksdb::IODebugContext* dbg) {
  if (IOStatus admitted = AdmitMetadata(path); !admitted.ok()) return admitted;
  IOStatus truncated = target()->Truncate(path, size, options, dbg);
  if (truncated.ok()) {
    absl::MutexLock lock(&mu_);
    if (auto state = files_.find(path); state != files_.end()) {
      state->second->size = size;
      state->second->synced = std::min<uint64_t>(state->second->synced, size);
    }
  }
  return truncated;
}

IOStatus FaultInjectionFileSystem::CreateDir(const std::string& path,
                                             const rocksdb::IOOptions& options,
                                             rocksdb::IODebugContext* dbg) {
  if (IOStatus admitted = AdmitMetadata(path); !admitted.ok()) return admitted;
  return target()->CreateDir(path, options, dbg);
}

IOStatus FaultInjectionFileSystem::CreateDirIfMissing(const std::string& path,
                                                      const rocksdb::IOOptions& options,
                                                      rocksdb::IODebugContext* dbg) {
  if (IOStatus admitted = AdmitMetadata(path); !admitted.ok()) return admitted;
  return target()->CreateDirIfMissing(path, options, dbg);
}

IOStatus FaultInjectionFileSystem::DeleteDir(const std::string& path,
                                             const rocksdb::IOOptions& options,
                                             rocksdb::IODebugContext* dbg) {
  if (IOStatus admitted = AdmitMetadata(path); !admitted.ok()) return admitted;
  return target()->DeleteDir(path, options, dbg);
}

IOStatus FaultInjectionFileSystem::GetFreeSpace(const std::string&, const rocksdb::IOOptions&,
                                                uint64_t* free, rocksdb::IODebugContext*) {
  absl::MutexLock lock(&mu_);
  *free = full_ ? 0 : budget_.value_or(kUnlimitedFreeSpace);
  return IOStatus::OK();
}

}  // namespace sello::storage

// Small files the daemons and the client keep (tokens, keys, the last checkpoint, an
// auditor's trusted state), written so that a crash leaves either the old file or the
// whole new one; and the data dir's lock. Part of sello_common (common/CMakeLists.txt).
// The functions keep the namespace sello::storage they had before they moved here, so
// that their callers did not change with the move.
#ifndef SELLO_COMMON_FILES_H_
#define SELLO_COMMON_FILES_H_

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sello::storage {

// Writes `content` to `path` with `mode` through a synced temporary file, a rename and
// a synced directory. UNAVAILABLE naming the path on failure.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view content, mode_t mode);

// The file's content, or nullopt when it does not exist. UNAVAILABLE when it cannot be
// read.
absl::StatusOr<std::optional<std::string>> ReadFileIfExists(const std::string& path);

// Whether `path` is `dir` or lies under it, after resolving "..", "." and the symbolic
// links that exist (component by component: /var/lib/sello-backups is not under
// /var/lib/sello).
bool IsWithin(const std::filesystem::path& path, const std::filesystem::path& dir);

// Creates the data dir `dir` if missing and checks it is a writable directory.
// UNAVAILABLE naming the problem otherwise.
absl::Status PrepareDataDir(const std::string& dir);

// Holds an exclusive lock on DIR/<program>.lock for the life of the process, so that two
// daemons never share a data dir (the file records the holder's pid for the message).
// FAILED_PRECONDITION when another process holds it, UNAVAILABLE when it cannot be taken.
absl::Status LockDataDir(const std::string& dir, absl::string_view program);

// Writes "ADDRESS\n" to `path` through a temporary file and a rename (a reader never sees
// half an address).
absl::Status WriteAddressFile(const std::string& path, const std::string& address);

}  // namespace sello::storage

#endif  // SELLO_COMMON_FILES_H_

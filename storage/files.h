// Small files the daemon keeps beside the store (tokens, keys, the last checkpoint),
// written so that a crash leaves either the old file or the whole new one.
#ifndef SELLO_STORAGE_FILES_H_
#define SELLO_STORAGE_FILES_H_

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

}  // namespace sello::storage

#endif  // SELLO_STORAGE_FILES_H_

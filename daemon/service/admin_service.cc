#include "daemon/service/admin_service.h"

#include <filesystem>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/files.h"
#include "daemon/server/json_logger.h"
#include "daemon/tlog/log_key.h"

namespace sello::service {

namespace {

// Into `dir` (absolute, outside the data dir): the store, the log's key files and the
// newest cosigned checkpoint, after claiming the folder for this registry's log.
absl::Status BackUpInto(storage::Store& store, const std::string& data_dir,
                        const std::filesystem::path& dir, v1::CreateBackupResponse& response) {
  // One log per folder: never another registry's backups or key overwritten.
  if (absl::Status status = ClaimBackupDir(dir.string(), data_dir); !status.ok()) {
    return status;
  }
  // The newest cosigned checkpoint, read before the store is copied so that it never
  // covers an event the backup lacks.
  absl::StatusOr<std::optional<std::string>> cosigned =
      storage::ReadFileIfExists(absl::StrCat(data_dir, "/", kCosignedCheckpointFile));
  if (!cosigned.ok()) return cosigned.status();
  absl::StatusOr<storage::Store::BackupInfo> backup = store.Backup(dir.string());
  if (!backup.ok()) return backup.status();
  response.set_dir(dir.string());
  response.set_backup_id(backup->id);
  response.set_bytes(backup->bytes);
  response.set_files(backup->files);
  // The key pair too, so that a restored registry signs as this one, the next key
  // of a rotation under way, and the retired verifier keys.
  absl::StatusOr<bool> copied = CopyLogKeyFiles(data_dir, dir.string());
  if (!copied.ok()) return copied.status();
  response.set_key_included(*copied);
  if (absl::Status status = PutCosignedCheckpoint(dir.string(), *cosigned); !status.ok()) {
    return status;
  }
  LogInfo("backup_created", {{"dir", dir.string()},
                             {"backup_id", absl::StrCat(backup->id)},
                             {"bytes", absl::StrCat(backup->bytes)}});
  return absl::OkStatus();
}

}  // namespace

grpc::Status AdminService::CreateBackup(grpc::ServerContext* context,
                                        const v1::CreateBackupRequest* request,
                                        v1::CreateBackupResponse* response) {
  return Serve(
      registry_, context, MethodName(v1::AdminService::service_full_name(), "CreateBackup"),
      *request, [&](const domain::Principal*) -> absl::Status {
        const std::filesystem::path dir(request->dir());
        if (request->dir().empty() || !dir.is_absolute()) {
          return absl::InvalidArgumentError("dir: an absolute path on the daemon's machine");
        }
        if (storage::IsWithin(dir, data_dir_)) {
          return absl::InvalidArgumentError(
              "dir: must be outside the data dir (a backup lost with its store is no backup)");
        }
        return BackUpInto(*registry_.store, data_dir_, dir, *response);
      });
}

}  // namespace sello::service

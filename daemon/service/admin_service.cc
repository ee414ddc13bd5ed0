#include "daemon/service/admin_service.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "daemon/service/log.h"
#include "storage/files.h"

namespace sello::service {

grpc::Status AdminService::CreateBackup(grpc::ServerContext* context,
                                        const v1::CreateBackupRequest* request,
                                        v1::CreateBackupResponse* response) {
  return Serve(
      registry_, context, MethodName(v1::AdminService::service_full_name(), "CreateBackup"),
      [&](const domain::Principal*) -> absl::Status {
        const std::filesystem::path dir(request->dir());
        if (request->dir().empty() || !dir.is_absolute()) {
          return absl::InvalidArgumentError("dir: an absolute path on the daemon's machine");
        }
        if (std::filesystem::weakly_canonical(dir).string().rfind(
                std::filesystem::weakly_canonical(data_dir_).string(), 0) == 0) {
          return absl::InvalidArgumentError(
              "dir: must be outside the data dir (a backup lost with its store is no backup)");
        }
        absl::StatusOr<storage::Store::BackupInfo> backup = registry_.store->Backup(dir.string());
        if (!backup.ok()) return backup.status();
        response->set_dir(dir.string());
        response->set_backup_id(backup->id);
        response->set_bytes(backup->bytes);
        response->set_files(backup->files);
        // The key pair too, so that a restored registry signs as this one, and the next
        // key of a rotation under way (a stale one from an earlier backup is removed).
        bool copied = true;
        for (const auto& [name, mode] : {std::pair{"log.key", 0600},
                                         {"log.pub", 0644},
                                         {"log.next.key", 0600},
                                         {"log.next.pub", 0644}}) {
          const bool rotation_file = absl::StartsWith(name, "log.next.");
          absl::StatusOr<std::optional<std::string>> content =
              storage::ReadFileIfExists(absl::StrCat(data_dir_, "/", name));
          if (!content.ok()) return content.status();
          if (!content->has_value()) {
            if (rotation_file) {
              std::error_code ignored;
              std::filesystem::remove(dir / name, ignored);
            } else {
              copied = false;
            }
            continue;
          }
          if (absl::Status status = storage::WriteFileAtomically((dir / name).string(), **content,
                                                                 static_cast<mode_t>(mode));
              !status.ok()) {
            return status;
          }
        }
        response->set_key_included(copied);
        LogInfo("backup_created", {{"dir", dir.string()},
                                   {"backup_id", absl::StrCat(backup->id)},
                                   {"bytes", absl::StrCat(backup->bytes)}});
        return absl::OkStatus();
      });
}

}  // namespace sello::service

#include "daemon/service/bootstrap.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/domain/time_convert.h"
#include "daemon/service/call.h"
#include "daemon/service/log.h"
#include "daemon/service/token_service.h"
#include "storage/records.h"

namespace sello::service {
namespace {

constexpr absl::string_view kBootstrapKey = "bootstrap";

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::UnavailableError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// Writes `content` to `path` with mode 0600 through a synced temporary file and a rename,
// so that a crash leaves either the old file or the whole new one.
absl::Status WriteSecretFile(const std::string& path, absl::string_view content) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create", temp);
  // The mode of an existing file is not changed by open(): set it explicitly.
  bool ok = ::fchmod(fd, 0600) == 0;
  size_t written = 0;
  while (ok && written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  errno = saved_errno;
  if (!ok) return Errno("cannot write", temp);
  if (::rename(temp.c_str(), path.c_str()) != 0) return Errno("cannot rename to", path);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<bool> BootstrapIfNeeded(storage::Store& store, storage::Ledger& ledger,
                                       const BootstrapOptions& options) {
  absl::StatusOr<std::optional<std::string>> done = store.Get(storage::Table::kMeta, kBootstrapKey);
  if (!done.ok()) return done.status();
  if (done->has_value()) return false;
  if (absl::Status status = domain::ValidateId("--bootstrap-org-id", options.organisation_id);
      !status.ok()) {
    return status;
  }
  const std::string token_path = options.data_dir + "/admin.token";
  v1::Token token;
  absl::Status status =
      ledger.Apply(DaemonPrincipal(), [&](storage::Transaction& tx) -> absl::Status {
        v1::Organisation association;
        association.set_id(options.organisation_id);
        association.set_kind(v1::Organisation::ASSOCIATION);
        association.set_name(options.organisation_name);
        association.set_country(options.country);
        *association.mutable_create_time() = domain::ToProto(tx.now());
        if (absl::Status status = domain::ValidateNewOrganisation(association); !status.ok()) {
          return status;
        }
        storage::PutOrganisation(tx.writes(), association);
        tx.Record("organisation.created", {association.id()}, association, association.id());
        absl::StatusOr<std::string> secret =
            IssueToken(tx, association, v1::ADMIN, "bootstrap", token);
        if (!secret.ok()) return secret.status();
        tx.writes().Put(storage::Table::kMeta, std::string(kBootstrapKey), token.id());
        // The secret reaches the disk before the token exists: a crash in between
        // leaves a useless file that the next start overwrites.
        return WriteSecretFile(token_path, *secret + "\n");
      });
  if (!status.ok()) return status;
  LogInfo("bootstrap_admin_token_written",
          {{"path", token_path},
           {"token_id", token.id()},
           {"organisation", options.organisation_id},
           {"note", "the file holds the only copy of the ADMIN secret; keep it safe"}});
  return true;
}

}  // namespace sello::service

#include "daemon/server/bootstrap.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/files.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/domain/time_convert.h"
#include "daemon/server/call.h"
#include "daemon/server/json_logger.h"
#include "daemon/service/token_service.h"
#include "storage/records.h"

namespace sello::service {
namespace {

constexpr absl::string_view kBootstrapKey = "bootstrap";

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
        tx.Record("organisation.created",
                  domain::Subject(domain::kOrganisationRecord, association.id()), association,
                  association.id());
        absl::StatusOr<std::string> secret =
            IssueToken(tx, association, v1::ADMIN, "bootstrap", token);
        if (!secret.ok()) return secret.status();
        tx.writes().Put(storage::Table::kMeta, std::string(kBootstrapKey), token.id());
        // The secret reaches the disk before the token exists: a crash in between
        // leaves a useless file that the next start overwrites.
        return storage::WriteFileAtomically(token_path, *secret + "\n", 0600);
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

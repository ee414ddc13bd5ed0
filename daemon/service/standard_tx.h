// The standard service's transaction bodies (pushing, publishing and withdrawing a
// standard's versions, SPEC "Standard"), each inside one ledger transaction as its actor,
// and the lookups the service's reads share with them.
#ifndef SELLO_DAEMON_SERVICE_STANDARD_TX_H_
#define SELLO_DAEMON_SERVICE_STANDARD_TX_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sello/v1/standard.pb.h"
#include "storage/ledger.h"

namespace sello::service {

// The standard `id`: INVALID_ARGUMENT when `id` is empty, NOT_FOUND when absent.
absl::StatusOr<v1::Standard> RequireStandard(const storage::Store& store, absl::string_view id);
// Version `version` of standard `id`: NOT_FOUND "standard version ID@N not found".
absl::StatusOr<v1::StandardVersion> RequireVersion(const storage::Store& store,
                                                   absl::string_view id, uint32_t version);

// A new or replaced DRAFT (domain::PlanPush); nothing is written for `validate_only`.
// Returns the version as stored (or as it would be).
absl::StatusOr<v1::StandardVersion> PushStandardVersionTx(
    storage::Transaction& tx, const v1::PushStandardVersionRequest& request);

// Publishes a version, superseding the one published before (domain::PlanPublish).
absl::StatusOr<v1::PublishStandardVersionResponse> PublishStandardVersionTx(
    storage::Transaction& tx, const v1::PublishStandardVersionRequest& request);

// Withdraws a version (domain::PlanWithdraw) with what it entails in the same write: the
// norms adopting it marked, and its seals suspended when `seals` is SUSPEND_SEALS.
absl::StatusOr<v1::StandardVersion> WithdrawStandardVersionTx(
    storage::Transaction& tx, const v1::WithdrawStandardVersionRequest& request,
    v1::SealsChoice seals);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_STANDARD_TX_H_

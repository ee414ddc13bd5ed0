// The appeal service's transaction bodies: each runs inside one ledger transaction, as
// its actor (tx.actor()), and returns the appeal as changed (SPEC "Appeal").
#ifndef SELLO_DAEMON_SERVICE_APPEAL_TX_H_
#define SELLO_DAEMON_SERVICE_APPEAL_TX_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sello/v1/appeal.pb.h"
#include "storage/ledger.h"

namespace sello::service {

// The firm's appeal against `request.inspection_id`, due `deadline` after filing.
absl::StatusOr<v1::Appeal> FileAppealTx(storage::Transaction& tx,
                                        const v1::FileAppealRequest& request,
                                        absl::Duration deadline);

// ADMIN assigns (or reassigns) the appeal to an accredited, impartial certifier.
absl::StatusOr<v1::Appeal> AssignAppealTx(storage::Transaction& tx,
                                          const v1::AssignAppealRequest& request);

// The assigned certifier's re-inspection resolves the appeal: stored, with the original
// superseded when overturned and the lot's seals following its certification. A retry
// of the resolving request returns the resolved appeal.
absl::StatusOr<v1::Appeal> ResolveAppealTx(storage::Transaction& tx,
                                           const v1::ResolveAppealRequest& request);

// ADMIN dismisses an appeal before assignment; the firm withdraws its own.
absl::StatusOr<v1::Appeal> DismissAppealTx(storage::Transaction& tx,
                                           const v1::DismissAppealRequest& request);
absl::StatusOr<v1::Appeal> WithdrawAppealTx(storage::Transaction& tx,
                                            const v1::WithdrawAppealRequest& request);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_APPEAL_TX_H_

// The accreditation service's transaction bodies (SPEC "Accreditation"): each inside one
// ledger transaction, as its actor (ADMIN), returning the accreditation as stored.
#ifndef SELLO_DAEMON_SERVICE_ACCREDITATION_TX_H_
#define SELLO_DAEMON_SERVICE_ACCREDITATION_TX_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sello/v1/accreditation.pb.h"
#include "storage/ledger.h"

namespace sello::service {

// A new ACTIVE accreditation of `wanted.certifier_id` (a CERTIFIER) for `wanted.scope`
// (standards that exist), with its event. `wanted` is validated already.
absl::StatusOr<v1::Accreditation> CreateAccreditationTx(storage::Transaction& tx,
                                                        const v1::Accreditation& wanted);

// Moves the accreditation to `target` with an event of `event_kind`, and applies the
// association's choice for the certifier's current seals (`request.seals`: suspending
// those within the scope) in the same write.
absl::StatusOr<v1::Accreditation> ChangeAccreditationTx(
    storage::Transaction& tx, const v1::ChangeAccreditationRequest& request,
    v1::Accreditation::Status target, absl::string_view event_kind);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_ACCREDITATION_TX_H_

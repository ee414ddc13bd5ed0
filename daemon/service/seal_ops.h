// Seal changes shared by the seal and inspection services: status changes of many
// seals inside one ledger transaction, as one event.
#ifndef SELLO_DAEMON_SERVICE_SEAL_OPS_H_
#define SELLO_DAEMON_SERVICE_SEAL_OPS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sello/v1/seal.pb.h"
#include "storage/ledger.h"

namespace sello::service {

// The ids of lot `lot_id`'s issuances; the codes of its seals stored whole (before
// issuances kept their seals' shared fields), which no issuance lists.
absl::StatusOr<std::vector<std::string>> IssuancesOfLot(const storage::Store& store,
                                                        absl::string_view lot_id);
absl::StatusOr<std::vector<std::string>> WholeSealsOfLot(const storage::Store& store,
                                                         absl::string_view lot_id);

// The codes issuance `issuance_id` issued, in position order (DATA_LOSS when its list
// is missing).
absl::StatusOr<std::vector<std::string>> CodesOfIssuance(const storage::Store& store,
                                                         absl::string_view issuance_id);

// The codes of every seal of `lot_id`, optionally only those issued under
// `inspection_id`.
absl::StatusOr<std::vector<std::string>> SealCodesOfLot(const storage::Store& store,
                                                        absl::string_view lot_id,
                                                        absl::string_view inspection_id = "");

// Moves `codes` to `target` with `reason` inside `tx` and records one event
// ("seals.suspended" etc.) whose record lists them. Seals already in `target` are left
// alone. A transition that is not allowed (e.g. reinstating a revoked seal) is
// FAILED_PRECONDITION naming the seal and its state when the seals were named one by
// one; for a whole lot (`lot_id` set) such seals are skipped: a revoked seal stays
// revoked when its lot is suspended. The actor must be allowed to change each seal
// (domain::CheckMayChangeSeal) unless the change `follows_rule`: the consequence of a
// change the actor may make, e.g. an appeal's re-inspection grading lower. Returns how
// many changed.
absl::StatusOr<uint32_t> ChangeSeals(storage::Transaction& tx,
                                     const std::vector<std::string>& codes, v1::Seal::Status target,
                                     absl::string_view reason, absl::string_view lot_id,
                                     bool follows_rule = false);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_SEAL_OPS_H_

// Inspection steps shared by the inspection and appeal services, inside one ledger
// transaction: grading a submission, superseding an inspection (with its seals), and
// finding the appeals against an inspection.
#ifndef SELLO_DAEMON_SERVICE_INSPECTION_OPS_H_
#define SELLO_DAEMON_SERVICE_INSPECTION_OPS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "daemon/domain/principal.h"
#include "sello/v1/appeal.pb.h"
#include "sello/v1/inspection.pb.h"
#include "storage/ledger.h"

namespace sello::service {

struct PlannedInspection {
  // Graded, with a new id and create_time; or, for a retry, the record stored then.
  v1::Inspection record;
  // True when `submitted.request_id` was already used by this certifier: nothing is to
  // be written, `record` is the first result.
  bool retry = false;
};

// Loads what `submitted` names (site, lot, exact standard version, the caller's
// accreditations) and grades it with domain::PlanInspection.
absl::StatusOr<PlannedInspection> PlanSubmission(storage::Transaction& tx,
                                                 const domain::Principal& caller,
                                                 const v1::Inspection& submitted);

// Writes `inspection` with an event of `kind`; a CURRENT one is counted in the
// statistics aggregates in the same write.
absl::Status StoreInspection(storage::Transaction& tx, const v1::Inspection& inspection,
                             absl::string_view kind);

// Stores `earlier`, already marked SUPERSEDED by `later`, with its event, and takes it
// out of the statistics aggregates (counting it as overturned when `later` resolved an
// appeal); when `later` fails or grades worse, suspends the seals issued under
// `earlier` in the same write (`why` starts their status reason), with the issuer's
// authority for a correction and the association's for an overturned appeal. Returns
// how many seals were suspended.
absl::StatusOr<uint32_t> StoreSuperseded(storage::Transaction& tx, const v1::Inspection& earlier,
                                         const v1::Inspection& later, absl::string_view why);

// Every appeal filed against `inspection_id`.
absl::StatusOr<std::vector<v1::Appeal>> AppealsAgainst(const storage::Store& store,
                                                       absl::string_view inspection_id);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_INSPECTION_OPS_H_

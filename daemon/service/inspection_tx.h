// The inspection service's transaction bodies (creating a lot, submitting or correcting
// an inspection) and the inspection steps the appeal and seal services share: grading a
// submission, superseding an inspection, the seals that follow a lot's certification,
// and lots' and sites' certifications.
#ifndef SELLO_DAEMON_SERVICE_INSPECTION_TX_H_
#define SELLO_DAEMON_SERVICE_INSPECTION_TX_H_

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
// appeal). The seals follow with FollowLotCertification.
absl::Status StoreSuperseded(storage::Transaction& tx, const v1::Inspection& earlier,
                             const v1::Inspection& later);

// Seals follow the lot's certification (SPEC "Seal"): when storing `added` (a new
// inspection of a lot, CURRENT) and marking `superseded` (nullptr, or the inspection it
// supersedes, already marked SUPERSEDED) makes the lot's certification for `added`'s
// standard worse in any stage (domain::CertificationWorsening), the lot's seals of that
// standard that now claim more than it (domain::ClaimsMoreThan) are suspended in the
// same write, with a reason that starts with `why` and names the stage and inspection.
// Call it before storing `added`. Returns how many seals were suspended.
absl::StatusOr<uint32_t> FollowLotCertification(storage::Transaction& tx,
                                                const v1::Inspection& added,
                                                const v1::Inspection* superseded,
                                                absl::string_view why);

// The certification of a lot (domain::CertifyLot) or a site (domain::CertifySite) for
// each standard `inspections` (all of its inspections) hold current ones of, each
// judged against the version of its newest current inspection, loaded from `store`.
absl::StatusOr<std::vector<v1::Certification>> CertifyLot(
    const storage::Store& store, const std::vector<v1::Inspection>& inspections);
absl::StatusOr<std::vector<v1::Certification>> CertifySite(
    const storage::Store& store, const std::vector<v1::Inspection>& inspections);

// "PREMIUM", "GRADE_I", "INDUSTRIAL" for a pass, "FAIL" otherwise.
std::string OutcomeName(const v1::Inspection& inspection);

// The body of SubmitInspection and (with `correction`) CorrectInspection, by the actor
// (a certifier): the inspection planned, graded and stored with its event; a corrected
// one superseded; the lot's seals following its certification. A retried request_id
// returns the first result and writes nothing.
absl::StatusOr<v1::Inspection> SubmitInspectionTx(storage::Transaction& tx,
                                                  const v1::Inspection& submitted,
                                                  const v1::CorrectInspectionRequest* correction);

// The body of CreateLot: a new lot at a site (a FIRM's own only), with its event.
absl::StatusOr<v1::Lot> CreateLotTx(storage::Transaction& tx, const v1::Lot& requested);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_INSPECTION_TX_H_

// Lots and inspections: what a valid lot and submission are, how the registry grades a
// submission against the exact standard version, corrections, and who reads what.
#ifndef SELLO_DAEMON_DOMAIN_INSPECTION_RULES_H_
#define SELLO_DAEMON_DOMAIN_INSPECTION_RULES_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/domain/principal.h"
#include "daemon/domain/visibility.h"  // who reads these records
#include "sello/v1/accreditation.pb.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/organisation.pb.h"
#include "sello/v1/standard.pb.h"

namespace sello::domain {

// site_id, product_form (1..100 chars), harvest_date (not in the future), box_count
// (1..10,000,000). INVALID_ARGUMENT naming every bad field.
absl::Status ValidateNewLot(const v1::Lot& lot, absl::Time now);

// What a submission is checked against, loaded by the caller.
struct InspectionContext {
  const v1::StandardVersion* version = nullptr;  // the exact version named
  const v1::Site* site = nullptr;
  const v1::Lot* lot = nullptr;                   // nullptr for a plant audit
  std::vector<v1::Accreditation> accreditations;  // the certifier's
  absl::Time now;
};

// Checks a submission by `certifier_id` and grades it. Returns the record to store
// (without id and create_time), with the computed outcome, grade, per-criterion
// grades and status CURRENT. Errors:
// - INVALID_ARGUMENT naming fields: missing site, version, stages, date; a date in the
//   future; inspector too long; evidence digests that are not 64 hex characters;
//   missing, unknown, duplicated or mistyped criterion results (naming each one).
// - FAILED_PRECONDITION: the version is not acceptable on the inspection date (DRAFT,
//   WITHDRAWN, SUPERSEDED after its cessation; a version published later on the
//   inspection's day counts as acceptable that day, since dates are often whole days);
//   the lot is at another site; the claimed grade disagrees with the computed outcome
//   (naming the criteria that decided it).
// - PERMISSION_DENIED: the certifier is not accredited for the standard's stages on the
//   inspection date, or its accreditation is suspended (saying which).
absl::StatusOr<v1::Inspection> PlanInspection(const v1::Inspection& submitted,
                                              absl::string_view certifier_id,
                                              const InspectionContext& context);

// Only the certifier that submitted `earlier` corrects it: PERMISSION_DENIED otherwise,
// saying nothing of the inspection. Checked before anything else about a correction.
absl::Status CheckCorrector(const v1::Inspection& earlier, absl::string_view certifier_id);

// A correction supersedes `earlier` with `corrected`: only the certifier that submitted
// `earlier` may correct it (PERMISSION_DENIED otherwise); `earlier` must be CURRENT and
// `corrected` for the same site and lot (FAILED_PRECONDITION otherwise); a reason is
// required. Links both records.
absl::Status LinkCorrection(v1::Inspection& earlier, v1::Inspection& corrected,
                            absl::string_view reason);

// Whether superseding `earlier` by `later` must suspend `earlier`'s seals: `later` FAILs
// or has a worse grade.
bool SupersedingLowersGrade(const v1::Inspection& earlier, const v1::Inspection& later);

// True when `a` is a better grade than `b` (PREMIUM is best).
bool BetterGrade(v1::Grade a, v1::Grade b);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_INSPECTION_RULES_H_

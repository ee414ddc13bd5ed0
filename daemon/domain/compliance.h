// Norms and compliance: what a valid adoption is, a norm's status over time, which
// sites it covers, and whether a site complied with it at a given time — answered from
// the records as they were then.
#ifndef SELLO_DAEMON_DOMAIN_COMPLIANCE_H_
#define SELLO_DAEMON_DOMAIN_COMPLIANCE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "sello/v1/accreditation.pb.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/norm.pb.h"
#include "sello/v1/organisation.pb.h"
#include "sello/v1/standard.pb.h"

namespace sello::domain {

// The adopted fields of `norm` (title 1..200 chars, standard id and version, scope with
// at least one site type, effective_from, transition_end after effective_from when set,
// validity_days 1..3650, required_stages each a stage of `version` named once), given the
// exact `version` it adopts: that version must be PUBLISHED (a DRAFT, SUPERSEDED or
// WITHDRAWN version is FAILED_PRECONDITION naming its state). INVALID_ARGUMENT naming
// every bad field otherwise (e.g. "norm.required_stages[1]").
absl::Status ValidateNewNorm(const v1::Norm& norm, const v1::StandardVersion& version);

// A norm that names no required stage requires every stage of the version it adopts
// (`version`): fills them in, in the version's order. Adoption does so; for norms
// adopted before norms named stages, readers do it with the adopted version.
void ResolveRequiredStages(v1::Norm& norm, const v1::StandardVersion& version);

// ADOPTED before effective_from, IN_FORCE from it, REPEALED from repeal_time (and
// STATUS_UNSPECIFIED before create_time: it did not exist yet).
v1::Norm::Status NormStatusAt(const v1::Norm& norm, absl::Time at);

// Whether the norm's scope covers the site (its type among site_types, and its region
// when the scope names one).
bool NormCovers(const v1::Norm& norm, const v1::Site& site);

// The accreditations of each certifier, by certifier id.
using AccreditationsByCertifier = std::map<std::string, std::vector<v1::Accreditation>>;

// Whether `site` complied with `norm` at `at`, from `inspections` (every inspection of
// the site, plant audits and its lots' inspections, any status; the function ignores
// those of other standards and those not yet recorded at `at`). An inspection counts as
// superseded at `at` only when its successor (the inspection whose `supersedes` names
// it) was recorded (create_time) by then.
//
// Stage by stage, for each of the norm's required_stages (a norm without any: the
// stages the inspections cover; see ResolveRequiredStages), the newest
// current-at-`at` inspection of the standard that covers the stage (by inspection date;
// a newer FAIL outweighs an older pass, and a narrower inspection never hides another
// stage's failure) satisfies it (SATISFIED, with valid_until = its date +
// validity_days) when it
// - passed,
// - is against the adopted version, a later version of the same standard, or an older
//   version while `at` is before the norm's transition_end,
// - is dated no later than `at` and no more than validity_days before it, and
// - was made by a certifier accredited (domain::StatusAt ACTIVE, scope and validity) for
//   the standard's stages it covered on its inspection date.
// Otherwise the stage's reason is about that inspection: FAILED (with its failing
// criteria), WRONG_VERSION, EXPIRED or CERTIFIER_NOT_ACCREDITED; SUPERSEDED when every
// inspection covering it was superseded; NO_INSPECTION when none covers it.
//
// The site is COMPLIANT when every required stage is; the verdict's reason, detail,
// inspection and failing criteria are those of its deciding stage: the most serious one
// that does not comply (FAILED, CERTIFIER_NOT_ACCREDITED, WRONG_VERSION, EXPIRED,
// SUPERSEDED, NO_INSPECTION; on a tie a FAILED stage whose own criteria failed
// (FailedOnStage), then the norm's order), or when COMPLIANT the one whose
// pass lapses first (valid_until is its). NO_INSPECTION with no stage when the site has
// no inspection of the standard at all. `detail` says it in a sentence naming the stage.
v1::ComplianceVerdict EvaluateCompliance(const v1::Norm& norm, const v1::Site& site,
                                         const std::vector<v1::Inspection>& inspections,
                                         const AccreditationsByCertifier& accreditations,
                                         absl::Time at);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_COMPLIANCE_H_

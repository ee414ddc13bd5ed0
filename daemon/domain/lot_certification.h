// A lot's (or a site's) certification for a standard, computed from all its current
// inspections together: for each stage, the newest current inspection that covers it
// decides, and a lot is only as good as its worst current stage (SPEC "Lot
// certification", issue 16 §1). Computed when needed, never stored.
#ifndef SELLO_DAEMON_DOMAIN_LOT_CERTIFICATION_H_
#define SELLO_DAEMON_DOMAIN_LOT_CERTIFICATION_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/standard.pb.h"

namespace sello::domain {

// Newest first: by inspection date, then by when it was recorded, then by id, so that
// the order never depends on the input's.
bool NewerInspection(const v1::Inspection& a, const v1::Inspection& b);

// Whether `inspection` FAILed on a criterion of stage `stage_id` (its criterion grades
// say which criteria failed the outcome, and their stages). A FAIL fails every stage the
// inspection covers; this says which stage to name.
bool FailedOnStage(const v1::Inspection& inspection, absl::string_view stage_id);

// The stages a seal of `version` requires: its sealed_stages, or every stage when none
// is named.
std::vector<std::string> SealedStages(const v1::StandardVersion& version);

// The standards `inspections` hold CURRENT inspections of, sorted.
std::vector<std::string> CurrentStandards(const std::vector<v1::Inspection>& inspections);

// The version a certification for `standard_id` is judged against: that of the newest
// CURRENT inspection of that standard among `inspections`; nullopt when there is none.
std::optional<uint32_t> CertifyingVersion(const std::vector<v1::Inspection>& inspections,
                                          absl::string_view standard_id);

// A lot's certification for `version`'s standard, from `inspections` (every inspection
// of the lot, any status and standard: only CURRENT ones of that standard count).
// `version` is CertifyingVersion's. For each stage of `version`, the newest current
// inspection against ANY version of the standard that covers a stage with that id
// decides (its outcome and grade apply to every stage it covers), so that switching
// versions cannot hide a failure. The lot is:
// - FAILED when any stage's deciding inspection FAILed (required for a seal or not; the
//   stage named is one whose own criteria failed when there is one, else the first),
// - else UNCERTIFIED when a stage a seal requires (SealedStages) has no current
//   inspection,
// - else CERTIFIED at the worst grade of the stages inspected.
// `deciding_stage` and `detail` name the stage and inspection that decide it.
v1::Certification CertifyLot(const std::vector<v1::Inspection>& inspections,
                             const v1::StandardVersion& version);

// A site's certification by the same rule over `inspections` (its plant audits and the
// inspections of its lots), except that no stage is required: a site is certified for
// the stages it was inspected on (`stages` shows which), at their worst grade, and
// FAILED when any of them fails.
v1::Certification CertifySite(const std::vector<v1::Inspection>& inspections,
                              const v1::StandardVersion& version);

// Why `after` is worse than `before` (same lot and standard), or nullopt when it is not:
// a stage that passed now fails, grades lower or has no current inspection any more; a
// stage new to the version that fails; or a worse status or grade overall. The answer
// names the stage and the inspection, e.g. "stage farming: inspection insp-2 of
// 2026-11-20 FAILed". A lot that had no certification cannot get worse.
std::optional<std::string> CertificationWorsening(const v1::Certification& before,
                                                  const v1::Certification& after);

// Whether a seal printed with `grade` claims more than `certification`: any grade when
// the lot is not CERTIFIED, a better grade than the lot's when it is.
bool ClaimsMoreThan(v1::Grade grade, const v1::Certification& certification);

// OK when `certification` lets lot `lot_id` be sealed (CERTIFIED); FAILED_PRECONDITION
// naming the state, the stage and its inspection (or "never inspected") otherwise.
absl::Status CheckSealable(const v1::Certification& certification, absl::string_view lot_id);

// The inspections `certification` rests on: each stage's deciding one, once each, in the
// version's stage order.
std::vector<std::string> RestingInspections(const v1::Certification& certification);

// The inspection an issuance by `certifier_id` names for lot whose inspections are
// `inspections` and whose certifications (one per standard) are `certifications`: the
// certifier's newest current inspection among those its standard's certification rests
// on; failing that, its newest current inspection of the lot (the issuance is then
// refused, saying why); nullptr when it has no current inspection of the lot.
const v1::Inspection* IssuersInspection(const std::vector<v1::Inspection>& inspections,
                                        const std::vector<v1::Certification>& certifications,
                                        absl::string_view certifier_id);

// A site's certification as GetCertificationStatus answers it: outcome PASS when
// CERTIFIED, FAIL when FAILED; the deciding stage's inspection, date and certifier.
v1::SiteCertification SiteCertificationOf(const v1::Certification& certification);

// "CERTIFIED GRADE_I", "FAILED", "UNCERTIFIED".
std::string CertificationText(const v1::Certification& certification);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_LOT_CERTIFICATION_H_

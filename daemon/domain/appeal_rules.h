// Appeals: a firm contests one of its inspections, the association assigns an impartial
// certifier, and that certifier's re-inspection resolves the appeal. Every function
// here checks one transition of the state machine
//
//   FILED -> ASSIGNED (-> ASSIGNED: reassigned) -> UPHELD | OVERTURNED
//   FILED -> DISMISSED (ADMIN, before assignment)
//   FILED | ASSIGNED -> WITHDRAWN (the firm, before resolution)
//
// and, when it is legal, applies it to the records it is given, appending a step with
// actor and time to the appeal's history. Illegal transitions are FAILED_PRECONDITION
// naming the state that forbids them; nothing is changed then.
#ifndef SELLO_DAEMON_DOMAIN_APPEAL_RULES_H_
#define SELLO_DAEMON_DOMAIN_APPEAL_RULES_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/domain/principal.h"
#include "daemon/domain/visibility.h"  // who reads these records
#include "sello/v1/accreditation.pb.h"
#include "sello/v1/appeal.pb.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/organisation.pb.h"

namespace sello::domain {

inline constexpr size_t kMaxAppealText = 2000;

// How long the association has to decide an appeal, from its filing, unless sellod is
// told otherwise (--appeal-deadline-days).
inline constexpr absl::Duration kDefaultAppealDeadline = absl::Hours(24 * 30);

// A new appeal by `firm` against `inspection` with `grounds` (1..2000 characters,
// INVALID_ARGUMENT otherwise). `earlier` are the appeals already filed against the
// inspection. FAILED_PRECONDITION when the inspection is not the firm's, is not CURRENT
// (e.g. SUPERSEDED by a correction), is itself an appeal's re-inspection (its result is
// final), or has been appealed before (open or closed, however it ended). Returns the
// appeal FILED, without id, with its deadline `time_to_decide` after `now`.
absl::StatusOr<v1::Appeal> PlanAppeal(const v1::Inspection& inspection, const Principal& firm,
                                      absl::string_view grounds,
                                      const std::vector<v1::Appeal>& earlier, absl::Time now,
                                      absl::Duration time_to_decide = kDefaultAppealDeadline);

// ADMIN assigns `certifier` (an organisation) to re-inspect. Legal from FILED and, to
// reassign before the re-inspection, from ASSIGNED. FAILED_PRECONDITION when the
// appeal is resolved, when `certifier` is not a CERTIFIER organisation, when it is the
// certifier that made the appealed inspection (never assignable), or when it is not
// accredited today for the inspection's standard and stages (saying why).
absl::Status AssignAppeal(v1::Appeal& appeal, const v1::Organisation& certifier,
                          const std::vector<v1::Accreditation>& accreditations,
                          absl::string_view note, const Principal& actor, absl::Time now);

// Whether `actor` may resolve the appeal now: FAILED_PRECONDITION when it is FILED (not
// yet assigned) or already resolved, PERMISSION_DENIED when `actor` is not the
// assigned certifier.
absl::Status CheckMayResolve(const v1::Appeal& appeal, const Principal& actor);

// The assigned certifier's re-inspection `reinspection` (already graded, with its id)
// resolves the appeal against `original`:
// - CheckMayResolve's errors;
// - FAILED_PRECONDITION when `original` is no longer CURRENT, or when the re-inspection is not of
// the same
//   site, lot, standard version and stages, or is dated before the appeal was filed.
// Same outcome and grade: UPHELD, the original stands. Otherwise OVERTURNED: the
// re-inspection supersedes the original (both records are linked here). Sets the
// re-inspection's appeal_id either way.
absl::Status ResolveAppeal(v1::Appeal& appeal, v1::Inspection& original,
                           v1::Inspection& reinspection, const Principal& actor, absl::Time now);

// A certifier's correction of `inspection` waits while an appeal against it is open
// (FAILED_PRECONDITION naming the appeal and its state): the re-inspection is to judge
// the inspection as it was appealed. `appeals` are those filed against it.
absl::Status CheckMayCorrect(const v1::Inspection& inspection,
                             const std::vector<v1::Appeal>& appeals);

// Whether an appeal is still open (FILED or ASSIGNED): its inspection may then not be
// corrected, since the re-inspection is to judge it as it stands.
bool IsOpenAppeal(const v1::Appeal& appeal);

// ADMIN dismisses the appeal before it is assigned, with `reason` (1..2000 characters,
// INVALID_ARGUMENT otherwise): legal from FILED only. FAILED_PRECONDITION naming the state
// once it is ASSIGNED (the re-inspection decides it now; the firm may still withdraw it)
// or closed. The original inspection stands.
absl::Status DismissAppeal(v1::Appeal& appeal, absl::string_view reason, const Principal& actor,
                           absl::Time now);

// The firm withdraws its own appeal before it is resolved: legal from FILED and ASSIGNED,
// with an optional `reason` (at most 2000 characters). PERMISSION_DENIED, saying nothing of
// the appeal's state, when it is not `actor`'s; FAILED_PRECONDITION naming the state once
// it is closed. The original inspection stands.
absl::Status WithdrawAppeal(v1::Appeal& appeal, absl::string_view reason, const Principal& actor,
                            absl::Time now);

// Whether the appeal is still open at `now` past its deadline. An appeal filed before
// deadlines existed (none set) never is.
bool IsOverdue(const v1::Appeal& appeal, absl::Time now);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_APPEAL_RULES_H_

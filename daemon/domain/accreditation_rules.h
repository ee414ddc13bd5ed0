// Accreditation of certifiers: what a valid accreditation is, how its status moves
// (ACTIVE <-> SUSPENDED, either -> WITHDRAWN), and whether a certifier may inspect a
// standard's stages on a date.
#ifndef SELLO_DAEMON_DOMAIN_ACCREDITATION_RULES_H_
#define SELLO_DAEMON_DOMAIN_ACCREDITATION_RULES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sello/v1/accreditation.pb.h"

namespace sello::domain {

// certifier_id, scope (1..50 entries, each a standard id once, stage ids unique),
// valid_from < valid_until. INVALID_ARGUMENT naming every bad field.
absl::Status ValidateNewAccreditation(const v1::Accreditation& accreditation);

// Moves `accreditation` to `target` at `now` with `reason` (required, <= 1000 chars),
// recording the change in its history. Legal: ACTIVE -> SUSPENDED, SUSPENDED -> ACTIVE,
// ACTIVE or SUSPENDED -> WITHDRAWN; anything else is FAILED_PRECONDITION naming the
// current state.
absl::Status ChangeAccreditationStatus(v1::Accreditation& accreditation,
                                       v1::Accreditation::Status target, absl::string_view reason,
                                       absl::Time now);

// The choice a change to `target` must carry about the certifier's current seals:
// suspending or withdrawing requires KEEP_SEALS or SUSPEND_SEALS (the association
// decides, every time); reinstating takes none. INVALID_ARGUMENT naming `seals`
// otherwise.
absl::Status CheckSealsChoice(v1::Accreditation::Status target, v1::SealsChoice seals);

// The status in force at `at` (from the history; before the first change, the status
// it was created with).
v1::Accreditation::Status StatusAt(const v1::Accreditation& accreditation, absl::Time at);

// OK when one of `accreditations` (a certifier's) covers every stage of `stages` of
// `standard_id`, was ACTIVE at `at` and is valid then (valid_from <= at < valid_until).
// Otherwise PERMISSION_DENIED saying which: "no accreditation for standard CSCS",
// "stage processing is outside the accreditation's scope", "accreditation X is
// SUSPENDED", "accreditation X is valid from ... until ...".
absl::Status CheckAccreditedFor(const std::vector<v1::Accreditation>& accreditations,
                                absl::string_view standard_id,
                                const std::vector<std::string>& stages, absl::Time at);

// Like CheckAccreditedFor, but as the records say for `at` alone: the status then (from
// the history), whatever it is now. For judging past inspections: an accreditation
// suspended today does not undo last year's inspection.
absl::Status CheckAccreditedOn(const std::vector<v1::Accreditation>& accreditations,
                               absl::string_view standard_id,
                               const std::vector<std::string>& stages, absl::Time at);

// For issuing seals at `now`: like CheckAccreditedFor (ACTIVE now, covering the stages,
// within its validity), refused as "certifier may not issue seals: accreditation X is
// SUSPENDED (reason)", "... is WITHDRAWN (reason)", "... is EXPIRED (valid until D)",
// "... is not valid until D", or the stage outside its scope.
absl::Status CheckAccreditedToSeal(const std::vector<v1::Accreditation>& accreditations,
                                   absl::string_view standard_id,
                                   const std::vector<std::string>& stages, absl::Time now);

// Whether the accreditation's scope reaches work on `stages` of `standard_id`: the
// standard is in its scope and, when the scope names stages, at least one of `stages`
// is among them. (A seal resting on an inspection of such stages is "within the scope"
// when the accreditation is suspended or withdrawn.)
bool ScopeCovers(const v1::Accreditation& accreditation, absl::string_view standard_id,
                 const std::vector<std::string>& stages);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_ACCREDITATION_RULES_H_

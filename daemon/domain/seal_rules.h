// Seals: when seals may be issued for a lot and with which grade and expiry, how a
// seal's status moves, and what a seal's status is when read.
#ifndef SELLO_DAEMON_DOMAIN_SEAL_RULES_H_
#define SELLO_DAEMON_DOMAIN_SEAL_RULES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "daemon/domain/principal.h"
#include "daemon/domain/visibility.h"  // who reads these records
#include "sello/v1/accreditation.pb.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/seal.pb.h"
#include "sello/v1/standard.pb.h"

namespace sello::domain {

// Seals per IssueSeals call: one atomic write (the lot's box count may need several).
inline constexpr uint32_t kMaxSealsPerIssuance = 10'000;
// Codes per VerifySeal call (an importer checks a shipment at once).
inline constexpr int kMaxCodesPerVerification = 1'000;

struct IssuancePlan {
  v1::Grade grade;
  std::optional<absl::Time> expiry;  // nullopt: no expiry
  // The inspections the seals rest on (domain::RestingInspections).
  std::vector<std::string> rests_on;
};

// May `certifier_id` issue `request.count` seals for `lot` under `inspection` at `now`,
// the lot's `certification` for the inspection's standard being judged against
// `version`? The inspection must be this certifier's, for this lot, PASS and CURRENT;
// the lot CERTIFIED (domain::CheckSealable: every stage a seal requires covered by a
// current passing inspection, none failing) and `inspection` one of those its
// certification rests on (PERMISSION_DENIED when the certifier made none of them); the
// count 1..`max_count` and within the boxes left; a requested grade not better than the
// lot's (the default); an explicit expiry after now and no later than the version's seal
// validity allows (INVALID_ARGUMENT naming expire_time and the latest allowed date).
// Errors name the field and the state (INVALID_ARGUMENT, FAILED_PRECONDITION,
// PERMISSION_DENIED); none names another certifier.
absl::StatusOr<IssuancePlan> PlanIssuance(const v1::Lot& lot, const v1::Inspection& inspection,
                                          const v1::Certification& certification,
                                          const v1::StandardVersion& version,
                                          const v1::IssueSealsRequest& request,
                                          absl::string_view certifier_id, absl::Time now,
                                          uint32_t max_count = kMaxSealsPerIssuance);

// The stages a seal issued under `inspection` (of `version`) vouches for, and so the
// stages its issuer must be accredited for: the stages a seal of the version requires
// (SealedStages: its sealed_stages, or every stage), whichever inspections cover them.
std::vector<std::string> SealRequiredStages(const v1::Inspection& inspection,
                                            const v1::StandardVersion& version);

// May a certifier with `accreditations` issue seals for `stages` of `standard_id` at
// `now`? Its accreditation must cover them and be ACTIVE and within its validity today,
// whatever it was on the inspection date. PERMISSION_DENIED naming the accreditation
// and its status (SUSPENDED, WITHDRAWN, EXPIRED, not yet valid, or the stage outside
// its scope) otherwise.
absl::Status CheckMayIssueSeals(const std::vector<v1::Accreditation>& accreditations,
                                absl::string_view standard_id,
                                const std::vector<std::string>& stages, absl::Time now);

// The status as read: EXPIRED once past expire_time unless REVOKED (computed, so it can
// never go stale).
v1::Seal::Status EffectiveStatus(const v1::Seal& seal, absl::Time now);

// Whether `seal` may move to `target`: VALID -> SUSPENDED, SUSPENDED -> VALID
// (reinstate), VALID or SUSPENDED -> REVOKED. Already in `target`: OK (nothing to do).
// Otherwise FAILED_PRECONDITION naming the seal and its state.
absl::Status CheckSealTransition(const v1::Seal& seal, v1::Seal::Status target);

// The issuing certifier or ADMIN may change a seal (PERMISSION_DENIED otherwise, naming
// neither the seal nor its issuer: the caller may not read them).
absl::Status CheckMayChangeSeal(const v1::Seal& seal, const Principal& caller);

// The authority `caller` changes `seal` with by hand: ASSOCIATION for ADMIN, ISSUER for
// the certifier that issued it; nullopt for anyone else.
std::optional<v1::SealAuthority> AuthorityOver(const v1::Seal& seal, const Principal& caller);

// The authority that made the seal's last status change. A change recorded before
// authorities were (no status_decision) counts as the association's: only it may undo
// what nobody can tell the origin of.
v1::SealAuthority DecidingAuthority(const v1::Seal& seal);

// Whether a status change of `seal` to `target` made with `authority` changes anything:
// false when the seal is already there (a SUSPENDED seal is suspended again, to record
// it, only by a higher authority than the one that suspended it, so that the lower one
// can no longer lift it). Errors: CheckSealTransition's; and PERMISSION_DENIED when it
// would undo (reinstate) a suspension made by a higher authority, naming that authority
// and its cause. Revoking a suspended seal undoes nothing and is allowed.
absl::StatusOr<bool> CheckSealChange(const v1::Seal& seal, v1::Seal::Status target,
                                     v1::SealAuthority authority);

// Applies a change CheckSealChange allowed: status, reason and who decided it.
void ApplySealChange(v1::Seal& seal, v1::Seal::Status target, absl::string_view reason,
                     v1::SealAuthority authority, v1::SealChangeCause cause, const Principal& actor,
                     absl::Time now);

// "the association (appeal overturned)".
std::string DecisionText(v1::SealAuthority authority, v1::SealChangeCause cause);
}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_SEAL_RULES_H_

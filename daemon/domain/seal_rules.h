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
// lot's (the default); an explicit expiry after now. Errors name the field and the state
// (INVALID_ARGUMENT, FAILED_PRECONDITION, PERMISSION_DENIED).
absl::StatusOr<IssuancePlan> PlanIssuance(const v1::Lot& lot, const v1::Inspection& inspection,
                                          const v1::Certification& certification,
                                          const v1::StandardVersion& version,
                                          const v1::IssueSealsRequest& request,
                                          absl::string_view certifier_id, absl::Time now,
                                          uint32_t max_count = kMaxSealsPerIssuance);

// The status as read: EXPIRED once past expire_time unless REVOKED (computed, so it can
// never go stale).
v1::Seal::Status EffectiveStatus(const v1::Seal& seal, absl::Time now);

// Whether `seal` may move to `target`: VALID -> SUSPENDED, SUSPENDED -> VALID
// (reinstate), VALID or SUSPENDED -> REVOKED. Already in `target`: OK (nothing to do).
// Otherwise FAILED_PRECONDITION naming the seal and its state.
absl::Status CheckSealTransition(const v1::Seal& seal, v1::Seal::Status target);

// The issuing certifier or ADMIN may change a seal (PERMISSION_DENIED otherwise).
absl::Status CheckMayChangeSeal(const v1::Seal& seal, const Principal& caller);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_SEAL_RULES_H_

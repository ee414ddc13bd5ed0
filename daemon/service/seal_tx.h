// The seal service's transaction bodies (issuing seals, changing them by hand) and the
// seal changes the inspection, appeal, accreditation and standard services share: status
// changes of many seals inside one ledger transaction, with one event per lot, and
// finding the seals a decision reaches (a lot's, a certifier's, a standard version's).
#ifndef SELLO_DAEMON_SERVICE_SEAL_TX_H_
#define SELLO_DAEMON_SERVICE_SEAL_TX_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "daemon/domain/principal.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/seal.pb.h"
#include "storage/ledger.h"

namespace sello::service {

// The codes issuance `issuance_id` issued, in position order (DATA_LOSS when its list
// is missing).
absl::StatusOr<std::vector<std::string>> CodesOfIssuance(const storage::Store& store,
                                                         absl::string_view issuance_id);

// The codes of every seal of `lot_id`, optionally only those issued under
// `inspection_id`.
absl::StatusOr<std::vector<std::string>> SealCodesOfLot(const storage::Store& store,
                                                        absl::string_view lot_id,
                                                        absl::string_view inspection_id = "");

// The codes of the seals issued by `certifier_id` (through kIssuancesByCertifier) or
// under `standard_id`@`version` (kIssuancesByVersion) whose issuance's inspection
// `take` accepts (every one when `take` is empty). Reads the issuances of that
// certifier or version only, never every seal.
using InspectionFilter = std::function<bool(const v1::Inspection&)>;
absl::StatusOr<std::vector<std::string>> SealCodesOfCertifier(const storage::Store& store,
                                                              absl::string_view certifier_id,
                                                              const InspectionFilter& take = {});
absl::StatusOr<std::vector<std::string>> SealCodesOfVersion(const storage::Store& store,
                                                            absl::string_view standard_id,
                                                            uint32_t version);

// What decides a change of many seals.
struct SealDecision {
  v1::SealChangeCause cause = v1::MANUAL;
  // A rule's consequence carries the authority of the decision that caused it (an
  // overturned appeal, a suspended accreditation: the association's). Unset: a change
  // by hand, made with the actor's own authority over each seal (domain::AuthorityOver);
  // a seal the actor has none over is refused (PERMISSION_DENIED, before anything is
  // looked at further) or, for a whole lot, left out.
  std::optional<v1::SealAuthority> authority;
};

// Moves `codes` to `target` with `reason` inside `tx`, as `decision` says, recording on
// each seal who decided it with which authority and why (domain::ApplySealChange), and
// one event ("seals.suspended" etc.) per lot whose record (SealStatusChange) lists its
// seals, concerning the lot's firm and site (so each firm reads its own seals' changes).
// Seals already in `target` are left alone (a suspended seal is re-recorded only for a
// higher authority). A transition that is not allowed (reinstating a revoked seal) is
// FAILED_PRECONDITION naming the seal when the seals were named one by one; for a whole
// lot (`lot_id` set) or a rule's consequence such seals are skipped, and a rule leaves
// expired seals alone. Undoing a suspension made by a higher authority is
// PERMISSION_DENIED (for a lot: naming how many seals and by whom), and nothing
// changes. A seal reinstated must pass CheckReinstatement. Returns how many changed.
absl::StatusOr<uint32_t> DecideSeals(storage::Transaction& tx,
                                     const std::vector<std::string>& codes, v1::Seal::Status target,
                                     absl::string_view reason, absl::string_view lot_id,
                                     const SealDecision& decision);

// DecideSeals by hand, or (`follows_rule`) as the consequence of a newer inspection
// (cause INSPECTION_RESULT, with the actor's authority: ASSOCIATION for ADMIN, else
// ISSUER).
absl::StatusOr<uint32_t> ChangeSeals(storage::Transaction& tx,
                                     const std::vector<std::string>& codes, v1::Seal::Status target,
                                     absl::string_view reason, absl::string_view lot_id,
                                     bool follows_rule = false);

// ChangeSeals by hand of the seals `codes` (normalised) or, when `lot_id` is set, of
// every seal of that lot (NOT_FOUND when there is no such lot).
absl::StatusOr<uint32_t> ChangeSealsOrLot(storage::Transaction& tx, std::vector<std::string> codes,
                                          v1::Seal::Status target, absl::string_view reason,
                                          absl::string_view lot_id);

// The one place a reinstatement is checked against the records, whoever asks for it:
// the seal may not claim more than what it rests on now: its lot's certification for the
// seal's standard (domain::CertifyLot: every stage's newest current inspection) must be
// CERTIFIED at a grade at least the seal's; and an issuer reinstating (authority ISSUER)
// must be accredited today for the seal's standard and the stages a seal requires (as to
// issue it). FAILED_PRECONDITION or PERMISSION_DENIED naming the seal and why.
absl::Status CheckReinstatement(const storage::Store& store, const v1::Seal& seal,
                                v1::SealAuthority authority, const domain::Principal& actor,
                                absl::Time now);

// The body of IssueSeals: issues `request.count` seals of `request.lot_id` by the
// actor (a certifier) in `tx`, with one event for the issuance and one for the lot
// (SPEC "Seal"), answering in `response`; a retried `request_id` gets its first answer
// and writes nothing. At most `max_seals_per_issuance` seals.
absl::Status IssueSealsTx(storage::Transaction& tx, const v1::IssueSealsRequest& request,
                          uint32_t max_seals_per_issuance, v1::IssueSealsResponse& response);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_SEAL_TX_H_

#include "daemon/domain/seal_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "daemon/domain/accreditation_rules.h"
#include "daemon/domain/inspection_rules.h"
#include "daemon/domain/lot_certification.h"
#include "daemon/domain/time_convert.h"

namespace sello::domain {

namespace {

// The inspection must be the certifier's, of this lot, CURRENT and a PASS; the lot's
// certification (of the inspection's standard, judged against `version`) sealable.
absl::Status CheckIssuableUnder(const v1::Lot& lot, const v1::Inspection& inspection,
                                const v1::Certification& certification,
                                const v1::StandardVersion& version,
                                absl::string_view certifier_id) {
  if (inspection.certifier_id() != certifier_id) {
    // Which certifier made it is not the caller's to learn.
    return absl::PermissionDeniedError(absl::StrCat(
        "inspection ", inspection.id(),
        " is not one of yours; only the certifier that made it issues seals under it"));
  }
  if (inspection.lot_id() != lot.id()) {
    return absl::FailedPreconditionError(
        absl::StrCat("inspection ", inspection.id(), " is not of lot ", lot.id()));
  }
  if (inspection.status() != v1::Inspection::CURRENT) {
    return absl::FailedPreconditionError(absl::StrCat(
        "inspection ", inspection.id(), " is ", v1::Inspection::Status_Name(inspection.status()),
        inspection.superseded_by().empty() ? ""
                                           : absl::StrCat(" by ", inspection.superseded_by())));
  }
  if (inspection.outcome() != v1::Inspection::PASS) {
    return absl::FailedPreconditionError(
        absl::StrCat("inspection ", inspection.id(), " is a FAIL: no seals"));
  }
  if (certification.standard_id() != inspection.standard_id() ||
      certification.standard_version() != version.version()) {
    // The caller certified the wrong standard or loaded the wrong version: a bug.
    return absl::InternalError(
        absl::StrCat("lot ", lot.id(), ": certification of ", certification.standard_id(), "@",
                     certification.standard_version(), " for an inspection of ",
                     inspection.standard_id(), " judged against version ", version.version()));
  }
  return CheckSealable(certification, lot.id());
}

// The inspection must be one of those the certification rests on (`rests_on`);
// PERMISSION_DENIED when the certifier made none of them.
absl::Status CheckRestsOn(const std::vector<std::string>& rests_on, const v1::Lot& lot,
                          const v1::Inspection& inspection, const v1::Certification& certification,
                          absl::string_view certifier_id) {
  if (std::find(rests_on.begin(), rests_on.end(), inspection.id()) != rests_on.end()) {
    return absl::OkStatus();
  }
  const bool made_one =
      std::any_of(certification.stages().begin(), certification.stages().end(),
                  [&](const v1::StageCertification& stage) {
                    return !stage.inspection_id().empty() && stage.certifier_id() == certifier_id;
                  });
  const std::string resting = absl::StrJoin(rests_on, ", ");
  if (!made_one) {
    return absl::PermissionDeniedError(absl::StrCat(
        "lot ", lot.id(), "'s certification rests on inspections ", resting, ", none made by ",
        certifier_id, "; only a certifier that made one of them issues its seals"));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("inspection_id: inspection ", inspection.id(), " decides no stage of lot ",
                   lot.id(), " any more; its certification rests on ", resting));
}

// The seals' expiry (nullopt: none). The standard's validity is the longest a seal may
// claim; an explicit expiry may only shorten it.
absl::StatusOr<std::optional<absl::Time>> SealExpiry(const v1::IssueSealsRequest& request,
                                                     absl::string_view standard_id,
                                                     const v1::StandardVersion& version,
                                                     absl::Time now) {
  std::optional<absl::Time> latest;
  if (version.seal_validity_days() > 0) {
    latest = now + absl::Hours(24) * version.seal_validity_days();
  }
  if (!request.has_expire_time()) return latest;
  const absl::Time expiry = FromProto(request.expire_time());
  if (expiry <= now) return absl::InvalidArgumentError("expire_time: must be in the future");
  if (latest.has_value() && expiry > *latest) {
    return absl::InvalidArgumentError(absl::StrCat(
        "expire_time: ", FormatTime(request.expire_time()), " is after the latest allowed, ",
        FormatTime(ToProto(*latest)), ": seals of ", standard_id, "@", version.version(),
        " are valid ", version.seal_validity_days(),
        " days; an explicit expiry may only shorten that"));
  }
  return expiry;
}

}  // namespace

absl::StatusOr<IssuancePlan> PlanIssuance(const v1::Lot& lot, const v1::Inspection& inspection,
                                          const v1::Certification& certification,
                                          const v1::StandardVersion& version,
                                          const v1::IssueSealsRequest& request,
                                          absl::string_view certifier_id, absl::Time now,
                                          uint32_t max_count) {
  if (request.count() == 0 || request.count() > max_count) {
    return absl::InvalidArgumentError(
        absl::StrCat("count: must be 1 to ", max_count, " per call (--max-seals-per-issuance)"));
  }
  if (!v1::Grade_IsValid(request.grade())) {
    return absl::InvalidArgumentError("grade: unknown grade");
  }
  if (absl::Status status =
          CheckIssuableUnder(lot, inspection, certification, version, certifier_id);
      !status.ok()) {
    return status;
  }
  IssuancePlan plan{certification.grade(), std::nullopt, RestingInspections(certification)};
  if (absl::Status status =
          CheckRestsOn(plan.rests_on, lot, inspection, certification, certifier_id);
      !status.ok()) {
    return status;
  }
  const uint64_t after = uint64_t{lot.seals_issued()} + request.count();
  if (after > lot.box_count()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "count: lot ", lot.id(), " has ", lot.box_count(), " boxes and ", lot.seals_issued(),
        " seals already; at most ", lot.box_count() - lot.seals_issued(), " more"));
  }
  if (request.grade() != v1::GRADE_UNSPECIFIED) {
    if (BetterGrade(request.grade(), certification.grade())) {
      return absl::FailedPreconditionError(
          absl::StrCat("grade: ", v1::Grade_Name(request.grade()), " is better than lot ", lot.id(),
                       "'s certification, ", v1::Grade_Name(certification.grade()), " (",
                       certification.detail(), "); a seal never carries a better grade"));
    }
    plan.grade = request.grade();
  }
  absl::StatusOr<std::optional<absl::Time>> expiry =
      SealExpiry(request, inspection.standard_id(), version, now);
  if (!expiry.ok()) return expiry.status();
  plan.expiry = *expiry;
  return plan;
}

std::vector<std::string> SealRequiredStages(const v1::Inspection& inspection,
                                            const v1::StandardVersion& version) {
  (void)inspection;  // a seal vouches for the lot, whichever inspection it is issued under
  return SealedStages(version);
}

absl::Status CheckMayIssueSeals(const std::vector<v1::Accreditation>& accreditations,
                                absl::string_view standard_id,
                                const std::vector<std::string>& stages, absl::Time now) {
  return CheckAccreditedToSeal(accreditations, standard_id, stages, now);
}

v1::Seal::Status EffectiveStatus(const v1::Seal& seal, absl::Time now) {
  if (seal.status() != v1::Seal::REVOKED && IsSet(seal.expire_time()) &&
      now >= FromProto(seal.expire_time())) {
    return v1::Seal::EXPIRED;
  }
  return seal.status();
}

absl::Status CheckSealTransition(const v1::Seal& seal, v1::Seal::Status target) {
  const v1::Seal::Status from = seal.status();
  if (from == target) return absl::OkStatus();
  const bool legal =
      (from == v1::Seal::VALID && target == v1::Seal::SUSPENDED) ||
      (from == v1::Seal::SUSPENDED && target == v1::Seal::VALID) ||
      ((from == v1::Seal::VALID || from == v1::Seal::SUSPENDED) && target == v1::Seal::REVOKED);
  if (legal) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("seal ", seal.code(), " is ",
                                                    v1::Seal::Status_Name(from), "; cannot become ",
                                                    v1::Seal::Status_Name(target)));
}

absl::Status CheckMayChangeSeal(const v1::Seal& seal, const Principal& caller) {
  if (AuthorityOver(seal, caller).has_value()) return absl::OkStatus();
  return absl::PermissionDeniedError(
      "not a seal you issued; only the issuing certifier or the association may change it");
}

std::optional<v1::SealAuthority> AuthorityOver(const v1::Seal& seal, const Principal& caller) {
  if (caller.role == v1::ADMIN) return v1::ASSOCIATION;
  if (caller.role == v1::CERTIFIER && !caller.organisation_id.empty() &&
      caller.organisation_id == seal.certifier_id()) {
    return v1::ISSUER;
  }
  return std::nullopt;
}

v1::SealAuthority DecidingAuthority(const v1::Seal& seal) {
  if (!seal.has_status_decision() ||
      seal.status_decision().authority() == v1::SEAL_AUTHORITY_UNSPECIFIED) {
    return v1::ASSOCIATION;
  }
  return seal.status_decision().authority();
}

std::string DecisionText(v1::SealAuthority authority, v1::SealChangeCause cause) {
  const char* who = authority == v1::ISSUER ? "the issuing certifier" : "the association";
  switch (cause) {
    case v1::INSPECTION_RESULT:
      return absl::StrCat(who, " (an inspection graded the lot lower)");
    case v1::APPEAL_OVERTURNED:
      return absl::StrCat(who, " (an appeal was overturned)");
    case v1::ACCREDITATION_SUSPENDED:
      return absl::StrCat(who, " (the issuer's accreditation was suspended)");
    case v1::ACCREDITATION_WITHDRAWN:
      return absl::StrCat(who, " (the issuer's accreditation was withdrawn)");
    case v1::STANDARD_WITHDRAWN:
      return absl::StrCat(who, " (the standard version was withdrawn)");
    case v1::MANUAL:
      return who;
    default:
      return absl::StrCat(who, " (before decisions were recorded)");
  }
}

absl::StatusOr<bool> CheckSealChange(const v1::Seal& seal, v1::Seal::Status target,
                                     v1::SealAuthority authority) {
  if (absl::Status legal = CheckSealTransition(seal, target); !legal.ok()) return legal;
  const v1::Seal::Status from = seal.status();
  if (from == v1::Seal::SUSPENDED && target == v1::Seal::VALID &&
      authority < DecidingAuthority(seal)) {
    return absl::PermissionDeniedError(
        absl::StrCat("seal ", seal.code(), " was suspended by ",
                     DecisionText(DecidingAuthority(seal), seal.status_decision().cause()),
                     "; only an authority at least as high may reinstate it"));
  }
  if (from != target) return true;
  // Suspended again by a higher authority: recorded, so the lower one cannot lift it.
  return from == v1::Seal::SUSPENDED && authority > DecidingAuthority(seal);
}

void ApplySealChange(v1::Seal& seal, v1::Seal::Status target, absl::string_view reason,
                     v1::SealAuthority authority, v1::SealChangeCause cause, const Principal& actor,
                     absl::Time now) {
  seal.set_status(target);
  seal.set_status_reason(std::string(reason));
  v1::SealStatusDecision* decision = seal.mutable_status_decision();
  decision->set_authority(authority);
  decision->set_cause(cause);
  decision->set_actor_organisation_id(actor.organisation_id);
  decision->set_actor_role(actor.role);
  *decision->mutable_time() = ToProto(now);
}

}  // namespace sello::domain

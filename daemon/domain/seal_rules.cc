#include "daemon/domain/seal_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "daemon/domain/inspection_rules.h"
#include "daemon/domain/lot_certification.h"
#include "daemon/domain/time_convert.h"

namespace sello::domain {

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
  if (inspection.certifier_id() != certifier_id) {
    return absl::PermissionDeniedError(absl::StrCat("inspection ", inspection.id(), " was made by ",
                                                    inspection.certifier_id(),
                                                    "; only it issues seals under it"));
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
  if (absl::Status sealable = CheckSealable(certification, lot.id()); !sealable.ok()) {
    return sealable;
  }
  IssuancePlan plan{certification.grade(), std::nullopt, RestingInspections(certification)};
  if (std::find(plan.rests_on.begin(), plan.rests_on.end(), inspection.id()) ==
      plan.rests_on.end()) {
    const bool made_one =
        std::any_of(certification.stages().begin(), certification.stages().end(),
                    [&](const v1::StageCertification& stage) {
                      return !stage.inspection_id().empty() && stage.certifier_id() == certifier_id;
                    });
    const std::string resting = absl::StrJoin(plan.rests_on, ", ");
    if (!made_one) {
      return absl::PermissionDeniedError(absl::StrCat(
          "lot ", lot.id(), "'s certification rests on inspections ", resting, ", none made by ",
          certifier_id, "; only a certifier that made one of them issues its seals"));
    }
    return absl::FailedPreconditionError(
        absl::StrCat("inspection_id: inspection ", inspection.id(), " decides no stage of lot ",
                     lot.id(), " any more; its certification rests on ", resting));
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
  if (request.has_expire_time()) {
    const absl::Time expiry = FromProto(request.expire_time());
    if (expiry <= now) return absl::InvalidArgumentError("expire_time: must be in the future");
    plan.expiry = expiry;
  } else if (version.seal_validity_days() > 0) {
    plan.expiry = now + absl::Hours(24) * version.seal_validity_days();
  }
  return plan;
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
  if (caller.role == v1::ADMIN) return absl::OkStatus();
  if (caller.role == v1::CERTIFIER && caller.organisation_id == seal.certifier_id()) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat("seal ", seal.code(), " was issued by ",
                                                  seal.certifier_id(),
                                                  "; only it or the association may change it"));
}

}  // namespace sello::domain

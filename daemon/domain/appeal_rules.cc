#include "daemon/domain/appeal_rules.h"

#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "daemon/domain/accreditation_rules.h"
#include "daemon/domain/time_convert.h"

namespace sello::domain {
namespace {

std::string StateOf(const v1::Appeal& appeal) {
  return absl::StrCat("appeal ", appeal.id(), " is ", v1::Appeal::Status_Name(appeal.status()));
}

v1::AppealStep& AddStep(v1::Appeal& appeal, v1::Appeal::Status status, const Principal& actor,
                        absl::Time now) {
  appeal.set_status(status);
  *appeal.mutable_update_time() = ToProto(now);
  v1::AppealStep* step = appeal.add_history();
  step->set_status(status);
  *step->mutable_time() = ToProto(now);
  step->set_actor_organisation_id(actor.organisation_id);
  step->set_actor_role(actor.role);
  step->set_actor_token_id(actor.token_id);
  return *step;
}

std::string ResultText(v1::Inspection::Outcome outcome, v1::Grade grade) {
  return outcome == v1::Inspection::PASS ? absl::StrCat("PASS ", v1::Grade_Name(grade)) : "FAIL";
}

}  // namespace

bool IsOpenAppeal(const v1::Appeal& appeal) {
  return appeal.status() == v1::Appeal::FILED || appeal.status() == v1::Appeal::ASSIGNED;
}

absl::StatusOr<v1::Appeal> PlanAppeal(const v1::Inspection& inspection, const Principal& firm,
                                      absl::string_view grounds,
                                      const std::vector<v1::Appeal>& earlier, absl::Time now,
                                      absl::Duration time_to_decide) {
  if (grounds.empty() || grounds.size() > kMaxAppealText) {
    return absl::InvalidArgumentError("grounds: required, at most 2000 characters");
  }
  if (inspection.firm_id() != firm.organisation_id) {
    // Not the caller's to appeal: refused as every other firm's record is.
    return absl::PermissionDeniedError(absl::StrCat("inspection ", inspection.id(),
                                                    " is not one of firm ", firm.organisation_id,
                                                    "'s inspections; a firm appeals only its own"));
  }
  if (inspection.status() != v1::Inspection::CURRENT) {
    return absl::FailedPreconditionError(absl::StrCat(
        "inspection ", inspection.id(), " is ", v1::Inspection::Status_Name(inspection.status()),
        inspection.superseded_by().empty() ? "" : absl::StrCat(" by ", inspection.superseded_by()),
        "; only a CURRENT inspection can be appealed"));
  }
  if (!inspection.appeal_id().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("inspection ", inspection.id(), " is the re-inspection that resolved appeal ",
                     inspection.appeal_id(), "; its result is final"));
  }
  for (const v1::Appeal& appeal : earlier) {
    if (IsOpenAppeal(appeal)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "inspection ", inspection.id(), " is already under appeal: ", StateOf(appeal)));
    }
  }
  if (!earlier.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "inspection ", inspection.id(), " was appealed before: ", StateOf(earlier.front()),
        "; an inspection is appealed once"));
  }
  v1::Appeal appeal;
  appeal.set_inspection_id(inspection.id());
  appeal.set_firm_id(inspection.firm_id());
  appeal.set_site_id(inspection.site_id());
  appeal.set_lot_id(inspection.lot_id());
  appeal.set_standard_id(inspection.standard_id());
  appeal.set_standard_version(inspection.standard_version());
  *appeal.mutable_stages() = inspection.stages();
  appeal.set_original_certifier_id(inspection.certifier_id());
  appeal.set_original_outcome(inspection.outcome());
  appeal.set_original_grade(inspection.grade());
  appeal.set_grounds(std::string(grounds));
  *appeal.mutable_file_time() = ToProto(now);
  *appeal.mutable_deadline() = ToProto(now + time_to_decide);
  AddStep(appeal, v1::Appeal::FILED, firm, now).set_inspection_id(inspection.id());
  return appeal;
}

absl::Status AssignAppeal(v1::Appeal& appeal, const v1::Organisation& certifier,
                          const std::vector<v1::Accreditation>& accreditations,
                          absl::string_view note, const Principal& actor, absl::Time now) {
  if (note.size() > kMaxAppealText) {
    return absl::InvalidArgumentError("note: at most 2000 characters");
  }
  if (!IsOpenAppeal(appeal)) {
    return absl::FailedPreconditionError(
        absl::StrCat(StateOf(appeal), "; a closed appeal is not reassigned"));
  }
  if (certifier.kind() != v1::Organisation::CERTIFIER) {
    return absl::FailedPreconditionError(absl::StrCat("certifier_id: ", certifier.id(), " is a ",
                                                      v1::Organisation::Kind_Name(certifier.kind()),
                                                      ", not a CERTIFIER"));
  }
  if (certifier.id() == appeal.original_certifier_id()) {
    return absl::FailedPreconditionError(
        absl::StrCat("certifier_id: ", certifier.id(), " made the appealed inspection ",
                     appeal.inspection_id(), "; the original certifier can never re-inspect it"));
  }
  if (certifier.id() == appeal.assigned_certifier_id()) {
    return absl::FailedPreconditionError(
        absl::StrCat(StateOf(appeal), " to ", certifier.id(), " already"));
  }
  const std::vector<std::string> stages(appeal.stages().begin(), appeal.stages().end());
  if (absl::Status accredited =
          CheckAccreditedFor(accreditations, appeal.standard_id(), stages, now);
      !accredited.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("certifier_id: ", certifier.id(),
                                                      " cannot re-inspect ", appeal.standard_id(),
                                                      ": ", accredited.message()));
  }
  appeal.set_assigned_certifier_id(certifier.id());
  v1::AppealStep& step = AddStep(appeal, v1::Appeal::ASSIGNED, actor, now);
  step.set_certifier_id(certifier.id());
  step.set_note(std::string(note));
  return absl::OkStatus();
}

absl::Status CheckMayResolve(const v1::Appeal& appeal, const Principal& actor) {
  if (appeal.status() == v1::Appeal::FILED) {
    return absl::FailedPreconditionError(
        absl::StrCat(StateOf(appeal), "; ADMIN assigns a certifier before it can be resolved"));
  }
  if (!IsOpenAppeal(appeal)) {
    return absl::FailedPreconditionError(
        absl::StrCat(StateOf(appeal),
                     appeal.reinspection_id().empty()
                         ? ""
                         : absl::StrCat(" by re-inspection ", appeal.reinspection_id()),
                     "; an appeal is resolved once"));
  }
  if (actor.organisation_id != appeal.assigned_certifier_id()) {
    return absl::PermissionDeniedError(absl::StrCat("appeal ", appeal.id(), " is assigned to ",
                                                    appeal.assigned_certifier_id(),
                                                    "; only it may re-inspect"));
  }
  return absl::OkStatus();
}

absl::Status ResolveAppeal(v1::Appeal& appeal, v1::Inspection& original,
                           v1::Inspection& reinspection, const Principal& actor, absl::Time now) {
  if (absl::Status status = CheckMayResolve(appeal, actor); !status.ok()) return status;
  if (original.status() != v1::Inspection::CURRENT) {
    return absl::FailedPreconditionError(absl::StrCat(
        "inspection ", original.id(), " is ", v1::Inspection::Status_Name(original.status()), "; ",
        StateOf(appeal), " but there is nothing left to judge"));
  }
  const std::set<std::string> stages(appeal.stages().begin(), appeal.stages().end());
  const std::set<std::string> covered(reinspection.stages().begin(), reinspection.stages().end());
  const struct {
    const char* field;
    bool same;
    std::string wanted;
  } checks[] = {
      {"site_id", reinspection.site_id() == appeal.site_id(), appeal.site_id()},
      {"lot_id", reinspection.lot_id() == appeal.lot_id(), absl::StrCat("'", appeal.lot_id(), "'")},
      {"standard_version",
       reinspection.standard_id() == appeal.standard_id() &&
           reinspection.standard_version() == appeal.standard_version(),
       absl::StrCat(appeal.standard_id(), "@", appeal.standard_version())},
      {"stages", covered == stages, "the appealed inspection's stages"},
  };
  for (const auto& check : checks) {
    if (!check.same) {
      return absl::FailedPreconditionError(
          absl::StrCat("reinspection.", check.field, ": must be ", check.wanted,
                       ", as in the appealed inspection ", original.id()));
    }
  }
  const absl::Time filed = FromProto(appeal.file_time());
  const absl::Time filing_day = absl::FromCivil(
      absl::CivilDay(absl::ToCivilDay(filed, absl::UTCTimeZone())), absl::UTCTimeZone());
  if (FromProto(reinspection.inspection_date()) < filing_day) {
    return absl::FailedPreconditionError(absl::StrCat(
        "reinspection.inspection_date: ", FormatTime(reinspection.inspection_date()),
        " is before appeal ", appeal.id(), " was filed (", FormatTime(appeal.file_time()), ")"));
  }

  const bool same =
      reinspection.outcome() == original.outcome() &&
      (original.outcome() != v1::Inspection::PASS || reinspection.grade() == original.grade());
  reinspection.set_appeal_id(appeal.id());
  appeal.set_reinspection_id(reinspection.id());
  appeal.set_reinspection_outcome(reinspection.outcome());
  appeal.set_reinspection_grade(reinspection.grade());
  v1::AppealStep& step =
      AddStep(appeal, same ? v1::Appeal::UPHELD : v1::Appeal::OVERTURNED, actor, now);
  step.set_certifier_id(actor.organisation_id);
  step.set_inspection_id(reinspection.id());
  step.set_note(absl::StrCat("re-inspection ", reinspection.id(), ": ",
                             ResultText(reinspection.outcome(), reinspection.grade()),
                             same ? " agrees with " : " differs from ",
                             ResultText(original.outcome(), original.grade())));
  if (!same) {
    original.set_status(v1::Inspection::SUPERSEDED);
    original.set_superseded_by(reinspection.id());
    reinspection.set_supersedes(original.id());
  }
  return absl::OkStatus();
}

absl::Status CheckMayCorrect(const v1::Inspection& inspection,
                             const std::vector<v1::Appeal>& appeals) {
  for (const v1::Appeal& appeal : appeals) {
    if (IsOpenAppeal(appeal)) {
      return absl::FailedPreconditionError(
          absl::StrCat("inspection ", inspection.id(), " is under appeal: ", StateOf(appeal),
                       "; it cannot be corrected until the appeal is resolved"));
    }
  }
  return absl::OkStatus();
}

absl::Status DismissAppeal(v1::Appeal& appeal, absl::string_view reason, const Principal& actor,
                           absl::Time now) {
  if (reason.empty() || reason.size() > kMaxAppealText) {
    return absl::InvalidArgumentError("reason: required, at most 2000 characters");
  }
  if (appeal.status() == v1::Appeal::ASSIGNED) {
    return absl::FailedPreconditionError(
        absl::StrCat(StateOf(appeal), " to ", appeal.assigned_certifier_id(),
                     "; an assigned appeal is decided by its re-inspection, not dismissed"));
  }
  if (appeal.status() != v1::Appeal::FILED) {
    return absl::FailedPreconditionError(
        absl::StrCat(StateOf(appeal), "; only a FILED appeal can be dismissed"));
  }
  AddStep(appeal, v1::Appeal::DISMISSED, actor, now).set_note(std::string(reason));
  return absl::OkStatus();
}

absl::Status WithdrawAppeal(v1::Appeal& appeal, absl::string_view reason, const Principal& actor,
                            absl::Time now) {
  // Whose it is comes first: another party learns nothing of its state.
  if (actor.role != v1::FIRM || appeal.firm_id() != actor.organisation_id) {
    return absl::PermissionDeniedError(
        absl::StrCat("appeal ", appeal.id(), " is not yours; a firm withdraws only its own"));
  }
  if (reason.size() > kMaxAppealText) {
    return absl::InvalidArgumentError("reason: at most 2000 characters");
  }
  if (!IsOpenAppeal(appeal)) {
    return absl::FailedPreconditionError(absl::StrCat(
        StateOf(appeal), "; only an open (FILED or ASSIGNED) appeal can be withdrawn"));
  }
  AddStep(appeal, v1::Appeal::WITHDRAWN, actor, now).set_note(std::string(reason));
  return absl::OkStatus();
}

bool IsOverdue(const v1::Appeal& appeal, absl::Time now) {
  return IsOpenAppeal(appeal) && appeal.has_deadline() && now > FromProto(appeal.deadline());
}

}  // namespace sello::domain

#include "daemon/domain/inspection_rules.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "daemon/domain/accreditation_rules.h"
#include "daemon/domain/grading.h"
#include "daemon/domain/problem.h"
#include "daemon/domain/standard_lifecycle.h"
#include "daemon/domain/time_convert.h"

namespace sello::domain {
namespace {

constexpr size_t kMaxText = 200;
constexpr size_t kMaxNote = 2000;
constexpr uint32_t kMaxBoxes = 10'000'000;
// A submission may be dated a little ahead of the registry's clock (clock skew).
constexpr absl::Duration kClockSkew = absl::Minutes(10);

bool IsHexDigest(absl::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string DecidingCriteria(const GradeOutcome& outcome) {
  const std::vector<std::string>& deciding =
      outcome.pass ? outcome.limiting_criteria : outcome.failing_criteria;
  return deciding.empty() ? "(none)" : absl::StrJoin(deciding, ", ");
}

std::string OutcomeText(const GradeOutcome& outcome) {
  return outcome.pass ? absl::StrCat("PASS ", v1::Grade_Name(outcome.grade)) : "FAIL";
}

// Inspection dates are usually whole days (midnight UTC): a version published later on
// the inspection's day is acceptable for it, as it would be at the end of that day.
bool AcceptableOnInspectionDay(const v1::StandardVersion& version, absl::Time date) {
  if (IsAcceptableAt(version, date)) return true;
  if (!IsSet(version.publish_time())) return false;
  const absl::Time published = FromProto(version.publish_time());
  const absl::Time next_day =
      absl::FromCivil(absl::ToCivilDay(date, absl::UTCTimeZone()) + 1, absl::UTCTimeZone());
  return published > date && published < next_day && IsAcceptableAt(version, published);
}

// What is wrong with the fields of a submitted inspection, before any lookup.
std::vector<Problem> SubmissionProblems(const v1::Inspection& submitted, absl::Time now) {
  std::vector<Problem> problems;
  if (submitted.site_id().empty()) problems.push_back({"inspection.site_id", "required"});
  if (submitted.standard_id().empty() || submitted.standard_version() == 0) {
    problems.push_back({"inspection.standard_version", "the exact version is required"});
  }
  if (submitted.stages().empty()) {
    problems.push_back({"inspection.stages", "required: the stages covered"});
  }
  if (!IsSet(submitted.inspection_date())) {
    problems.push_back({"inspection.inspection_date", "required"});
  } else if (FromProto(submitted.inspection_date()) > now + kClockSkew) {
    problems.push_back({"inspection.inspection_date", "is in the future"});
  }
  if (submitted.inspector().empty() || submitted.inspector().size() > kMaxText) {
    problems.push_back({"inspection.inspector", "required, at most 200 characters"});
  }
  if (submitted.request_id().size() > 100) {
    problems.push_back({"inspection.request_id", "at most 100 characters"});
  }
  if (!v1::Grade_IsValid(submitted.claimed_grade())) {
    problems.push_back({"inspection.claimed_grade", "unknown grade"});
  }
  for (int i = 0; i < submitted.results_size(); ++i) {
    const v1::CriterionResult& result = submitted.results(i);
    const std::string path = absl::StrCat("inspection.results[", i, "]");
    if (result.note().size() > kMaxNote) {
      problems.push_back({path + ".note", "at most 2000 characters"});
    }
    for (int j = 0; j < result.evidence_sha256_size(); ++j) {
      if (!IsHexDigest(result.evidence_sha256(j))) {
        problems.push_back({absl::StrCat(path, ".evidence_sha256[", j, "]"),
                            "not a SHA-256 in hex (64 characters)"});
      }
    }
  }
  return problems;
}

// Whether the certifier may inspect `stages` of the version on `date`, and the lot (if
// any) is at the inspected site: FAILED_PRECONDITION naming the field otherwise.
absl::Status CheckMayInspect(const v1::Inspection& submitted, const InspectionContext& context,
                             absl::Time date, const std::vector<std::string>& stages) {
  const v1::StandardVersion& version = *context.version;
  if (!AcceptableOnInspectionDay(version, date)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "inspection.standard_version: ", VersionRef(version.standard_id(), version.version()),
        " is ", v1::StandardVersion::Status_Name(version.status()),
        version.status() == v1::StandardVersion::SUPERSEDED
            ? absl::StrCat(" and ceased on ", FormatTime(version.cessation_time()))
            : "",
        "; not acceptable for an inspection dated ",
        absl::FormatTime("%Y-%m-%d", date, absl::UTCTimeZone())));
  }
  if (context.lot != nullptr && context.lot->site_id() != submitted.site_id()) {
    return absl::FailedPreconditionError(absl::StrCat("inspection.lot_id: lot ", context.lot->id(),
                                                      " is at site ", context.lot->site_id(),
                                                      ", not ", submitted.site_id()));
  }
  return CheckAccreditedFor(context.accreditations, version.standard_id(), stages, date);
}

// The grading engine's outcome for the submitted results, with its errors naming the
// inspection's fields; FAILED_PRECONDITION when a claimed grade disagrees with it.
absl::StatusOr<GradeOutcome> GradeSubmission(const v1::Inspection& submitted,
                                             const v1::StandardVersion& version,
                                             const std::vector<std::string>& stages) {
  std::vector<CriterionResult> results;
  results.reserve(submitted.results_size());
  for (const v1::CriterionResult& result : submitted.results()) {
    CriterionResult converted{result.criterion_id(), std::nullopt, std::nullopt};
    if (result.result_case() == v1::CriterionResult::kPassed) converted.passed = result.passed();
    if (result.result_case() == v1::CriterionResult::kMeasured) {
      converted.value = result.measured();
    }
    results.push_back(std::move(converted));
  }
  absl::StatusOr<GradeOutcome> outcome = ComputeGrade(version, stages, results);
  if (!outcome.ok()) {
    // The engine names its inputs; here they are fields of the inspection.
    return absl::Status(outcome.status().code(),
                        absl::StrReplaceAll(absl::StrCat("inspection.", outcome.status().message()),
                                            {{"inspection.stages_covered", "inspection.stages"}}));
  }
  if (submitted.claimed_grade() != v1::GRADE_UNSPECIFIED &&
      (!outcome->pass || outcome->grade != submitted.claimed_grade())) {
    return absl::FailedPreconditionError(
        absl::StrCat("inspection.claimed_grade: ", v1::Grade_Name(submitted.claimed_grade()),
                     " disagrees with the computed outcome ", OutcomeText(*outcome),
                     ", decided by ", DecidingCriteria(*outcome)));
  }
  return outcome;
}

// The inspection as recorded: the submission with its outcome, a CURRENT inspection of
// no correction or appeal (the store assigns id and time).
v1::Inspection InspectionRecord(const v1::Inspection& submitted, absl::string_view certifier_id,
                                const std::string& firm_id, const std::string& standard_id,
                                const GradeOutcome& outcome) {
  v1::Inspection out = submitted;
  out.clear_id();
  out.clear_create_time();
  out.set_certifier_id(std::string(certifier_id));
  out.set_firm_id(firm_id);
  out.set_standard_id(standard_id);
  out.set_outcome(outcome.pass ? v1::Inspection::PASS : v1::Inspection::FAIL);
  out.set_grade(outcome.pass ? outcome.grade : v1::GRADE_UNSPECIFIED);
  out.clear_criterion_grades();
  for (const CriterionGrade& graded : outcome.criteria) {
    v1::CriterionGrade* record = out.add_criterion_grades();
    record->set_criterion_id(graded.criterion_id);
    record->set_stage_id(graded.stage_id);
    record->set_grade(graded.grade);
    record->set_fails_outcome(graded.fails_outcome);
    record->set_reason(graded.reason);
  }
  out.clear_failing_criteria();
  for (const auto& id : outcome.failing_criteria) out.add_failing_criteria(id);
  out.clear_limiting_criteria();
  for (const auto& id : outcome.limiting_criteria) out.add_limiting_criteria(id);
  out.set_status(v1::Inspection::CURRENT);
  out.clear_supersedes();
  out.clear_superseded_by();
  out.clear_correction_reason();
  out.clear_appeal_id();
  return out;
}

}  // namespace

bool BetterGrade(v1::Grade a, v1::Grade b) {
  return a != v1::GRADE_UNSPECIFIED && (b == v1::GRADE_UNSPECIFIED || a < b);
}

absl::Status ValidateNewLot(const v1::Lot& lot, absl::Time now) {
  std::vector<Problem> problems;
  if (lot.site_id().empty()) problems.push_back({"lot.site_id", "required"});
  if (lot.product_form().empty() || lot.product_form().size() > 100) {
    problems.push_back({"lot.product_form", "required, at most 100 characters"});
  }
  if (!IsSet(lot.harvest_date())) {
    problems.push_back({"lot.harvest_date", "required"});
  } else if (FromProto(lot.harvest_date()) > now + kClockSkew) {
    problems.push_back({"lot.harvest_date", "is in the future"});
  }
  if (lot.box_count() == 0 || lot.box_count() > kMaxBoxes) {
    problems.push_back({"lot.box_count", absl::StrCat("must be 1 to ", kMaxBoxes)});
  }
  return ProblemsToStatus("", problems);
}

absl::StatusOr<v1::Inspection> PlanInspection(const v1::Inspection& submitted,
                                              absl::string_view certifier_id,
                                              const InspectionContext& context) {
  if (absl::Status status = ProblemsToStatus("", SubmissionProblems(submitted, context.now));
      !status.ok()) {
    return status;
  }
  const v1::StandardVersion& version = *context.version;
  const absl::Time date = FromProto(submitted.inspection_date());
  const std::vector<std::string> stages(submitted.stages().begin(), submitted.stages().end());
  if (absl::Status status = CheckMayInspect(submitted, context, date, stages); !status.ok()) {
    return status;
  }
  absl::StatusOr<GradeOutcome> outcome = GradeSubmission(submitted, version, stages);
  if (!outcome.ok()) return outcome.status();
  return InspectionRecord(submitted, certifier_id, context.site->firm_id(), version.standard_id(),
                          *outcome);
}

absl::Status CheckCorrector(const v1::Inspection& earlier, absl::string_view certifier_id) {
  if (earlier.certifier_id() == certifier_id) return absl::OkStatus();
  // Neither who made it nor anything about its state: the caller may not read it.
  return absl::PermissionDeniedError(
      absl::StrCat("inspection ", earlier.id(),
                   " is not one of yours; only the certifier that submitted it may correct it"));
}

absl::Status LinkCorrection(v1::Inspection& earlier, v1::Inspection& corrected,
                            absl::string_view reason) {
  if (reason.empty() || reason.size() > kMaxNote) {
    return absl::InvalidArgumentError("reason: required, at most 2000 characters");
  }
  if (absl::Status status = CheckCorrector(earlier, corrected.certifier_id()); !status.ok()) {
    return status;
  }
  if (earlier.status() != v1::Inspection::CURRENT) {
    return absl::FailedPreconditionError(absl::StrCat(
        "inspection ", earlier.id(), " is ", v1::Inspection::Status_Name(earlier.status()),
        earlier.superseded_by().empty() ? "" : absl::StrCat(" by ", earlier.superseded_by()),
        "; correct the current one"));
  }
  if (earlier.site_id() != corrected.site_id() || earlier.lot_id() != corrected.lot_id()) {
    return absl::FailedPreconditionError(
        absl::StrCat("a correction must be for the same site and lot as inspection ", earlier.id(),
                     " (", earlier.site_id(), ", lot '", earlier.lot_id(), "')"));
  }
  earlier.set_status(v1::Inspection::SUPERSEDED);
  earlier.set_superseded_by(corrected.id());
  corrected.set_supersedes(earlier.id());
  corrected.set_correction_reason(std::string(reason));
  return absl::OkStatus();
}

bool SupersedingLowersGrade(const v1::Inspection& earlier, const v1::Inspection& later) {
  if (later.outcome() != v1::Inspection::PASS) return true;
  return BetterGrade(earlier.grade(), later.grade());
}

}  // namespace sello::domain

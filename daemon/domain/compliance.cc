#include "daemon/domain/compliance.h"

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/text.h"
#include "daemon/domain/accreditation_rules.h"
#include "daemon/domain/lot_certification.h"
#include "daemon/domain/problem.h"
#include "daemon/domain/standard_lifecycle.h"
#include "daemon/domain/time_convert.h"

namespace sello::domain {
namespace {

constexpr size_t kMaxTitle = 200;
constexpr uint32_t kMaxValidityDays = 3650;

using Verdict = v1::ComplianceVerdict;

std::string Day(absl::Time time) { return absl::FormatTime("%Y-%m-%d", time, absl::UTCTimeZone()); }
std::string Day(const google::protobuf::Timestamp& time) { return Day(FromProto(time)); }

// "insp-1 of 2026-11-20".
std::string Named(const v1::Inspection& inspection) {
  return absl::StrCat(inspection.id(), " of ", Day(inspection.inspection_date()));
}

// "PASS GRADE_I", "FAIL".
std::string OutcomeText(const v1::Inspection& inspection) {
  std::string text = v1::Inspection::Outcome_Name(inspection.outcome());
  if (inspection.outcome() == v1::Inspection::PASS) {
    absl::StrAppend(&text, " ", v1::Grade_Name(inspection.grade()));
  }
  return text;
}

// Whether `at` sees `inspection` at all: it was recorded by then (records without a
// create_time count as always recorded) and it is not dated after `at`.
bool RecordedBy(const v1::Inspection& inspection, absl::Time at) {
  if (IsSet(inspection.create_time()) && FromProto(inspection.create_time()) > at) return false;
  return FromProto(inspection.inspection_date()) <= at;
}

// The inspection among `inspections` that supersedes `inspection` and was recorded by
// `at`, if any. The stored status and superseded_by describe today, not `at`, so they
// are not consulted.
const v1::Inspection* SuccessorAt(const v1::Inspection& inspection,
                                  const std::vector<v1::Inspection>& inspections, absl::Time at) {
  for (const v1::Inspection& other : inspections) {
    if (other.supersedes() != inspection.id()) continue;
    if (IsSet(other.create_time()) && FromProto(other.create_time()) > at) continue;
    return &other;
  }
  return nullptr;
}

// Why the norm does not accept the version `inspection` was made against at `at`, or
// nullopt when it does: the adopted version and later ones always; older ones only
// before the transition end.
std::optional<std::string> VersionRefusal(const v1::Norm& norm, const v1::Inspection& inspection,
                                          absl::Time at) {
  const uint32_t version = inspection.standard_version();
  if (version >= norm.standard_version()) return std::nullopt;
  const std::string inspected = VersionRef(inspection.standard_id(), version);
  if (!IsSet(norm.transition_end())) {
    return absl::StrCat("inspected against ", inspected, "; the norm requires ",
                        VersionRef(norm.standard_id(), norm.standard_version()), " or later");
  }
  if (at < FromProto(norm.transition_end())) return std::nullopt;
  return absl::StrCat("inspected against ", inspected, ", which the norm stopped accepting on ",
                      Day(norm.transition_end()));
}

absl::Time ValidUntil(const v1::Norm& norm, const v1::Inspection& inspection) {
  return FromProto(inspection.inspection_date()) +
         absl::Hours(24) * static_cast<int64_t>(norm.validity_days());
}

// Why the certifier was not accredited for the inspection's standard and stages on its
// inspection date, or nullopt when it was.
//
// CheckAccreditedOn, not CheckAccreditedFor: compliance asks about the inspection date,
// and an accreditation suspended since then did not make last year's inspection
// worthless.
std::optional<std::string> AccreditationRefusal(const v1::Inspection& inspection,
                                                const AccreditationsByCertifier& accreditations) {
  static const auto* const kNone = new std::vector<v1::Accreditation>();
  const auto found = accreditations.find(inspection.certifier_id());
  const absl::Time date = FromProto(inspection.inspection_date());
  const absl::Status status = CheckAccreditedOn(
      found == accreditations.end() ? *kNone : found->second, inspection.standard_id(),
      std::vector<std::string>(inspection.stages().begin(), inspection.stages().end()), date);
  if (status.ok()) return std::nullopt;
  absl::string_view refusal = status.message();
  absl::ConsumePrefix(&refusal, "certifier may not inspect: ");
  return absl::StrCat(inspection.certifier_id(), " was not accredited for ",
                      inspection.standard_id(), " on ", Day(date), " (", refusal, ")");
}

bool Newer(const v1::Inspection* a, const v1::Inspection* b) { return NewerInspection(*a, *b); }

bool Covers(const v1::Inspection& inspection, const std::string& stage) {
  return std::find(inspection.stages().begin(), inspection.stages().end(), stage) !=
         inspection.stages().end();
}

v1::StageVerdict StageNonCompliant(v1::StageVerdict verdict, Verdict::Reason reason,
                                   std::string detail, const v1::Inspection* inspection) {
  verdict.set_status(Verdict::NON_COMPLIANT);
  verdict.set_reason(reason);
  verdict.set_detail(std::move(detail));
  if (inspection != nullptr) verdict.set_inspection_id(inspection->id());
  return verdict;
}

// Whether the site complies with `norm` at `at` as far as `stage` goes: the newest of
// `current` (newest first, the standard's inspections current at `at`) that covers the
// stage decides; with none, the newest superseded one says why.
v1::StageVerdict JudgeStage(const v1::Norm& norm, const std::string& stage,
                            const std::vector<const v1::Inspection*>& current,
                            const std::vector<const v1::Inspection*>& superseded,
                            const std::vector<v1::Inspection>& inspections,
                            const AccreditationsByCertifier& accreditations, absl::Time at) {
  v1::StageVerdict verdict;
  verdict.set_stage_id(stage);
  const auto covering = [&](const std::vector<const v1::Inspection*>& among) {
    const auto found = std::find_if(among.begin(), among.end(),
                                    [&](const v1::Inspection* i) { return Covers(*i, stage); });
    return found == among.end() ? nullptr : *found;
  };
  const v1::Inspection* newest = covering(current);
  if (newest == nullptr) {
    const v1::Inspection* replaced = covering(superseded);
    if (replaced == nullptr) {
      return StageNonCompliant(
          std::move(verdict), Verdict::NO_INSPECTION,
          absl::StrCat("no inspection against ", norm.standard_id(), " covers it"), nullptr);
    }
    return StageNonCompliant(
        std::move(verdict), Verdict::SUPERSEDED,
        absl::StrCat("inspection ", Named(*replaced), " (", OutcomeText(*replaced),
                     ") was superseded by ", SuccessorAt(*replaced, inspections, at)->id()),
        replaced);
  }
  // The newest decides: a stage that passed in January and failed in June does not
  // comply in July (SPEC "Compliance": the last one FAILed).
  if (newest->outcome() != v1::Inspection::PASS) {
    *verdict.mutable_failing_criteria() = newest->failing_criteria();
    std::string detail = absl::StrCat("the last inspection, ", Named(*newest), ", ",
                                      v1::Inspection::Outcome_Name(newest->outcome()), "ed");
    if (!newest->failing_criteria().empty()) {
      absl::StrAppend(&detail, " on ", absl::StrJoin(newest->failing_criteria(), ", "));
    }
    return StageNonCompliant(std::move(verdict), Verdict::FAILED, std::move(detail), newest);
  }
  if (std::optional<std::string> refusal = VersionRefusal(norm, *newest, at)) {
    return StageNonCompliant(
        std::move(verdict), Verdict::WRONG_VERSION,
        absl::StrCat("inspection ", Named(*newest), " (", OutcomeText(*newest), ") was ", *refusal),
        newest);
  }
  const absl::Time valid_until = ValidUntil(norm, *newest);
  if (at > valid_until) {
    return StageNonCompliant(std::move(verdict), Verdict::EXPIRED,
                             absl::StrCat("inspection ", Named(*newest), " (", OutcomeText(*newest),
                                          ") expired on ", Day(valid_until)),
                             newest);
  }
  if (std::optional<std::string> refusal = AccreditationRefusal(*newest, accreditations)) {
    return StageNonCompliant(
        std::move(verdict), Verdict::CERTIFIER_NOT_ACCREDITED,
        absl::StrCat("inspection ", Named(*newest), " (", OutcomeText(*newest), "): ", *refusal),
        newest);
  }
  verdict.set_status(Verdict::COMPLIANT);
  verdict.set_reason(Verdict::SATISFIED);
  verdict.set_inspection_id(newest->id());
  *verdict.mutable_valid_until() = ToProto(valid_until);
  verdict.set_detail(absl::StrCat("inspection ", Named(*newest), " (", OutcomeText(*newest),
                                  ") satisfies it until ", Day(valid_until)));
  return verdict;
}

// Which stage's reason speaks for a site that does not comply: an identified failure
// first, then what an inspection lacked, then what is missing.
int Severity(Verdict::Reason reason) {
  switch (reason) {
    case Verdict::FAILED:
      return 6;
    case Verdict::CERTIFIER_NOT_ACCREDITED:
      return 5;
    case Verdict::WRONG_VERSION:
      return 4;
    case Verdict::EXPIRED:
      return 3;
    case Verdict::SUPERSEDED:
      return 2;
    case Verdict::NO_INSPECTION:
      return 1;
    default:
      return 0;
  }
}

// The stage that decides a verdict: the most serious of `stages` that do not comply
// (Severity; among equals a FAILED one whose own criteria failed, FailedOnStage, then the
// first), or, when every one does, the one whose pass lapses first (the first on a tie).
// A FAIL fails every stage its inspection covers: naming the stage whose criteria failed
// says where the failure is.
const v1::StageVerdict& DecidingStage(
    const google::protobuf::RepeatedPtrField<v1::StageVerdict>& stages,
    const std::vector<v1::Inspection>& inspections) {
  const auto failed_on_own_criteria = [&](const v1::StageVerdict& stage) {
    if (stage.reason() != Verdict::FAILED) return false;
    const auto inspection =
        std::find_if(inspections.begin(), inspections.end(),
                     [&](const v1::Inspection& i) { return i.id() == stage.inspection_id(); });
    return inspection != inspections.end() && FailedOnStage(*inspection, stage.stage_id());
  };
  const v1::StageVerdict* deciding = nullptr;
  bool deciding_own = false;
  for (const v1::StageVerdict& stage : stages) {
    if (stage.status() != Verdict::COMPLIANT) {
      const bool own = failed_on_own_criteria(stage);
      if (deciding == nullptr || deciding->status() == Verdict::COMPLIANT ||
          Severity(stage.reason()) > Severity(deciding->reason()) ||
          (Severity(stage.reason()) == Severity(deciding->reason()) && own && !deciding_own)) {
        deciding = &stage;
        deciding_own = own;
      }
    } else if (deciding == nullptr ||
               (deciding->status() == Verdict::COMPLIANT &&
                FromProto(stage.valid_until()) < FromProto(deciding->valid_until()))) {
      deciding = &stage;
    }
  }
  return *deciding;
}

// The stages the norm requires; for a norm without any (only before adoption filled
// them in: see ResolveRequiredStages), those the inspections cover.
std::vector<std::string> RequiredStages(const v1::Norm& norm,
                                        const std::vector<const v1::Inspection*>& seen) {
  if (!norm.required_stages().empty()) {
    return {norm.required_stages().begin(), norm.required_stages().end()};
  }
  std::set<std::string> covered;
  for (const v1::Inspection* inspection : seen) {
    covered.insert(inspection->stages().begin(), inspection->stages().end());
  }
  return {covered.begin(), covered.end()};
}

// What is wrong with the norm's own fields, before its standard version is looked at.
std::vector<Problem> NormFieldProblems(const v1::Norm& norm) {
  std::vector<Problem> problems;
  const size_t title_length = CharCount(norm.title());
  if (title_length == 0) {
    problems.push_back({"norm.title", "required"});
  } else if (title_length > kMaxTitle) {
    problems.push_back({"norm.title", absl::StrCat("must be at most ", kMaxTitle,
                                                   " characters (got ", title_length, ")")});
  }
  if (norm.standard_id().empty()) problems.push_back({"norm.standard_id", "required"});
  if (norm.standard_version() == 0) problems.push_back({"norm.standard_version", "required"});
  if (norm.scope().site_types().empty()) {
    problems.push_back({"norm.scope.site_types", "required: at least one site type"});
  }
  for (int i = 0; i < norm.scope().site_types_size(); ++i) {
    if (norm.scope().site_types(i).empty()) {
      problems.push_back({absl::StrCat("norm.scope.site_types[", i, "]"), "empty"});
    }
  }
  if (!IsSet(norm.effective_from())) problems.push_back({"norm.effective_from", "required"});
  if (IsSet(norm.transition_end()) && IsSet(norm.effective_from()) &&
      FromProto(norm.transition_end()) <= FromProto(norm.effective_from())) {
    problems.push_back({"norm.transition_end", "must be after effective_from"});
  }
  if (norm.validity_days() < 1 || norm.validity_days() > kMaxValidityDays) {
    problems.push_back(
        {"norm.validity_days", absl::StrCat("must be 1 to ", kMaxValidityDays, " days (got ",
                                            norm.validity_days(), ")")});
  }
  return problems;
}

// What is wrong with the stages the norm requires: each a stage of `version`, none twice.
std::vector<Problem> RequiredStageProblems(const v1::Norm& norm,
                                           const v1::StandardVersion& version) {
  std::vector<Problem> problems;
  std::set<std::string> seen;
  for (int i = 0; i < norm.required_stages_size(); ++i) {
    const std::string& stage = norm.required_stages(i);
    const std::string field = absl::StrCat("norm.required_stages[", i, "]");
    const bool known = std::any_of(version.stages().begin(), version.stages().end(),
                                   [&](const v1::Stage& s) { return s.id() == stage; });
    if (!known) {
      problems.push_back(
          {field, absl::StrCat("'", stage, "' is not a stage of ",
                               VersionRef(version.standard_id(), version.version()))});
    } else if (!seen.insert(stage).second) {
      problems.push_back({field, absl::StrCat("'", stage, "' is named twice")});
    }
  }
  return problems;
}

}  // namespace

absl::Status ValidateNewNorm(const v1::Norm& norm, const v1::StandardVersion& version) {
  if (absl::Status status = ProblemsToStatus("", NormFieldProblems(norm)); !status.ok()) {
    return status;
  }
  const std::string ref = VersionRef(norm.standard_id(), norm.standard_version());
  if (version.standard_id() != norm.standard_id() || version.version() != norm.standard_version()) {
    // The caller looked up the wrong record; a bug, not the user's input.
    return absl::InternalError(absl::StrCat("norm adopts ", ref, " but was given ",
                                            VersionRef(version.standard_id(), version.version())));
  }
  if (norm.required_stages_size() > version.stages_size()) {
    return absl::InvalidArgumentError(absl::StrCat("norm.required_stages: at most the ",
                                                   version.stages_size(), " stages of ", ref,
                                                   " (got ", norm.required_stages_size(), ")"));
  }
  if (absl::Status status = ProblemsToStatus("", RequiredStageProblems(norm, version));
      !status.ok()) {
    return status;
  }
  if (version.status() != v1::StandardVersion::PUBLISHED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "standard version ", ref, " is ", v1::StandardVersion::Status_Name(version.status()),
        "; only a PUBLISHED version can be adopted"));
  }
  return absl::OkStatus();
}

v1::Norm::Status NormStatusAt(const v1::Norm& norm, absl::Time at) {
  if (IsSet(norm.create_time()) && at < FromProto(norm.create_time())) {
    return v1::Norm::STATUS_UNSPECIFIED;
  }
  if (IsSet(norm.repeal_time()) && at >= FromProto(norm.repeal_time())) {
    return v1::Norm::REPEALED;
  }
  return at >= FromProto(norm.effective_from()) ? v1::Norm::IN_FORCE : v1::Norm::ADOPTED;
}

bool NormCovers(const v1::Norm& norm, const v1::Site& site) {
  const auto& types = norm.scope().site_types();
  if (std::find(types.begin(), types.end(), site.type()) == types.end()) return false;
  return norm.scope().region().empty() || norm.scope().region() == site.region();
}

v1::ComplianceVerdict EvaluateCompliance(const v1::Norm& norm, const v1::Site& site,
                                         const std::vector<v1::Inspection>& inspections,
                                         const AccreditationsByCertifier& accreditations,
                                         absl::Time at) {
  Verdict verdict;
  verdict.set_norm_id(norm.id());
  verdict.set_site_id(site.id());

  // The inspections of the standard as they stood at `at`, newest first.
  std::vector<const v1::Inspection*> current;
  std::vector<const v1::Inspection*> superseded;
  for (const v1::Inspection& inspection : inspections) {
    if (inspection.standard_id() != norm.standard_id() || !RecordedBy(inspection, at)) continue;
    (SuccessorAt(inspection, inspections, at) == nullptr ? current : superseded)
        .push_back(&inspection);
  }
  std::sort(current.begin(), current.end(), Newer);
  std::sort(superseded.begin(), superseded.end(), Newer);
  std::vector<const v1::Inspection*> seen = current;
  seen.insert(seen.end(), superseded.begin(), superseded.end());

  for (const std::string& stage : RequiredStages(norm, seen)) {
    *verdict.add_stages() =
        JudgeStage(norm, stage, current, superseded, inspections, accreditations, at);
  }
  if (seen.empty()) {
    verdict.set_status(Verdict::NON_COMPLIANT);
    verdict.set_reason(Verdict::NO_INSPECTION);
    verdict.set_detail(absl::StrCat("no inspection against ", norm.standard_id()));
    return verdict;
  }
  if (verdict.stages().empty()) {
    verdict.set_status(Verdict::NON_COMPLIANT);
    verdict.set_reason(Verdict::NO_INSPECTION);
    verdict.set_detail("the norm names no stage");
    return verdict;
  }
  const v1::StageVerdict* deciding = &DecidingStage(verdict.stages(), inspections);
  const bool compliant = deciding->status() == Verdict::COMPLIANT;
  verdict.set_status(compliant ? Verdict::COMPLIANT : Verdict::NON_COMPLIANT);
  verdict.set_reason(deciding->reason());
  verdict.set_deciding_stage(deciding->stage_id());
  verdict.set_inspection_id(deciding->inspection_id());
  *verdict.mutable_failing_criteria() = deciding->failing_criteria();
  if (compliant) *verdict.mutable_valid_until() = deciding->valid_until();
  std::string detail = absl::StrCat("stage ", deciding->stage_id(), ": ", deciding->detail());
  if (compliant && verdict.stages_size() > 1) {
    detail = absl::StrCat("all ", verdict.stages_size(),
                          " required stages pass; the first to lapse is ", detail);
  }
  verdict.set_detail(std::move(detail));
  return verdict;
}

void ResolveRequiredStages(v1::Norm& norm, const v1::StandardVersion& version) {
  if (!norm.required_stages().empty()) return;
  for (const v1::Stage& stage : version.stages()) norm.add_required_stages(stage.id());
}

}  // namespace sello::domain

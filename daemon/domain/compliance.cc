#include "daemon/domain/compliance.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "daemon/domain/accreditation_rules.h"
#include "daemon/domain/problem.h"
#include "daemon/domain/standard_lifecycle.h"
#include "daemon/domain/time_convert.h"

namespace sello::domain {
namespace {

constexpr size_t kMaxTitle = 200;
constexpr uint32_t kMaxValidityDays = 3650;

using Verdict = v1::ComplianceVerdict;

// Characters, not bytes: a title may be in Spanish.
size_t CharCount(absl::string_view text) {
  return std::count_if(text.begin(), text.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

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

// Newest first: by inspection date, then by when it was recorded, then by id so that
// the order never depends on the input's.
bool Newer(const v1::Inspection* a, const v1::Inspection* b) {
  const absl::Time a_date = FromProto(a->inspection_date());
  const absl::Time b_date = FromProto(b->inspection_date());
  if (a_date != b_date) return a_date > b_date;
  const absl::Time a_created = FromProto(a->create_time());
  const absl::Time b_created = FromProto(b->create_time());
  if (a_created != b_created) return a_created > b_created;
  return a->id() > b->id();
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

Verdict NonCompliant(Verdict verdict, Verdict::Reason reason, std::string detail,
                     const v1::Inspection* inspection) {
  verdict.set_status(Verdict::NON_COMPLIANT);
  verdict.set_reason(reason);
  verdict.set_detail(std::move(detail));
  if (inspection != nullptr) verdict.set_inspection_id(inspection->id());
  return verdict;
}

}  // namespace

absl::Status ValidateNewNorm(const v1::Norm& norm, const v1::StandardVersion& version) {
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
  if (absl::Status status = ProblemsToStatus("", problems); !status.ok()) return status;

  const std::string ref = VersionRef(norm.standard_id(), norm.standard_version());
  if (version.standard_id() != norm.standard_id() || version.version() != norm.standard_version()) {
    // The caller looked up the wrong record; a bug, not the user's input.
    return absl::InternalError(absl::StrCat("norm adopts ", ref, " but was given ",
                                            VersionRef(version.standard_id(), version.version())));
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

  if (current.empty() && superseded.empty()) {
    return NonCompliant(std::move(verdict), Verdict::NO_INSPECTION,
                        absl::StrCat("no inspection against ", norm.standard_id()), nullptr);
  }
  if (current.empty()) {
    const v1::Inspection& newest = *superseded.front();
    return NonCompliant(
        std::move(verdict), Verdict::SUPERSEDED,
        absl::StrCat("inspection ", Named(newest), " (", OutcomeText(newest),
                     ") was superseded by ", SuccessorAt(newest, inspections, at)->id()),
        &newest);
  }

  // The newest current inspection decides: a site that passed in January and failed
  // in June does not comply in July (SPEC "Compliance": the last one FAILed).
  for (const v1::Inspection* inspection : {current.front()}) {
    if (inspection->outcome() != v1::Inspection::PASS) continue;
    if (VersionRefusal(norm, *inspection, at).has_value()) continue;
    if (at > ValidUntil(norm, *inspection)) continue;
    if (AccreditationRefusal(*inspection, accreditations).has_value()) continue;
    const absl::Time valid_until = ValidUntil(norm, *inspection);
    verdict.set_status(Verdict::COMPLIANT);
    verdict.set_reason(Verdict::SATISFIED);
    verdict.set_inspection_id(inspection->id());
    *verdict.mutable_valid_until() = ToProto(valid_until);
    verdict.set_detail(absl::StrCat("inspection ", Named(*inspection), " (",
                                    OutcomeText(*inspection), ") satisfies it until ",
                                    Day(valid_until)));
    return verdict;
  }

  // Nothing satisfies the norm: say why the newest current inspection does not.
  const v1::Inspection& newest = *current.front();
  if (newest.outcome() != v1::Inspection::PASS) {
    *verdict.mutable_failing_criteria() = newest.failing_criteria();
    std::string detail = absl::StrCat("the last inspection, ", Named(newest), ", ",
                                      v1::Inspection::Outcome_Name(newest.outcome()), "ed");
    if (!newest.failing_criteria().empty()) {
      absl::StrAppend(&detail, " on ", absl::StrJoin(newest.failing_criteria(), ", "));
    }
    return NonCompliant(std::move(verdict), Verdict::FAILED, std::move(detail), &newest);
  }
  if (std::optional<std::string> refusal = VersionRefusal(norm, newest, at)) {
    return NonCompliant(
        std::move(verdict), Verdict::WRONG_VERSION,
        absl::StrCat("inspection ", Named(newest), " (", OutcomeText(newest), ") was ", *refusal),
        &newest);
  }
  if (at > ValidUntil(norm, newest)) {
    return NonCompliant(std::move(verdict), Verdict::EXPIRED,
                        absl::StrCat("inspection ", Named(newest), " (", OutcomeText(newest),
                                     ") expired on ", Day(ValidUntil(norm, newest))),
                        &newest);
  }
  return NonCompliant(std::move(verdict), Verdict::CERTIFIER_NOT_ACCREDITED,
                      absl::StrCat("inspection ", Named(newest), " (", OutcomeText(newest),
                                   "): ", *AccreditationRefusal(newest, accreditations)),
                      &newest);
}

}  // namespace sello::domain

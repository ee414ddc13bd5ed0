#include "daemon/domain/lot_certification.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "daemon/domain/time_convert.h"

namespace sello::domain {
namespace {

using v1::Certification;
using v1::Inspection;
using v1::StageCertification;

// PREMIUM 3, GRADE_I 2, INDUSTRIAL 1: higher is better.
int GradeRank(v1::Grade grade) {
  switch (grade) {
    case v1::PREMIUM:
      return 3;
    case v1::GRADE_I:
      return 2;
    case v1::INDUSTRIAL:
      return 1;
    default:
      return 0;
  }
}

// A stage's standing, higher is better: no current inspection -1, FAIL 0, else the
// grade's rank.
int StageRank(const StageCertification& stage) {
  if (stage.inspection_id().empty()) return -1;
  if (stage.outcome() != Inspection::PASS) return 0;
  return GradeRank(stage.grade());
}

// A certification's standing, higher is better: none at all -3 (nothing was claimed),
// FAILED -2, UNCERTIFIED -1, CERTIFIED the grade's rank.
int OverallRank(const Certification& certification) {
  switch (certification.status()) {
    case Certification::CERTIFIED:
      return GradeRank(certification.grade());
    case Certification::UNCERTIFIED:
      return -1;
    case Certification::FAILED:
      return -2;
    default:
      return -3;
  }
}

std::string Day(const google::protobuf::Timestamp& time) {
  return absl::FormatTime("%Y-%m-%d", FromProto(time), absl::UTCTimeZone());
}

// "inspection insp-1 of 2026-11-20 FAILed" / "... grades GRADE_I" / "never inspected".
std::string StageText(const StageCertification& stage) {
  if (stage.inspection_id().empty()) return "never inspected";
  const std::string inspection =
      absl::StrCat("inspection ", stage.inspection_id(), " of ", Day(stage.inspection_date()));
  if (stage.outcome() != Inspection::PASS) return absl::StrCat(inspection, " FAILed");
  return absl::StrCat(inspection, " grades ", v1::Grade_Name(stage.grade()));
}

std::string StageSentence(const StageCertification& stage) {
  return absl::StrCat("stage ", stage.stage_id(), ": ", StageText(stage));
}

void Decide(Certification& certification, Certification::Status status,
            const StageCertification* stage, std::string detail) {
  certification.set_status(status);
  if (stage != nullptr) {
    certification.set_deciding_stage(stage->stage_id());
    certification.set_deciding_inspection_id(stage->inspection_id());
  }
  certification.set_detail(std::move(detail));
}

// The newest current inspection of the version's standard covering each stage id
// (against any version).
std::map<std::string, const Inspection*> NewestByStage(const std::vector<Inspection>& inspections,
                                                       const std::string& standard_id) {
  std::map<std::string, const Inspection*> newest;
  for (const Inspection& inspection : inspections) {
    if (inspection.standard_id() != standard_id || inspection.status() != Inspection::CURRENT) {
      continue;
    }
    for (const std::string& stage : inspection.stages()) {
      const Inspection*& slot = newest[stage];
      if (slot == nullptr || NewerInspection(inspection, *slot)) slot = &inspection;
    }
  }
  return newest;
}

// One entry per stage of the version: whether it is required, and what its newest
// inspection found.
void AddStages(const v1::StandardVersion& version, const std::set<std::string>& required,
               const std::map<std::string, const Inspection*>& newest,
               Certification& certification) {
  for (const v1::Stage& stage : version.stages()) {
    StageCertification* entry = certification.add_stages();
    entry->set_stage_id(stage.id());
    entry->set_required(required.count(stage.id()) > 0);
    const auto found = newest.find(stage.id());
    if (found == newest.end()) continue;
    const Inspection& inspection = *found->second;
    entry->set_inspection_id(inspection.id());
    entry->set_standard_version(inspection.standard_version());
    entry->set_outcome(inspection.outcome());
    if (inspection.outcome() == Inspection::PASS) entry->set_grade(inspection.grade());
    *entry->mutable_inspection_date() = inspection.inspection_date();
    entry->set_certifier_id(inspection.certifier_id());
  }
}

// The stages that decide: the failing one to name, the first required one never
// inspected, and the worst passing one.
struct DecidingStages {
  const StageCertification* failing = nullptr;
  const StageCertification* uninspected = nullptr;
  const StageCertification* worst = nullptr;
};
DecidingStages FindDecidingStages(const Certification& certification,
                                  const std::map<std::string, const Inspection*>& newest) {
  DecidingStages deciding;
  bool failing_on_own_criteria = false;
  for (const StageCertification& stage : certification.stages()) {
    const int rank = StageRank(stage);
    if (rank < 0) {
      if (stage.required() && deciding.uninspected == nullptr) deciding.uninspected = &stage;
    } else if (rank == 0) {
      // A FAIL fails every stage its inspection covers; the stage whose own criteria
      // failed is the one to name.
      const bool own = FailedOnStage(*newest.at(stage.stage_id()), stage.stage_id());
      if (deciding.failing == nullptr || (own && !failing_on_own_criteria)) {
        deciding.failing = &stage;
        failing_on_own_criteria = own;
      }
    } else if (deciding.worst == nullptr || rank < StageRank(*deciding.worst)) {
      deciding.worst = &stage;
    }
  }
  return deciding;
}

Certification Certify(const std::vector<Inspection>& inspections,
                      const v1::StandardVersion& version, const std::set<std::string>& required) {
  Certification certification;
  certification.set_standard_id(version.standard_id());
  certification.set_standard_version(version.version());
  const std::map<std::string, const Inspection*> newest =
      NewestByStage(inspections, version.standard_id());
  AddStages(version, required, newest, certification);
  const auto [failing, uninspected, worst] = FindDecidingStages(certification, newest);
  if (failing != nullptr) {
    Decide(certification, Certification::FAILED, failing, StageSentence(*failing));
  } else if (uninspected != nullptr) {
    Decide(certification, Certification::UNCERTIFIED, uninspected,
           absl::StrCat(StageSentence(*uninspected), " (no current inspection covers it)"));
  } else if (worst != nullptr) {
    certification.set_grade(worst->grade());
    Decide(certification, Certification::CERTIFIED, worst,
           absl::StrCat("certified ", v1::Grade_Name(worst->grade()), ": the worst stage is ",
                        worst->stage_id(), " (", StageText(*worst), ")"));
  } else {
    // The inspections cover none of the version's stages (their stage ids are not in it).
    Decide(certification, Certification::UNCERTIFIED, nullptr,
           absl::StrCat("no current inspection covers a stage of ", version.standard_id(), "@",
                        version.version()));
  }
  return certification;
}

}  // namespace

bool FailedOnStage(const Inspection& inspection, absl::string_view stage_id) {
  return std::any_of(inspection.criterion_grades().begin(), inspection.criterion_grades().end(),
                     [&](const v1::CriterionGrade& graded) {
                       return graded.fails_outcome() && graded.stage_id() == stage_id;
                     });
}

bool NewerInspection(const Inspection& a, const Inspection& b) {
  const absl::Time a_date = FromProto(a.inspection_date());
  const absl::Time b_date = FromProto(b.inspection_date());
  if (a_date != b_date) return a_date > b_date;
  const absl::Time a_created = FromProto(a.create_time());
  const absl::Time b_created = FromProto(b.create_time());
  if (a_created != b_created) return a_created > b_created;
  return a.id() > b.id();
}

std::vector<std::string> SealedStages(const v1::StandardVersion& version) {
  if (!version.sealed_stages().empty()) {
    return {version.sealed_stages().begin(), version.sealed_stages().end()};
  }
  std::vector<std::string> stages;
  for (const v1::Stage& stage : version.stages()) stages.push_back(stage.id());
  return stages;
}

std::vector<std::string> CurrentStandards(const std::vector<Inspection>& inspections) {
  std::set<std::string> standards;
  for (const Inspection& inspection : inspections) {
    if (inspection.status() == Inspection::CURRENT) standards.insert(inspection.standard_id());
  }
  return {standards.begin(), standards.end()};
}

std::optional<uint32_t> CertifyingVersion(const std::vector<Inspection>& inspections,
                                          absl::string_view standard_id) {
  const Inspection* newest = nullptr;
  for (const Inspection& inspection : inspections) {
    if (inspection.standard_id() != standard_id || inspection.status() != Inspection::CURRENT) {
      continue;
    }
    if (newest == nullptr || NewerInspection(inspection, *newest)) newest = &inspection;
  }
  if (newest == nullptr) return std::nullopt;
  return newest->standard_version();
}

Certification CertifyLot(const std::vector<Inspection>& inspections,
                         const v1::StandardVersion& version) {
  const std::vector<std::string> sealed = SealedStages(version);
  return Certify(inspections, version, std::set<std::string>(sealed.begin(), sealed.end()));
}

Certification CertifySite(const std::vector<Inspection>& inspections,
                          const v1::StandardVersion& version) {
  return Certify(inspections, version, {});
}

std::optional<std::string> CertificationWorsening(const Certification& before,
                                                  const Certification& after) {
  if (before.status() == Certification::STATUS_UNSPECIFIED) return std::nullopt;
  std::map<std::string, const StageCertification*> was;
  for (const StageCertification& stage : before.stages()) was[stage.stage_id()] = &stage;
  for (const StageCertification& stage : after.stages()) {
    const int now = StageRank(stage);
    const auto then = was.find(stage.stage_id());
    if (then == was.end()) {
      if (now == 0) return StageSentence(stage);
      continue;
    }
    const int earlier = StageRank(*then->second);
    if (earlier < 0 || now >= earlier) continue;
    if (now < 0) {
      return absl::StrCat("stage ", stage.stage_id(), ": no current inspection covers it any more");
    }
    if (now == 0) return StageSentence(stage);
    return absl::StrCat(StageSentence(stage), " (was ", v1::Grade_Name(then->second->grade()), ")");
  }
  if (OverallRank(after) < OverallRank(before)) return after.detail();
  return std::nullopt;
}

bool ClaimsMoreThan(v1::Grade grade, const Certification& certification) {
  if (certification.status() != Certification::CERTIFIED) return true;
  return GradeRank(grade) > GradeRank(certification.grade());
}

absl::Status CheckSealable(const Certification& certification, absl::string_view lot_id) {
  if (certification.status() == Certification::CERTIFIED) return absl::OkStatus();
  std::string required;
  if (certification.status() == Certification::UNCERTIFIED) {
    std::vector<std::string> stages;
    for (const StageCertification& stage : certification.stages()) {
      if (stage.required()) stages.push_back(stage.stage_id());
    }
    required = absl::StrCat("; a seal of ", certification.standard_id(), "@",
                            certification.standard_version(),
                            " requires a current passing "
                            "inspection of stages ",
                            absl::StrJoin(stages, ", "));
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "lot ", lot_id, " is ", Certification::Status_Name(certification.status()), " for ",
      certification.standard_id(), ": ", certification.detail(), required, "; no seals"));
}

std::vector<std::string> RestingInspections(const Certification& certification) {
  std::vector<std::string> ids;
  for (const StageCertification& stage : certification.stages()) {
    if (stage.inspection_id().empty()) continue;
    if (std::find(ids.begin(), ids.end(), stage.inspection_id()) == ids.end()) {
      ids.push_back(stage.inspection_id());
    }
  }
  return ids;
}

const Inspection* IssuersInspection(const std::vector<Inspection>& inspections,
                                    const std::vector<Certification>& certifications,
                                    absl::string_view certifier_id) {
  std::set<std::string> resting;
  for (const Certification& certification : certifications) {
    for (std::string& id : RestingInspections(certification)) resting.insert(std::move(id));
  }
  const Inspection* newest = nullptr;
  const Inspection* newest_resting = nullptr;
  for (const Inspection& inspection : inspections) {
    if (inspection.certifier_id() != certifier_id || inspection.status() != Inspection::CURRENT) {
      continue;
    }
    if (newest == nullptr || NewerInspection(inspection, *newest)) newest = &inspection;
    if (resting.count(inspection.id()) &&
        (newest_resting == nullptr || NewerInspection(inspection, *newest_resting))) {
      newest_resting = &inspection;
    }
  }
  return newest_resting != nullptr ? newest_resting : newest;
}

v1::SiteCertification SiteCertificationOf(const Certification& certification) {
  v1::SiteCertification site;
  site.set_standard_id(certification.standard_id());
  site.set_standard_version(certification.standard_version());
  site.set_status(certification.status());
  if (certification.status() == Certification::CERTIFIED) {
    site.set_outcome(Inspection::PASS);
    site.set_grade(certification.grade());
  } else if (certification.status() == Certification::FAILED) {
    site.set_outcome(Inspection::FAIL);
  }
  site.set_deciding_stage(certification.deciding_stage());
  site.set_detail(certification.detail());
  *site.mutable_stages() = certification.stages();
  for (const StageCertification& stage : certification.stages()) {
    if (stage.stage_id() != certification.deciding_stage() || stage.inspection_id().empty()) {
      continue;
    }
    site.set_inspection_id(stage.inspection_id());
    *site.mutable_inspection_date() = stage.inspection_date();
    site.set_certifier_id(stage.certifier_id());
  }
  return site;
}

std::string CertificationText(const Certification& certification) {
  std::string text = Certification::Status_Name(certification.status());
  if (certification.status() == Certification::CERTIFIED) {
    absl::StrAppend(&text, " ", v1::Grade_Name(certification.grade()));
  }
  return text;
}

}  // namespace sello::domain

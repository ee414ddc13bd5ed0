#include "daemon/domain/visibility.h"

#include "absl/strings/str_cat.h"
#include "daemon/domain/time_convert.h"

namespace sello::domain {
namespace {

// What the public keeps of a stage: no inspection id.
void HideInspections(google::protobuf::RepeatedPtrField<v1::StageCertification>& stages) {
  for (v1::StageCertification& stage : stages) stage.clear_inspection_id();
}

}  // namespace

CertificationView ViewOfCertification(const Principal* caller, absl::string_view firm_id,
                                      const std::set<std::string>& inspected_by) {
  if (caller == nullptr) return CertificationView::kPublic;
  switch (caller->role) {
    case v1::ADMIN:
    case v1::REGULATOR:
      return CertificationView::kFull;
    case v1::FIRM:
      return caller->organisation_id == firm_id ? CertificationView::kFull
                                                : CertificationView::kPublic;
    case v1::CERTIFIER:
      return inspected_by.count(caller->organisation_id) > 0 ? CertificationView::kFull
                                                             : CertificationView::kPublic;
    default:
      return CertificationView::kPublic;
  }
}

bool ShowCertification(CertificationView view, v1::Certification& certification) {
  if (view == CertificationView::kFull) return true;
  if (certification.status() != v1::Certification::CERTIFIED) return false;
  certification.clear_deciding_inspection_id();
  certification.set_detail(absl::StrCat("certified ", v1::Grade_Name(certification.grade())));
  HideInspections(*certification.mutable_stages());
  return true;
}

bool ShowSiteCertification(CertificationView view, v1::SiteCertification& certification) {
  if (view == CertificationView::kFull) return true;
  if (certification.status() != v1::Certification::CERTIFIED) return false;
  certification.clear_inspection_id();
  certification.set_detail(absl::StrCat("certified ", v1::Grade_Name(certification.grade())));
  HideInspections(*certification.mutable_stages());
  return true;
}

void ShowComplianceVerdict(CertificationView view, v1::ComplianceVerdict& verdict) {
  if (view == CertificationView::kFull) return;
  verdict.clear_inspection_id();
  verdict.clear_failing_criteria();
  verdict.clear_deciding_stage();
  if (verdict.status() != v1::ComplianceVerdict::COMPLIANT) {
    verdict.set_reason(v1::ComplianceVerdict::REASON_UNSPECIFIED);
    verdict.clear_valid_until();
    verdict.clear_stages();
    verdict.set_detail(
        "does not comply (why is shown to the site's firm, the certifiers that inspected it, "
        "regulators and the association)");
    return;
  }
  verdict.set_detail(absl::StrCat(
      "complies until ",
      absl::FormatTime("%Y-%m-%d", FromProto(verdict.valid_until()), absl::UTCTimeZone())));
  for (v1::StageVerdict& stage : *verdict.mutable_stages()) {
    stage.clear_inspection_id();
    stage.clear_failing_criteria();
    stage.clear_detail();
  }
}

}  // namespace sello::domain

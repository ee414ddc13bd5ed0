#include "daemon/domain/visibility.h"

#include <algorithm>
#include <initializer_list>

#include "absl/strings/str_cat.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/seal_rules.h"
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

namespace {

// ADMIN and REGULATOR read every record; a firm what is its own (`firm_id`); a
// certifier what names it among `certifiers`; no one else anything.
bool IsParty(const Principal& reader, absl::string_view firm_id,
             std::initializer_list<absl::string_view> certifiers) {
  switch (reader.role) {
    case v1::ADMIN:
    case v1::REGULATOR:
      return true;
    case v1::FIRM:
      return firm_id == reader.organisation_id;
    case v1::CERTIFIER:
      for (absl::string_view certifier : certifiers) {
        if (certifier == reader.organisation_id) return true;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace

bool CanReadInspection(const v1::Inspection& inspection, const Principal& reader) {
  return IsParty(reader, inspection.firm_id(), {inspection.certifier_id()});
}

bool CanReadAppeal(const v1::Appeal& appeal, const Principal& reader) {
  return IsParty(reader, appeal.firm_id(),
                 {appeal.original_certifier_id(), appeal.assigned_certifier_id()});
}

bool CanReadLot(const v1::Lot& lot, const Principal& reader) {
  return reader.role != v1::FIRM || reader.organisation_id == lot.firm_id();
}

bool CanReadIssuedSeals(const v1::Lot& lot, absl::string_view issuer_id, const Principal& reader) {
  return IsParty(reader, lot.firm_id(), {issuer_id});
}

bool CanListSealsOfLot(const v1::Lot& lot, const std::vector<std::string>& issuers,
                       const Principal& reader) {
  if (reader.role != v1::CERTIFIER) return CanReadIssuedSeals(lot, "", reader);
  return std::find(issuers.begin(), issuers.end(), reader.organisation_id) != issuers.end();
}

bool CanReadEvent(const v1::Event& event, const Principal* reader) {
  if (IsPublicEvent(event)) return true;
  if (reader == nullptr) return false;
  if (reader->role == v1::ADMIN || reader->role == v1::REGULATOR) return true;
  return !reader->organisation_id.empty() &&
         (event.organisation_id() == reader->organisation_id ||
          event.actor_organisation_id() == reader->organisation_id);
}

void RedactSealDecision(const Principal* reader, v1::Seal& seal) {
  if (reader != nullptr && !reader->organisation_id.empty() &&
      (reader->role == v1::ADMIN || reader->role == v1::REGULATOR ||
       (reader->role == v1::FIRM && reader->organisation_id == seal.firm_id()) ||
       (reader->role == v1::CERTIFIER && reader->organisation_id == seal.certifier_id()))) {
    return;
  }
  if (!seal.has_status_decision()) return;
  seal.mutable_status_decision()->clear_actor_organisation_id();
  seal.mutable_status_decision()->clear_actor_role();
  // The reason an inspection's or an appeal's result wrote names inspections, stages,
  // criteria and appeals: an identified failure, which the public never sees. It reads
  // what kind of decision it was instead. (An accreditation's or a standard version's
  // reason is public on those records already.)
  const v1::SealChangeCause cause = seal.status_decision().cause();
  if (cause == v1::INSPECTION_RESULT || cause == v1::APPEAL_OVERTURNED) {
    seal.set_status_reason(
        absl::StrCat("decided by ", DecisionText(seal.status_decision().authority(), cause)));
  }
}

}  // namespace sello::domain

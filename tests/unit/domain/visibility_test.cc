// Table-driven tests of who sees what: which records each principal reads (an
// inspection, an appeal, a lot, a lot's seals), and of a site's or a lot's certification
// and compliance: the public (and an uninvolved firm or certifier) sees what is
// certified, never an identified failure; the firm, its certifiers, regulators and ADMIN
// see all.
#include "daemon/domain/visibility.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "daemon/domain/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sello::domain {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using v1::Certification;
using v1::ComplianceVerdict;

// Who reads the records of firm-1 that cert-a made (and, for an appeal, cert-b was
// assigned): ADMIN and REGULATOR all; the firm and the certifiers named; nobody else,
// whatever its id in another role.
TEST(CanReadRecordsTest, Table) {
  v1::Inspection inspection;
  inspection.set_firm_id("firm-1");
  inspection.set_certifier_id("cert-a");
  v1::Appeal appeal;
  appeal.set_firm_id("firm-1");
  appeal.set_original_certifier_id("cert-a");
  appeal.set_assigned_certifier_id("cert-b");
  v1::Lot lot;
  lot.set_firm_id("firm-1");
  struct Case {
    Principal reader;
    bool inspection, appeal, lot, issued_by_cert_a, lists_seals;
  };
  const std::vector<Case> cases = {
      {{"t", "association", v1::ADMIN}, true, true, true, true, true},
      {{"t", "sernapesca", v1::REGULATOR}, true, true, true, true, true},
      {{"t", "firm-1", v1::FIRM}, true, true, true, true, true},
      {{"t", "firm-2", v1::FIRM}, false, false, false, false, false},
      {{"t", "cert-a", v1::CERTIFIER}, true, true, true, true, true},
      {{"t", "cert-b", v1::CERTIFIER}, false, true, true, false, false},
      {{"t", "cert-c", v1::CERTIFIER}, false, false, true, false, false},
      {{"t", "firm-1", v1::CERTIFIER}, false, false, true, false, false},
      {{"t", "cert-a", v1::FIRM}, false, false, false, false, false},
      {{"t", "firm-1", v1::ROLE_UNSPECIFIED}, false, false, true, false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat(c.reader.organisation_id, " as ", v1::Role_Name(c.reader.role)));
    EXPECT_EQ(CanReadInspection(inspection, c.reader), c.inspection);
    EXPECT_EQ(CanReadAppeal(appeal, c.reader), c.appeal);
    EXPECT_EQ(CanReadLot(lot, c.reader), c.lot);
    EXPECT_EQ(CanReadIssuedSeals(lot, "cert-a", c.reader), c.issued_by_cert_a);
    EXPECT_EQ(CanListSealsOfLot(lot, {"cert-a"}, c.reader), c.lists_seals);
  }
}

TEST(ViewOfCertificationTest, Table) {
  const std::set<std::string> inspected_by = {"cert-a", "cert-b"};
  struct Case {
    std::optional<Principal> caller;  // nullopt: no token
    CertificationView view;
  };
  const std::vector<Case> cases = {
      {std::nullopt, CertificationView::kPublic},
      {Principal{"t", "association", v1::ADMIN}, CertificationView::kFull},
      {Principal{"t", "sernapesca", v1::REGULATOR}, CertificationView::kFull},
      {Principal{"t", "firm-1", v1::FIRM}, CertificationView::kFull},
      {Principal{"t", "firm-2", v1::FIRM}, CertificationView::kPublic},
      {Principal{"t", "cert-a", v1::CERTIFIER}, CertificationView::kFull},
      {Principal{"t", "cert-b", v1::CERTIFIER}, CertificationView::kFull},
      {Principal{"t", "cert-c", v1::CERTIFIER}, CertificationView::kPublic},
      // The firm's id in another role, a certifier's id in the firm role: neither.
      {Principal{"t", "firm-1", v1::CERTIFIER}, CertificationView::kPublic},
      {Principal{"t", "cert-a", v1::FIRM}, CertificationView::kPublic},
      {Principal{"", "firm-1", v1::ROLE_UNSPECIFIED}, CertificationView::kPublic},
  };
  for (const Case& c : cases) {
    const Principal* caller = c.caller.has_value() ? &*c.caller : nullptr;
    SCOPED_TRACE(caller == nullptr
                     ? std::string("anonymous")
                     : absl::StrCat(v1::Role_Name(caller->role), " ", caller->organisation_id));
    EXPECT_EQ(ViewOfCertification(caller, "firm-1", inspected_by), c.view);
  }
  EXPECT_EQ(ViewOfCertification(nullptr, "firm-1", {}), CertificationView::kPublic);
}

v1::StageCertification Stage(const std::string& id, const std::string& inspection,
                             v1::Inspection::Outcome outcome, v1::Grade grade) {
  v1::StageCertification stage;
  stage.set_stage_id(id);
  stage.set_inspection_id(inspection);
  stage.set_standard_version(2);
  stage.set_outcome(outcome);
  stage.set_grade(grade);
  *stage.mutable_inspection_date() =
      ToProto(absl::FromCivil(absl::CivilDay(2026, 3, 1), absl::UTCTimeZone()));
  stage.set_certifier_id("cert-a");
  return stage;
}

Certification Certified() {
  Certification certification;
  certification.set_standard_id("CSCS");
  certification.set_standard_version(2);
  certification.set_status(Certification::CERTIFIED);
  certification.set_grade(v1::GRADE_I);
  certification.set_deciding_stage("harvest");
  certification.set_deciding_inspection_id("insp-2");
  certification.set_detail("certified GRADE_I: the worst stage is harvest (inspection insp-2 ...)");
  *certification.add_stages() = Stage("harvest", "insp-2", v1::Inspection::PASS, v1::GRADE_I);
  *certification.add_stages() = Stage("processing", "insp-1", v1::Inspection::PASS, v1::PREMIUM);
  return certification;
}

Certification Failed() {
  Certification certification = Certified();
  certification.set_status(Certification::FAILED);
  certification.clear_grade();
  certification.set_detail("stage processing: inspection insp-9 of 2026-03-01 FAILed");
  *certification.mutable_stages(1) =
      Stage("processing", "insp-9", v1::Inspection::FAIL, v1::GRADE_UNSPECIFIED);
  return certification;
}

TEST(ShowCertificationTest, FullShowsEverything) {
  for (const Certification& original : {Certified(), Failed()}) {
    Certification shown = original;
    ASSERT_TRUE(ShowCertification(CertificationView::kFull, shown));
    EXPECT_EQ(shown.SerializeAsString(), original.SerializeAsString());
    v1::SiteCertification site;
    site.set_status(original.status());
    site.set_inspection_id("insp-9");
    const std::string before = site.SerializeAsString();
    ASSERT_TRUE(ShowSiteCertification(CertificationView::kFull, site));
    EXPECT_EQ(site.SerializeAsString(), before);
  }
}

TEST(ShowCertificationTest, ThePublicSeesWhatIsCertifiedWithoutInspections) {
  Certification certified = Certified();
  ASSERT_TRUE(ShowCertification(CertificationView::kPublic, certified));
  EXPECT_EQ(certified.status(), Certification::CERTIFIED);
  EXPECT_EQ(certified.grade(), v1::GRADE_I);
  EXPECT_EQ(certified.standard_version(), 2u);
  EXPECT_EQ(certified.deciding_stage(), "harvest");
  EXPECT_THAT(certified.deciding_inspection_id(), IsEmpty());
  EXPECT_EQ(certified.detail(), "certified GRADE_I");
  ASSERT_EQ(certified.stages_size(), 2);
  for (const v1::StageCertification& stage : certified.stages()) {
    EXPECT_THAT(stage.inspection_id(), IsEmpty());
    EXPECT_EQ(stage.outcome(), v1::Inspection::PASS);
    EXPECT_EQ(stage.certifier_id(), "cert-a");
  }
  EXPECT_THAT(certified.DebugString(), Not(HasSubstr("insp-")));
}

TEST(ShowCertificationTest, ThePublicNeverSeesAFailureOrAnUnfinishedCertification) {
  for (const Certification::Status status :
       {Certification::FAILED, Certification::UNCERTIFIED, Certification::STATUS_UNSPECIFIED}) {
    SCOPED_TRACE(Certification::Status_Name(status));
    Certification certification = Failed();
    certification.set_status(status);
    EXPECT_FALSE(ShowCertification(CertificationView::kPublic, certification));
    v1::SiteCertification site;
    site.set_status(status);
    site.set_outcome(v1::Inspection::FAIL);
    EXPECT_FALSE(ShowSiteCertification(CertificationView::kPublic, site));
  }
}

TEST(ShowSiteCertificationTest, ThePublicKeepsTheCertifierAndDateNotTheInspection) {
  v1::SiteCertification site;
  site.set_standard_id("CSCS");
  site.set_status(Certification::CERTIFIED);
  site.set_outcome(v1::Inspection::PASS);
  site.set_grade(v1::PREMIUM);
  site.set_inspection_id("insp-1");
  site.set_certifier_id("cert-a");
  *site.mutable_inspection_date() = ToProto(absl::UnixEpoch() + absl::Hours(24 * 365 * 56));
  site.set_detail("certified PREMIUM: ... inspection insp-1 ...");
  *site.add_stages() = Stage("harvest", "insp-1", v1::Inspection::PASS, v1::PREMIUM);
  ASSERT_TRUE(ShowSiteCertification(CertificationView::kPublic, site));
  EXPECT_THAT(site.inspection_id(), IsEmpty());
  EXPECT_THAT(site.stages(0).inspection_id(), IsEmpty());
  EXPECT_EQ(site.certifier_id(), "cert-a");
  EXPECT_TRUE(IsSet(site.inspection_date()));
  EXPECT_EQ(site.grade(), v1::PREMIUM);
  EXPECT_THAT(site.DebugString(), Not(HasSubstr("insp-")));
}

ComplianceVerdict Verdict(ComplianceVerdict::Status status, ComplianceVerdict::Reason reason) {
  ComplianceVerdict verdict;
  verdict.set_norm_id("norm-1");
  verdict.set_site_id("site-1");
  verdict.set_status(status);
  verdict.set_reason(reason);
  verdict.set_inspection_id("insp-7");
  verdict.add_failing_criteria("P4");
  verdict.set_deciding_stage("processing");
  verdict.set_detail("stage processing: the last inspection, insp-7 of 2026-03-01, FAILed on P4");
  if (status == ComplianceVerdict::COMPLIANT) {
    verdict.clear_failing_criteria();
    *verdict.mutable_valid_until() =
        ToProto(absl::FromCivil(absl::CivilDay(2027, 3, 1), absl::UTCTimeZone()));
  }
  v1::StageVerdict* stage = verdict.add_stages();
  stage->set_stage_id("processing");
  stage->set_status(status);
  stage->set_reason(reason);
  stage->set_inspection_id("insp-7");
  stage->set_detail("the last inspection, insp-7 of 2026-03-01, FAILed on P4");
  if (status != ComplianceVerdict::COMPLIANT) stage->add_failing_criteria("P4");
  *stage->mutable_valid_until() = verdict.valid_until();
  return verdict;
}

TEST(ShowComplianceVerdictTest, FullShowsEverything) {
  const ComplianceVerdict original =
      Verdict(ComplianceVerdict::NON_COMPLIANT, ComplianceVerdict::FAILED);
  ComplianceVerdict shown = original;
  ShowComplianceVerdict(CertificationView::kFull, shown);
  EXPECT_EQ(shown.SerializeAsString(), original.SerializeAsString());
}

TEST(ShowComplianceVerdictTest, ThePublicLearnsWhetherNeverWhyNot) {
  for (const ComplianceVerdict::Reason reason :
       {ComplianceVerdict::FAILED, ComplianceVerdict::NO_INSPECTION, ComplianceVerdict::EXPIRED,
        ComplianceVerdict::SUPERSEDED, ComplianceVerdict::WRONG_VERSION,
        ComplianceVerdict::CERTIFIER_NOT_ACCREDITED}) {
    SCOPED_TRACE(ComplianceVerdict::Reason_Name(reason));
    ComplianceVerdict verdict = Verdict(ComplianceVerdict::NON_COMPLIANT, reason);
    ShowComplianceVerdict(CertificationView::kPublic, verdict);
    EXPECT_EQ(verdict.norm_id(), "norm-1");
    EXPECT_EQ(verdict.site_id(), "site-1");
    EXPECT_EQ(verdict.status(), ComplianceVerdict::NON_COMPLIANT);
    EXPECT_EQ(verdict.reason(), ComplianceVerdict::REASON_UNSPECIFIED);
    EXPECT_THAT(verdict.inspection_id(), IsEmpty());
    EXPECT_THAT(verdict.failing_criteria(), IsEmpty());
    EXPECT_THAT(verdict.deciding_stage(), IsEmpty());
    EXPECT_THAT(verdict.stages(), IsEmpty());
    EXPECT_FALSE(IsSet(verdict.valid_until()));
    EXPECT_THAT(verdict.detail(), HasSubstr("does not comply"));
    EXPECT_THAT(verdict.DebugString(), Not(HasSubstr("insp-")));
    EXPECT_THAT(verdict.DebugString(), Not(HasSubstr("P4")));
    EXPECT_THAT(verdict.DebugString(), Not(HasSubstr("processing")));
  }
}

TEST(ShowComplianceVerdictTest, ThePublicSeesUntilWhenASiteComplies) {
  ComplianceVerdict verdict = Verdict(ComplianceVerdict::COMPLIANT, ComplianceVerdict::SATISFIED);
  ShowComplianceVerdict(CertificationView::kPublic, verdict);
  EXPECT_EQ(verdict.status(), ComplianceVerdict::COMPLIANT);
  EXPECT_EQ(verdict.reason(), ComplianceVerdict::SATISFIED);
  EXPECT_TRUE(IsSet(verdict.valid_until()));
  EXPECT_EQ(verdict.detail(), "complies until 2027-03-01");
  EXPECT_THAT(verdict.inspection_id(), IsEmpty());
  ASSERT_EQ(verdict.stages_size(), 1);
  EXPECT_EQ(verdict.stages(0).stage_id(), "processing");
  EXPECT_EQ(verdict.stages(0).status(), ComplianceVerdict::COMPLIANT);
  EXPECT_TRUE(IsSet(verdict.stages(0).valid_until()));
  EXPECT_THAT(verdict.DebugString(), Not(HasSubstr("insp-")));
}

}  // namespace
}  // namespace sello::domain

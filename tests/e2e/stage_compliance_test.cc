// End-to-end: compliance follows the lots' rule, stage by stage (issue 16 §2), and what
// the public sees of a site's certification and compliance (issue 16 §8): what is
// certified, never an identified failure; the firm, its certifiers, regulators and ADMIN
// see all.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/norm.pb.h"
#include "tests/e2e/certification_fixture.h"

namespace sello::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using v1::ComplianceVerdict;

// The fixture's plants (calbuco of salmones-sur, hornopiren of fjord-foods), a regulator
// and its norm: CSCS@1 for plants, requiring harvest, processing and final_product.
class StageComplianceTest : public CertificationTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CertificationTest::SetUp());
    ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "org", "create", "--kind", "regulator", "--name",
                                           "Servicio", "--id", "servicio")));
    regulator_ = IssueToken("servicio", "regulator");
    const ProcessResult adopted = daemon_.RunCliAs(
        regulator_, "-o", "json", "norm", "adopt", "--standard", "CSCS@1", "--title", "Plants",
        "--site-type", "plant", "--effective-from", Day(absl::Now() - absl::Hours(24)), "--stage",
        "harvest,processing,final_product");
    ASSERT_EQ(adopted.exit_code, 0) << adopted;
    norm_ = ParseJson<v1::Norm>(adopted.out).id();
  }

  // A few seconds ahead, so that the inspections just dated a second ahead are in the
  // past of the question.
  static std::string AsOf() {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() + absl::Seconds(5),
                            absl::UTCTimeZone());
  }

  // `sello comply site SITE` as `token` ("" for none).
  ProcessResult Comply(const std::string& token, const std::string& site, bool json = true) {
    std::vector<std::string> args;
    if (!token.empty()) args = {"--token", token};
    if (json) args.insert(args.end(), {"-o", "json"});
    args.insert(args.end(), {"comply", "site", site, "--as-of", AsOf()});
    return daemon_.RunCliArgs(args);
  }

  ComplianceVerdict VerdictFor(const std::string& token, const std::string& site) {
    const ProcessResult answered = Comply(token, site);
    EXPECT_TRUE(answered.exit_code == 0 || answered.exit_code == kExitRefused) << answered;
    const auto response = ParseJson<v1::CheckComplianceResponse>(answered.out);
    EXPECT_EQ(response.verdicts_size(), 1) << answered;
    return response.verdicts_size() == 1 ? response.verdicts(0) : ComplianceVerdict();
  }

  v1::GetCertificationStatusResponse StatusFor(const std::string& token, const std::string& site) {
    std::vector<std::string> args;
    if (!token.empty()) args = {"--token", token};
    args.insert(args.end(), {"-o", "json", "inspect", "status", site});
    const ProcessResult shown = daemon_.RunCliArgs(args);
    EXPECT_EQ(shown.exit_code, 0) << shown;
    return ParseJson<v1::GetCertificationStatusResponse>(shown.out);
  }

  std::string regulator_;
  std::string norm_;
};

Results HarvestFail() { return With(Premium(), {{"H1", "50"}}); }  // 50 h: outside every range
Results ProcessingPremium() { return {{"P1", "1.5"}, {"P2", "1"}, {"P3", "0"}, {"P4", "true"}}; }

// Seen: a processing-only audit made a plant that had just FAILed on a harvest criterion
// COMPLIANT with the regulator's norm.
TEST_F(StageComplianceTest, AProcessingOnlyAuditDoesNotHideAHarvestFail) {
  const Inspection failed = Submitted(certifier_, InspectionFile().Measuring(HarvestFail()));
  ASSERT_EQ(failed.outcome(), Inspection::FAIL);
  const Inspection processing = Submitted(
      certifier_, InspectionFile().Covering({"processing"}).Measuring(ProcessingPremium()));
  ASSERT_EQ(processing.outcome(), Inspection::PASS);

  const ProcessResult table = Comply(regulator_, "calbuco", /*json=*/false);
  EXPECT_EQ(table.exit_code, kExitRefused) << table;
  EXPECT_THAT(table.out, HasSubstr("NON_COMPLIANT"));
  EXPECT_THAT(table.out, HasSubstr("stage harvest: the last inspection, " + failed.id()));
  const ComplianceVerdict verdict = VerdictFor(regulator_, "calbuco");
  EXPECT_EQ(verdict.status(), ComplianceVerdict::NON_COMPLIANT);
  EXPECT_EQ(verdict.reason(), ComplianceVerdict::FAILED);
  EXPECT_EQ(verdict.deciding_stage(), "harvest");
  EXPECT_EQ(verdict.inspection_id(), failed.id());
  EXPECT_THAT(verdict.failing_criteria(), ElementsAre("H1"));
  ASSERT_EQ(verdict.stages_size(), 3);
  EXPECT_EQ(verdict.stages(0).reason(), ComplianceVerdict::FAILED);     // harvest
  EXPECT_EQ(verdict.stages(1).reason(), ComplianceVerdict::SATISFIED);  // processing
  EXPECT_EQ(verdict.stages(1).inspection_id(), processing.id());
  EXPECT_EQ(verdict.stages(2).reason(), ComplianceVerdict::FAILED);  // final_product

  // A new audit of harvest and final product that passes makes the plant comply again.
  const Inspection harvest = Submitted(
      certifier_, InspectionFile()
                      .Covering({"harvest", "final_product"})
                      .Measuring({{"H1", "20"}, {"H2", "true"}, {"Q1", "28"}, {"Q2", "true"}}));
  const ComplianceVerdict now = VerdictFor(regulator_, "calbuco");
  EXPECT_EQ(now.status(), ComplianceVerdict::COMPLIANT);
  EXPECT_THAT(now.detail(), HasSubstr("all 3 required stages pass"));
}

// Seen: a plant stayed COMPLIANT while one of its lots had a current Listeria FAIL.
TEST_F(StageComplianceTest, ALotsListeriaFailCountsForItsPlant) {
  Submitted(certifier_, InspectionFile().AtSite("hornopiren"));  // a plant audit: PREMIUM
  const std::string listeria_lot = CreateLot(other_firm_, "hornopiren", 10);
  const Inspection listeria = Submitted(certifier_, InspectionFile()
                                                        .AtSite("hornopiren")
                                                        .OfLot(listeria_lot)
                                                        .Covering({"processing", "final_product"})
                                                        .Measuring({{"P1", "1.5"},
                                                                    {"P2", "1"},
                                                                    {"P3", "0"},
                                                                    {"P4", "false"},
                                                                    {"Q1", "28"},
                                                                    {"Q2", "true"}}));
  ASSERT_EQ(listeria.outcome(), Inspection::FAIL);
  // A newer inspection of another lot, covering harvest only, passes.
  const std::string other_lot = CreateLot(other_firm_, "hornopiren", 10);
  Submitted(certifier_, InspectionFile()
                            .AtSite("hornopiren")
                            .OfLot(other_lot)
                            .Covering({"harvest"})
                            .Measuring({{"H1", "20"}, {"H2", "true"}}));

  const ComplianceVerdict verdict = VerdictFor(regulator_, "hornopiren");
  EXPECT_EQ(verdict.status(), ComplianceVerdict::NON_COMPLIANT);
  EXPECT_EQ(verdict.reason(), ComplianceVerdict::FAILED);
  EXPECT_EQ(verdict.deciding_stage(), "processing");
  EXPECT_EQ(verdict.inspection_id(), listeria.id());
  EXPECT_THAT(verdict.failing_criteria(), ElementsAre("P4"));
  EXPECT_THAT(verdict.detail(),
              HasSubstr("stage processing: the last inspection, " + listeria.id()));
  // The regulator's report says which stage decided.
  const ProcessResult report =
      daemon_.RunCliAs(regulator_, "comply", "report", norm_, "--format", "csv", "--as-of", AsOf());
  ASSERT_EQ(report.exit_code, 0) << report;
  EXPECT_THAT(report.out, HasSubstr(",detail,deciding_stage\n"));
  EXPECT_THAT(report.out, HasSubstr("hornopiren,Planta Hornopiren,fjord-foods,Los Lagos,false,"
                                    "NON_COMPLIANT,FAILED," +
                                    listeria.id()));
  // So does the site's certification: the lot's FAIL is the plant's processing stage.
  const v1::GetCertificationStatusResponse status = StatusFor(other_firm_, "hornopiren");
  ASSERT_EQ(status.certifications_size(), 1);
  EXPECT_EQ(status.certifications(0).status(), v1::Certification::FAILED);
  EXPECT_EQ(status.certifications(0).deciding_stage(), "processing");
  EXPECT_EQ(status.certifications(0).inspection_id(), listeria.id());
}

// Seen: with no token, GetCertificationStatus and CheckCompliance showed a site's FAIL,
// the failing criteria and the inspection id.
TEST_F(StageComplianceTest, ThePublicSeesWhatIsCertifiedNeverAFailure) {
  const Inspection passed = Submitted(certifier_, InspectionFile());  // calbuco, PREMIUM
  const Inspection failed = Submitted(
      certifier_,
      InspectionFile().AtSite("hornopiren").Measuring(With(Premium(), {{"P4", "false"}})));
  ASSERT_EQ(failed.outcome(), Inspection::FAIL);
  // An uninvolved certifier (Inspecciones del Norte never inspected these plants) and a
  // firm with no part in either.
  const std::string uninvolved_certifier = rival_;
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm", "--name",
                                         "Conservas Tres", "--id", "conservas-tres")));
  const std::string uninvolved_firm = IssueToken("conservas-tres", "firm");

  // The public, another firm and an uninvolved certifier: hornopiren does not comply, and
  // nothing says why; nothing is certified there.
  for (const std::string& token : {std::string(), uninvolved_firm, uninvolved_certifier}) {
    SCOPED_TRACE(token.empty()              ? "anonymous"
                 : token == uninvolved_firm ? "another firm"
                                            : "another certifier");
    const ProcessResult answered = Comply(token, "hornopiren");
    EXPECT_EQ(answered.exit_code, kExitRefused) << answered;
    for (const std::string& secret :
         {failed.id(), std::string("P4"), std::string("FAILED"), std::string("processing")}) {
      EXPECT_THAT(answered.out, Not(HasSubstr(secret)));
    }
    const ComplianceVerdict verdict = VerdictFor(token, "hornopiren");
    EXPECT_EQ(verdict.status(), ComplianceVerdict::NON_COMPLIANT);
    EXPECT_EQ(verdict.reason(), ComplianceVerdict::REASON_UNSPECIFIED);
    EXPECT_THAT(verdict.stages(), IsEmpty());
    const ProcessResult table = Comply(token, "hornopiren", /*json=*/false);
    EXPECT_THAT(table.out, Not(HasSubstr(failed.id())));
    EXPECT_THAT(table.out, Not(HasSubstr("P4")));

    std::vector<std::string> args;
    if (!token.empty()) args = {"--token", token};
    args.insert(args.end(), {"-o", "json", "inspect", "status", "hornopiren"});
    const ProcessResult status = daemon_.RunCliArgs(args);
    ASSERT_EQ(status.exit_code, 0) << status;
    EXPECT_THAT(ParseJson<v1::GetCertificationStatusResponse>(status.out).certifications(),
                IsEmpty());
    EXPECT_THAT(status.out, Not(HasSubstr(failed.id())));
    EXPECT_THAT(status.out, Not(HasSubstr("FAIL")));

    // What is certified, they see: calbuco, PREMIUM, compliant until a year from now;
    // but no inspection id.
    const v1::GetCertificationStatusResponse calbuco = StatusFor(token, "calbuco");
    ASSERT_EQ(calbuco.certifications_size(), 1);
    EXPECT_EQ(calbuco.certifications(0).status(), v1::Certification::CERTIFIED);
    EXPECT_EQ(calbuco.certifications(0).grade(), v1::PREMIUM);
    EXPECT_EQ(calbuco.certifications(0).certifier_id(), "cert-austral");
    EXPECT_THAT(calbuco.certifications(0).inspection_id(), IsEmpty());
    const ComplianceVerdict complies = VerdictFor(token, "calbuco");
    EXPECT_EQ(complies.status(), ComplianceVerdict::COMPLIANT);
    EXPECT_TRUE(complies.has_valid_until());
    EXPECT_THAT(complies.inspection_id(), IsEmpty());
    EXPECT_THAT(Comply(token, "calbuco").out, Not(HasSubstr(passed.id())));
  }

  // The firm, the certifier that inspected it, a regulator and ADMIN see all of it.
  for (const std::string& token : {other_firm_, certifier_, regulator_, admin_}) {
    SCOPED_TRACE(token == other_firm_  ? "the firm"
                 : token == certifier_ ? "its certifier"
                 : token == regulator_ ? "a regulator"
                                       : "ADMIN");
    const ComplianceVerdict verdict = VerdictFor(token, "hornopiren");
    EXPECT_EQ(verdict.reason(), ComplianceVerdict::FAILED);
    EXPECT_EQ(verdict.inspection_id(), failed.id());
    EXPECT_THAT(verdict.failing_criteria(), ElementsAre("P4"));
    EXPECT_EQ(verdict.deciding_stage(), "processing");
    const v1::GetCertificationStatusResponse status = StatusFor(token, "hornopiren");
    ASSERT_EQ(status.certifications_size(), 1);
    EXPECT_EQ(status.certifications(0).status(), v1::Certification::FAILED);
    EXPECT_EQ(status.certifications(0).outcome(), Inspection::FAIL);
    EXPECT_EQ(status.certifications(0).inspection_id(), failed.id());
  }
}

}  // namespace
}  // namespace sello::e2e

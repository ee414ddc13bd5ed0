// A regulator adopts the salmon code as a norm and asks which plants comply, and why.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "sello/v1/appeal.pb.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/norm.pb.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kCscs[] = TESTDATA_DIR "/../../deploy/demo/standards/cscs-v1.json";
constexpr int kExitDenied = 4;
constexpr int kExitRefused = 5;

std::string Day(absl::Time time) { return absl::FormatTime("%Y-%m-%d", time, absl::UTCTimeZone()); }

class NormTest : public SessionTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(SessionTest::SetUp());
    Run(admin_, {"standard", "push", kCscs});
    Run(admin_, {"org", "create", "--kind", "regulator", "--name", "Servicio", "--id", "servicio"});
    Run(admin_, {"org", "create", "--kind", "certifier", "--name", "Cert", "--id", "cert"});
    for (const char* firm : {"member-firm", "outsider"}) {
      Run(admin_, {"org", "create", "--kind", "firm", "--name", firm, "--id", firm});
      Run(admin_, {"site", "create", "--firm", firm, "--type", "processing_plant", "--name",
                   absl::StrCat("Plant of ", firm), "--region", "Los Lagos", "--registration-code",
                   absl::StrCat("RP-", firm), "--id", absl::StrCat(firm, "-pp")});
    }
    Run(admin_, {"org", "join", "member-firm"});
    regulator_ = IssueToken("servicio", "regulator");
    certifier_ = IssueToken("cert", "certifier");
    Run(admin_, {"accredit", "create", "--certifier", "cert", "--standard", "CSCS", "--from",
                 Day(absl::Now() - absl::Hours(24 * 30)), "--until",
                 Day(absl::Now() + absl::Hours(24 * 365))});
  }

  void Run(const std::string& token, std::vector<std::string> args) {
    args.insert(args.begin(), {"--token", token});
    const ProcessResult result = daemon_.RunCliArgs(args);
    ASSERT_EQ(result.exit_code, 0) << result;
  }

  // A passing (or, with `fail`, failing on P4) inspection of the whole code at `site`,
  // submitted by the certifier.
  void Inspect(const std::string& site, bool fail) {
    Run(certifier_, {"inspect", "submit", InspectionFile(site, fail)});
  }

  // The inspection file Inspect() submits; its path.
  std::string InspectionFile(const std::string& site, bool fail) {
    return daemon_.WriteFile(
        absl::StrCat("inspection-", site, fail, ++files_, ".json"),
        absl::StrCat(
            R"({"siteId":")", site, R"(","standardId":"CSCS","standardVersion":1,)",
            R"("stages":["harvest","processing","final_product"],"inspector":"I",)",
            R"("inspectionDate":")",
            // A second ahead: never before the publication that just happened.
            absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() + absl::Seconds(1),
                             absl::UTCTimeZone()),
            R"(","results":[{"criterionId":"H1","measured":20},{"criterionId":"H2","passed":true},)",
            R"({"criterionId":"P1","measured":1.5},{"criterionId":"P2","measured":1},)",
            R"({"criterionId":"P3","measured":0},{"criterionId":"P4","passed":)",
            fail ? "false" : "true",
            R"(},{"criterionId":"Q1","measured":28},{"criterionId":"Q2","passed":true}]})"));
  }

  // `sello comply site SITE` a few seconds ahead, so that the inspections just dated a
  // second ahead are in the past of the question.
  static std::string AsOf() {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() + absl::Seconds(5),
                            absl::UTCTimeZone());
  }

  // As the regulator, who sees why (the public learns only whether: issue 16 §8).
  ProcessResult Comply(const std::string& site, bool json = false) {
    const std::string as_of = AsOf();
    return json ? daemon_.RunCliAs(regulator_, "-o", "json", "comply", "site", site, "--as-of",
                                   as_of)
                : daemon_.RunCliAs(regulator_, "comply", "site", site, "--as-of", as_of);
  }

  std::string regulator_, certifier_;
  int files_ = 0;
};

TEST_F(NormTest, RegulatorAdoptsTheCodeAndSeesWhoComplies) {
  // Only a PUBLISHED version, and only by a regulator.
  const ProcessResult draft = daemon_.RunCliAs(
      regulator_, "norm", "adopt", "--standard", "CSCS@1", "--title", "Salmon plants",
      "--site-type", "processing_plant", "--effective-from", Day(absl::Now()));
  EXPECT_EQ(draft.exit_code, kExitRefused) << draft;
  EXPECT_THAT(draft.err, HasSubstr("DRAFT"));
  Run(admin_, {"standard", "publish", "CSCS@1"});
  EXPECT_EQ(daemon_
                .RunCliAs(admin_, "norm", "adopt", "--standard", "CSCS@1", "--title", "x",
                          "--site-type", "processing_plant", "--effective-from", Day(absl::Now()))
                .exit_code,
            kExitDenied);
  const ProcessResult adopted = daemon_.RunCliAs(
      regulator_, "-o", "json", "norm", "adopt", "--standard", "CSCS@1", "--title", "Salmon plants",
      "--site-type", "processing_plant", "--effective-from", Day(absl::Now() - absl::Hours(24)),
      "--validity-days", "365", "--stage", "harvest,processing", "--stage", "final_product");
  ASSERT_EQ(adopted.exit_code, 0) << adopted;
  const v1::Norm norm = ParseJson<v1::Norm>(adopted.out);
  EXPECT_EQ(norm.status(), v1::Norm::IN_FORCE);
  EXPECT_EQ(norm.standard_version(), 1u);
  EXPECT_THAT(norm.required_stages(), ElementsAre("harvest", "processing", "final_product"));
  // Public.
  const ProcessResult listed = daemon_.RunCli("norm", "list");
  EXPECT_EQ(listed.exit_code, 0) << listed;
  EXPECT_THAT(listed.out, HasSubstr(norm.id()));

  // Not inspected yet: non-compliant, members and non-members alike.
  for (const char* site : {"member-firm-pp", "outsider-pp"}) {
    const ProcessResult none = Comply(site);
    EXPECT_EQ(none.exit_code, kExitRefused) << none;
    EXPECT_THAT(none.out, HasSubstr("NO_INSPECTION"));
  }
  Inspect("member-firm-pp", /*fail=*/false);
  Inspect("outsider-pp", /*fail=*/true);
  const ProcessResult member = Comply("member-firm-pp", /*json=*/true);
  EXPECT_EQ(member.exit_code, 0) << member;
  const v1::CheckComplianceResponse compliant = ParseJson<v1::CheckComplianceResponse>(member.out);
  ASSERT_EQ(compliant.verdicts_size(), 1);
  EXPECT_EQ(compliant.verdicts(0).status(), v1::ComplianceVerdict::COMPLIANT);
  const ProcessResult outsider = Comply("outsider-pp");
  EXPECT_EQ(outsider.exit_code, kExitRefused) << outsider;
  EXPECT_THAT(outsider.out, HasSubstr("FAILed on P4"));

  // The regulator's report: every site in scope, members and non-members, exportable.
  const ProcessResult csv = daemon_.RunCliAs(regulator_, "comply", "report", norm.id(), "--format",
                                             "csv", "--as-of", AsOf());
  ASSERT_EQ(csv.exit_code, 0) << csv;
  EXPECT_THAT(csv.out, HasSubstr("site_id,site_name,firm_id,region,member,status"));
  EXPECT_THAT(csv.out, HasSubstr("member-firm-pp,Plant of member-firm,member-firm,Los Lagos,true,"
                                 "COMPLIANT,SATISFIED"));
  EXPECT_THAT(csv.out, HasSubstr("outsider-pp,Plant of outsider,outsider,Los Lagos,false,"
                                 "NON_COMPLIANT,FAILED"));
  const ProcessResult jsonl = daemon_.RunCliAs(regulator_, "comply", "report", norm.id(),
                                               "--format", "jsonl", "--as-of", AsOf());
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl;
  EXPECT_EQ(std::count(jsonl.out.begin(), jsonl.out.end(), '\n'), 2) << jsonl.out;
  EXPECT_EQ(daemon_.RunCliAs(certifier_, "comply", "report", norm.id()).exit_code, kExitDenied);

  // As of before the norm existed, nothing applied.
  const ProcessResult before = daemon_.RunCli("comply", "site", "member-firm-pp", "--as-of",
                                              Day(absl::Now() - absl::Hours(24 * 10)));
  EXPECT_EQ(before.exit_code, 0) << before;
  EXPECT_THAT(before.out, HasSubstr("no norm in force"));

  // Repealed by its regulator only, once.
  const ProcessResult by_admin =
      daemon_.RunCliAs(admin_, "norm", "repeal", norm.id(), "--reason", "x");
  EXPECT_EQ(by_admin.exit_code, kExitDenied) << by_admin;
  Run(regulator_, {"norm", "repeal", norm.id(), "--reason", "replaced by a new norm"});
  const ProcessResult twice =
      daemon_.RunCliAs(regulator_, "norm", "repeal", norm.id(), "--reason", "again");
  EXPECT_EQ(twice.exit_code, kExitRefused) << twice;
  EXPECT_THAT(twice.err, HasSubstr("REPEALED"));
  EXPECT_THAT(daemon_.RunCli("comply", "site", "outsider-pp").out, HasSubstr("no norm in force"));
}

TEST_F(NormTest, ExpiryAndAnOverturnedAppealShowInCompliance) {
  Run(admin_, {"standard", "publish", "CSCS@1"});
  Run(regulator_,
      {"norm", "adopt", "--standard", "CSCS@1", "--title", "Salmon plants", "--site-type",
       "processing_plant", "--effective-from", Day(absl::Now() - absl::Hours(24)),
       "--validity-days", "1", "--stage", "harvest,processing,final_product"});
  Inspect("member-firm-pp", /*fail=*/false);
  Inspect("outsider-pp", /*fail=*/true);

  // A pass satisfies the norm for its validity period, then no longer.
  EXPECT_EQ(Comply("member-firm-pp").exit_code, 0);
  const ProcessResult later = daemon_.RunCliAs(regulator_, "comply", "site", "member-firm-pp",
                                               "--as-of", Day(absl::Now() + absl::Hours(24 * 3)));
  EXPECT_EQ(later.exit_code, kExitRefused) << later;
  EXPECT_THAT(later.out, HasSubstr("EXPIRED"));

  // The outsider appeals its FAIL; another certifier finds no Listeria and the appeal is
  // overturned: the re-inspection now decides, and the site complies.
  Run(admin_, {"org", "create", "--kind", "certifier", "--name", "Second", "--id", "second"});
  Run(admin_, {"accredit", "create", "--certifier", "second", "--standard", "CSCS", "--from",
               Day(absl::Now() - absl::Hours(24 * 30)), "--until",
               Day(absl::Now() + absl::Hours(24 * 365))});
  const std::string outsider = IssueToken("outsider", "firm");
  const std::string second = IssueToken("second", "certifier");
  const ProcessResult failed =
      daemon_.RunCliAs(admin_, "-o", "json", "inspect", "list", "--site", "outsider-pp");
  ASSERT_EQ(failed.exit_code, 0) << failed;
  const auto inspections = ParseJson<v1::ListInspectionsResponse>(failed.out);
  ASSERT_EQ(inspections.inspections_size(), 1);
  const ProcessResult filed =
      daemon_.RunCliAs(outsider, "-o", "json", "appeal", "file", inspections.inspections(0).id(),
                       "--grounds", "contaminated swab");
  ASSERT_EQ(filed.exit_code, 0) << filed;
  const std::string appeal = ParseJson<v1::Appeal>(filed.out).id();
  Run(admin_, {"appeal", "assign", appeal, "--certifier", "second"});
  const ProcessResult resolved = daemon_.RunCliAs(second, "-o", "json", "appeal", "resolve", appeal,
                                                  InspectionFile("outsider-pp", /*fail=*/false));
  ASSERT_EQ(resolved.exit_code, 0) << resolved;
  const v1::Appeal overturned = ParseJson<v1::Appeal>(resolved.out);
  EXPECT_EQ(overturned.status(), v1::Appeal::OVERTURNED);
  const ProcessResult now = Comply("outsider-pp", /*json=*/true);
  EXPECT_EQ(now.exit_code, 0) << now;
  const auto verdicts = ParseJson<v1::CheckComplianceResponse>(now.out);
  ASSERT_EQ(verdicts.verdicts_size(), 1);
  EXPECT_EQ(verdicts.verdicts(0).status(), v1::ComplianceVerdict::COMPLIANT);
  EXPECT_EQ(verdicts.verdicts(0).inspection_id(), overturned.reinspection_id());
}

}  // namespace
}  // namespace sello::e2e

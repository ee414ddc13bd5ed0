// End-to-end: a lot is only as good as its worst current stage (issue 16 §1). Seals rest
// on all the lot's current inspections together; a narrower inspection never hides
// another stage's failure; a lot that gets worse suspends the seals that now claim too
// much; the stages a seal requires are part of the standard version.
//
// The fixture's CSCS@1 (deploy/demo/standards/cscs-v1.json) has stages farming,
// harvest, processing and final_product, and its seals require harvest, processing and
// final_product.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/seal.pb.h"
#include "sello/v1/standard.pb.h"
#include "tests/e2e/certification_fixture.h"

namespace sello::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using v1::Certification;

// A farming stage that FAILs: F2, medication withdrawal period not respected (critical).
Results FarmingFail() { return {{"F1", "true"}, {"F2", "false"}, {"F3", "0.5"}}; }
Results ProcessingPremium() { return {{"P1", "1.5"}, {"P2", "1"}, {"P3", "0"}, {"P4", "true"}}; }

class LotCertificationTest : public CertificationTest {
 protected:
  v1::Lot LotAs(const std::string& token, const std::string& lot) {
    const ProcessResult shown = daemon_.RunCliAs(token, "-o", "json", "lot", "show", lot);
    EXPECT_EQ(shown.exit_code, 0) << shown;
    return ParseJson<v1::Lot>(shown.out);
  }

  // `sello -o json seal issue`: the issuance (empty, with a failure, when refused).
  v1::IssueSealsResponse IssuedJson(const std::string& token, const std::string& lot, int count,
                                    const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"--token", token,   "-o", "json",    "seal",
                                     "issue",   "--lot", lot,  "--count", absl::StrCat(count)};
    args.insert(args.end(), extra.begin(), extra.end());
    const ProcessResult issued = daemon_.RunCliArgs(args);
    EXPECT_EQ(issued.exit_code, 0) << issued;
    if (issued.exit_code != 0) return v1::IssueSealsResponse();
    return ParseJson<v1::IssueSealsResponse>(issued.out);
  }
};

// Seen: a lot's inspection covering farming and processing FAILed on a critical farming
// criterion; the same certifier then submitted a PASS PREMIUM inspection of the same lot
// not covering farming and issued PREMIUM seals, which verified VALID PREMIUM.
TEST_F(LotCertificationTest, ANarrowerPassNeverHidesAFarmingFail) {
  const std::string lot = CreateLot(firm_, "calbuco", 10);
  const Inspection failed =
      Submitted(certifier_, InspectionFile()
                                .OfLot(lot)
                                .Covering({"farming", "processing"})
                                .Measuring(With(FarmingFail(), ProcessingPremium())));
  ASSERT_EQ(failed.outcome(), Inspection::FAIL);
  const Inspection premium = Submitted(certifier_, InspectionFile().OfLot(lot));
  ASSERT_EQ(premium.grade(), v1::PREMIUM);

  // No seals: the lot FAILs on farming, whatever inspection is named.
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{}, std::vector<std::string>{"--inspection", premium.id()}}) {
    const ProcessResult refused = IssueSeals(certifier_, lot, 4, extra);
    EXPECT_EQ(refused.exit_code, kExitRefused) << refused;
    EXPECT_THAT(refused.err, HasSubstr("FAILED_PRECONDITION"));
    EXPECT_THAT(refused.err, HasSubstr("lot " + lot +
                                       " is FAILED for CSCS: stage farming: "
                                       "inspection " +
                                       failed.id()));
    EXPECT_THAT(refused.out, IsEmpty());
  }
  EXPECT_EQ(ShowLot(lot).seals_issued(), 0u);

  // `lot show` says so, stage by stage, to the firm.
  const v1::Lot shown = LotAs(firm_, lot);
  ASSERT_EQ(shown.certifications_size(), 1);
  const Certification& certification = shown.certifications(0);
  EXPECT_EQ(certification.status(), Certification::FAILED);
  EXPECT_EQ(certification.deciding_stage(), "farming");
  EXPECT_EQ(certification.deciding_inspection_id(), failed.id());
  ASSERT_EQ(certification.stages_size(), 4);
  EXPECT_EQ(certification.stages(0).inspection_id(), failed.id());  // farming
  EXPECT_FALSE(certification.stages(0).required());
  EXPECT_EQ(certification.stages(2).inspection_id(), premium.id());  // processing
  EXPECT_TRUE(certification.stages(2).required());
  const ProcessResult table = daemon_.RunCliAs(firm_, "lot", "show", lot);
  ASSERT_EQ(table.exit_code, 0) << table;
  EXPECT_THAT(table.out, HasSubstr("certification CSCS@1: FAILED"));
  EXPECT_THAT(table.out, HasSubstr("stage farming: inspection " + failed.id()));

  // A certifier that never inspected the lot sees no failure in it (issue 16 §8).
  const v1::Lot to_rival = LotAs(rival_, lot);
  EXPECT_THAT(to_rival.certifications(), IsEmpty());
}

// Every stage a seal requires must be covered by a current passing inspection of the lot.
TEST_F(LotCertificationTest, AStageNeverInspectedLeavesTheLotUncertified) {
  const std::string lot = CreateLot(firm_, "calbuco", 10);
  Submitted(certifier_,
            InspectionFile().OfLot(lot).Covering({"processing"}).Measuring(ProcessingPremium()));
  const ProcessResult refused = IssueSeals(certifier_, lot, 1);
  EXPECT_EQ(refused.exit_code, kExitRefused) << refused;
  EXPECT_THAT(refused.err,
              HasSubstr("lot " + lot + " is UNCERTIFIED for CSCS: stage harvest: never inspected"));
  EXPECT_THAT(refused.err, HasSubstr("a seal of CSCS@1 requires a current passing inspection of "
                                     "stages harvest, processing, final_product"));
  EXPECT_EQ(LotAs(admin_, lot).certifications(0).status(), Certification::UNCERTIFIED);
}

// A lot's certification rests on all its current inspections, whoever made them: the worst
// stage grades it, any new result that makes a stage worse suspends the seals that now
// claim too much (in the same write), and the seals' record names what they rest on.
TEST_F(LotCertificationTest, SealsFollowTheLotsWorstCurrentStage) {
  ASSERT_FALSE(Accredit("cert-norte", "CSCS").empty());
  const std::string lot = CreateLot(firm_, "calbuco", 20);
  const Inspection austral = Submitted(certifier_, InspectionFile().OfLot(lot));
  ASSERT_EQ(austral.grade(), v1::PREMIUM);
  const std::vector<std::string> premium = Issued(certifier_, lot, 2);
  const std::vector<std::string> grade_i = Issued(certifier_, lot, 1, {"--grade", "grade_i"});
  ASSERT_EQ(premium.size(), 2u);
  ASSERT_EQ(grade_i.size(), 1u);

  // Norte inspects the harvest again: 30 h to processing is GRADE_I. The PREMIUM boxes now
  // claim more than the lot: suspended; the GRADE_I box does not.
  const Inspection harvest = Submitted(
      rival_,
      InspectionFile().OfLot(lot).Covering({"harvest"}).Measuring({{"H1", "30"}, {"H2", "true"}}));
  ASSERT_EQ(harvest.grade(), v1::GRADE_I);
  EXPECT_THAT(Statuses(premium), ElementsAre(Seal::SUSPENDED, Seal::SUSPENDED));
  EXPECT_THAT(Statuses(grade_i), ElementsAre(Seal::VALID));
  const std::string reason = SealOf(premium[0], firm_).status_reason();
  EXPECT_THAT(reason, HasSubstr("stage harvest: inspection " + harvest.id()));
  EXPECT_THAT(reason, HasSubstr("lot " + lot + " is now CERTIFIED GRADE_I"));

  // The lot is GRADE_I now, for every issuer; it rests on both inspections.
  const v1::Lot shown = LotAs(firm_, lot);
  ASSERT_EQ(shown.certifications_size(), 1);
  EXPECT_EQ(shown.certifications(0).status(), Certification::CERTIFIED);
  EXPECT_EQ(shown.certifications(0).grade(), v1::GRADE_I);
  EXPECT_EQ(shown.certifications(0).deciding_stage(), "harvest");
  const ProcessResult better = IssueSeals(certifier_, lot, 1, {"--grade", "premium"});
  EXPECT_EQ(better.exit_code, kExitRefused) << better;
  EXPECT_THAT(better.err,
              HasSubstr("grade: PREMIUM is better than lot " + lot + "'s certification, GRADE_I"));
  const v1::IssueSealsResponse by_austral = IssuedJson(certifier_, lot, 2);
  EXPECT_EQ(by_austral.issuance().grade(), v1::GRADE_I);
  EXPECT_EQ(by_austral.issuance().inspection_id(), austral.id());
  EXPECT_THAT(by_austral.issuance().rests_on(), ElementsAre(harvest.id(), austral.id()));
  ASSERT_EQ(by_austral.codes_size(), 2);
  EXPECT_EQ(SealOf(by_austral.codes(0)).grade(), v1::GRADE_I);
  // Norte made one of the inspections the seals rest on, so it may issue too.
  const v1::IssueSealsResponse by_norte = IssuedJson(rival_, lot, 1);
  EXPECT_EQ(by_norte.issuance().inspection_id(), harvest.id());

  // A certifier that made none of them may not, even with an inspection of its own that
  // newer ones have overtaken.
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "org", "create", "--kind", "certifier", "--name",
                                         "Tercera", "--id", "cert-tercera")));
  const std::string third = IssueToken("cert-tercera", "certifier");
  ASSERT_FALSE(Accredit("cert-tercera", "CSCS").empty());
  const ProcessResult stranger = IssueSeals(third, lot, 1);
  EXPECT_EQ(stranger.exit_code, kExitRefused) << stranger;
  EXPECT_THAT(stranger.err, HasSubstr("has no current inspection by cert-tercera"));
  EXPECT_THAT(stranger.err, Not(HasSubstr(harvest.id())));

  // A new FAIL, on a stage the seals do not even require, fails the lot: every valid seal
  // is suspended, naming the stage and the inspection.
  const Inspection farming =
      Submitted(third, InspectionFile().OfLot(lot).Covering({"farming"}).Measuring(FarmingFail()));
  ASSERT_EQ(farming.outcome(), Inspection::FAIL);
  const std::vector<std::string> all = {premium[0],          premium[1],
                                        grade_i[0],          by_austral.codes(0),
                                        by_austral.codes(1), by_norte.codes(0)};
  EXPECT_THAT(Statuses(all), ElementsAre(Seal::SUSPENDED, Seal::SUSPENDED, Seal::SUSPENDED,
                                         Seal::SUSPENDED, Seal::SUSPENDED, Seal::SUSPENDED));
  EXPECT_THAT(SealOf(grade_i[0], firm_).status_reason(),
              HasSubstr("stage farming: inspection " + farming.id() + " of "));
  EXPECT_THAT(SealOf(grade_i[0], firm_).status_reason(), HasSubstr("is now FAILED"));
  EXPECT_EQ(IssueSeals(certifier_, lot, 1).exit_code, kExitRefused);

  // One write: the FAIL's submission and the suspension are consecutive events of one
  // commit, stamped with the same time.
  const std::vector<v1::Event> submitted = Events(1, 3, "inspection.submitted");
  ASSERT_EQ(submitted.size(), 3u);
  const v1::Event& last = submitted.back();
  const std::vector<v1::Event> write = Events(last.seq() - 1, 2);
  ASSERT_EQ(write.size(), 2u);
  EXPECT_EQ(write[0].kind(), "seals.suspended");
  EXPECT_EQ(write[1].kind(), "inspection.submitted");
  EXPECT_EQ(write[0].time().seconds(), write[1].time().seconds());
  EXPECT_EQ(write[0].time().nanos(), write[1].time().nanos());
}

// The stages a seal requires are part of the standard version: validated when pushed,
// shown by `standard show`, compared by `standard diff`.
TEST_F(LotCertificationTest, SealedStagesArePartOfTheStandardVersion) {
  const ProcessResult shown = daemon_.RunCli("standard", "show", "CSCS@1");
  ASSERT_EQ(shown.exit_code, 0) << shown;
  EXPECT_THAT(shown.out, HasSubstr("harvest, processing, final_product"));
  const ProcessResult json = daemon_.RunCli("-o", "json", "standard", "show", "CSCS@1");
  ASSERT_EQ(json.exit_code, 0) << json;
  EXPECT_THAT(ParseJson<v1::StandardVersion>(json.out).sealed_stages(),
              ElementsAre("harvest", "processing", "final_product"));

  // CSCS@2 naming a stage it lacks, and one twice: refused whole, naming each.
  std::string v2 = ReadWholeFile(kCscs);
  v2 = absl::StrReplaceAll(v2, {{"\"version\": 1,", "\"version\": 2,"},
                                {R"("sealedStages": ["harvest", "processing", "final_product"])",
                                 R"("sealedStages": ["harvest", "smoking", "harvest"])"}});
  const std::string bad = daemon_.WriteFile("cscs-v2-bad.json", v2);
  const ProcessResult refused = daemon_.RunCliAs(admin_, "standard", "push", bad);
  EXPECT_EQ(refused.exit_code, kExitRefused) << refused;
  EXPECT_THAT(refused.err,
              HasSubstr("sealed_stages[1]: \"smoking\" is not a stage of this version"));
  EXPECT_THAT(refused.err, HasSubstr("sealed_stages[2]: \"harvest\" is named twice"));
  EXPECT_EQ(daemon_.RunCliAs(admin_, "standard", "show", "CSCS@2").exit_code, kExitNotFound);

  // Without sealedStages every stage is sealed; diff says what changed.
  v2 =
      absl::StrReplaceAll(ReadWholeFile(kCscs),
                          {{"\"version\": 1,", "\"version\": 2,"},
                           {R"("sealedStages": ["harvest", "processing", "final_product"],)", ""}});
  const std::string every = daemon_.WriteFile("cscs-v2.json", v2);
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "standard", "push", every)));
  const ProcessResult diff = daemon_.RunCliAs(admin_, "standard", "diff", "CSCS@1", "CSCS@2");
  ASSERT_EQ(diff.exit_code, 0) << diff;
  EXPECT_THAT(diff.out,
              HasSubstr("sealed_stages: harvest, processing, final_product -> (every stage)"));
  EXPECT_THAT(daemon_.RunCliAs(admin_, "standard", "show", "CSCS@2").out, HasSubstr("every stage"));
}

}  // namespace
}  // namespace sello::e2e

// Table-driven tests of a lot's (and a site's) certification from all its current
// inspections: stage coverage, the order of inspections, supersession, versions and
// stages never inspected; properties (a FAIL never improves a lot; the grade is never
// better than a stage's); when a lot got worse; which seals claim too much; the issuer's
// inspection.
#include "daemon/domain/lot_certification.h"

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "daemon/domain/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sello::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using v1::Certification;
using v1::Inspection;
using v1::StandardVersion;

absl::Time Day(int day, int hour = 12) {
  return absl::FromCivil(absl::CivilHour(2026, 3, day, hour), absl::UTCTimeZone());
}

// CSCS@`number` with these stages (one criterion each: the rule never reads criteria)
// and these sealed stages (none: every stage).
StandardVersion Version(uint32_t number, std::vector<std::string> stages,
                        std::vector<std::string> sealed = {}) {
  StandardVersion version;
  version.set_standard_id("CSCS");
  version.set_version(number);
  for (const std::string& id : stages) {
    v1::Stage* stage = version.add_stages();
    stage->set_id(id);
    stage->add_criteria()->set_id(absl::StrCat(id, "-1"));
  }
  for (const std::string& id : sealed) version.add_sealed_stages(id);
  version.set_status(StandardVersion::PUBLISHED);
  return version;
}

// CSCS@2: farming, harvest, processing; seals require harvest and processing.
StandardVersion V2() {
  return Version(2, {"farming", "harvest", "processing"}, {"harvest", "processing"});
}

// A current inspection of lot-1 against CSCS@`version`, on March `day` (recorded an hour
// later), by CERT-1: PASS at `grade`, or FAIL when `grade` is GRADE_UNSPECIFIED.
Inspection Insp(const std::string& id, int day, std::vector<std::string> stages,
                v1::Grade grade = v1::PREMIUM, uint32_t version = 2) {
  Inspection inspection;
  inspection.set_id(id);
  inspection.set_certifier_id("CERT-1");
  inspection.set_firm_id("firm-1");
  inspection.set_site_id("site-1");
  inspection.set_lot_id("lot-1");
  inspection.set_standard_id("CSCS");
  inspection.set_standard_version(version);
  for (std::string& stage : stages) inspection.add_stages(std::move(stage));
  *inspection.mutable_inspection_date() = ToProto(Day(day));
  *inspection.mutable_create_time() = ToProto(Day(day) + absl::Hours(1));
  inspection.set_status(Inspection::CURRENT);
  if (grade == v1::GRADE_UNSPECIFIED) {
    inspection.set_outcome(Inspection::FAIL);
    inspection.add_failing_criteria("F1");
  } else {
    inspection.set_outcome(Inspection::PASS);
    inspection.set_grade(grade);
  }
  return inspection;
}

Inspection Fail(const std::string& id, int day, std::vector<std::string> stages,
                uint32_t version = 2) {
  return Insp(id, day, std::move(stages), v1::GRADE_UNSPECIFIED, version);
}

Inspection Superseded(Inspection inspection, const std::string& by) {
  inspection.set_status(Inspection::SUPERSEDED);
  inspection.set_superseded_by(by);
  return inspection;
}

Inspection By(Inspection inspection, const std::string& certifier) {
  inspection.set_certifier_id(certifier);
  return inspection;
}

Inspection OfStandard(Inspection inspection, const std::string& standard) {
  inspection.set_standard_id(standard);
  return inspection;
}

Inspection RecordedAt(Inspection inspection, absl::Time time) {
  *inspection.mutable_create_time() = ToProto(time);
  return inspection;
}

// One stage of a certification as "stage=inspection:RESULT", RESULT being the grade, FAIL
// or "-" (never inspected).
std::string StageSummary(const v1::StageCertification& stage) {
  std::string result = "-";
  if (!stage.inspection_id().empty()) {
    result = stage.outcome() == Inspection::PASS ? v1::Grade_Name(stage.grade()) : "FAIL";
  }
  return absl::StrCat(stage.stage_id(), "=", stage.inspection_id(), ":", result);
}

std::vector<std::string> StageSummaries(const Certification& certification) {
  std::vector<std::string> summaries;
  for (const auto& stage : certification.stages()) summaries.push_back(StageSummary(stage));
  return summaries;
}

// ---------------------------------------------------------------------------------
// CertifyLot

struct LotCase {
  const char* name;
  std::vector<Inspection> inspections;
  StandardVersion version;
  Certification::Status status;
  v1::Grade grade;  // CERTIFIED only
  std::string deciding_stage;
  std::string deciding_inspection;
  std::vector<std::string> stages;  // StageSummary of each stage
  std::string detail;               // a substring
};

std::vector<LotCase> LotCases() {
  const StandardVersion v2 = V2();
  const StandardVersion every = Version(2, {"farming", "harvest", "processing"});
  return {
      // Coverage.
      {"one inspection of every stage",
       {Insp("a", 1, {"farming", "harvest", "processing"})},
       v2,
       Certification::CERTIFIED,
       v1::PREMIUM,
       "farming",
       "a",
       {"farming=a:PREMIUM", "harvest=a:PREMIUM", "processing=a:PREMIUM"},
       "certified PREMIUM: the worst stage is farming (inspection a of 2026-03-01 grades PREMIUM)"},
      {"the sealed stages covered, another stage never inspected",
       {Insp("a", 1, {"harvest", "processing"}, v1::GRADE_I)},
       v2,
       Certification::CERTIFIED,
       v1::GRADE_I,
       "harvest",
       "a",
       {"farming=:-", "harvest=a:GRADE_I", "processing=a:GRADE_I"},
       "certified GRADE_I"},
      {"a sealed stage never inspected",
       {Insp("a", 1, {"farming", "processing"})},
       v2,
       Certification::UNCERTIFIED,
       v1::GRADE_UNSPECIFIED,
       "harvest",
       "",
       {"farming=a:PREMIUM", "harvest=:-", "processing=a:PREMIUM"},
       "stage harvest: never inspected (no current inspection covers it)"},
      {"no sealed stages named: every stage is required",
       {Insp("a", 1, {"harvest", "processing"})},
       every,
       Certification::UNCERTIFIED,
       v1::GRADE_UNSPECIFIED,
       "farming",
       "",
       {"farming=:-", "harvest=a:PREMIUM", "processing=a:PREMIUM"},
       "stage farming: never inspected"},
      {"stages covered by two inspections together",
       {Insp("a", 1, {"harvest"}, v1::PREMIUM), Insp("b", 2, {"processing"}, v1::INDUSTRIAL)},
       v2,
       Certification::CERTIFIED,
       v1::INDUSTRIAL,
       "processing",
       "b",
       {"farming=:-", "harvest=a:PREMIUM", "processing=b:INDUSTRIAL"},
       "the worst stage is processing (inspection b of 2026-03-02 grades INDUSTRIAL)"},

      // Issue 16 §1: a narrower, newer pass never hides another stage's failure.
      {"a FAIL on farming, then a PREMIUM pass of processing only",
       {Fail("a", 1, {"farming", "processing"}), Insp("b", 2, {"processing"})},
       every,
       Certification::FAILED,
       v1::GRADE_UNSPECIFIED,
       "farming",
       "a",
       {"farming=a:FAIL", "harvest=:-", "processing=b:PREMIUM"},
       "stage farming: inspection a of 2026-03-01 FAILed"},
      {"a FAIL fails the lot even on a stage seals do not require",
       {Fail("a", 1, {"farming"}), Insp("b", 2, {"harvest", "processing"})},
       v2,
       Certification::FAILED,
       v1::GRADE_UNSPECIFIED,
       "farming",
       "a",
       {"farming=a:FAIL", "harvest=b:PREMIUM", "processing=b:PREMIUM"},
       "stage farming: inspection a of 2026-03-01 FAILed"},
      {"a stage seals do not require still grades the lot",
       {Insp("a", 1, {"farming"}, v1::INDUSTRIAL), Insp("b", 2, {"harvest", "processing"})},
       v2,
       Certification::CERTIFIED,
       v1::INDUSTRIAL,
       "farming",
       "a",
       {"farming=a:INDUSTRIAL", "harvest=b:PREMIUM", "processing=b:PREMIUM"},
       "certified INDUSTRIAL"},
      {"a FAIL outweighs a stage never inspected",
       {Fail("a", 1, {"processing"})},
       v2,
       Certification::FAILED,
       v1::GRADE_UNSPECIFIED,
       "processing",
       "a",
       {"farming=:-", "harvest=:-", "processing=a:FAIL"},
       "stage processing: inspection a of 2026-03-01 FAILed"},

      // Order: the newest covering a stage decides it.
      {"a newer pass of the failed stages clears the FAIL",
       {Fail("a", 1, {"harvest", "processing"}), Insp("b", 2, {"harvest", "processing"})},
       v2,
       Certification::CERTIFIED,
       v1::PREMIUM,
       "harvest",
       "b",
       {"farming=:-", "harvest=b:PREMIUM", "processing=b:PREMIUM"},
       "certified PREMIUM"},
      {"a newer FAIL outweighs an older pass",
       {Insp("a", 1, {"harvest", "processing"}), Fail("b", 2, {"processing"})},
       v2,
       Certification::FAILED,
       v1::GRADE_UNSPECIFIED,
       "processing",
       "b",
       {"farming=:-", "harvest=a:PREMIUM", "processing=b:FAIL"},
       "stage processing: inspection b of 2026-03-02 FAILed"},
      {"whatever the input order",
       {Fail("b", 2, {"processing"}), Insp("a", 1, {"harvest", "processing"})},
       v2,
       Certification::FAILED,
       v1::GRADE_UNSPECIFIED,
       "processing",
       "b",
       {"farming=:-", "harvest=a:PREMIUM", "processing=b:FAIL"},
       "inspection b"},
      {"a newer lower grade on one stage lowers the lot",
       {Insp("a", 1, {"farming", "harvest", "processing"}), Insp("b", 2, {"harvest"}, v1::GRADE_I)},
       v2,
       Certification::CERTIFIED,
       v1::GRADE_I,
       "harvest",
       "b",
       {"farming=a:PREMIUM", "harvest=b:GRADE_I", "processing=a:PREMIUM"},
       "the worst stage is harvest (inspection b of 2026-03-02 grades GRADE_I)"},
      {"the same inspection date: the one recorded later decides",
       {RecordedAt(Fail("a", 1, {"processing"}), Day(1, 20)),
        RecordedAt(Insp("b", 1, {"harvest", "processing"}), Day(1, 18))},
       v2,
       Certification::FAILED,
       v1::GRADE_UNSPECIFIED,
       "processing",
       "a",
       {"farming=:-", "harvest=b:PREMIUM", "processing=a:FAIL"},
       "inspection a"},

      // Supersession: only current inspections count.
      {"a superseded FAIL no longer counts",
       {Superseded(Fail("a", 1, {"harvest", "processing"}), "b"),
        Insp("b", 1, {"harvest", "processing"}, v1::GRADE_I)},
       v2,
       Certification::CERTIFIED,
       v1::GRADE_I,
       "harvest",
       "b",
       {"farming=:-", "harvest=b:GRADE_I", "processing=b:GRADE_I"},
       "certified GRADE_I"},
      {"a correction covering fewer stages leaves a sealed stage uncovered",
       {Superseded(Insp("a", 1, {"harvest", "processing"}), "b"), Insp("b", 1, {"processing"})},
       v2,
       Certification::UNCERTIFIED,
       v1::GRADE_UNSPECIFIED,
       "harvest",
       "",
       {"farming=:-", "harvest=:-", "processing=b:PREMIUM"},
       "stage harvest: never inspected"},
      {"only superseded inspections",
       {Superseded(Insp("a", 1, {"harvest", "processing"}), "x")},
       v2,
       Certification::UNCERTIFIED,
       v1::GRADE_UNSPECIFIED,
       "harvest",
       "",
       {"farming=:-", "harvest=:-", "processing=:-"},
       "never inspected"},

      // Versions: stages are matched by id across versions.
      {"a FAIL under CSCS@1 is not hidden by a newer CSCS@2 inspection of other stages",
       {Fail("a", 1, {"farming"}, 1), Insp("b", 2, {"harvest", "processing"})},
       v2,
       Certification::FAILED,
       v1::GRADE_UNSPECIFIED,
       "farming",
       "a",
       {"farming=a:FAIL", "harvest=b:PREMIUM", "processing=b:PREMIUM"},
       "stage farming: inspection a of 2026-03-01 FAILed"},
      {"a pass under CSCS@1 covers the same stage of CSCS@2",
       {Insp("a", 1, {"harvest"}, v1::GRADE_I, 1), Insp("b", 2, {"processing"})},
       v2,
       Certification::CERTIFIED,
       v1::GRADE_I,
       "harvest",
       "a",
       {"farming=:-", "harvest=a:GRADE_I", "processing=b:PREMIUM"},
       "certified GRADE_I"},
      {"a stage CSCS@2 no longer has does not count",
       {Fail("a", 1, {"smoking"}, 1), Insp("b", 2, {"harvest", "processing"})},
       v2,
       Certification::CERTIFIED,
       v1::PREMIUM,
       "harvest",
       "b",
       {"farming=:-", "harvest=b:PREMIUM", "processing=b:PREMIUM"},
       "certified PREMIUM"},
      {"another standard's FAIL does not count",
       {OfStandard(Fail("a", 3, {"harvest", "processing"}), "PTOM"),
        Insp("b", 2, {"harvest", "processing"})},
       v2,
       Certification::CERTIFIED,
       v1::PREMIUM,
       "harvest",
       "b",
       {"farming=:-", "harvest=b:PREMIUM", "processing=b:PREMIUM"},
       "certified PREMIUM"},
      {"inspections covering no stage of the version",
       {Insp("a", 1, {"smoking"}, v1::PREMIUM, 1)},
       v2,
       Certification::UNCERTIFIED,
       v1::GRADE_UNSPECIFIED,
       "harvest",
       "",
       {"farming=:-", "harvest=:-", "processing=:-"},
       "never inspected"},
  };
}

TEST(CertifyLotTest, Table) {
  for (const LotCase& c : LotCases()) {
    SCOPED_TRACE(c.name);
    const Certification certification = CertifyLot(c.inspections, c.version);
    EXPECT_EQ(certification.standard_id(), "CSCS");
    EXPECT_EQ(certification.standard_version(), c.version.version());
    EXPECT_EQ(Certification::Status_Name(certification.status()),
              Certification::Status_Name(c.status));
    EXPECT_EQ(certification.grade(), c.grade);
    EXPECT_EQ(certification.deciding_stage(), c.deciding_stage);
    EXPECT_EQ(certification.deciding_inspection_id(), c.deciding_inspection);
    EXPECT_THAT(StageSummaries(certification), ElementsAreArray(c.stages));
    EXPECT_THAT(certification.detail(), HasSubstr(c.detail));
  }
}

// `inspection` failed on criterion `criterion` of stage `stage`.
Inspection FailedOn(Inspection inspection, const std::string& stage, const std::string& criterion) {
  v1::CriterionGrade* graded = inspection.add_criterion_grades();
  graded->set_criterion_id(criterion);
  graded->set_stage_id(stage);
  graded->set_fails_outcome(true);
  return inspection;
}

TEST(CertifyLotTest, AFailNamesTheStageWhoseCriteriaFailed) {
  // The FAIL covers harvest and processing and fails both; P4 (processing) failed it.
  const Certification certification =
      CertifyLot({FailedOn(Fail("a", 1, {"harvest", "processing"}), "processing", "P4")}, V2());
  EXPECT_EQ(certification.status(), Certification::FAILED);
  EXPECT_EQ(certification.deciding_stage(), "processing");
  EXPECT_THAT(StageSummaries(certification),
              ElementsAre("farming=:-", "harvest=a:FAIL", "processing=a:FAIL"));
  const Inspection p4 = FailedOn(Fail("b", 1, {"harvest", "processing"}), "processing", "P4");
  EXPECT_TRUE(FailedOnStage(p4, "processing"));
  EXPECT_FALSE(FailedOnStage(p4, "harvest"));
}

TEST(CertifyLotTest, EachStageSaysWhetherASealRequiresItAndWhoDecidedIt) {
  const Certification certification =
      CertifyLot({By(Insp("a", 1, {"harvest", "processing"}, v1::GRADE_I, 1), "CERT-2")}, V2());
  ASSERT_EQ(certification.stages_size(), 3);
  EXPECT_FALSE(certification.stages(0).required());
  EXPECT_TRUE(certification.stages(1).required());
  EXPECT_TRUE(certification.stages(2).required());
  const v1::StageCertification& harvest = certification.stages(1);
  EXPECT_EQ(harvest.certifier_id(), "CERT-2");
  EXPECT_EQ(harvest.standard_version(), 1u);
  EXPECT_EQ(FromProto(harvest.inspection_date()), Day(1));
}

TEST(CertifyingVersionTest, TheNewestCurrentInspectionsVersion) {
  EXPECT_EQ(CertifyingVersion({}, "CSCS"), std::nullopt);
  EXPECT_EQ(CertifyingVersion({OfStandard(Insp("a", 1, {"harvest"}), "PTOM")}, "CSCS"),
            std::nullopt);
  EXPECT_EQ(CertifyingVersion({Superseded(Insp("a", 1, {"harvest"}), "b")}, "CSCS"), std::nullopt);
  // The newest decides, even when it is against an older version.
  EXPECT_EQ(CertifyingVersion({Insp("a", 1, {"harvest"}, v1::PREMIUM, 2),
                               Insp("b", 2, {"harvest"}, v1::PREMIUM, 1)},
                              "CSCS"),
            1u);
  EXPECT_EQ(CertifyingVersion({Insp("b", 2, {"harvest"}, v1::PREMIUM, 3),
                               Superseded(Insp("c", 3, {"harvest"}, v1::PREMIUM, 1), "d"),
                               Insp("a", 1, {"harvest"}, v1::PREMIUM, 2)},
                              "CSCS"),
            3u);
}

TEST(SealedStagesTest, NamedOrEveryStage) {
  EXPECT_THAT(SealedStages(V2()), ElementsAre("harvest", "processing"));
  EXPECT_THAT(SealedStages(Version(1, {"farming", "harvest"})), ElementsAre("farming", "harvest"));
}

TEST(CurrentStandardsTest, SortedOnceEach) {
  EXPECT_THAT(CurrentStandards({OfStandard(Insp("a", 1, {"x"}), "PTOM"), Insp("b", 1, {"x"}),
                                Insp("c", 2, {"x"}),
                                Superseded(OfStandard(Insp("d", 1, {"x"}), "MSC"), "e")}),
              ElementsAre("CSCS", "PTOM"));
}

// ---------------------------------------------------------------------------------
// A site: nothing is required, the stages inspected grade it.

TEST(CertifySiteTest, CertifiedForTheStagesInspected) {
  const StandardVersion every = Version(2, {"farming", "harvest", "processing"});
  const Certification audit =
      CertifySite({Insp("a", 1, {"farming", "harvest"}, v1::GRADE_I)}, every);
  EXPECT_EQ(audit.status(), Certification::CERTIFIED);
  EXPECT_EQ(audit.grade(), v1::GRADE_I);
  EXPECT_THAT(StageSummaries(audit),
              ElementsAre("farming=a:GRADE_I", "harvest=a:GRADE_I", "processing=:-"));
  for (const auto& stage : audit.stages()) EXPECT_FALSE(stage.required());

  // A lot's Listeria FAIL is the site's processing stage until something newer covers it.
  Inspection lot_fail = Fail("b", 2, {"processing"});
  lot_fail.set_lot_id("lot-9");
  const Certification failed = CertifySite(
      {Insp("a", 1, {"farming", "harvest", "processing"}), lot_fail, Insp("c", 3, {"harvest"})},
      every);
  EXPECT_EQ(failed.status(), Certification::FAILED);
  EXPECT_EQ(failed.deciding_stage(), "processing");
  EXPECT_EQ(failed.deciding_inspection_id(), "b");
  const Certification cleared = CertifySite(
      {Insp("a", 1, {"farming", "harvest", "processing"}), lot_fail, Insp("c", 3, {"processing"})},
      every);
  EXPECT_EQ(cleared.status(), Certification::CERTIFIED);
}

TEST(SiteCertificationOfTest, TheDecidingStagesInspection) {
  const StandardVersion every = Version(2, {"farming", "harvest", "processing"});
  const v1::SiteCertification failed = SiteCertificationOf(CertifySite(
      {By(Insp("a", 1, {"farming", "harvest"}), "CERT-1"), By(Fail("b", 2, {"harvest"}), "CERT-2")},
      every));
  EXPECT_EQ(failed.status(), Certification::FAILED);
  EXPECT_EQ(failed.outcome(), Inspection::FAIL);
  EXPECT_EQ(failed.grade(), v1::GRADE_UNSPECIFIED);
  EXPECT_EQ(failed.deciding_stage(), "harvest");
  EXPECT_EQ(failed.inspection_id(), "b");
  EXPECT_EQ(failed.certifier_id(), "CERT-2");
  EXPECT_EQ(FromProto(failed.inspection_date()), Day(2));
  EXPECT_EQ(failed.stages_size(), 3);

  const v1::SiteCertification passed =
      SiteCertificationOf(CertifySite({Insp("a", 1, {"farming"}, v1::GRADE_I)}, every));
  EXPECT_EQ(passed.outcome(), Inspection::PASS);
  EXPECT_EQ(passed.grade(), v1::GRADE_I);
  EXPECT_EQ(passed.inspection_id(), "a");
}

// ---------------------------------------------------------------------------------
// Properties over random histories of a lot.

// Higher is better: CERTIFIED by grade, then UNCERTIFIED, then FAILED.
int Rank(const Certification& certification) {
  switch (certification.status()) {
    case Certification::CERTIFIED:
      return 4 - static_cast<int>(certification.grade());
    case Certification::UNCERTIFIED:
      return 0;
    default:
      return -1;
  }
}

class RandomLot {
 public:
  explicit RandomLot(uint32_t seed) : random_(seed) {}

  // CSCS@1 (farming, harvest, processing) and CSCS@2 (farming, harvest, processing,
  // final_product; seals require harvest, processing and final_product).
  const StandardVersion& VersionNumbered(uint32_t number) const { return versions_[number - 1]; }

  Inspection Next(const std::string& id, bool fail) {
    const uint32_t number = Pick(2) + 1;
    const StandardVersion& version = VersionNumbered(number);
    std::vector<std::string> stages;
    for (const v1::Stage& stage : version.stages()) {
      if (Pick(2) == 0) stages.push_back(stage.id());
    }
    if (stages.empty()) stages.push_back(version.stages(Pick(version.stages_size())).id());
    const v1::Grade grades[] = {v1::PREMIUM, v1::GRADE_I, v1::INDUSTRIAL};
    Inspection inspection = fail ? Fail(id, 1 + Pick(28), stages, number)
                                 : Insp(id, 1 + Pick(28), stages, grades[Pick(3)], number);
    *inspection.mutable_create_time() =
        ToProto(FromProto(inspection.inspection_date()) + absl::Minutes(Pick(600)));
    if (Pick(6) == 0) inspection.set_status(Inspection::SUPERSEDED);
    return inspection;
  }

  Certification Certify(const std::vector<Inspection>& inspections) const {
    const std::optional<uint32_t> number = CertifyingVersion(inspections, "CSCS");
    if (!number.has_value()) return Certification();
    return CertifyLot(inspections, VersionNumbered(*number));
  }

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }

 private:
  std::mt19937 random_;
  const std::vector<StandardVersion> versions_ = {
      Version(1, {"farming", "harvest", "processing"}),
      Version(2, {"farming", "harvest", "processing", "final_product"},
              {"harvest", "processing", "final_product"})};
};

TEST(CertifyLotPropertyTest, AddingAFailNeverImprovesALot) {
  RandomLot lot(20260301);
  for (int round = 0; round < 3000; ++round) {
    std::vector<Inspection> inspections;
    const int count = lot.Pick(7);
    for (int i = 0; i < count; ++i) {
      inspections.push_back(lot.Next(absl::StrCat("i", i), lot.Pick(4) == 0));
    }
    const Certification before = lot.Certify(inspections);
    Inspection fail = lot.Next("fail", /*fail=*/true);
    fail.set_status(Inspection::CURRENT);
    inspections.push_back(fail);
    const Certification after = lot.Certify(inspections);
    SCOPED_TRACE(absl::StrCat("round ", round, ": ", absl::StrJoin(StageSummaries(before), " "),
                              " -> ", absl::StrJoin(StageSummaries(after), " ")));
    if (before.status() != Certification::STATUS_UNSPECIFIED) {
      ASSERT_LE(Rank(after), Rank(before));
    }
    // A FAIL that decides any stage fails the lot.
    const bool decides = std::any_of(after.stages().begin(), after.stages().end(),
                                     [](const auto& s) { return s.inspection_id() == "fail"; });
    if (decides) {
      ASSERT_EQ(after.status(), Certification::FAILED);
    }
    // And a lot that got worse says so.
    if (before.status() != Certification::STATUS_UNSPECIFIED && Rank(after) < Rank(before)) {
      ASSERT_TRUE(CertificationWorsening(before, after).has_value());
    }
  }
}

TEST(CertifyLotPropertyTest, TheGradeIsNeverBetterThanAStagesAndEverySealedStagePasses) {
  RandomLot lot(7);
  for (int round = 0; round < 3000; ++round) {
    std::vector<Inspection> inspections;
    const int count = 1 + lot.Pick(6);
    for (int i = 0; i < count; ++i) {
      inspections.push_back(lot.Next(absl::StrCat("i", i), lot.Pick(5) == 0));
    }
    const Certification certification = lot.Certify(inspections);
    if (certification.status() != Certification::CERTIFIED) continue;
    for (const v1::StageCertification& stage : certification.stages()) {
      SCOPED_TRACE(StageSummary(stage));
      if (stage.required()) {
        ASSERT_FALSE(stage.inspection_id().empty());
      }
      if (stage.inspection_id().empty()) continue;
      ASSERT_EQ(stage.outcome(), Inspection::PASS);
      ASSERT_GE(static_cast<int>(certification.grade()), static_cast<int>(stage.grade()));
    }
    // Rests on every stage's deciding inspection.
    for (const std::string& id : RestingInspections(certification)) {
      ASSERT_TRUE(std::any_of(certification.stages().begin(), certification.stages().end(),
                              [&](const auto& s) { return s.inspection_id() == id; }));
    }
  }
}

// ---------------------------------------------------------------------------------
// When a lot got worse, and which seals then claim too much.

TEST(CertificationWorseningTest, Table) {
  const StandardVersion v2 = V2();
  const Inspection all = Insp("a", 1, {"farming", "harvest", "processing"});
  struct Case {
    const char* name;
    std::vector<Inspection> before;
    std::vector<Inspection> after;
    std::optional<std::string> worse;  // a substring; nullopt: not worse
  };
  const std::vector<Case> cases = {
      {"nothing changed", {all}, {all}, std::nullopt},
      {"a better grade",
       {Insp("a", 1, {"harvest", "processing"}, v1::GRADE_I)},
       {Insp("a", 1, {"harvest", "processing"}, v1::GRADE_I),
        Insp("b", 2, {"harvest", "processing"})},
       std::nullopt},
      {"the same grade again", {all}, {all, Insp("b", 2, {"harvest"})}, std::nullopt},
      {"a stage fails",
       {all},
       {all, Fail("b", 2, {"farming"})},
       "stage farming: inspection b of 2026-03-02 FAILed"},
      {"a stage grades lower",
       {all},
       {all, Insp("b", 2, {"processing"}, v1::GRADE_I)},
       "stage processing: inspection b of 2026-03-02 grades GRADE_I (was PREMIUM)"},
      {"a correction drops a stage",
       {Insp("a", 1, {"harvest", "processing"})},
       {Superseded(Insp("a", 1, {"harvest", "processing"}), "b"), Insp("b", 1, {"processing"})},
       "stage harvest: no current inspection covers it any more"},
      {"a lot never certified cannot get worse", {}, {Fail("b", 2, {"farming"})}, std::nullopt},
      {"from uncertified to failed",
       {Insp("a", 1, {"processing"})},
       {Insp("a", 1, {"processing"}), Fail("b", 2, {"farming"})},
       "stage farming: inspection b of 2026-03-02 FAILed"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const Certification before = c.before.empty() ? Certification() : CertifyLot(c.before, v2);
    const std::optional<std::string> worse =
        CertificationWorsening(before, CertifyLot(c.after, v2));
    ASSERT_EQ(worse.has_value(), c.worse.has_value()) << worse.value_or("(not worse)");
    if (worse.has_value()) {
      EXPECT_THAT(*worse, HasSubstr(*c.worse));
    }
  }
}

TEST(CertificationWorseningTest, AVersionWhoseNewStageFails) {
  const StandardVersion v1 = Version(1, {"harvest", "processing"});
  const StandardVersion v3 =
      Version(3, {"harvest", "processing", "final_product"}, {"harvest", "processing"});
  const std::vector<Inspection> before = {Insp("a", 1, {"harvest", "processing"}, v1::PREMIUM, 1)};
  std::vector<Inspection> after = before;
  after.push_back(Fail("b", 2, {"final_product"}, 3));
  const std::optional<std::string> worse =
      CertificationWorsening(CertifyLot(before, v1), CertifyLot(after, v3));
  ASSERT_TRUE(worse.has_value());
  EXPECT_THAT(*worse, HasSubstr("stage final_product: inspection b"));
}

TEST(ClaimsMoreThanTest, Table) {
  const Certification grade_i =
      CertifyLot({Insp("a", 1, {"harvest", "processing"}, v1::GRADE_I)}, V2());
  EXPECT_TRUE(ClaimsMoreThan(v1::PREMIUM, grade_i));
  EXPECT_FALSE(ClaimsMoreThan(v1::GRADE_I, grade_i));
  EXPECT_FALSE(ClaimsMoreThan(v1::INDUSTRIAL, grade_i));
  for (const Certification& none :
       {CertifyLot({Fail("a", 1, {"harvest"})}, V2()),
        CertifyLot({Insp("a", 1, {"harvest"})}, V2()), Certification()}) {
    SCOPED_TRACE(Certification::Status_Name(none.status()));
    for (const v1::Grade grade : {v1::PREMIUM, v1::GRADE_I, v1::INDUSTRIAL}) {
      EXPECT_TRUE(ClaimsMoreThan(grade, none));
    }
  }
}

TEST(CheckSealableTest, NamesTheStateTheStageAndTheInspection) {
  EXPECT_TRUE(
      CheckSealable(CertifyLot({Insp("a", 1, {"harvest", "processing"})}, V2()), "lot-1").ok());
  const absl::Status failed = CheckSealable(
      CertifyLot({Fail("a", 1, {"farming"}), Insp("b", 2, {"harvest", "processing"})}, V2()),
      "lot-1");
  EXPECT_EQ(failed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(failed.message(),
            "lot lot-1 is FAILED for CSCS: stage farming: inspection a of 2026-03-01 FAILed; no "
            "seals");
  const absl::Status uncertified =
      CheckSealable(CertifyLot({Insp("a", 1, {"processing"})}, V2()), "lot-1");
  EXPECT_EQ(uncertified.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(uncertified.message(),
            "lot lot-1 is UNCERTIFIED for CSCS: stage harvest: never inspected (no current "
            "inspection covers it); a seal of CSCS@2 requires a current passing inspection of "
            "stages harvest, processing; no seals");
}

TEST(RestingInspectionsTest, EachDecidingInspectionOnceInStageOrder) {
  EXPECT_THAT(
      RestingInspections(CertifyLot(
          {Insp("a", 1, {"farming", "harvest"}), Insp("b", 2, {"processing", "farming"})}, V2())),
      ElementsAre("b", "a"));
  EXPECT_THAT(RestingInspections(Certification()), ElementsAre());
}

TEST(IssuersInspectionTest, TheIssuersNewestAmongThoseTheLotRestsOn) {
  const Inspection own_old = Insp("own-old", 1, {"harvest", "processing"});
  const Inspection own_farming = Insp("own-farming", 2, {"farming"});
  const Inspection other = By(Insp("other", 3, {"harvest", "processing"}), "CERT-2");
  const std::vector<Inspection> inspections = {own_old, own_farming, other};
  const std::vector<Certification> certifications = {CertifyLot(inspections, V2())};
  // own-farming decides farming; own-old decides nothing any more.
  const Inspection* chosen = IssuersInspection(inspections, certifications, "CERT-1");
  ASSERT_NE(chosen, nullptr);
  EXPECT_EQ(chosen->id(), "own-farming");
  // Without one that decides, the newest of its own (PlanIssuance then refuses it).
  const std::vector<Inspection> overtaken = {own_old, other};
  const Inspection* newest = IssuersInspection(overtaken, {CertifyLot(overtaken, V2())}, "CERT-1");
  ASSERT_NE(newest, nullptr);
  EXPECT_EQ(newest->id(), "own-old");
  EXPECT_EQ(IssuersInspection(inspections, certifications, "CERT-3"), nullptr);
  EXPECT_EQ(IssuersInspection({Superseded(own_old, "x")}, {}, "CERT-1"), nullptr);
}

TEST(CertificationTextTest, StatusAndGrade) {
  EXPECT_EQ(
      CertificationText(CertifyLot({Insp("a", 1, {"harvest", "processing"}, v1::GRADE_I)}, V2())),
      "CERTIFIED GRADE_I");
  EXPECT_EQ(CertificationText(CertifyLot({Fail("a", 1, {"harvest"})}, V2())), "FAILED");
}

}  // namespace
}  // namespace sello::domain

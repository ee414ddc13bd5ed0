#include "daemon/domain/standard_rules.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sello::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using v1::Criterion;
using v1::GradeRange;
using v1::StandardVersion;

constexpr double kInf = std::numeric_limits<double>::infinity();

GradeRange Range(std::optional<double> min, std::optional<double> max) {
  GradeRange range;
  if (min) range.set_min(*min);
  if (max) range.set_max(*max);
  return range;
}

Criterion Boolean(const std::string& id) {
  Criterion criterion;
  criterion.set_id(id);
  criterion.set_name(absl::StrCat("criterion ", id));
  criterion.set_kind(Criterion::BOOLEAN);
  return criterion;
}

// Hours from harvest to processing: PREMIUM <= 24, GRADE_I <= 36, INDUSTRIAL <= 48.
Criterion Numeric(const std::string& id) {
  Criterion criterion;
  criterion.set_id(id);
  criterion.set_name(absl::StrCat("criterion ", id));
  criterion.set_kind(Criterion::NUMERIC);
  criterion.set_unit("h");
  *criterion.mutable_grades()->mutable_premium() = Range(0, 24);
  *criterion.mutable_grades()->mutable_grade_i() = Range(0, 36);
  *criterion.mutable_grades()->mutable_industrial() = Range(0, 48);
  return criterion;
}

// A valid version: stage "farming" with F1 (critical), stage "harvest" with H1
// (numeric) and H2 (caps at GRADE_I).
StandardVersion ValidVersion() {
  StandardVersion version;
  version.set_standard_id("CSCS");
  version.set_version(1);
  version.set_title("Code of Standards for Chilean Salmon");
  version.set_description("The association's code.");
  version.set_seal_validity_days(365);
  v1::Stage* farming = version.add_stages();
  farming->set_id("farming");
  farming->set_name("Farming");
  Criterion* f1 = farming->add_criteria();
  *f1 = Boolean("F1");
  f1->set_critical(true);
  v1::Stage* harvest = version.add_stages();
  harvest->set_id("harvest");
  harvest->set_name("Harvest");
  *harvest->add_criteria() = Numeric("H1");
  Criterion* h2 = harvest->add_criteria();
  *h2 = Boolean("H2");
  h2->set_caps_at(v1::GRADE_I);
  return version;
}

// The problems as "PATH: MESSAGE" lines.
std::vector<std::string> Problems(const StandardVersion& version) {
  std::vector<std::string> lines;
  for (const Problem& problem : ValidateStandardVersion(version)) {
    lines.push_back(absl::StrCat(problem.path, ": ", problem.message));
  }
  return lines;
}

// The paths of the problems only.
std::vector<std::string> Paths(const StandardVersion& version) {
  std::vector<std::string> paths;
  for (const Problem& problem : ValidateStandardVersion(version)) paths.push_back(problem.path);
  return paths;
}

std::string Repeat(const std::string& unit, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += unit;
  return out;
}

Criterion* H1(StandardVersion& version) { return version.mutable_stages(1)->mutable_criteria(0); }
Criterion* H2(StandardVersion& version) { return version.mutable_stages(1)->mutable_criteria(1); }

TEST(ValidateStandardVersionTest, ValidVersionHasNoProblems) {
  EXPECT_THAT(Problems(ValidVersion()), IsEmpty());
}

TEST(ValidateStandardVersionTest, ServerSetFieldsAreIgnored) {
  StandardVersion version = ValidVersion();
  version.set_status(static_cast<StandardVersion::Status>(42));
  version.mutable_publish_time()->set_seconds(-5);
  version.set_superseded_by(7);
  version.set_withdraw_reason(Repeat("x", 5000));
  EXPECT_THAT(Problems(version), IsEmpty());
}

struct IdCase {
  std::string id;
  bool valid;
};

TEST(ValidateStandardVersionTest, StandardId) {
  const std::vector<IdCase> cases = {
      {"CS", true},
      {"CSCS", true},
      {"CSCS-2", true},
      {"T0MATO", true},
      {"ABCDEFGHIJKLMNOP", true},    // 16
      {"ABCDEFGHIJKLMNOPQ", false},  // 17
      {"C", false},
      {"", false},
      {"cscs", false},
      {"Cscs", false},
      {"1CS", false},
      {"-CS", false},
      {"CS_2", false},
      {"CS 2", false},
      {"CS\xc3\x89", false},
  };
  for (const IdCase& test : cases) {
    SCOPED_TRACE(test.id);
    StandardVersion version = ValidVersion();
    version.set_standard_id(test.id);
    if (test.valid) {
      EXPECT_THAT(Problems(version), IsEmpty());
    } else {
      EXPECT_THAT(Paths(version), ElementsAre("standard_id"));
    }
  }
}

TEST(ValidateStandardVersionTest, StandardIdMessages) {
  StandardVersion version = ValidVersion();
  version.set_standard_id("");
  EXPECT_THAT(Problems(version), ElementsAre("standard_id: required"));
  version.set_standard_id("ABCDEFGHIJKLMNOPQ");
  EXPECT_THAT(Problems(version),
              ElementsAre("standard_id: \"ABCDEFGHIJKLMNOPQ\" is too long: a standard id has at "
                          "most 16 characters (got 17)"));
  version.set_standard_id("C");
  EXPECT_THAT(Problems(version),
              ElementsAre("standard_id: \"C\" is too short: a standard id has at least 2 "
                          "characters"));
  version.set_standard_id("1CS");
  EXPECT_THAT(Problems(version),
              ElementsAre("standard_id: \"1CS\": a standard id starts with an upper-case letter"));
  version.set_standard_id("CS_2");
  EXPECT_THAT(Problems(version), ElementsAre("standard_id: \"CS_2\": a standard id may contain "
                                             "only A-Z, 0-9 and '-' (found '_')"));
}

TEST(ValidateStandardVersionTest, LongInvalidValuesAreCutShortInMessages) {
  StandardVersion version = ValidVersion();
  version.set_standard_id(Repeat("A", 100));
  EXPECT_THAT(Problems(version),
              ElementsAre(absl::StrCat("standard_id: \"", Repeat("A", 48),
                                       "...\" is too long: a standard id has at most 16 "
                                       "characters (got 100)")));
}

TEST(ValidateStandardVersionTest, VersionNumber) {
  StandardVersion version = ValidVersion();
  version.set_version(0);
  EXPECT_THAT(Problems(version), ElementsAre("version: must be at least 1"));
  version.set_version(1);
  EXPECT_THAT(Problems(version), IsEmpty());
  version.set_version(4'000'000'000u);
  EXPECT_THAT(Problems(version), IsEmpty());
}

TEST(ValidateStandardVersionTest, Title) {
  StandardVersion version = ValidVersion();
  version.set_title("");
  EXPECT_THAT(Problems(version), ElementsAre("title: required"));
  version.set_title(" \t\n");
  EXPECT_THAT(Problems(version), ElementsAre("title: required"));
  version.set_title(Repeat("t", 200));
  EXPECT_THAT(Problems(version), IsEmpty());
  version.set_title(Repeat("t", 201));
  EXPECT_THAT(Problems(version), ElementsAre("title: must be at most 200 characters (got 201)"));
  // Characters, not bytes: 200 "ñ" are 400 bytes.
  version.set_title(Repeat("\xc3\xb1", 200));
  EXPECT_THAT(Problems(version), IsEmpty());
  version.set_title(Repeat("\xc3\xb1", 201));
  EXPECT_THAT(Problems(version), ElementsAre("title: must be at most 200 characters (got 201)"));
}

TEST(ValidateStandardVersionTest, Description) {
  StandardVersion version = ValidVersion();
  version.set_description("");
  EXPECT_THAT(Problems(version), IsEmpty());
  version.set_description(Repeat("d", 4000));
  EXPECT_THAT(Problems(version), IsEmpty());
  version.set_description(Repeat("d", 4001));
  EXPECT_THAT(Problems(version),
              ElementsAre("description: must be at most 4000 characters (got 4001)"));
}

TEST(ValidateStandardVersionTest, SealValidityDays) {
  StandardVersion version = ValidVersion();
  for (uint32_t days : {0u, 1u, 3650u}) {
    version.set_seal_validity_days(days);
    EXPECT_THAT(Problems(version), IsEmpty()) << days;
  }
  version.set_seal_validity_days(3651);
  EXPECT_THAT(Problems(version),
              ElementsAre("seal_validity_days: must be at most 3650 days (got 3651)"));
}

TEST(ValidateStandardVersionTest, SealedStages) {
  StandardVersion version = ValidVersion();   // stages farming, harvest
  EXPECT_THAT(Problems(version), IsEmpty());  // none named: every stage
  version.add_sealed_stages("harvest");
  EXPECT_THAT(Problems(version), IsEmpty());
  version.add_sealed_stages("farming");
  EXPECT_THAT(Problems(version), IsEmpty());
  version.add_sealed_stages("smoking");
  version.add_sealed_stages("harvest");
  version.add_sealed_stages("");
  EXPECT_THAT(Problems(version),
              ElementsAre("sealed_stages[2]: \"smoking\" is not a stage of this version",
                          "sealed_stages[3]: \"harvest\" is named twice",
                          "sealed_stages[4]: \"\" is not a stage of this version"));
  version.clear_sealed_stages();
  for (int i = 0; i < 51; ++i) version.add_sealed_stages("harvest");
  EXPECT_THAT(Problems(version),
              ElementsAre("sealed_stages: at most 50 stages are allowed (got 51)"));
}

// A version with `count` valid stages of one boolean criterion each.
StandardVersion WithStages(int count) {
  StandardVersion version = ValidVersion();
  version.clear_stages();
  for (int i = 0; i < count; ++i) {
    v1::Stage* stage = version.add_stages();
    stage->set_id(absl::StrCat("s", i));
    stage->set_name(absl::StrCat("Stage ", i));
    *stage->add_criteria() = Boolean(absl::StrCat("C", i));
  }
  return version;
}

TEST(ValidateStandardVersionTest, StageCount) {
  EXPECT_THAT(Problems(WithStages(0)), ElementsAre("stages: at least one stage is required"));
  EXPECT_THAT(Problems(WithStages(1)), IsEmpty());
  EXPECT_THAT(Problems(WithStages(50)), IsEmpty());
  EXPECT_THAT(Problems(WithStages(51)),
              ElementsAre("stages: at most 50 stages are allowed (got 51)"));
}

TEST(ValidateStandardVersionTest, StageId) {
  const std::vector<IdCase> cases = {
      {"a", true},
      {"processing", true},
      {"final_product", true},
      {"final-product", true},
      {"stage2", true},
      {"a" + Repeat("b", 31), true},   // 32
      {"a" + Repeat("b", 32), false},  // 33
      {"", false},
      {"Farming", false},
      {"2nd", false},
      {"_farming", false},
      {"-farming", false},
      {"farm ing", false},
      {"farm.ing", false},
  };
  for (const IdCase& test : cases) {
    SCOPED_TRACE(test.id);
    StandardVersion version = ValidVersion();
    version.mutable_stages(1)->set_id(test.id);
    if (test.valid) {
      EXPECT_THAT(Problems(version), IsEmpty());
    } else {
      EXPECT_THAT(Paths(version), ElementsAre("stages[1].id"));
    }
  }
}

TEST(ValidateStandardVersionTest, StageIdUsedTwice) {
  StandardVersion version = WithStages(3);
  version.mutable_stages(2)->set_id("s0");
  EXPECT_THAT(Problems(version),
              ElementsAre("stages[2].id: \"s0\" is used twice (first at stages[0])"));
}

TEST(ValidateStandardVersionTest, StageName) {
  StandardVersion version = ValidVersion();
  version.mutable_stages(0)->set_name("");
  EXPECT_THAT(Problems(version), ElementsAre("stages[0].name: required"));
  version.mutable_stages(0)->set_name(Repeat("n", 200));
  EXPECT_THAT(Problems(version), IsEmpty());
  version.mutable_stages(0)->set_name(Repeat("n", 201));
  EXPECT_THAT(Problems(version),
              ElementsAre("stages[0].name: must be at most 200 characters (got 201)"));
}

TEST(ValidateStandardVersionTest, CriteriaCountPerStage) {
  for (const auto& [count, expected] : std::vector<std::pair<int, std::vector<std::string>>>{
           {0, {"stages[0].criteria: at least one criterion is required"}},
           {1, {}},
           {200, {}},
           {201, {"stages[0].criteria: at most 200 criteria are allowed (got 201)"}},
       }) {
    SCOPED_TRACE(count);
    StandardVersion version = ValidVersion();
    version.mutable_stages(0)->clear_criteria();
    for (int i = 0; i < count; ++i) {
      *version.mutable_stages(0)->add_criteria() = Boolean(absl::StrCat("F", i));
    }
    EXPECT_EQ(Problems(version), expected);
  }
}

TEST(ValidateStandardVersionTest, CriterionId) {
  const std::vector<IdCase> cases = {
      {"H9", true},
      {"h1", true},
      {"1", true},
      {"harvest-to-processing-hours", true},
      {"a.b_c-d", true},
      {"A" + Repeat("b", 39), true},   // 40
      {"A" + Repeat("b", 40), false},  // 41
      {"", false},
      {".H1", false},
      {"_H1", false},
      {"-H1", false},
      {"H 1", false},
      {"H/1", false},
      {"H\xc3\xa9", false},
  };
  for (const IdCase& test : cases) {
    SCOPED_TRACE(test.id);
    StandardVersion version = ValidVersion();
    H2(version)->set_id(test.id);
    if (test.valid) {
      EXPECT_THAT(Problems(version), IsEmpty());
    } else {
      EXPECT_THAT(Paths(version), ElementsAre("stages[1].criteria[1].id"));
    }
  }
}

TEST(ValidateStandardVersionTest, CriterionIdIsUniqueAcrossTheVersion) {
  StandardVersion version = ValidVersion();
  *version.mutable_stages(0)->add_criteria() = Boolean("H1");  // stages[0].criteria[1]
  *version.mutable_stages(0)->add_criteria() = Boolean("F2");
  *version.mutable_stages(0)->add_criteria() = Boolean("H1");  // stages[0].criteria[3]
  // Stage 1's own H1 is the third use; each names the first.
  EXPECT_THAT(
      Problems(version),
      ElementsAre(
          "stages[0].criteria[3].id: \"H1\" is used twice (first at stages[0].criteria[1])",
          "stages[1].criteria[0].id: \"H1\" is used twice (first at stages[0].criteria[1])"));
}

TEST(ValidateStandardVersionTest, CriterionIdsAreCaseSensitive) {
  StandardVersion version = ValidVersion();
  H2(version)->set_id("h1");
  EXPECT_THAT(Problems(version), IsEmpty());
}

TEST(ValidateStandardVersionTest, CriterionNameAndDescription) {
  StandardVersion version = ValidVersion();
  H1(version)->set_name("");
  EXPECT_THAT(Problems(version), ElementsAre("stages[1].criteria[0].name: required"));
  H1(version)->set_name(Repeat("n", 200));
  H1(version)->set_description(Repeat("d", 4000));
  EXPECT_THAT(Problems(version), IsEmpty());
  H1(version)->set_name(Repeat("n", 201));
  H1(version)->set_description(Repeat("d", 4001));
  EXPECT_THAT(Problems(version),
              ElementsAre("stages[1].criteria[0].name: must be at most 200 characters (got 201)",
                          "stages[1].criteria[0].description: must be at most 4000 characters "
                          "(got 4001)"));
}

TEST(ValidateStandardVersionTest, CriterionKind) {
  StandardVersion version = ValidVersion();
  H2(version)->set_kind(Criterion::KIND_UNSPECIFIED);
  H2(version)->set_caps_at(v1::GRADE_UNSPECIFIED);
  EXPECT_THAT(Problems(version),
              ElementsAre("stages[1].criteria[1].kind: required: BOOLEAN or NUMERIC"));
  H2(version)->set_kind(static_cast<Criterion::Kind>(7));
  EXPECT_THAT(Problems(version),
              ElementsAre("stages[1].criteria[1].kind: unknown kind 7; use BOOLEAN or NUMERIC"));
}

struct CapsCase {
  v1::Grade caps_at;
  bool critical;
  std::vector<std::string> problems;
};

TEST(ValidateStandardVersionTest, BooleanCapsAt) {
  const std::string path = "stages[1].criteria[1].caps_at: ";
  const std::vector<CapsCase> cases = {
      {v1::GRADE_UNSPECIFIED, false, {}},
      {v1::GRADE_I, false, {}},
      {v1::INDUSTRIAL, false, {}},
      {v1::GRADE_UNSPECIFIED, true, {}},
      {v1::PREMIUM, false, {path + "PREMIUM caps nothing; use GRADE_I or INDUSTRIAL"}},
      {static_cast<v1::Grade>(9), false, {path + "unknown grade 9; use GRADE_I or INDUSTRIAL"}},
      {v1::GRADE_I,
       true,
       {path + "a critical criterion fails outright and cannot also cap the grade"}},
      {v1::INDUSTRIAL,
       true,
       {path + "a critical criterion fails outright and cannot also cap the grade"}},
  };
  for (const CapsCase& test : cases) {
    SCOPED_TRACE(absl::StrCat(test.caps_at, " critical=", test.critical));
    StandardVersion version = ValidVersion();
    H2(version)->set_caps_at(test.caps_at);
    H2(version)->set_critical(test.critical);
    EXPECT_EQ(Problems(version), test.problems);
  }
}

TEST(ValidateStandardVersionTest, BooleanHasNoUnitNorGrades) {
  StandardVersion version = ValidVersion();
  H2(version)->set_unit("h");
  H2(version)->mutable_grades();  // present, even if empty
  EXPECT_THAT(Problems(version),
              ElementsAre("stages[1].criteria[1].unit: only a NUMERIC criterion has a unit",
                          "stages[1].criteria[1].grades: only a NUMERIC criterion has grades"));
}

TEST(ValidateStandardVersionTest, NumericUnit) {
  StandardVersion version = ValidVersion();
  H1(version)->set_unit("");
  EXPECT_THAT(Problems(version), ElementsAre("stages[1].criteria[0].unit: required"));
  H1(version)->set_unit(
      "\xc2\xb0"
      "C");  // °C
  EXPECT_THAT(Problems(version), IsEmpty());
  H1(version)->set_unit(Repeat("u", 32));
  EXPECT_THAT(Problems(version), IsEmpty());
  H1(version)->set_unit(Repeat("u", 33));
  EXPECT_THAT(Problems(version),
              ElementsAre("stages[1].criteria[0].unit: must be at most 32 characters (got 33)"));
}

TEST(ValidateStandardVersionTest, NumericDoesNotCap) {
  StandardVersion version = ValidVersion();
  H1(version)->set_caps_at(v1::GRADE_I);
  EXPECT_THAT(Problems(version),
              ElementsAre("stages[1].criteria[0].caps_at: only a BOOLEAN criterion can cap the "
                          "grade"));
}

TEST(ValidateStandardVersionTest, NumericMayBeCritical) {
  StandardVersion version = ValidVersion();
  H1(version)->set_critical(true);
  EXPECT_THAT(Problems(version), IsEmpty());
}

TEST(ValidateStandardVersionTest, NumericNeedsEveryGrade) {
  StandardVersion version = ValidVersion();
  H1(version)->clear_grades();
  EXPECT_THAT(Problems(version), ElementsAre("stages[1].criteria[0].grades.premium: required",
                                             "stages[1].criteria[0].grades.grade_i: required",
                                             "stages[1].criteria[0].grades.industrial: required"));
  *H1(version) = Numeric("H1");
  H1(version)->mutable_grades()->clear_grade_i();
  EXPECT_THAT(Problems(version), ElementsAre("stages[1].criteria[0].grades.grade_i: required"));
}

TEST(ValidateStandardVersionTest, EachRangeNeedsABound) {
  StandardVersion version = ValidVersion();
  H1(version)->mutable_grades()->mutable_industrial()->Clear();
  EXPECT_THAT(Problems(version),
              ElementsAre("stages[1].criteria[0].grades.industrial: at least one of min and max "
                          "is required"));
}

TEST(ValidateStandardVersionTest, BoundsAreFinite) {
  const double nan = std::nan("");
  for (const double bad : {kInf, -kInf, nan}) {
    SCOPED_TRACE(bad);
    StandardVersion version = ValidVersion();
    H1(version)->mutable_grades()->mutable_premium()->set_min(bad);
    H1(version)->mutable_grades()->mutable_industrial()->set_max(bad);
    EXPECT_THAT(
        Problems(version),
        ElementsAre("stages[1].criteria[0].grades.premium.min: must be a finite number",
                    "stages[1].criteria[0].grades.industrial.max: must be a finite number"));
  }
}

TEST(ValidateStandardVersionTest, MinNotAboveMax) {
  StandardVersion version = ValidVersion();
  *H1(version)->mutable_grades()->mutable_premium() = Range(5, 5);  // a single value is fine
  EXPECT_THAT(Problems(version), IsEmpty());
  *H1(version)->mutable_grades()->mutable_premium() = Range(5.5, 2.25);
  EXPECT_THAT(
      Problems(version),
      ElementsAre("stages[1].criteria[0].grades.premium: min 5.5 is greater than max 2.25"));
}

struct NestingCase {
  std::string name;
  GradeRange premium;
  GradeRange grade_i;
  GradeRange industrial;
  std::vector<std::string> problems;
};

TEST(ValidateStandardVersionTest, BetterGradesLieWithinWorseOnes) {
  const std::string premium_looser =
      "stages[1].criteria[0].grades: PREMIUM range is looser than "
      "GRADE_I";
  const std::string grade_i_looser =
      "stages[1].criteria[0].grades: GRADE_I range is looser than "
      "INDUSTRIAL";
  const std::nullopt_t none = std::nullopt;
  const std::vector<NestingCase> cases = {
      {"nested maxima", Range(none, 24), Range(none, 36), Range(none, 48), {}},
      {"nested minima", Range(27, none), Range(24, none), Range(20, none), {}},
      {"all equal", Range(0, 1), Range(0, 1), Range(0, 1), {}},
      {"premium equals grade_i", Range(0, 36), Range(0, 36), Range(0, 48), {}},
      {"grade_i equals industrial", Range(0, 24), Range(0, 48), Range(0, 48), {}},
      {"premium max looser", Range(0, 36.5), Range(0, 36), Range(0, 48), {premium_looser}},
      {"premium min looser", Range(-0.5, 24), Range(0, 36), Range(0, 48), {premium_looser}},
      {"premium unbounded below", Range(none, 24), Range(0, 36), Range(0, 48), {premium_looser}},
      {"grade_i max looser", Range(0, 24), Range(0, 49), Range(0, 48), {grade_i_looser}},
      {"grade_i unbounded above", Range(0, 24), Range(0, none), Range(0, 48), {grade_i_looser}},
      {"both looser", Range(0, 60), Range(0, 50), Range(0, 48), {premium_looser, grade_i_looser}},
      {"reversed minima",
       Range(20, none),
       Range(24, none),
       Range(27, none),
       {premium_looser, grade_i_looser}},
      // Only PREMIUM within GRADE_I and GRADE_I within INDUSTRIAL are checked; a broken
      // GRADE_I range is reported once, not compared.
      {"broken middle",
       Range(0, 24),
       Range(40, 30),
       Range(0, 48),
       {"stages[1].criteria[0].grades.grade_i: min 40 is greater than max 30"}},
  };
  for (const NestingCase& test : cases) {
    SCOPED_TRACE(test.name);
    StandardVersion version = ValidVersion();
    v1::NumericGrades* grades = H1(version)->mutable_grades();
    *grades->mutable_premium() = test.premium;
    *grades->mutable_grade_i() = test.grade_i;
    *grades->mutable_industrial() = test.industrial;
    EXPECT_EQ(Problems(version), test.problems);
  }
}

TEST(ValidateStandardVersionTest, SpecExampleMessage) {
  StandardVersion version = WithStages(3);
  Criterion* criterion = version.mutable_stages(2)->mutable_criteria(0);
  *criterion = Numeric("P1");
  criterion->mutable_grades()->mutable_premium()->set_max(40);
  EXPECT_THAT(Problems(version),
              ElementsAre("stages[2].criteria[0].grades: PREMIUM range is looser than GRADE_I"));
}

TEST(ValidateStandardVersionTest, EveryProblemIsReportedInFieldOrder) {
  StandardVersion version = ValidVersion();
  version.set_standard_id("cscs");
  version.set_version(0);
  version.set_title("");
  version.set_seal_validity_days(4000);
  version.mutable_stages(0)->set_id("Farming");
  version.mutable_stages(0)->set_name("");
  Criterion* f1 = version.mutable_stages(0)->mutable_criteria(0);
  f1->set_caps_at(v1::GRADE_I);  // and critical
  f1->set_unit("h");
  Criterion* h1 = H1(version);
  h1->set_id("F1");
  h1->set_unit("");
  h1->mutable_grades()->mutable_premium()->set_max(100);
  h1->mutable_grades()->mutable_industrial()->set_max(kInf);
  H2(version)->set_name("");
  H2(version)->set_description(Repeat("d", 4001));
  version.mutable_stages(1)->set_id("farming");
  v1::Stage* empty = version.add_stages();
  empty->set_id("farming");
  empty->set_name("Again");

  EXPECT_THAT(
      Problems(version),
      ElementsAre(
          "standard_id: \"cscs\": a standard id starts with an upper-case letter",
          "version: must be at least 1", "title: required",
          "seal_validity_days: must be at most 3650 days (got 4000)",
          "stages[0].id: \"Farming\": a stage id starts with a lower-case letter",
          "stages[0].name: required",
          "stages[0].criteria[0].caps_at: a critical criterion fails outright and cannot also "
          "cap the grade",
          "stages[0].criteria[0].unit: only a NUMERIC criterion has a unit",
          "stages[1].criteria[0].id: \"F1\" is used twice (first at stages[0].criteria[0])",
          "stages[1].criteria[0].unit: required",
          "stages[1].criteria[0].grades.industrial.max: must be a finite number",
          "stages[1].criteria[0].grades: PREMIUM range is looser than GRADE_I",
          "stages[1].criteria[1].name: required",
          "stages[1].criteria[1].description: must be at most 4000 characters (got 4001)",
          "stages[2].id: \"farming\" is used twice (first at stages[1])",
          "stages[2].criteria: at least one criterion is required"));
}

}  // namespace
}  // namespace sello::domain

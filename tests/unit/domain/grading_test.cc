#include "daemon/domain/grading.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "daemon/domain/standard_rules.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace sello::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using v1::Criterion;
using v1::GradeRange;
using v1::StandardVersion;

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------------------------
// Building standards and results.

GradeRange Range(std::optional<double> min, std::optional<double> max) {
  GradeRange range;
  if (min.has_value()) range.set_min(*min);
  if (max.has_value()) range.set_max(*max);
  return range;
}

// The three ranges of a NUMERIC criterion, best first.
struct Ranges {
  GradeRange premium;
  GradeRange grade_i;
  GradeRange industrial;
};

Criterion Numeric(const std::string& id, const Ranges& ranges, bool critical = false,
                  const std::string& unit = "h") {
  Criterion criterion;
  criterion.set_id(id);
  criterion.set_name(absl::StrCat("criterion ", id));
  criterion.set_kind(Criterion::NUMERIC);
  criterion.set_critical(critical);
  criterion.set_unit(unit);
  *criterion.mutable_grades()->mutable_premium() = ranges.premium;
  *criterion.mutable_grades()->mutable_grade_i() = ranges.grade_i;
  *criterion.mutable_grades()->mutable_industrial() = ranges.industrial;
  return criterion;
}

Criterion Boolean(const std::string& id, bool critical = false,
                  v1::Grade caps_at = v1::GRADE_UNSPECIFIED) {
  Criterion criterion;
  criterion.set_id(id);
  criterion.set_name(absl::StrCat("criterion ", id));
  criterion.set_kind(Criterion::BOOLEAN);
  criterion.set_critical(critical);
  criterion.set_caps_at(caps_at);
  return criterion;
}

struct StageSpec {
  std::string id;
  std::vector<Criterion> criteria;
};

StandardVersion Version(const std::vector<StageSpec>& stages) {
  StandardVersion version;
  version.set_standard_id("TEST");
  version.set_version(1);
  version.set_title("Test standard");
  for (const StageSpec& spec : stages) {
    v1::Stage* stage = version.add_stages();
    stage->set_id(spec.id);
    stage->set_name(absl::StrCat("stage ", spec.id));
    for (const Criterion& criterion : spec.criteria) *stage->add_criteria() = criterion;
  }
  return version;
}

CriterionResult Passed(const std::string& id) { return {id, true, std::nullopt}; }
CriterionResult Failed(const std::string& id) { return {id, false, std::nullopt}; }
CriterionResult Measured(const std::string& id, double value) { return {id, std::nullopt, value}; }

// Lower is better: <= 24 / <= 36 / <= 48 (like hours from harvest to processing).
const Ranges kMaxOnly = {Range(std::nullopt, 24), Range(std::nullopt, 36), Range(std::nullopt, 48)};
// Higher is better: >= 27 / >= 24 / >= 20 (like flesh colour).
const Ranges kMinOnly = {Range(27, std::nullopt), Range(24, std::nullopt), Range(20, std::nullopt)};
// A target band: 4 to 6 / 3 to 7 / 2 to 8.
const Ranges kBand = {Range(4, 6), Range(3, 7), Range(2, 8)};
// Degenerate and shared bounds: 0 to 0 / 0 to 1 / 0 to 3 (like blood spots).
const Ranges kPoint = {Range(0, 0), Range(0, 1), Range(0, 3)};
// Every grade the same range: whatever is accepted is PREMIUM.
const Ranges kSame = {Range(-1, 1), Range(-1, 1), Range(-1, 1)};
// Mixed shapes: PREMIUM 10 to 12 inside GRADE_I >= 5 inside INDUSTRIAL with no max.
const Ranges kMixed = {Range(10, 12), Range(5, std::nullopt), Range(0, std::nullopt)};

double Above(double x) { return std::nextafter(x, kInf); }
double Below(double x) { return std::nextafter(x, -kInf); }

// Rank of an outcome, higher is better: FAIL 0, INDUSTRIAL 1, GRADE_I 2, PREMIUM 3.
int Rank(const GradeOutcome& outcome) {
  if (!outcome.pass) return 0;
  return 4 - static_cast<int>(outcome.grade);
}

// ---------------------------------------------------------------------------------
// The fixtures used here are valid standards: grading never sees anything else.

TEST(GradingTest, FixturesAreValidStandards) {
  for (const Ranges& ranges : {kMaxOnly, kMinOnly, kBand, kPoint, kSame, kMixed}) {
    EXPECT_THAT(ValidateStandardVersion(Version({{"s", {Numeric("N1", ranges)}}})), IsEmpty());
  }
  EXPECT_THAT(ValidateStandardVersion(Version(
                  {{"s",
                    {Boolean("B1"), Boolean("B2", true), Boolean("B3", false, v1::GRADE_I),
                     Boolean("B4", false, v1::INDUSTRIAL), Numeric("N1", kMaxOnly, true)}}})),
              IsEmpty());
}

// ---------------------------------------------------------------------------------
// NUMERIC criteria: every range shape, every boundary.

struct NumericCase {
  const char* shape_name;
  const Ranges* shape;
  double value;
  v1::Grade expected;  // GRADE_UNSPECIFIED: outside every range
};

TEST(GradingTest, NumericValueEarnsTheBestGradeWhoseInclusiveRangeContainsIt) {
  const std::vector<NumericCase> cases = {
      // <= 24 / <= 36 / <= 48
      {"max-only", &kMaxOnly, -1e9, v1::PREMIUM},
      {"max-only", &kMaxOnly, 0, v1::PREMIUM},
      {"max-only", &kMaxOnly, 23.99, v1::PREMIUM},
      {"max-only", &kMaxOnly, Below(24), v1::PREMIUM},
      {"max-only", &kMaxOnly, 24, v1::PREMIUM},
      {"max-only", &kMaxOnly, Above(24), v1::GRADE_I},
      {"max-only", &kMaxOnly, 24.01, v1::GRADE_I},
      {"max-only", &kMaxOnly, 30, v1::GRADE_I},
      {"max-only", &kMaxOnly, 36, v1::GRADE_I},
      {"max-only", &kMaxOnly, Above(36), v1::INDUSTRIAL},
      {"max-only", &kMaxOnly, 36.01, v1::INDUSTRIAL},
      {"max-only", &kMaxOnly, 48, v1::INDUSTRIAL},
      {"max-only", &kMaxOnly, Above(48), v1::GRADE_UNSPECIFIED},
      {"max-only", &kMaxOnly, 48.01, v1::GRADE_UNSPECIFIED},
      {"max-only", &kMaxOnly, 1e9, v1::GRADE_UNSPECIFIED},
      // >= 27 / >= 24 / >= 20
      {"min-only", &kMinOnly, 1e9, v1::PREMIUM},
      {"min-only", &kMinOnly, 27, v1::PREMIUM},
      {"min-only", &kMinOnly, Above(27), v1::PREMIUM},
      {"min-only", &kMinOnly, Below(27), v1::GRADE_I},
      {"min-only", &kMinOnly, 26.99, v1::GRADE_I},
      {"min-only", &kMinOnly, 24, v1::GRADE_I},
      {"min-only", &kMinOnly, Below(24), v1::INDUSTRIAL},
      {"min-only", &kMinOnly, 20, v1::INDUSTRIAL},
      {"min-only", &kMinOnly, Below(20), v1::GRADE_UNSPECIFIED},
      {"min-only", &kMinOnly, 19.99, v1::GRADE_UNSPECIFIED},
      {"min-only", &kMinOnly, -1e9, v1::GRADE_UNSPECIFIED},
      // 4 to 6 / 3 to 7 / 2 to 8: both sides of every range
      {"band", &kBand, 5, v1::PREMIUM},
      {"band", &kBand, 4, v1::PREMIUM},
      {"band", &kBand, 6, v1::PREMIUM},
      {"band", &kBand, Below(4), v1::GRADE_I},
      {"band", &kBand, Above(6), v1::GRADE_I},
      {"band", &kBand, 3, v1::GRADE_I},
      {"band", &kBand, 7, v1::GRADE_I},
      {"band", &kBand, Below(3), v1::INDUSTRIAL},
      {"band", &kBand, Above(7), v1::INDUSTRIAL},
      {"band", &kBand, 2, v1::INDUSTRIAL},
      {"band", &kBand, 8, v1::INDUSTRIAL},
      {"band", &kBand, Below(2), v1::GRADE_UNSPECIFIED},
      {"band", &kBand, Above(8), v1::GRADE_UNSPECIFIED},
      {"band", &kBand, -5, v1::GRADE_UNSPECIFIED},
      {"band", &kBand, 15, v1::GRADE_UNSPECIFIED},
      // 0 to 0 / 0 to 1 / 0 to 3: a single-point range and shared lower bounds
      {"point", &kPoint, 0, v1::PREMIUM},
      {"point", &kPoint, -0.0, v1::PREMIUM},
      {"point", &kPoint, Above(0), v1::GRADE_I},
      {"point", &kPoint, 0.5, v1::GRADE_I},
      {"point", &kPoint, 1, v1::GRADE_I},
      {"point", &kPoint, Above(1), v1::INDUSTRIAL},
      {"point", &kPoint, 3, v1::INDUSTRIAL},
      {"point", &kPoint, Above(3), v1::GRADE_UNSPECIFIED},
      {"point", &kPoint, Below(0), v1::GRADE_UNSPECIFIED},
      {"point", &kPoint, -1, v1::GRADE_UNSPECIFIED},
      // identical ranges: the best grade wins
      {"same", &kSame, -1, v1::PREMIUM},
      {"same", &kSame, 1, v1::PREMIUM},
      {"same", &kSame, Above(1), v1::GRADE_UNSPECIFIED},
      {"same", &kSame, Below(-1), v1::GRADE_UNSPECIFIED},
      // 10 to 12 / >= 5 / >= 0
      {"mixed", &kMixed, 11, v1::PREMIUM},
      {"mixed", &kMixed, 12, v1::PREMIUM},
      {"mixed", &kMixed, Above(12), v1::GRADE_I},
      {"mixed", &kMixed, 1e9, v1::GRADE_I},
      {"mixed", &kMixed, Below(10), v1::GRADE_I},
      {"mixed", &kMixed, 5, v1::GRADE_I},
      {"mixed", &kMixed, Below(5), v1::INDUSTRIAL},
      {"mixed", &kMixed, 0, v1::INDUSTRIAL},
      {"mixed", &kMixed, Below(0), v1::GRADE_UNSPECIFIED},
  };
  for (const NumericCase& c : cases) {
    for (const bool critical : {false, true}) {
      SCOPED_TRACE(absl::StrCat(c.shape_name, " value ", c.value, critical ? " critical" : ""));
      const StandardVersion version = Version({{"s", {Numeric("N1", *c.shape, critical)}}});
      const auto outcome = ComputeGrade(version, {"s"}, {Measured("N1", c.value)});
      ASSERT_TRUE(outcome.ok()) << outcome.status();
      ASSERT_EQ(outcome->criteria.size(), 1u);
      const CriterionGrade& graded = outcome->criteria[0];
      EXPECT_EQ(graded.criterion_id, "N1");
      EXPECT_EQ(graded.stage_id, "s");
      EXPECT_EQ(graded.grade, c.expected);
      EXPECT_EQ(graded.cap, v1::GRADE_UNSPECIFIED);
      if (c.expected == v1::GRADE_UNSPECIFIED) {
        EXPECT_EQ(graded.verdict,
                  critical ? CriterionVerdict::kFailedCritical : CriterionVerdict::kOutOfRange);
        EXPECT_TRUE(graded.fails_outcome);
        EXPECT_FALSE(outcome->pass);
        EXPECT_EQ(outcome->grade, v1::GRADE_UNSPECIFIED);
        EXPECT_THAT(outcome->failing_criteria, ElementsAre("N1"));
        EXPECT_THAT(outcome->limiting_criteria, ElementsAre("N1"));
      } else {
        EXPECT_EQ(graded.verdict, CriterionVerdict::kEarned);
        EXPECT_FALSE(graded.fails_outcome);
        EXPECT_TRUE(outcome->pass);
        EXPECT_EQ(outcome->grade, c.expected);
        EXPECT_THAT(outcome->failing_criteria, IsEmpty());
        if (c.expected == v1::PREMIUM) {
          EXPECT_THAT(outcome->limiting_criteria, IsEmpty());
        } else {
          EXPECT_THAT(outcome->limiting_criteria, ElementsAre("N1"));
        }
      }
    }
  }
}

TEST(GradingTest, NumericReasonsNameTheValueAndTheRanges) {
  struct Case {
    Ranges ranges;
    bool critical;
    std::string unit;
    double value;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {kMaxOnly, false, "h", 20, "value 20 h: within PREMIUM (<= 24)"},
      {kMaxOnly, false, "h", 24, "value 24 h: within PREMIUM (<= 24)"},
      {kMaxOnly, false, "h", 26, "value 26 h: within GRADE_I (<= 36), outside PREMIUM (<= 24)"},
      {kMaxOnly, false, "h", 36.5,
       "value 36.5 h: within INDUSTRIAL (<= 48), outside GRADE_I (<= 36)"},
      {kMaxOnly, false, "h", 50, "value 50 h: outside every range (INDUSTRIAL <= 48)"},
      {kMaxOnly, true, "h", 50,
       "value 50 h: outside every range (INDUSTRIAL <= 48); critical criterion"},
      {kMinOnly, false, "SalmoFan", 22,
       "value 22 SalmoFan: within INDUSTRIAL (>= 20), outside GRADE_I (>= 24)"},
      {kBand, false, "°C", 2.5,
       "value 2.5 °C: within INDUSTRIAL (2 to 8), outside GRADE_I (3 to 7)"},
      {kBand, false, "°C", -0.25, "value -0.25 °C: outside every range (INDUSTRIAL 2 to 8)"},
      {kPoint, false, "count", 0, "value 0 count: within PREMIUM (0 to 0)"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.reason);
    const StandardVersion version = Version({{"s", {Numeric("N1", c.ranges, c.critical, c.unit)}}});
    const auto outcome = ComputeGrade(version, {"s"}, {Measured("N1", c.value)});
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    EXPECT_EQ(outcome->criteria.at(0).reason, c.reason);
  }
}

// ---------------------------------------------------------------------------------
// BOOLEAN criteria: every combination of critical, caps_at and result.

TEST(GradingTest, BooleanCriteria) {
  struct Case {
    bool critical;
    v1::Grade caps_at;
    bool passed;
    CriterionVerdict verdict;
    v1::Grade grade;
    v1::Grade cap;
    bool pass;
    v1::Grade outcome_grade;
    std::string reason;
  };
  using V = CriterionVerdict;
  const v1::Grade kNone = v1::GRADE_UNSPECIFIED;
  const std::vector<Case> cases = {
      {false, kNone, true, V::kEarned, v1::PREMIUM, kNone, true, v1::PREMIUM, "passed"},
      {false, kNone, false, V::kFailed, kNone, kNone, true, v1::PREMIUM,
       "failed; does not lower the grade (not critical, no cap)"},
      {false, v1::GRADE_I, true, V::kEarned, v1::PREMIUM, kNone, true, v1::PREMIUM, "passed"},
      {false, v1::GRADE_I, false, V::kCapped, kNone, v1::GRADE_I, true, v1::GRADE_I,
       "failed; caps the grade at GRADE_I"},
      {false, v1::INDUSTRIAL, true, V::kEarned, v1::PREMIUM, kNone, true, v1::PREMIUM, "passed"},
      {false, v1::INDUSTRIAL, false, V::kCapped, kNone, v1::INDUSTRIAL, true, v1::INDUSTRIAL,
       "failed; caps the grade at INDUSTRIAL"},
      {true, kNone, true, V::kEarned, v1::PREMIUM, kNone, true, v1::PREMIUM, "passed"},
      {true, kNone, false, V::kFailedCritical, kNone, kNone, false, kNone,
       "failed; critical criterion"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat("critical ", c.critical, " caps_at ", GradeName(c.caps_at),
                              " passed ", c.passed));
    const StandardVersion version = Version({{"s", {Boolean("B1", c.critical, c.caps_at)}}});
    const auto outcome = ComputeGrade(version, {"s"}, {c.passed ? Passed("B1") : Failed("B1")});
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    ASSERT_EQ(outcome->criteria.size(), 1u);
    const CriterionGrade& graded = outcome->criteria[0];
    EXPECT_EQ(graded.verdict, c.verdict);
    EXPECT_EQ(graded.grade, c.grade);
    EXPECT_EQ(graded.cap, c.cap);
    EXPECT_EQ(graded.fails_outcome, !c.pass);
    EXPECT_EQ(graded.reason, c.reason);
    EXPECT_EQ(outcome->pass, c.pass);
    EXPECT_EQ(outcome->grade, c.outcome_grade);
    if (!c.pass) {
      EXPECT_THAT(outcome->failing_criteria, ElementsAre("B1"));
      EXPECT_THAT(outcome->limiting_criteria, ElementsAre("B1"));
    } else if (c.outcome_grade != v1::PREMIUM) {
      EXPECT_THAT(outcome->limiting_criteria, ElementsAre("B1"));
    } else {
      EXPECT_THAT(outcome->limiting_criteria, IsEmpty());
    }
  }
}

// ---------------------------------------------------------------------------------
// Combining criteria: the lowest grade, caps, criticals.

// One stage "s": N1 (<= 24 / <= 36 / <= 48), N2 (>= 27 / >= 24 / >= 20, critical),
// C1 (caps at GRADE_I), C2 (caps at INDUSTRIAL), B1 (no cap), K1 (critical).
StandardVersion Combined() {
  return Version(
      {{"s",
        {Numeric("N1", kMaxOnly), Numeric("N2", kMinOnly, true), Boolean("C1", false, v1::GRADE_I),
         Boolean("C2", false, v1::INDUSTRIAL), Boolean("B1"), Boolean("K1", true)}}});
}

struct Lot {
  double n1 = 10;
  double n2 = 30;
  bool c1 = true;
  bool c2 = true;
  bool b1 = true;
  bool k1 = true;
};

std::vector<CriterionResult> Results(const Lot& lot) {
  return {Measured("N1", lot.n1),       Measured("N2", lot.n2),       {"C1", lot.c1, std::nullopt},
          {"C2", lot.c2, std::nullopt}, {"B1", lot.b1, std::nullopt}, {"K1", lot.k1, std::nullopt}};
}

TEST(GradingTest, GradeIsTheLowestEarnedLoweredByCaps) {
  struct Case {
    std::string name;
    Lot lot;
    bool pass;
    v1::Grade grade;
    std::vector<std::string> failing;
    std::vector<std::string> limiting;
  };
  const std::vector<Case> cases = {
      {"all best", {}, true, v1::PREMIUM, {}, {}},
      {"one GRADE_I value", {.n1 = 30}, true, v1::GRADE_I, {}, {"N1"}},
      {"two GRADE_I values", {.n1 = 36, .n2 = 24}, true, v1::GRADE_I, {}, {"N1", "N2"}},
      {"GRADE_I and INDUSTRIAL values", {.n1 = 30, .n2 = 21}, true, v1::INDUSTRIAL, {}, {"N2"}},
      {"failed without cap changes nothing", {.b1 = false}, true, v1::PREMIUM, {}, {}},
      {"cap at GRADE_I", {.c1 = false}, true, v1::GRADE_I, {}, {"C1"}},
      {"cap at GRADE_I with a GRADE_I value",
       {.n1 = 30, .c1 = false},
       true,
       v1::GRADE_I,
       {},
       {"N1", "C1"}},
      {"cap at GRADE_I above an INDUSTRIAL value",
       {.n1 = 40, .c1 = false},
       true,
       v1::INDUSTRIAL,
       {},
       {"N1"}},
      {"cap at INDUSTRIAL below a GRADE_I value",
       {.n1 = 30, .c2 = false},
       true,
       v1::INDUSTRIAL,
       {},
       {"C2"}},
      {"two caps: the lower one", {.c1 = false, .c2 = false}, true, v1::INDUSTRIAL, {}, {"C2"}},
      {"critical boolean failed", {.k1 = false}, false, v1::GRADE_UNSPECIFIED, {"K1"}, {"K1"}},
      {"critical numeric out of range", {.n2 = 19}, false, v1::GRADE_UNSPECIFIED, {"N2"}, {"N2"}},
      {"non-critical numeric out of range",
       {.n1 = 49},
       false,
       v1::GRADE_UNSPECIFIED,
       {"N1"},
       {"N1"}},
      {"failures among caps",
       {.n1 = 49, .c1 = false, .b1 = false, .k1 = false},
       false,
       v1::GRADE_UNSPECIFIED,
       {"N1", "K1"},
       {"N1", "K1"}},
      {"everything wrong",
       {.n1 = 1e6, .n2 = -1e6, .c1 = false, .c2 = false, .b1 = false, .k1 = false},
       false,
       v1::GRADE_UNSPECIFIED,
       {"N1", "N2", "K1"},
       {"N1", "N2", "K1"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto outcome = ComputeGrade(Combined(), {"s"}, Results(c.lot));
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    EXPECT_EQ(outcome->pass, c.pass);
    EXPECT_EQ(outcome->grade, c.grade);
    EXPECT_EQ(outcome->failing_criteria, c.failing);
    EXPECT_EQ(outcome->limiting_criteria, c.limiting);
    ASSERT_EQ(outcome->criteria.size(), 6u);
    for (const CriterionGrade& graded : outcome->criteria) {
      const bool failing =
          std::find(c.failing.begin(), c.failing.end(), graded.criterion_id) != c.failing.end();
      EXPECT_EQ(graded.fails_outcome, failing) << graded.criterion_id;
    }
  }
}

// ---------------------------------------------------------------------------------
// Stages.

// farming: F1 (critical), F2 (<= 24 / <= 36 / <= 48); harvest: H1 (caps at GRADE_I);
// processing: P1 (>= 27 / >= 24 / >= 20), P2.
StandardVersion ThreeStages() {
  return Version({{"farming", {Boolean("F1", true), Numeric("F2", kMaxOnly)}},
                  {"harvest", {Boolean("H1", false, v1::GRADE_I)}},
                  {"processing", {Numeric("P1", kMinOnly, false, "SalmoFan"), Boolean("P2")}}});
}

TEST(GradingTest, OnlyCoveredStagesNeedResultsAndAreGraded) {
  // A plant audit: processing only. The failed critical F1 of farming is not asked for.
  const auto processing =
      ComputeGrade(ThreeStages(), {"processing"}, {Measured("P1", 25), Passed("P2")});
  ASSERT_TRUE(processing.ok()) << processing.status();
  EXPECT_TRUE(processing->pass);
  EXPECT_EQ(processing->grade, v1::GRADE_I);
  ASSERT_EQ(processing->criteria.size(), 2u);
  EXPECT_EQ(processing->criteria[0].criterion_id, "P1");
  EXPECT_EQ(processing->criteria[0].stage_id, "processing");
  EXPECT_EQ(processing->criteria[1].criterion_id, "P2");

  // The farming stage alone grades on F1 and F2 only.
  const auto farming = ComputeGrade(ThreeStages(), {"farming"}, {Failed("F1"), Measured("F2", 10)});
  ASSERT_TRUE(farming.ok()) << farming.status();
  EXPECT_FALSE(farming->pass);
  EXPECT_THAT(farming->failing_criteria, ElementsAre("F1"));
}

TEST(GradingTest, CriteriaComeInTheStandardsOrderWhateverTheInputOrder) {
  const auto outcome = ComputeGrade(
      ThreeStages(), {"processing", "farming", "harvest"},
      {Passed("P2"), Failed("H1"), Measured("P1", 30), Measured("F2", 40), Passed("F1")});
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  std::vector<std::string> ids;
  std::vector<std::string> stages;
  for (const CriterionGrade& graded : outcome->criteria) {
    ids.push_back(graded.criterion_id);
    stages.push_back(graded.stage_id);
  }
  EXPECT_THAT(ids, ElementsAre("F1", "F2", "H1", "P1", "P2"));
  EXPECT_THAT(stages, ElementsAre("farming", "farming", "harvest", "processing", "processing"));
  EXPECT_TRUE(outcome->pass);
  EXPECT_EQ(outcome->grade, v1::INDUSTRIAL);
  EXPECT_THAT(outcome->limiting_criteria, ElementsAre("F2"));
}

TEST(GradingTest, TheWorstStageDecides) {
  const auto outcome = ComputeGrade(
      ThreeStages(), {"farming", "harvest", "processing"},
      {Passed("F1"), Measured("F2", 0), Failed("H1"), Measured("P1", 27), Passed("P2")});
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_TRUE(outcome->pass);
  EXPECT_EQ(outcome->grade, v1::GRADE_I);
  EXPECT_THAT(outcome->limiting_criteria, ElementsAre("H1"));
}

// ---------------------------------------------------------------------------------
// Input errors: every offender named.

absl::Status GradeError(const StandardVersion& version, const std::vector<std::string>& stages,
                        const std::vector<CriterionResult>& results) {
  const auto outcome = ComputeGrade(version, stages, results);
  if (outcome.ok()) return absl::OkStatus();
  return outcome.status();
}

TEST(GradingTest, StagesCoveredErrors) {
  struct Case {
    std::vector<std::string> stages;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{}, "stages_covered: none given"},
      {{"farm"}, "stages_covered: unknown farm"},
      {{"farming", "farming"}, "stages_covered: duplicated farming"},
      {{"farming", "x", "harvest", "farming", "y", "x", "harvest", ""},
       "stages_covered: unknown x, y, \"\"; duplicated farming, harvest"},
  };
  for (const Case& c : cases) {
    const absl::Status status = GradeError(ThreeStages(), c.stages, {});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_EQ(status.message(), c.message);
  }
}

TEST(GradingTest, ResultErrorsNameEveryOffender) {
  struct Case {
    std::string name;
    std::vector<std::string> stages;
    std::vector<CriterionResult> results;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"nothing", {"farming", "processing"}, {}, "results: missing F1, F2, P1, P2"},
      {"some missing",
       {"farming", "processing"},
       {Passed("F1"), Passed("P2")},
       "results: missing F2, P1"},
      {"unknown",
       {"harvest"},
       {Passed("H1"), Passed("X9"), Measured("Y1", 3), Passed("X9"), Passed("h1")},
       "results: unknown X9, Y1, h1"},
      {"not covered",
       {"harvest"},
       {Passed("H1"), Passed("F1"), Measured("P1", 30), Passed("F1")},
       "results: not in a covered stage F1, P1"},
      {"duplicated",
       {"farming", "harvest"},
       {Passed("F1"), Measured("F2", 1), Passed("H1"), Failed("F1"), Measured("F2", 1)},
       "results: duplicated F1, F2"},
      {"malformed boolean",
       {"farming", "harvest", "processing"},
       {{"F1", std::nullopt, std::nullopt},
        Measured("F2", 1),
        {"H1", true, 1.0},
        Measured("P1", 30),
        Measured("P2", 1)},
       "results: malformed F1 (BOOLEAN: no passed), H1 (BOOLEAN: both passed and value), "
       "P2 (BOOLEAN: a value instead of passed)"},
      {"malformed numeric",
       {"farming", "processing"},
       {Passed("F1"), {"F2", std::nullopt, std::nullopt}, Passed("P1"), Passed("P2")},
       "results: malformed F2 (NUMERIC: no value), P1 (NUMERIC: passed instead of a value)"},
      {"numeric with both",
       {"farming"},
       {Passed("F1"), {"F2", false, 3.0}},
       "results: malformed F2 (NUMERIC: both passed and value)"},
      {"nan",
       {"farming"},
       {Passed("F1"), Measured("F2", std::nan(""))},
       "results: malformed F2 (NUMERIC: value nan is not finite)"},
      {"inf",
       {"processing"},
       {Measured("P1", kInf), Passed("P2")},
       "results: malformed P1 (NUMERIC: value inf is not finite)"},
      {"-inf",
       {"processing"},
       {Measured("P1", -kInf), Passed("P2")},
       "results: malformed P1 (NUMERIC: value -inf is not finite)"},
      {"odd ids",
       {"harvest"},
       {Passed("H1"), Passed(""), Passed("a b"), Passed("line\nbreak"),
        Passed(std::string(50, 'Z'))},
       absl::StrCat("results: unknown \"\", \"a b\", \"line\\nbreak\", \"", std::string(40, 'Z'),
                    "...\"")},
      {"all at once",
       {"farming", "harvest", "processing"},
       {Failed("F1"),
        Passed("X9"),
        Passed("F1"),
        {"H1", std::nullopt, 2.0},
        Passed("P1"),
        Passed("Z1")},
       "results: missing F2, P2; unknown X9, Z1; duplicated F1; malformed H1 (BOOLEAN: a value "
       "instead of passed), P1 (NUMERIC: passed instead of a value)"},
      {"all at once, partly covered",
       {"harvest", "processing"},
       {Failed("F1"), Passed("X9"), Passed("H1"), Passed("H1"), Passed("P2")},
       "results: missing P1; unknown X9; not in a covered stage F1; duplicated H1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const absl::Status status = GradeError(ThreeStages(), c.stages, c.results);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), c.message);
  }
}

TEST(GradingTest, ABrokenVersionIsAnErrorNotACrash) {
  struct Case {
    std::string name;
    StandardVersion version;
    std::string problem;
  };
  std::vector<Case> cases;
  {
    StandardVersion version = Version({{"s", {Boolean("B1")}}});
    version.mutable_stages(0)->mutable_criteria(0)->set_kind(Criterion::KIND_UNSPECIFIED);
    cases.push_back(
        {"kind unspecified", version, "stages[0].criteria[0].kind: must be BOOLEAN or NUMERIC"});
  }
  {
    StandardVersion version = Version({{"s", {Boolean("B1")}}});
    version.mutable_stages(0)->mutable_criteria(0)->set_kind(Criterion::NUMERIC);
    cases.push_back({"numeric without grades", version,
                     "stages[0].criteria[0].grades: PREMIUM range has "
                     "no bound"});
  }
  cases.push_back({"not nested",
                   Version({{"s", {Numeric("N1", {Range(0, 30), Range(0, 24), Range(0, 48)})}}}),
                   "stages[0].criteria[0].grades: PREMIUM range is looser than GRADE_I"});
  cases.push_back(
      {"missing outer bound",
       Version({{"s", {Numeric("N1", {Range(0, 1), Range(std::nullopt, 2), Range(0, 3)})}}}),
       "stages[0].criteria[0].grades: GRADE_I range is looser than INDUSTRIAL"});
  cases.push_back({"min above max",
                   Version({{"s", {Numeric("N1", {Range(0, 1), Range(0, 2), Range(5, 3)})}}}),
                   "stages[0].criteria[0].grades: INDUSTRIAL range has min > max"});
  cases.push_back(
      {"nan bound",
       Version({{"s", {Numeric("N1", {Range(0, std::nan("")), Range(0, 2), Range(0, 3)})}}}),
       "stages[0].criteria[0].grades: PREMIUM range has a bound that is not finite"});
  cases.push_back({"caps at PREMIUM", Version({{"s", {Boolean("B1", false, v1::PREMIUM)}}}),
                   "stages[0].criteria[0].caps_at: must be GRADE_I or INDUSTRIAL"});
  {
    StandardVersion version = Version({{"s", {Boolean("B1")}}});
    version.mutable_stages(0)->mutable_criteria(0)->set_caps_at(static_cast<v1::Grade>(9));
    cases.push_back({"caps at nonsense", version,
                     "stages[0].criteria[0].caps_at: must be GRADE_I or "
                     "INDUSTRIAL"});
  }
  cases.push_back({"critical with a cap", Version({{"s", {Boolean("B1", true, v1::GRADE_I)}}}),
                   "stages[0].criteria[0]: a critical criterion cannot have caps_at"});
  {
    Criterion numeric = Numeric("N1", kMaxOnly);
    numeric.set_caps_at(v1::GRADE_I);
    cases.push_back({"numeric with a cap", Version({{"s", {numeric}}}),
                     "stages[0].criteria[0].caps_at: only for BOOLEAN criteria"});
  }
  cases.push_back({"duplicated criterion",
                   Version({{"a", {Boolean("B1")}}, {"b", {Boolean("B2"), Boolean("B1")}}}),
                   "stages[1].criteria[1].id: duplicated B1"});
  cases.push_back({"duplicated stage", Version({{"s", {Boolean("B1")}}, {"s", {Boolean("B2")}}}),
                   "stages[1].id: duplicated s"});
  cases.push_back(
      {"empty stage", Version({{"s", {Boolean("B1")}}, {"t", {}}}), "stages[1].criteria: none"});
  cases.push_back({"empty ids", Version({{"", {Boolean("")}}}), "stages[0].id: required"});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const absl::Status status = GradeError(c.version, {"s"}, {Passed("B1"), Passed("N1")});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr("standard TEST v1 cannot be graded: "));
    EXPECT_THAT(status.message(), HasSubstr(c.problem));
  }
  // Every problem at once, in field order.
  StandardVersion broken = Version({{"s", {Boolean("B1", true, v1::GRADE_I), Boolean("B1")}}});
  broken.mutable_stages(0)->mutable_criteria(1)->set_kind(Criterion::KIND_UNSPECIFIED);
  EXPECT_EQ(GradeError(broken, {"s"}, {}).message(),
            "standard TEST v1 cannot be graded: stages[0].criteria[0]: a critical criterion "
            "cannot have caps_at; stages[0].criteria[1].id: duplicated B1; "
            "stages[0].criteria[1].kind: must be BOOLEAN or NUMERIC");
  // An empty version has no stage to cover.
  EXPECT_EQ(GradeError(StandardVersion(), {"s"}, {}).message(), "stages_covered: unknown s");
}

// ---------------------------------------------------------------------------------
// The demo standard (deploy/demo/standards/cscs-v1.json), graded for realistic lots.

StandardVersion LoadDemoStandard() {
  const std::string path = std::string(DEMO_DIR) + "/standards/cscs-v1.json";
  std::ifstream file(path);
  EXPECT_TRUE(file.good()) << path;
  std::stringstream content;
  content << file.rdbuf();
  StandardVersion version;
  const auto status = google::protobuf::util::JsonStringToMessage(content.str(), &version);
  EXPECT_TRUE(status.ok()) << path << ": " << status.ToString();
  return version;
}

const std::vector<std::string> kAllDemoStages = {"farming", "harvest", "processing",
                                                 "final_product"};

// A lot that earns PREMIUM on every criterion; the cases below change a few.
std::vector<CriterionResult> DemoPremiumLot() {
  return {Passed("F1"), Passed("F2"),        Measured("F3", 0.4), Measured("H1", 18),
          Passed("H2"), Measured("P1", 1.2), Measured("P2", 1),   Measured("P3", 0),
          Passed("P4"), Measured("Q1", 28),  Passed("Q2")};
}

std::vector<CriterionResult> With(std::vector<CriterionResult> lot,
                                  const std::vector<CriterionResult>& changes) {
  for (const CriterionResult& change : changes) {
    for (CriterionResult& result : lot) {
      if (result.criterion_id == change.criterion_id) result = change;
    }
  }
  return lot;
}

const CriterionGrade& Find(const GradeOutcome& outcome, const std::string& id) {
  for (const CriterionGrade& graded : outcome.criteria) {
    if (graded.criterion_id == id) return graded;
  }
  ADD_FAILURE() << "no criterion " << id;
  static const CriterionGrade kNone;
  return kNone;
}

TEST(GradingDemoTest, TheDemoStandardIsValid) {
  const StandardVersion version = LoadDemoStandard();
  EXPECT_EQ(version.standard_id(), "CSCS");
  EXPECT_EQ(version.stages_size(), 4);
  EXPECT_THAT(ValidateStandardVersion(version), IsEmpty());
}

TEST(GradingDemoTest, PremiumLot) {
  // Exactly on the PREMIUM thresholds counts as PREMIUM: 24 h, 2.0 °C, SalmoFan 27.
  const auto outcome = ComputeGrade(
      LoadDemoStandard(), kAllDemoStages,
      With(DemoPremiumLot(), {Measured("H1", 24), Measured("P1", 2.0), Measured("Q1", 27)}));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_TRUE(outcome->pass);
  EXPECT_EQ(outcome->grade, v1::PREMIUM);
  EXPECT_EQ(outcome->criteria.size(), 11u);
  EXPECT_THAT(outcome->failing_criteria, IsEmpty());
  EXPECT_THAT(outcome->limiting_criteria, IsEmpty());
  EXPECT_EQ(Find(*outcome, "H1").reason, "value 24 h: within PREMIUM (0 to 24)");
  EXPECT_EQ(Find(*outcome, "P1").reason, "value 2 °C: within PREMIUM (<= 2)");
  EXPECT_EQ(Find(*outcome, "Q1").reason, "value 27 SalmoFan: within PREMIUM (>= 27)");
}

TEST(GradingDemoTest, GradeILot) {
  // 30 h to processing and 1.5 lice per fish; the label failure caps at GRADE_I too.
  const auto outcome =
      ComputeGrade(LoadDemoStandard(), kAllDemoStages,
                   With(DemoPremiumLot(), {Measured("H1", 30), Measured("F3", 1.5), Failed("Q2")}));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_TRUE(outcome->pass);
  EXPECT_EQ(outcome->grade, v1::GRADE_I);
  EXPECT_THAT(outcome->limiting_criteria, ElementsAre("F3", "H1", "Q2"));
  EXPECT_EQ(Find(*outcome, "H1").reason,
            "value 30 h: within GRADE_I (0 to 36), outside PREMIUM (0 to 24)");
  EXPECT_EQ(Find(*outcome, "Q2").verdict, CriterionVerdict::kCapped);
  EXPECT_EQ(Find(*outcome, "Q2").reason, "failed; caps the grade at GRADE_I");
}

TEST(GradingDemoTest, IndustrialLot) {
  // Gaping score 3 and pale flesh (SalmoFan 22): INDUSTRIAL, below the label's cap.
  const auto outcome = ComputeGrade(LoadDemoStandard(), kAllDemoStages,
                                    With(DemoPremiumLot(), {Measured("P2", 3), Measured("Q1", 22),
                                                            Failed("H2"), Measured("H1", 36)}));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_TRUE(outcome->pass);
  EXPECT_EQ(outcome->grade, v1::INDUSTRIAL);
  EXPECT_THAT(outcome->limiting_criteria, ElementsAre("P2", "Q1"));
  EXPECT_EQ(Find(*outcome, "H1").grade, v1::GRADE_I);
  EXPECT_EQ(Find(*outcome, "Q1").reason,
            "value 22 SalmoFan: within INDUSTRIAL (>= 20), outside GRADE_I (>= 24)");
}

TEST(GradingDemoTest, FailedLot) {
  // Listeria found (critical) and 50 h to processing (outside every range).
  const auto outcome =
      ComputeGrade(LoadDemoStandard(), kAllDemoStages,
                   With(DemoPremiumLot(), {Failed("P4"), Measured("H1", 50), Failed("Q2")}));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_FALSE(outcome->pass);
  EXPECT_EQ(outcome->grade, v1::GRADE_UNSPECIFIED);
  EXPECT_THAT(outcome->failing_criteria, ElementsAre("H1", "P4"));
  EXPECT_THAT(outcome->limiting_criteria, ElementsAre("H1", "P4"));
  EXPECT_EQ(Find(*outcome, "H1").verdict, CriterionVerdict::kOutOfRange);
  EXPECT_EQ(Find(*outcome, "H1").reason, "value 50 h: outside every range (INDUSTRIAL 0 to 48)");
  EXPECT_EQ(Find(*outcome, "P4").verdict, CriterionVerdict::kFailedCritical);
}

TEST(GradingDemoTest, PlantAuditCoversProcessingAndFinalProductOnly) {
  const auto outcome = ComputeGrade(LoadDemoStandard(), {"processing", "final_product"},
                                    {Measured("P1", 3.0), Measured("P2", 0.5), Measured("P3", 1),
                                     Passed("P4"), Measured("Q1", 30), Passed("Q2")});
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_TRUE(outcome->pass);
  EXPECT_EQ(outcome->grade, v1::GRADE_I);
  EXPECT_THAT(outcome->limiting_criteria, ElementsAre("P1", "P3"));
  EXPECT_EQ(outcome->criteria.size(), 6u);
}

TEST(GradingDemoTest, MissingResultsAreNamed) {
  std::vector<CriterionResult> lot = DemoPremiumLot();
  lot.erase(std::remove_if(lot.begin(), lot.end(),
                           [](const CriterionResult& r) {
                             return r.criterion_id == "H1" || r.criterion_id == "P3";
                           }),
            lot.end());
  lot.push_back(Passed("X9"));
  lot.push_back(Passed("F1"));
  EXPECT_EQ(GradeError(LoadDemoStandard(), kAllDemoStages, lot).message(),
            "results: missing H1, P3; unknown X9; duplicated F1");
}

// ---------------------------------------------------------------------------------
// Property: improving any single measurement never lowers the grade nor turns PASS
// into FAIL; the order of the results does not matter.

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  double Real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }

  // A range inside `outer` (null: anywhere in -10..10) with at least one bound; bounds
  // on whole numbers so that values on the half-grid hit them exactly. Where `outer`
  // has a bound this one has it too, at least as tight.
  GradeRange RangeWithin(const GradeRange* outer) {
    const bool outer_min = outer != nullptr && outer->has_min();
    const bool outer_max = outer != nullptr && outer->has_max();
    const int lo = outer_min ? static_cast<int>(outer->min()) : -10;
    const int hi = outer_max ? static_cast<int>(outer->max()) : 10;
    bool has_min = outer_min || Chance(0.4);
    bool has_max = outer_max || Chance(0.4);
    if (!has_min && !has_max) (Chance(0.5) ? has_min : has_max) = true;
    // Keeping the outer bound is common in real standards (e.g. min 0 everywhere).
    const int min = has_min ? (Chance(0.3) ? lo : Int(lo, hi)) : lo;
    const int max = has_max ? (Chance(0.3) ? hi : Int(min, hi)) : hi;
    return Range(has_min ? std::optional<double>(min) : std::nullopt,
                 has_max ? std::optional<double>(std::max(min, max)) : std::nullopt);
  }

  Criterion RandomCriterion(const std::string& id) {
    if (Chance(0.5)) {
      const int kind = Int(0, 3);
      return Boolean(id, kind == 0,
                     kind == 2   ? v1::GRADE_I
                     : kind == 3 ? v1::INDUSTRIAL
                                 : v1::GRADE_UNSPECIFIED);
    }
    Ranges ranges;
    ranges.industrial = RangeWithin(nullptr);
    ranges.grade_i = RangeWithin(&ranges.industrial);
    ranges.premium = RangeWithin(&ranges.grade_i);
    return Numeric(id, ranges, Chance(0.25));
  }

  StandardVersion RandomStandard() {
    std::vector<StageSpec> stages;
    const int stage_count = Int(1, 4);
    int next_id = 0;
    for (int s = 0; s < stage_count; ++s) {
      StageSpec stage{absl::StrCat("stage", s), {}};
      const int criteria = Int(1, 5);
      for (int c = 0; c < criteria; ++c) {
        stage.criteria.push_back(RandomCriterion(absl::StrCat("C", next_id++)));
      }
      stages.push_back(std::move(stage));
    }
    return Version(stages);
  }

  // A non-empty random subset of the stages, in random order.
  std::vector<std::string> RandomCover(const StandardVersion& version) {
    std::vector<std::string> stages;
    for (const v1::Stage& stage : version.stages()) {
      if (Chance(0.6)) stages.push_back(stage.id());
    }
    if (stages.empty()) stages.push_back(version.stages(Int(0, version.stages_size() - 1)).id());
    std::shuffle(stages.begin(), stages.end(), rng_);
    return stages;
  }

  // A value: usually on the half-grid (hitting bounds exactly), sometimes anywhere.
  double RandomValue() { return Chance(0.8) ? Int(-24, 24) / 2.0 : Real(-12, 12); }

  // A value of the given class (0 PREMIUM .. 3 outside every range), when one is found:
  // random values, and the ranges' bounds and their neighbours on the half-grid (which
  // also reach single-point ranges).
  std::optional<double> ValueOfClass(const Criterion& criterion, int wanted) {
    std::vector<double> bounds;
    for (const GradeRange* range : {&criterion.grades().premium(), &criterion.grades().grade_i(),
                                    &criterion.grades().industrial()}) {
      if (range->has_min()) bounds.push_back(range->min());
      if (range->has_max()) bounds.push_back(range->max());
    }
    for (int attempt = 0; attempt < 100; ++attempt) {
      double value = RandomValue();
      if (Chance(0.3)) {
        value = bounds[Int(0, static_cast<int>(bounds.size()) - 1)] + Int(-1, 1) / 2.0;
      }
      if (Class(criterion, value) == wanted) return value;
    }
    return std::nullopt;
  }

  std::vector<CriterionResult> RandomResults(const StandardVersion& version,
                                             const std::vector<std::string>& covered) {
    std::vector<CriterionResult> results;
    for (const v1::Stage& stage : version.stages()) {
      if (std::find(covered.begin(), covered.end(), stage.id()) == covered.end()) continue;
      for (const Criterion& criterion : stage.criteria()) {
        if (criterion.kind() == Criterion::BOOLEAN) {
          results.push_back({criterion.id(), Chance(0.8), std::nullopt});
        } else {
          // Mostly good values: most lots pass.
          const double r = Real(0, 1);
          const int wanted = r < 0.5 ? 0 : r < 0.75 ? 1 : r < 0.93 ? 2 : 3;
          results.push_back(
              Measured(criterion.id(), ValueOfClass(criterion, wanted).value_or(RandomValue())));
        }
      }
    }
    std::shuffle(results.begin(), results.end(), rng_);
    return results;
  }

  // A better or equal value than `value` for `criterion`: either a step towards (or
  // to) a point of the PREMIUM range, or any value of an equal or better class.
  double Improve(const Criterion& criterion, double value) {
    if (Chance(0.5)) {
      const GradeRange& premium = criterion.grades().premium();
      double target;
      if (premium.has_min() && premium.has_max()) {
        target = Real(premium.min(), premium.max());
      } else if (premium.has_min()) {
        target = premium.min() + Real(0, 5);
      } else {
        target = premium.max() - Real(0, 5);
      }
      if (Chance(0.2)) target = premium.has_max() ? premium.max() : premium.min();
      const double fraction = Chance(0.3) ? 1.0 : Real(0, 1);
      // The ranges are intervals: every point between a value and a point of the
      // innermost range is at least as good. Clamp away rounding past either end.
      const double moved = value + fraction * (target - value);
      return std::clamp(moved, std::min(value, target), std::max(value, target));
    }
    return ValueOfClass(criterion, Int(0, Class(criterion, value))).value_or(value);
  }

  // 0 PREMIUM, 1 GRADE_I, 2 INDUSTRIAL, 3 outside every range: the test's own reading
  // of the ranges, to check that Improve really improves.
  static int Class(const Criterion& criterion, double value) {
    const auto in = [value](const GradeRange& r) {
      return (!r.has_min() || value >= r.min()) && (!r.has_max() || value <= r.max());
    };
    if (in(criterion.grades().premium())) return 0;
    if (in(criterion.grades().grade_i())) return 1;
    if (in(criterion.grades().industrial())) return 2;
    return 3;
  }

  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
};

const Criterion* FindCriterion(const StandardVersion& version, const std::string& id) {
  for (const v1::Stage& stage : version.stages()) {
    for (const Criterion& criterion : stage.criteria()) {
      if (criterion.id() == id) return &criterion;
    }
  }
  return nullptr;
}

TEST(GradingPropertyTest, ImprovingOneMeasurementNeverLowersTheOutcome) {
  Generator gen(20240611);
  constexpr int kStandards = 3000;
  constexpr int kImprovementsPerLot = 4;
  int ranks_seen[4] = {0, 0, 0, 0};
  int strictly_better = 0;
  int checked = 0;
  for (int i = 0; i < kStandards; ++i) {
    const StandardVersion version = gen.RandomStandard();
    ASSERT_THAT(ValidateStandardVersion(version), IsEmpty()) << version.DebugString();
    const std::vector<std::string> covered = gen.RandomCover(version);
    const std::vector<CriterionResult> results = gen.RandomResults(version, covered);
    const auto before = ComputeGrade(version, covered, results);
    ASSERT_TRUE(before.ok()) << before.status();
    ++ranks_seen[Rank(*before)];

    // The order of the results does not matter.
    std::vector<CriterionResult> shuffled = results;
    std::shuffle(shuffled.begin(), shuffled.end(), gen.rng());
    const auto reordered = ComputeGrade(version, covered, shuffled);
    ASSERT_TRUE(reordered.ok()) << reordered.status();
    EXPECT_EQ(reordered->pass, before->pass);
    EXPECT_EQ(reordered->grade, before->grade);
    EXPECT_EQ(reordered->limiting_criteria, before->limiting_criteria);

    for (int k = 0; k < kImprovementsPerLot; ++k) {
      std::vector<CriterionResult> improved = results;
      CriterionResult& changed = improved[gen.Int(0, static_cast<int>(improved.size()) - 1)];
      const Criterion& criterion = *FindCriterion(version, changed.criterion_id);
      std::string change;
      if (criterion.kind() == Criterion::BOOLEAN) {
        change = absl::StrCat(changed.criterion_id, ": ", *changed.passed, " -> true");
        changed.passed = true;
      } else {
        const double from = *changed.value;
        const double to = gen.Improve(criterion, from);
        ASSERT_LE(Generator::Class(criterion, to), Generator::Class(criterion, from))
            << "the test's Improve made " << from << " worse: " << to;
        change = absl::StrCat(changed.criterion_id, ": ", from, " -> ", to);
        changed.value = to;
      }
      const auto after = ComputeGrade(version, covered, improved);
      ASSERT_TRUE(after.ok()) << after.status();
      ++checked;
      if (Rank(*after) > Rank(*before)) ++strictly_better;
      ASSERT_GE(Rank(*after), Rank(*before))
          << change << "\nbefore: pass " << before->pass << " " << GradeName(before->grade)
          << "\nafter: pass " << after->pass << " " << GradeName(after->grade) << "\n"
          << version.DebugString();
    }
  }
  EXPECT_EQ(checked, kStandards * kImprovementsPerLot);
  // The generated lots cover every outcome, and improvements do change some of them:
  // the property is not checked on a degenerate sample.
  for (int rank = 0; rank < 4; ++rank) {
    EXPECT_GT(ranks_seen[rank], kStandards / 20) << "rank " << rank;
  }
  EXPECT_GT(strictly_better, checked / 20);
}

}  // namespace
}  // namespace sello::domain

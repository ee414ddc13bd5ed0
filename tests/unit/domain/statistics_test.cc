// Statistics against hand-computed fixtures: quantiles, ranks, cells, windows, the
// outlier test on a constructed lenient (and a strict, and an in-line) certifier, and
// the recomputation of aggregates after corrections and an overturned appeal.
#include "daemon/domain/statistics.h"

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "daemon/domain/time_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sello::domain {
namespace {

using ::testing::DoubleNear;
using ::testing::HasSubstr;

absl::Time Utc(int year, int month, int day) {
  return absl::FromCivil(absl::CivilDay(year, month, day), absl::UTCTimeZone());
}

google::protobuf::RepeatedPtrField<internal::ValueCount> Table(
    std::vector<std::pair<double, int64_t>> entries) {
  google::protobuf::RepeatedPtrField<internal::ValueCount> table;
  for (const auto& [value, count] : entries) {
    internal::ValueCount* entry = table.Add();
    entry->set_value(value);
    entry->set_count(count);
  }
  return table;
}

v1::GradeCounts Counts(int64_t premium, int64_t grade_i, int64_t industrial, int64_t failed) {
  v1::GradeCounts counts;
  counts.set_premium(premium);
  counts.set_grade_i(grade_i);
  counts.set_industrial(industrial);
  counts.set_failed(failed);
  counts.set_passed(premium + grade_i + industrial);
  counts.set_inspections(premium + grade_i + industrial + failed);
  return counts;
}

TEST(QuantileTest, LinearInterpolationBetweenOrderStatistics) {
  // numpy.percentile([1, 2, 3, 4], q) and R's quantile(type = 7).
  EXPECT_DOUBLE_EQ(Quantile({4, 1, 3, 2}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(Quantile({4, 1, 3, 2}, 0.1), 1.3);
  EXPECT_DOUBLE_EQ(Quantile({4, 1, 3, 2}, 0.9), 3.7);
  EXPECT_DOUBLE_EQ(Quantile({4, 1, 3, 2}, 0), 1);
  EXPECT_DOUBLE_EQ(Quantile({4, 1, 3, 2}, 1), 4);
  EXPECT_DOUBLE_EQ(Quantile({7}, 0.9), 7);
  EXPECT_TRUE(std::isnan(Quantile(std::vector<double>{}, 0.5)));
  // [1, 1, 5] from a value table: the median is 1, the 75th percentile 3.
  EXPECT_DOUBLE_EQ(Quantile(Table({{1, 2}, {5, 1}}), 0.5), 1);
  EXPECT_DOUBLE_EQ(Quantile(Table({{1, 2}, {5, 1}}), 0.75), 3);
  // 18, 20 x 3, 30: p10 = 18 + 0.4 * 2.
  EXPECT_DOUBLE_EQ(Quantile(Table({{18, 1}, {20, 3}, {30, 1}}), 0.1), 18.8);
  EXPECT_DOUBLE_EQ(Quantile(Table({{18, 1}, {20, 3}, {30, 1}}), 0.9), 26);
}

TEST(PercentileRankTest, CountsTiesHalf) {
  EXPECT_DOUBLE_EQ(PercentileRank({10, 20, 30, 40}, 30), 62.5);
  EXPECT_DOUBLE_EQ(PercentileRank({10, 20, 30, 40}, 5), 0);
  EXPECT_DOUBLE_EQ(PercentileRank({10, 20, 30, 40}, 45), 100);
}

TEST(WindowTest, DefaultsToTwelveMonthsAndRefusesNonsense) {
  absl::StatusOr<MonthWindow> window = ResolveWindow("", "", Utc(2026, 11, 26));
  ASSERT_TRUE(window.ok());
  EXPECT_EQ(FormatMonth(window->from), "2025-12");
  EXPECT_EQ(FormatMonth(window->to), "2026-11");
  window = ResolveWindow("2026-01", "2026-03", Utc(2026, 11, 26));
  ASSERT_TRUE(window.ok());
  EXPECT_EQ(window->to - window->from, 2);
  EXPECT_EQ(EndOfMonth(window->to), Utc(2026, 4, 1));
  EXPECT_EQ(MonthOf(Utc(2026, 3, 31)), window->to);
  EXPECT_THAT(std::string(ResolveWindow("2026-13", "", Utc(2026, 1, 1)).status().message()),
              HasSubstr("from_month: '2026-13' is not a month"));
  EXPECT_THAT(std::string(ResolveWindow("2026-05", "2026-04", Utc(2026, 1, 1)).status().message()),
              HasSubstr("is after to_month"));
  EXPECT_FALSE(ResolveWindow("2000-01", "2026-01", Utc(2026, 1, 1)).ok());
}

TEST(OutlierTest, ALenientCertifierIsFlagged) {
  // 100 inspections: 60 PREMIUM, 30 GRADE_I, 10 INDUSTRIAL, no FAIL; its peers' 400:
  // 100, 150, 100, 50. By hand: chi-square 52.557 on 3 degrees of freedom, p = 2.28e-11,
  // Cramér's V = sqrt(52.557 / 500) = 0.324.
  const v1::OutlierTest test = TestCertifier(Counts(60, 30, 10, 0), Counts(100, 150, 100, 50), 4);
  EXPECT_EQ(test.verdict(), v1::OutlierTest::LENIENT);
  EXPECT_THAT(test.chi_square(), DoubleNear(52.5568, 1e-3));
  EXPECT_EQ(test.degrees_of_freedom(), 3);
  EXPECT_THAT(test.p_value(), DoubleNear(2.2789e-11, 1e-14));
  EXPECT_THAT(test.cramers_v(), DoubleNear(0.32421, 1e-4));
  EXPECT_DOUBLE_EQ(test.alpha(), 0.0025);
  EXPECT_DOUBLE_EQ(test.premium_share_difference(), 35);  // 60 % against 25 %
  EXPECT_DOUBLE_EQ(test.fail_rate_difference(), -12.5);   // 0 % against 12.5 %
  EXPECT_THAT(test.reason(), HasSubstr("chi-square 52.56, df 3"));
}

TEST(OutlierTest, AStrictCertifierIsFlaggedTheOtherWay) {
  const v1::OutlierTest test = TestCertifier(Counts(5, 20, 25, 30), Counts(100, 150, 100, 50), 4);
  EXPECT_EQ(test.verdict(), v1::OutlierTest::STRICT);
  EXPECT_LT(test.p_value(), test.alpha());
}

TEST(OutlierTest, ACertifierLikeItsPeersIsInLine) {
  // The same proportions as its peers: chi-square 0, p = 1.
  const v1::OutlierTest test = TestCertifier(Counts(20, 30, 20, 10), Counts(100, 150, 100, 50), 4);
  EXPECT_EQ(test.verdict(), v1::OutlierTest::IN_LINE);
  EXPECT_DOUBLE_EQ(test.chi_square(), 0);
  EXPECT_DOUBLE_EQ(test.p_value(), 1);
}

TEST(OutlierTest, ASignificantButTinyDepartureIsInLine) {
  // 20,000 against 20,000 inspections: 52 % against 50 % PREMIUM is significant
  // (p < 0.0025) but Cramér's V is 0.02, below the 0.1 an outlier needs.
  const v1::OutlierTest test =
      TestCertifier(Counts(10400, 9600, 0, 0), Counts(10000, 10000, 0, 0), 4);
  EXPECT_LT(test.p_value(), test.alpha());
  EXPECT_LT(test.cramers_v(), kOutlierMinCramersV);
  EXPECT_EQ(test.verdict(), v1::OutlierTest::IN_LINE);
}

TEST(OutlierTest, TooFewInspectionsAreNotTested) {
  const v1::OutlierTest test = TestCertifier(Counts(29, 0, 0, 0), Counts(100, 150, 100, 50), 4);
  EXPECT_EQ(test.verdict(), v1::OutlierTest::NOT_TESTED);
  EXPECT_THAT(test.reason(), HasSubstr("at least 30 inspections"));
  EXPECT_EQ(TestCertifier(Counts(60, 30, 10, 0), Counts(10, 5, 0, 0), 1).verdict(),
            v1::OutlierTest::NOT_TESTED);
}

TEST(OutlierTest, TheSignificanceLevelIsSharedAmongTheCertifiersTested) {
  // p = 2.28e-11 passes any Bonferroni correction, but a borderline one does not: by
  // hand, 45/55 against 35/65 on 100 + 400 gives chi-square 3.43, p = 0.064.
  EXPECT_DOUBLE_EQ(TestCertifier(Counts(45, 55, 0, 0), Counts(140, 260, 0, 0), 10).alpha(), 0.001);
  EXPECT_EQ(TestCertifier(Counts(45, 55, 0, 0), Counts(140, 260, 0, 0), 1).verdict(),
            v1::OutlierTest::IN_LINE);
}

internal::CriterionCell Cell(int64_t evaluated, int64_t failed,
                             std::vector<std::pair<double, int64_t>> values) {
  internal::CriterionCell cell;
  cell.set_evaluated(evaluated);
  cell.set_failed(failed);
  *cell.mutable_values() = Table(std::move(values));
  return cell;
}

TEST(CellTest, AddsAndTakesOutAgain) {
  internal::CriterionCell cell;
  AddCell(Cell(2, 1, {{20, 1}, {30, 1}}), 1, cell);
  AddCell(Cell(1, 0, {{25, 1}}), 1, cell);
  AddCell(Cell(1, 0, {{20, 1}}), 1, cell);
  EXPECT_EQ(cell.evaluated(), 4);
  ASSERT_EQ(cell.values_size(), 3);
  EXPECT_EQ(cell.values(0).value(), 20);
  EXPECT_EQ(cell.values(0).count(), 2);
  EXPECT_EQ(cell.values(1).value(), 25);
  EXPECT_EQ(cell.values(2).value(), 30);
  AddCell(Cell(2, 1, {{20, 1}, {30, 1}}), -1, cell);
  EXPECT_EQ(cell.values_size(), 2) << "a value whose count reaches zero goes";
  EXPECT_TRUE(IsConsistent(cell));
  AddCell(Cell(2, 0, {{20, 1}, {25, 1}}), -1, cell);
  EXPECT_TRUE(IsEmpty(cell));
  AddCell(Cell(1, 0, {{40, 1}}), -1, cell);
  EXPECT_FALSE(IsConsistent(cell)) << "taking out what was never counted";
}

// An inspection of salmones-sur's plant, the results given as (criterion, value).
v1::Inspection Inspection(const std::string& id, const std::string& certifier, v1::Grade grade,
                          double h1, absl::Time date = Utc(2026, 3, 2)) {
  v1::Inspection inspection;
  inspection.set_id(id);
  inspection.set_certifier_id(certifier);
  inspection.set_firm_id("salmones-sur");
  inspection.set_site_id("calbuco");
  inspection.set_standard_id("CSCS");
  inspection.set_standard_version(1);
  inspection.add_stages("processing");
  inspection.add_stages("harvest");
  *inspection.mutable_inspection_date() = ToProto(date);
  inspection.set_status(v1::Inspection::CURRENT);
  inspection.set_outcome(grade == v1::GRADE_UNSPECIFIED ? v1::Inspection::FAIL
                                                        : v1::Inspection::PASS);
  inspection.set_grade(grade);
  v1::CriterionResult* measured = inspection.add_results();
  measured->set_criterion_id("H1");
  measured->set_measured(h1);
  v1::CriterionResult* checked = inspection.add_results();
  checked->set_criterion_id("P4");
  checked->set_passed(grade != v1::GRADE_UNSPECIFIED);
  if (grade == v1::GRADE_UNSPECIFIED) {
    inspection.add_failing_criteria("P4");
    inspection.add_limiting_criteria("P4");
  } else if (grade != v1::PREMIUM) {
    inspection.add_limiting_criteria("H1");
  }
  return inspection;
}

TEST(RecomputeTest, CountsCurrentInspectionsAndOverturnedOnes) {
  // insp-1 (GRADE_I by austral) corrected by insp-2 (PREMIUM by austral); insp-3 (FAIL by
  // austral) overturned on appeal by insp-4 (PREMIUM by norte, a month later).
  v1::Inspection first = Inspection("insp-1", "austral", v1::GRADE_I, 30);
  v1::Inspection corrected = Inspection("insp-2", "austral", v1::PREMIUM, 20);
  first.set_status(v1::Inspection::SUPERSEDED);
  first.set_superseded_by("insp-2");
  v1::Inspection failed = Inspection("insp-3", "austral", v1::GRADE_UNSPECIFIED, 22);
  v1::Inspection reinspection = Inspection("insp-4", "norte", v1::PREMIUM, 18, Utc(2026, 4, 9));
  failed.set_status(v1::Inspection::SUPERSEDED);
  failed.set_superseded_by("insp-4");
  reinspection.set_appeal_id("apl-1");
  const Aggregates aggregates = Recompute({first, corrected, failed, reinspection});

  const CertifierCellKey austral{"CSCS", "harvest+processing", MonthOf(Utc(2026, 3, 1)), "austral",
                                 "salmones-sur"};
  ASSERT_EQ(aggregates.certifiers.count(austral), 1u);
  const internal::CertifierCell& cell = aggregates.certifiers.at(austral);
  EXPECT_EQ(cell.inspections(), 1) << "only the correction counts";
  EXPECT_EQ(cell.premium(), 1);
  EXPECT_EQ(cell.overturned(), 1);
  const CertifierCellKey norte{"CSCS", "harvest+processing", MonthOf(Utc(2026, 4, 1)), "norte",
                               "salmones-sur"};
  ASSERT_EQ(aggregates.certifiers.count(norte), 1u);
  EXPECT_EQ(aggregates.certifiers.at(norte).premium(), 1);

  const CriterionCellKey h1_march{"CSCS", 1, "H1", MonthOf(Utc(2026, 3, 1)), "salmones-sur"};
  ASSERT_EQ(aggregates.criteria.count(h1_march), 1u);
  EXPECT_EQ(aggregates.criteria.at(h1_march).evaluated(), 1);
  ASSERT_EQ(aggregates.criteria.at(h1_march).values_size(), 1);
  EXPECT_EQ(aggregates.criteria.at(h1_march).values(0).value(), 20);

  // The same, kept incrementally as the changes happened.
  Aggregates incremental;
  AddInspection(Inspection("insp-1", "austral", v1::GRADE_I, 30), 1, incremental);
  AddInspection(Inspection("insp-1", "austral", v1::GRADE_I, 30), -1, absl::UnixEpoch(),
                incremental);
  AddInspection(corrected, 1, incremental);
  AddInspection(Inspection("insp-3", "austral", v1::GRADE_UNSPECIFIED, 22), 1, incremental);
  AddInspection(Inspection("insp-3", "austral", v1::GRADE_UNSPECIFIED, 22), -1, absl::UnixEpoch(),
                incremental);
  AddOverturned(failed, absl::UnixEpoch(), incremental);
  AddInspection(reinspection, 1, incremental);
  std::erase_if(incremental.certifiers, [](const auto& entry) { return IsEmpty(entry.second); });
  std::erase_if(incremental.criteria, [](const auto& entry) { return IsEmpty(entry.second); });
  ASSERT_EQ(incremental.certifiers.size(), aggregates.certifiers.size());
  for (const auto& [key, cell] : aggregates.certifiers) {
    EXPECT_EQ(incremental.certifiers.at(key).SerializeAsString(), cell.SerializeAsString());
  }
  ASSERT_EQ(incremental.criteria.size(), aggregates.criteria.size());
  for (const auto& [key, cell] : aggregates.criteria) {
    EXPECT_EQ(incremental.criteria.at(key).SerializeAsString(), cell.SerializeAsString());
  }
}

TEST(RecomputeTest, WhatCostTheGradeIsCounted) {
  const Aggregates aggregates =
      Recompute({Inspection("insp-1", "austral", v1::GRADE_I, 30),
                 Inspection("insp-2", "austral", v1::GRADE_UNSPECIFIED, 20, Utc(2026, 3, 5))});
  const Month march = MonthOf(Utc(2026, 3, 1));
  const internal::CriterionCell& h1 =
      aggregates.criteria.at({"CSCS", 1, "H1", march, "salmones-sur"});
  const internal::CriterionCell& p4 =
      aggregates.criteria.at({"CSCS", 1, "P4", march, "salmones-sur"});
  EXPECT_EQ(h1.evaluated(), 2);
  EXPECT_EQ(h1.limiting(), 1);
  EXPECT_EQ(h1.failed(), 0);
  EXPECT_EQ(p4.failed(), 1);
  EXPECT_EQ(p4.limiting(), 1);
  EXPECT_EQ(p4.passed(), 1);
}

// --- Recording: published figures are frozen at the month's end --------------------------

// An inspection of `firm`'s plant on 2 March 2026 measuring H1, recorded at `recorded`.
v1::Inspection OfFirm(const std::string& id, const std::string& firm, double h1,
                      absl::Time recorded) {
  v1::Inspection inspection = Inspection(id, "austral", v1::PREMIUM, h1);
  inspection.set_firm_id(firm);
  *inspection.mutable_create_time() = ToProto(recorded);
  return inspection;
}

// The March H1 figures `view` shows of `aggregates`, as "evaluated:v1,v2,...".
std::string MarchH1(const Aggregates& aggregates, StatsView view) {
  const std::vector<std::pair<CriterionCellKey, internal::CriterionCell>> cells(
      aggregates.criteria.begin(), aggregates.criteria.end());
  CellSum sum;
  for (const auto& [key, cell] : FoldRecordings(cells, view)) {
    if (key.criterion_id == "H1" && key.month == MonthOf(Utc(2026, 3, 1))) sum.Add(cell);
  }
  std::string shown = absl::StrCat(sum.evaluated(), ":");
  const internal::CriterionCell cell = sum.Cell();
  for (const internal::ValueCount& value : cell.values()) {
    absl::StrAppend(&shown, value.value(), "x", value.count(), ",");
  }
  return shown;
}

TEST(RecordingTest, WhatIsRecordedAfterTheMonthEndedNeverChangesItsPublishedFigures) {
  // Five firms measured in March, recorded in March.
  Aggregates aggregates;
  for (int i = 0; i < 5; ++i) {
    AddInspection(
        OfFirm(absl::StrCat("insp-", i), absl::StrCat("firm-", i), 20 + i, Utc(2026, 3, 3)), 1,
        aggregates);
  }
  const std::string published = MarchH1(aggregates, StatsView::kPublished);
  EXPECT_EQ(published, "5:20x1,21x1,22x1,23x1,24x1,");
  // The issue's attack: a firm reads the figures, one competitor inspection is submitted
  // (back-dated into March, in April), and the firm reads again. Published: no difference.
  const v1::Inspection late = OfFirm("insp-late", "firm-9", 99, Utc(2026, 4, 10));
  AddInspection(late, 1, aggregates);
  EXPECT_EQ(MarchH1(aggregates, StatsView::kPublished), published);
  EXPECT_EQ(MarchH1(aggregates, StatsView::kCurrent), "6:20x1,21x1,22x1,23x1,24x1,99x1,");
  // A correction in May of one of March's inspections: the same.
  AddInspection(OfFirm("insp-0", "firm-0", 20, Utc(2026, 3, 3)), -1, Utc(2026, 5, 2), aggregates);
  AddInspection(OfFirm("insp-0b", "firm-0", 30, Utc(2026, 5, 2)), 1, aggregates);
  EXPECT_EQ(MarchH1(aggregates, StatsView::kPublished), published);
  EXPECT_EQ(MarchH1(aggregates, StatsView::kCurrent), "6:21x1,22x1,23x1,24x1,30x1,99x1,");
  // A correction recorded within March does change March's figures (it has not ended).
  AddInspection(OfFirm("insp-1", "firm-1", 21, Utc(2026, 3, 3)), -1, Utc(2026, 3, 20), aggregates);
  EXPECT_EQ(MarchH1(aggregates, StatsView::kPublished), "4:20x1,22x1,23x1,24x1,");
  // Every stored cell stays non-negative, and the recomputation agrees with the changes.
  for (const auto& [key, cell] : aggregates.criteria) EXPECT_TRUE(IsConsistent(cell));
}

TEST(RecordingTest, RecomputationFilesEachChangeWhenItWasRecorded) {
  v1::Inspection early = OfFirm("insp-1", "firm-1", 20, Utc(2026, 3, 3));
  v1::Inspection correction = OfFirm("insp-2", "firm-1", 30, Utc(2026, 4, 15));
  early.set_status(v1::Inspection::SUPERSEDED);
  early.set_superseded_by("insp-2");
  const Aggregates recomputed = Recompute({early, correction});
  Aggregates incremental;
  AddInspection(OfFirm("insp-1", "firm-1", 20, Utc(2026, 3, 3)), 1, incremental);
  AddInspection(early, -1, Utc(2026, 4, 15), incremental);
  AddInspection(correction, 1, incremental);
  std::erase_if(incremental.criteria, [](const auto& entry) { return IsEmpty(entry.second); });
  std::erase_if(incremental.certifiers, [](const auto& entry) { return IsEmpty(entry.second); });
  ASSERT_EQ(recomputed.criteria.size(), incremental.criteria.size());
  for (const auto& [key, cell] : recomputed.criteria) {
    ASSERT_EQ(incremental.criteria.count(key), 1u);
    EXPECT_EQ(incremental.criteria.at(key).SerializeAsString(), cell.SerializeAsString());
  }
  ASSERT_EQ(recomputed.certifiers.size(), incremental.certifiers.size());
  const Month march = MonthOf(Utc(2026, 3, 1));
  EXPECT_EQ(recomputed.criteria.count({"CSCS", 1, "H1", march, "firm-1", Recording::kByMonthEnd}),
            1u);
  EXPECT_EQ(recomputed.criteria.count({"CSCS", 1, "H1", march, "firm-1", Recording::kRemovedLate}),
            1u);
  EXPECT_EQ(MarchH1(recomputed, StatsView::kPublished), "1:20x1,");
  EXPECT_EQ(MarchH1(recomputed, StatsView::kCurrent), "1:30x1,");
}

// --- The publication rule --------------------------------------------------------------

TEST(PublishedWindowTest, FixedClosedWindowsOnly) {
  const absl::Time now = Utc(2026, 11, 26);
  struct Case {
    std::string from, to;
    std::string window;  // FormatWindow, or the start of the error
  };
  const std::vector<Case> cases = {
      {"", "", "2026-Q3"},                // default: the last quarter that has ended
      {"2026-10", "2026-10", "2026-10"},  // a month that has ended
      {"2026-10", "", "2026-10"},         // one bound: that month
      {"2026-04", "2026-06", "2026-Q2"},  // a calendar quarter
      {"2025-01", "2025-12", "2025"},     // a calendar year
      {"2026-11", "2026-11", "to_month: 2026-11 has not ended"},
      {"2026-01", "2026-12", "to_month: 2026 has not ended"},
      {"2026-10", "2026-12", "to_month: 2026-Q4 has not ended"},
      {"2026-01", "2026-05", "from_month: 2026-01..2026-05 is not a published window"},
      {"2026-02", "2026-04", "from_month: 2026-02..2026-04 is not a published window"},
      {"2025-07", "2026-06", "from_month: 2025-07..2026-06 is not a published window"},
      {"2026-13", "", "from_month: '2026-13' is not a month"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<MonthWindow> window = ResolvePublishedWindow(c.from, c.to, now);
    if (window.ok()) {
      EXPECT_EQ(FormatWindow(*window), c.window) << c.from << ".." << c.to;
    } else {
      EXPECT_EQ(window.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(window.status().message()), HasSubstr(c.window))
          << c.from << ".." << c.to;
    }
  }
  // January's default is last year's fourth quarter; a month is published the instant
  // it ends.
  EXPECT_EQ(FormatWindow(*ResolvePublishedWindow("", "", Utc(2027, 1, 2))), "2026-Q4");
  EXPECT_TRUE(ResolvePublishedWindow("2026-10", "", Utc(2026, 11, 1)).ok());
  EXPECT_FALSE(ResolvePublishedWindow("2026-10", "", Utc(2026, 11, 1) - absl::Seconds(1)).ok());
}

// A criterion's series: month (1 = January 2026) -> the firms measured.
Series CriterionSeries(const std::map<int, std::vector<std::string>>& months) {
  Series series;
  for (const auto& [month, firms] : months) {
    series[MonthOf(Utc(2026, month, 1))][""].insert(firms.begin(), firms.end());
  }
  return series;
}

MonthWindow Months(int from, int to) {
  return {MonthOf(Utc(2026, from, 1)), MonthOf(Utc(2026, to, 1))};
}

const std::vector<std::string> kFive = {"a", "b", "c", "d", "e"};
const std::vector<std::string> kFiveOthers = {"f", "g", "h", "i", "j"};

TEST(MayPublishTest, TheDifferencingAttacksOfTheIssue) {
  struct Case {
    std::string name;
    std::map<int, std::vector<std::string>> months;
    MonthWindow window;
    bool published;
  };
  const std::vector<Case> cases = {
      {"five firms in a month", {{1, kFive}}, Months(1, 1), true},
      {"four firms in a month", {{1, {"a", "b", "c", "d"}}}, Months(1, 1), false},
      {"no firm at all: nothing to hide", {}, Months(1, 1), true},
      {"a quarter of months with five firms each",
       {{1, kFive}, {2, kFive}, {3, kFiveOthers}},
       Months(1, 3),
       true},
      // The quarter less January and February, both published, is March: two firms.
      {"a quarter whose one small month the others expose",
       {{1, kFive}, {2, kFive}, {3, {"a", "b"}}},
       Months(1, 3),
       false},
      // The small months together hold five firms: the quarter less the published month
      // shows only what five firms did together.
      {"two small months that hold five firms together",
       {{1, kFive}, {2, {"a", "b", "c"}}, {3, {"d", "e"}}},
       Months(1, 3),
       true},
      {"two small months of the same three firms",
       {{1, kFive}, {2, {"a", "b", "c"}}, {3, {"a", "b"}}},
       Months(1, 3),
       false},
      {"every month small, the quarter large",
       {{1, {"a", "b"}}, {2, {"c", "d"}}, {3, {"e"}}},
       Months(1, 3),
       true},
      // A year less its three published quarters is the fourth; that quarter was itself
      // withheld (October and November published, December small).
      {"a year that would expose a withheld quarter's small month",
       {{1, kFive}, {4, kFive}, {7, kFive}, {10, kFive}, {11, kFive}, {12, {"z"}}},
       Months(1, 12),
       false},
      {"a year whose unpublished rest holds five firms",
       {{1, kFive}, {4, kFive}, {7, kFive}, {10, {"a", "b"}}, {11, {"c", "d", "e"}}},
       Months(1, 12),
       true},
      {"an arbitrary range is never published", {{1, kFive}, {2, kFive}}, Months(1, 2), false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(MayPublish(CriterionSeries(c.months), c.window), c.published) << c.name;
  }
}

TEST(MayPublishTest, CertifierRowsArePublishedTogetherOrNotAtAll) {
  // Two certifiers of one stage set: the peers of one are the other, so a certifier with
  // two firms' inspections would be exposed by its rival's peers figures.
  Series series;
  const Month march = MonthOf(Utc(2026, 3, 1));
  series[march]["austral"].insert(kFive.begin(), kFive.end());
  series[march]["norte"] = {"a", "b"};
  EXPECT_FALSE(MayPublish(series, Months(3, 3)));
  series[march]["norte"].insert(kFiveOthers.begin(), kFiveOthers.end());
  EXPECT_TRUE(MayPublish(series, Months(3, 3)));
}

// Every difference a reader can take between published cells — a published window less
// any published cells inside it that do not overlap — counts no firm or at least five,
// for every part, over many random series.
TEST(MayPublishTest, NoDifferenceOfPublishedCellsIsolatesFewerThanFiveFirms) {
  std::mt19937 random(16);
  const std::vector<std::string> firms = {"a", "b", "c", "d", "e", "f", "g"};
  int published_years = 0, published_quarters = 0, withheld = 0;
  for (int round = 0; round < 300; ++round) {
    Series series;
    for (int month = 1; month <= 12; ++month) {
      for (const char* part : {"x", "y"}) {
        for (const std::string& firm : firms) {
          if (random() % 4 == 0) series[MonthOf(Utc(2026, month, 1))][part].insert(firm);
        }
      }
    }
    const auto published = [&](int from, int to) { return MayPublish(series, Months(from, to)); };
    const auto check_rest = [&](const std::vector<int>& months, const std::string& what) {
      std::map<std::string, std::set<std::string>> rest;
      for (int month : months) {
        auto found = series.find(MonthOf(Utc(2026, month, 1)));
        if (found == series.end()) continue;
        for (const auto& [part, ids] : found->second) rest[part].insert(ids.begin(), ids.end());
      }
      for (const auto& [part, ids] : rest) {
        EXPECT_TRUE(ids.empty() || ids.size() >= 5)
            << what << ": part " << part << " has " << ids.size() << " firms (round " << round
            << ")";
      }
    };
    // Each quarter less any set of its published months.
    for (int q = 1; q <= 10; q += 3) {
      if (!published(q, q + 2)) continue;
      ++published_quarters;
      for (int subset = 0; subset < 8; ++subset) {
        std::vector<int> rest;
        bool valid = true;
        for (int i = 0; i < 3; ++i) {
          if (subset & (1 << i)) {
            valid = valid && published(q + i, q + i);
          } else {
            rest.push_back(q + i);
          }
        }
        if (valid) check_rest(rest, absl::StrCat("quarter ", q));
      }
    }
    // The year less any choice, per quarter, of the quarter or some of its published months.
    if (!published(1, 12)) {
      ++withheld;
      continue;
    }
    ++published_years;
    std::vector<std::vector<std::vector<int>>> choices(4);  // per quarter: rests possible
    for (int q = 0; q < 4; ++q) {
      const int first = 1 + 3 * q;
      if (published(first, first + 2)) choices[q].push_back({});
      for (int subset = 0; subset < 8; ++subset) {
        std::vector<int> rest;
        bool valid = true;
        for (int i = 0; i < 3; ++i) {
          if (subset & (1 << i)) {
            valid = valid && published(first + i, first + i);
          } else {
            rest.push_back(first + i);
          }
        }
        if (valid) choices[q].push_back(rest);
      }
    }
    for (const auto& a : choices[0]) {
      for (const auto& b : choices[1]) {
        for (const auto& c : choices[2]) {
          for (const auto& d : choices[3]) {
            std::vector<int> rest = a;
            rest.insert(rest.end(), b.begin(), b.end());
            rest.insert(rest.end(), c.begin(), c.end());
            rest.insert(rest.end(), d.begin(), d.end());
            check_rest(rest, "year");
          }
        }
      }
    }
  }
  // The sweep saw both outcomes.
  EXPECT_GT(published_years, 0);
  EXPECT_GT(withheld, 0);
  EXPECT_GT(published_quarters, 0);
}

TEST(StagesKeyTest, SortedWhateverTheOrder) {
  EXPECT_EQ(StagesKey(Inspection("i", "c", v1::PREMIUM, 1)), "harvest+processing");
}

// --- The answers -------------------------------------------------------------------------

internal::CertifierCell CertifierCellOf(int64_t passed, int64_t failed) {
  internal::CertifierCell cell;
  cell.set_inspections(passed + failed);
  cell.set_passed(passed);
  cell.set_failed(failed);
  cell.set_premium(passed);
  return cell;
}

// Each certifier's peers are everyone else of its stage set; a stage set whose firms are
// too few is withheld whole from published figures, and shown in the current view.
TEST(CertifierRowsTest, PeersAreTheOthersAndSmallStageSetsAreWithheldWhenPublished) {
  const Month march = MonthOf(Utc(2026, 3, 10));
  std::map<CertifierCellKey, internal::CertifierCell> cells;
  for (int firm = 0; firm < 6; ++firm) {
    cells[{"CSCS", "harvest", march, "cert-a", absl::StrCat("firm-", firm)}] =
        CertifierCellOf(10, 0);
    cells[{"CSCS", "harvest", march, "cert-b", absl::StrCat("firm-", firm)}] =
        CertifierCellOf(5, 5);
  }
  cells[{"CSCS", "processing", march, "cert-a", "firm-0"}] = CertifierCellOf(3, 0);
  const MonthWindow window{march, march};
  const std::vector<v1::CertifierRow> rows = CertifierRows(cells, window, StatsView::kPublished);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].certifier_id(), "cert-a");
  EXPECT_EQ(rows[0].stages(), "harvest");
  EXPECT_EQ(rows[0].own().inspections(), 60);
  EXPECT_EQ(rows[0].peers().inspections(), 60);
  EXPECT_EQ(rows[0].peers().failed(), 30);
  EXPECT_FALSE(rows[0].suppressed());
  EXPECT_EQ(rows[1].certifier_id(), "cert-b");
  EXPECT_EQ(rows[1].peers().passed(), 60);
  EXPECT_EQ(rows[2].stages(), "processing");
  EXPECT_TRUE(rows[2].suppressed());
  EXPECT_FALSE(rows[2].has_own());
  EXPECT_EQ(rows[2].test().verdict(), v1::OutlierTest::NOT_TESTED);
  EXPECT_EQ(rows[2].test().reason(),
            "withheld: these stages' figures for 2026-03 would isolate fewer than 5 firms");
  const std::vector<v1::CertifierRow> current = CertifierRows(cells, window, StatsView::kCurrent);
  ASSERT_EQ(current.size(), 3u);
  EXPECT_FALSE(current[2].suppressed());
  EXPECT_EQ(current[2].own().inspections(), 3);
  // Outside the window: nothing.
  EXPECT_TRUE(CertifierRows(cells, MonthWindow{march + 1, march + 1}, StatsView::kCurrent).empty());
}

v1::StandardVersion VersionWithCriteria() {
  v1::StandardVersion version;
  version.set_standard_id("CSCS");
  version.set_version(1);
  v1::Stage* stage = version.add_stages();
  stage->set_id("harvest");
  v1::Criterion* hours = stage->add_criteria();
  hours->set_id("H1");
  hours->set_kind(v1::Criterion::NUMERIC);
  v1::Criterion* label = stage->add_criteria();
  label->set_id("L1");
  label->set_kind(v1::Criterion::BOOLEAN);
  return version;
}

// A criterion's firms: n of them, each with one evaluation of `value` (passed).
std::vector<std::pair<CriterionCellKey, internal::CriterionCell>> CriterionCellsOf(
    const std::string& criterion, Month month, int firms, double value) {
  std::vector<std::pair<CriterionCellKey, internal::CriterionCell>> cells;
  for (int firm = 0; firm < firms; ++firm) {
    internal::CriterionCell cell;
    cell.set_evaluated(1);
    cell.set_passed(1);
    internal::ValueCount* counted = cell.add_values();
    counted->set_value(value + firm);
    counted->set_count(1);
    cells.push_back({{"CSCS", 1, criterion, month, absl::StrCat("firm-", firm)}, cell});
  }
  return cells;
}

TEST(CriterionRowsTest, AWindowRowAndOneByMonthOrABareRowWithoutFigures) {
  const Month march = MonthOf(Utc(2026, 3, 10));
  const auto cells = CriterionCellsOf("H1", march, 6, 20);
  const std::vector<v1::CriterionRow> rows =
      CriterionRows(VersionWithCriteria(), cells, MonthWindow{march, march}, StatsView::kCurrent);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].criterion_id(), "H1");
  EXPECT_EQ(rows[0].month(), "");
  EXPECT_EQ(rows[0].firms(), 6);
  EXPECT_EQ(rows[0].evaluated(), 6);
  EXPECT_EQ(rows[0].values().min(), 20);
  EXPECT_EQ(rows[0].values().max(), 25);
  EXPECT_EQ(rows[1].month(), "2026-03");
  EXPECT_EQ(rows[2].criterion_id(), "L1");
  EXPECT_EQ(rows[2].evaluated(), 0);
  // Published, four firms are too few: suppressed, not even how many.
  const std::vector<v1::CriterionRow> few =
      CriterionRows(VersionWithCriteria(), CriterionCellsOf("H1", march, 4, 20),
                    MonthWindow{march, march}, StatsView::kPublished);
  ASSERT_EQ(few.size(), 3u);
  EXPECT_TRUE(few[0].suppressed());
  EXPECT_EQ(few[0].firms(), 0);
}

TEST(BenchmarkRowsTest, TheFirmAgainstItsClusterOrSuppressedWhenTooFew) {
  const Month march = MonthOf(Utc(2026, 3, 10));
  const auto cells = CriterionCellsOf("H1", march, 5, 20);
  const std::vector<v1::BenchmarkRow> rows = BenchmarkRows(
      VersionWithCriteria(), cells, MonthWindow{march, march}, StatsView::kCurrent, "firm-0");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].criterion_id(), "H1");
  EXPECT_FALSE(rows[0].suppressed());
  EXPECT_EQ(rows[0].cluster_firms(), 5);
  EXPECT_EQ(rows[0].firm_value(), 20);
  EXPECT_EQ(rows[0].cluster_p50(), 22);
  EXPECT_EQ(rows[0].firm_percentile(), 10);
  EXPECT_TRUE(rows[1].suppressed());  // no firm evaluated L1
  const std::vector<v1::BenchmarkRow> few =
      BenchmarkRows(VersionWithCriteria(), CriterionCellsOf("H1", march, 4, 20),
                    MonthWindow{march, march}, StatsView::kPublished, "firm-0");
  EXPECT_TRUE(few[0].suppressed());
  EXPECT_EQ(few[0].cluster_firms(), 0);
  EXPECT_EQ(few[0].firm_value(), 20);
}

TEST(ComplianceTallyTest, CountsByVerdictAndSuppressesSmallPublishedCells) {
  const Month march = MonthOf(Utc(2026, 3, 10));
  ComplianceTally tally;
  for (int i = 0; i < 6; ++i) {
    v1::Site site;
    site.set_id(absl::StrCat("site-", i));
    site.set_firm_id(absl::StrCat("firm-", i));
    site.set_region(i < 5 ? "Los Lagos" : "Aysen");
    v1::ComplianceVerdict verdict;
    if (i < 3) {
      verdict.set_status(v1::ComplianceVerdict::COMPLIANT);
    } else if (i == 3) {
      verdict.set_status(v1::ComplianceVerdict::NON_COMPLIANT);
      verdict.set_reason(v1::ComplianceVerdict::NO_INSPECTION);
      verdict.add_stages()->set_reason(v1::ComplianceVerdict::NO_INSPECTION);
    } else {
      verdict.set_status(v1::ComplianceVerdict::NON_COMPLIANT);
      verdict.set_deciding_stage("harvest");
    }
    tally.Count(march, site, verdict);
  }
  const std::vector<v1::ComplianceOverviewRow> rows = tally.Rows(StatsView::kPublished);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].region(), "Aysen");
  EXPECT_TRUE(rows[0].suppressed());
  EXPECT_EQ(rows[0].sites(), 0);
  EXPECT_EQ(rows[1].region(), "Los Lagos");
  EXPECT_EQ(rows[1].month(), "2026-03");
  EXPECT_EQ(rows[1].sites(), 5);
  EXPECT_EQ(rows[1].compliant(), 3);
  EXPECT_EQ(rows[1].not_inspected(), 1);
  EXPECT_EQ(rows[1].non_compliant(), 1);
  ASSERT_EQ(rows[1].non_compliant_by_stage_size(), 1);
  EXPECT_EQ(rows[1].non_compliant_by_stage(0).stage_id(), "harvest");
}

TEST(OverviewPointsTest, MonthEndsWhileInForceAndNoneToCome) {
  v1::Norm norm;
  *norm.mutable_effective_from() = ToProto(Utc(2026, 2, 1));
  norm.set_validity_days(3650);
  const Month january = MonthOf(Utc(2026, 1, 10));
  const absl::Time now = Utc(2026, 4, 15);
  const auto points = OverviewPoints(norm, MonthWindow{january, january + 5}, now);
  ASSERT_EQ(points.size(), 3u);  // February and March ended; April is running
  EXPECT_EQ(points[0].first, january + 1);
  EXPECT_EQ(points[0].second, Utc(2026, 3, 1) - absl::Nanoseconds(1));
  EXPECT_EQ(points[2].first, january + 3);
  EXPECT_EQ(points[2].second, now);
}

}  // namespace
}  // namespace sello::domain

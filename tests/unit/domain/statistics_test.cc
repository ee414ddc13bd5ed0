// Statistics against hand-computed fixtures: quantiles, ranks, cells, windows, the
// outlier test on a constructed lenient (and a strict, and an in-line) certifier, and
// the recomputation of aggregates after corrections and an overturned appeal.
#include "daemon/domain/statistics.h"

#include <cmath>
#include <string>
#include <vector>

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

  const CertifierCellKey austral{"CSCS", "harvest+processing", MonthOf(Utc(2026, 3, 1)), "austral"};
  ASSERT_EQ(aggregates.certifiers.count(austral), 1u);
  const internal::CertifierCell& cell = aggregates.certifiers.at(austral);
  EXPECT_EQ(cell.inspections(), 1) << "only the correction counts";
  EXPECT_EQ(cell.premium(), 1);
  EXPECT_EQ(cell.overturned(), 1);
  const CertifierCellKey norte{"CSCS", "harvest+processing", MonthOf(Utc(2026, 4, 1)), "norte"};
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
  AddInspection(Inspection("insp-1", "austral", v1::GRADE_I, 30), -1, incremental);
  AddInspection(corrected, 1, incremental);
  AddInspection(Inspection("insp-3", "austral", v1::GRADE_UNSPECIFIED, 22), 1, incremental);
  AddInspection(Inspection("insp-3", "austral", v1::GRADE_UNSPECIFIED, 22), -1, incremental);
  AddOverturned(failed, incremental);
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

TEST(StagesKeyTest, SortedWhateverTheOrder) {
  EXPECT_EQ(StagesKey(Inspection("i", "c", v1::PREMIUM, 1)), "harvest+processing");
}

}  // namespace
}  // namespace sello::domain

// Statistics over inspections, as pure functions: what one inspection contributes to
// the aggregates (so that they can be kept in the same write as the inspection), how
// cells add up, quantiles, the outlier test for certifiers, and the anonymity rule for
// firm benchmarks.
//
// The aggregates count CURRENT inspections. Certifier cells are keyed by (standard,
// stages covered, month of the inspection date, certifier); criterion cells by
// (standard, version, criterion, month, firm). Statistics calls read only the cells of
// their window, never the inspections.
#ifndef SELLO_DAEMON_DOMAIN_STATISTICS_H_
#define SELLO_DAEMON_DOMAIN_STATISTICS_H_

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sello/internal/records.pb.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/standard.pb.h"
#include "sello/v1/stats.pb.h"

namespace sello::domain {

// Fewer firms (or sites) than this in a cell: its figures are withheld from anyone who
// may not read every firm's identified results.
inline constexpr int kMinFirmsPerCell = 5;
// The outlier test's family-wise significance level and smallest effect flagged, and
// the fewest inspections a certifier (and its peers) need to be tested at all.
inline constexpr double kOutlierAlpha = 0.01;
inline constexpr double kOutlierMinCramersV = 0.1;
inline constexpr int64_t kOutlierMinInspections = 30;

// A month as yyyy * 12 + (mm - 1): consecutive months are consecutive numbers.
using Month = int32_t;
Month MonthOf(absl::Time time);
// "2026-03" <-> Month. ParseMonth: INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<Month> ParseMonth(absl::string_view text, absl::string_view field);
std::string FormatMonth(Month month);
// The first instant of the month after `month` (UTC).
absl::Time EndOfMonth(Month month);

// A statistics window of whole months, [from, to] inclusive. Unset bounds default to
// the twelve months up to `now`'s. INVALID_ARGUMENT when from > to or the window spans
// more than 120 months.
struct MonthWindow {
  Month from = 0;
  Month to = 0;
};
absl::StatusOr<MonthWindow> ResolveWindow(absl::string_view from_month, absl::string_view to_month,
                                          absl::Time now);

// "final_product+harvest+processing": the stages an inspection covers, sorted.
std::string StagesKey(const v1::Inspection& inspection);

struct CertifierCellKey {
  std::string standard_id;
  std::string stages;
  Month month = 0;
  std::string certifier_id;
  auto operator<=>(const CertifierCellKey&) const = default;
};

struct CriterionCellKey {
  std::string standard_id;
  uint32_t version = 0;
  std::string criterion_id;
  Month month = 0;
  std::string firm_id;
  auto operator<=>(const CriterionCellKey&) const = default;
};

// Every cell, keyed; what the store holds and what a recomputation produces.
struct Aggregates {
  std::map<CertifierCellKey, internal::CertifierCell> certifiers;
  std::map<CriterionCellKey, internal::CriterionCell> criteria;
};

// Adds `sign` (+1 or -1) times what `inspection` counts to `into`.
void AddInspection(const v1::Inspection& inspection, int sign, Aggregates& into);
// Counts one inspection of `certifier_id` overturned on appeal.
void AddOverturned(const v1::Inspection& overturned, Aggregates& into);

// cell += sign * delta. Value counts are merged (a count reaching zero drops the value).
void AddCell(const internal::CertifierCell& delta, int sign, internal::CertifierCell& cell);
void AddCell(const internal::CriterionCell& delta, int sign, internal::CriterionCell& cell);
// Many criterion cells added up, for a statistics answer: cheaper than AddCell when
// thousands of cells with hundreds of values each are merged.
class CellSum {
 public:
  void Add(const internal::CriterionCell& cell);
  // The sum as one cell (values ascending).
  internal::CriterionCell Cell() const;
  int64_t evaluated() const { return sum_.evaluated(); }

 private:
  internal::CriterionCell sum_;  // the counts; values are kept below
  std::map<double, int64_t> values_;
};

// True when every count is zero (such a cell is deleted rather than stored).
bool IsEmpty(const internal::CertifierCell& cell);
bool IsEmpty(const internal::CriterionCell& cell);
// False when any count is negative: the aggregates no longer match the records.
bool IsConsistent(const internal::CertifierCell& cell);
bool IsConsistent(const internal::CriterionCell& cell);

// Every aggregate, recomputed from all inspections (any status): CURRENT inspections
// counted, overturned ones (superseded by an inspection that resolved an appeal)
// counted as overturned.
Aggregates Recompute(const std::vector<v1::Inspection>& inspections);

// The q-quantile (0..1) of a value table (ascending values with counts), by linear
// interpolation between order statistics (R type 7). NaN for an empty table.
double Quantile(const google::protobuf::RepeatedPtrField<internal::ValueCount>& values, double q);
// The same over plain values (sorted here).
double Quantile(std::vector<double> values, double q);
// The percentage of `values` below `value`, counting ties half (0..100).
double PercentileRank(const std::vector<double>& values, double value);

// The outlier test of `own` against `peers`, for one of `certifiers_tested` certifiers.
v1::OutlierTest TestCertifier(const v1::GradeCounts& own, const v1::GradeCounts& peers,
                              int certifiers_tested);
// The method in words, for the response.
std::string OutlierMethod();

// GradeCounts of a certifier cell, and their sum.
void AddCounts(const internal::CertifierCell& cell, v1::GradeCounts& counts);
void AddCounts(const v1::GradeCounts& more, v1::GradeCounts& counts);

// The criteria of a version by id, with the stage order kept.
std::vector<const v1::Criterion*> CriteriaOf(const v1::StandardVersion& version);

// For a NUMERIC criterion: true when its PREMIUM range is bounded below only.
bool HigherIsBetter(const v1::Criterion& criterion);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_STATISTICS_H_

// Statistics over inspections, as pure functions: what one inspection contributes to
// the aggregates (so that they can be kept in the same write as the inspection), how
// cells add up, quantiles, the outlier test for certifiers, and the anonymity rule for
// firm benchmarks.
//
// The aggregates count CURRENT inspections. Certifier cells are keyed by (standard,
// stages covered, month of the inspection date, certifier, firm); criterion cells by
// (standard, version, criterion, month, firm); both also by when the change was recorded
// (Recording), so that a month's figures as they stood when it ended stay what they were.
// Statistics calls read only the cells of their window, never the inspections.
//
// Who sees what (the publication rule, for everyone but ADMIN and REGULATOR): only
// *published* figures — closed months (a month is published once it has ended, as the
// records stood then: what is recorded later never changes a published figure), fixed
// windows (a month, a calendar quarter or a calendar year), and only cells that count at
// least kMinFirmsPerCell firms, including every cell that subtracting one published cell
// from another would expose (MayPublish).
#ifndef SELLO_DAEMON_DOMAIN_STATISTICS_H_
#define SELLO_DAEMON_DOMAIN_STATISTICS_H_

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sello/internal/records.pb.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/norm.pb.h"
#include "sello/v1/organisation.pb.h"
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

// When a contribution to a cell was recorded, against the end of the cell's month: by
// then (the month's published figures count these only, so they never change once the
// month has ended), or later — added late (a back-dated submission) or taken out late (a
// correction or an overturned appeal after the month ended). Current figures are
// kByMonthEnd + kAddedLate - kRemovedLate; every stored cell stays non-negative.
enum class Recording : uint32_t { kByMonthEnd = 0, kAddedLate = 1, kRemovedLate = 2 };
// The recording of a change of `sign` recorded at `recorded` to a cell of `month`.
Recording RecordingOf(Month month, int sign, absl::Time recorded);

struct CertifierCellKey {
  std::string standard_id;
  std::string stages;
  Month month = 0;
  std::string certifier_id;
  std::string firm_id;  // whose site was inspected
  Recording recording = Recording::kByMonthEnd;
  auto operator<=>(const CertifierCellKey&) const = default;
};

struct CriterionCellKey {
  std::string standard_id;
  uint32_t version = 0;
  std::string criterion_id;
  Month month = 0;
  std::string firm_id;
  Recording recording = Recording::kByMonthEnd;
  auto operator<=>(const CriterionCellKey&) const = default;
};

// Every cell, keyed; what the store holds and what a recomputation produces.
struct Aggregates {
  std::map<CertifierCellKey, internal::CertifierCell> certifiers;
  std::map<CriterionCellKey, internal::CriterionCell> criteria;
};

// Adds `sign` (+1 or -1) times what `inspection` counts to `into`, for a change recorded
// at `recorded` (the time of the write that makes it current or supersedes it).
void AddInspection(const v1::Inspection& inspection, int sign, absl::Time recorded,
                   Aggregates& into);
// The same, recorded at the inspection's own create_time (its submission).
void AddInspection(const v1::Inspection& inspection, int sign, Aggregates& into);
// Counts one inspection overturned on appeal, by the resolution recorded at `recorded`.
void AddOverturned(const v1::Inspection& overturned, absl::Time recorded, Aggregates& into);

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

// Every aggregate, recomputed from all inspections (any status): each inspection counted
// when it was recorded (its create_time) and taken out when it was superseded (its
// successor's create_time), overturned ones (superseded by an inspection that resolved an
// appeal) counted as overturned — the same cells the incremental changes produce.
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

// --- The publication rule -------------------------------------------------------------

// Current figures (any window, the month still running, every cell) for those who may read
// every firm's identified results anyway; published figures for everyone else.
enum class StatsView { kCurrent, kPublished };

// The cells as `view` counts them, with Recording folded away (keys kByMonthEnd): the
// published view keeps what was recorded by each month's end, the current view nets
// everything. Cells left empty are dropped.
std::map<CertifierCellKey, internal::CertifierCell> FoldRecordings(
    const std::vector<std::pair<CertifierCellKey, internal::CertifierCell>>& cells, StatsView view);
std::map<CriterionCellKey, internal::CriterionCell> FoldRecordings(
    const std::vector<std::pair<CriterionCellKey, internal::CriterionCell>>& cells, StatsView view);

// A published window: a whole month (from == to), a calendar quarter or a calendar year,
// ended before `now`. Unset bounds: the last quarter that has ended; one bound alone: that
// month. INVALID_ARGUMENT naming from_month/to_month otherwise (an arbitrary range, or a
// month that has not ended: its figures would change as it goes on, and two readings
// would differ by single inspections).
absl::StatusOr<MonthWindow> ResolvePublishedWindow(absl::string_view from_month,
                                                   absl::string_view to_month, absl::Time now);
// Whether `window` is a month, a calendar quarter or a calendar year.
bool IsFixedWindow(const MonthWindow& window);
// "2026-03", "2026-Q1" or "2026" for a fixed window; "2026-01..2026-05" otherwise.
std::string FormatWindow(const MonthWindow& window);

// The firms behind one series of published cells, month by month, per part: one part for
// a criterion, one per certifier for a stage set's certifier rows (published together:
// the peers of one are the others).
using FirmsByPart = std::map<std::string, std::set<std::string>>;
using Series = std::map<Month, FirmsByPart>;

// Whether the cell of `series` over the fixed `window` may be published. Every part must
// count no firm or at least kMinFirmsPerCell over the window, and so must every part over
// what the window holds beyond the cells inside it that are published themselves
// (quarter minus its published months; year minus its published quarters and the
// published months of the others): the difference a reader could take. A window that is
// not fixed is never published. Decided from closed months' frozen figures only, the
// answer never changes once the window has ended, whoever asks and in whatever order.
bool MayPublish(const Series& series, const MonthWindow& window);

// --- The answers ------------------------------------------------------------------------
// What a statistics call returns, computed from cells already folded for its view
// (FoldRecordings) and its resolved window: the service only loads and names.

// The certifier rows of one standard over `window`: per (stage set, certifier) its counts
// and its peers' (every other certifier of the stage set), each tested against its peers
// (TestCertifier, the number tested being those with enough inspections on both sides).
// In the published view a stage set whose cells MayPublish refuses is withheld whole: its
// rows suppressed, untested, saying why. In (stages, certifier) order, without names.
std::vector<v1::CertifierRow> CertifierRows(
    const std::map<CertifierCellKey, internal::CertifierCell>& cells, const MonthWindow& window,
    StatsView view);

// The criterion rows of `version` over `window`: per criterion (in CriteriaOf order) a row
// for the whole window (month "") and one per month with figures, or a bare row when it
// has none. In the published view a cell MayPublish refuses is suppressed.
std::vector<v1::CriterionRow> CriterionRows(
    const v1::StandardVersion& version,
    const std::vector<std::pair<CriterionCellKey, internal::CriterionCell>>& cells,
    const MonthWindow& window, StatsView view);

// Firm `firm_id` against the cluster of firms, per criterion of `version` over `window`:
// its value (median measurement, or pass rate in percent), the cluster's deciles and
// fail rate and its percentile among them. A criterion of fewer than kMinFirmsPerCell
// firms (or, published, one MayPublish refuses) is suppressed; published, even its
// number of firms.
std::vector<v1::BenchmarkRow> BenchmarkRows(
    const v1::StandardVersion& version,
    const std::vector<std::pair<CriterionCellKey, internal::CriterionCell>>& cells,
    const MonthWindow& window, StatsView view, const std::string& firm_id);

// The instants a compliance overview judges: the end of each month of `window` (`now`,
// for the month it falls in), while `norm` was in force then; none for months to come.
std::vector<std::pair<Month, absl::Time>> OverviewPoints(const v1::Norm& norm,
                                                         const MonthWindow& window, absl::Time now);

// A compliance overview in the making: sites counted per (month, region) by their
// verdict.
class ComplianceTally {
 public:
  // Counts `site` judged `verdict` at the end of `month`: compliant, not inspected in
  // any required stage yet, or non-compliant (by deciding stage).
  void Count(Month month, const v1::Site& site, const v1::ComplianceVerdict& verdict);
  // The rows, by (month, region). In the published view a cell of fewer than
  // kMinFirmsPerCell sites or firms is suppressed, its counts zero.
  std::vector<v1::ComplianceOverviewRow> Rows(StatsView view);

 private:
  using Cell = std::pair<Month, std::string>;  // (month, region)
  std::map<Cell, v1::ComplianceOverviewRow> rows_;
  std::map<Cell, std::set<std::string>> firms_;
  std::map<Cell, std::map<std::string, int32_t>> deciding_stages_;
};

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_STATISTICS_H_

#include "daemon/domain/statistics.h"

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <limits>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "daemon/domain/compliance.h"
#include "daemon/domain/time_convert.h"

namespace sello::domain {
namespace {

constexpr Month kMaxWindowMonths = 120;

void AddValue(internal::CriterionCell& cell, double value, int64_t count) {
  auto* values = cell.mutable_values();
  auto at = std::lower_bound(
      values->begin(), values->end(), value,
      [](const internal::ValueCount& entry, double v) { return entry.value() < v; });
  if (at != values->end() && at->value() == value) {
    at->set_count(at->count() + count);
    if (at->count() == 0) values->erase(at);
    return;
  }
  const int index = static_cast<int>(at - values->begin());
  internal::ValueCount* added = values->Add();
  added->set_value(value);
  added->set_count(count);
  // Move the new entry from the end to its place.
  for (int i = values->size() - 1; i > index; --i) values->SwapElements(i, i - 1);
}

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// 3 PREMIUM, 2 GRADE_I, 1 INDUSTRIAL, 0 FAIL: for the direction of a departure.
double MeanScore(const v1::GradeCounts& counts) {
  if (counts.inspections() == 0) return 0;
  return static_cast<double>(3 * counts.premium() + 2 * counts.grade_i() + counts.industrial()) /
         static_cast<double>(counts.inspections());
}

double Share(int64_t part, int64_t whole) {
  return whole == 0 ? 0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

Month MonthOf(absl::Time time) {
  const absl::CivilMonth month = absl::ToCivilMonth(time, absl::UTCTimeZone());
  // Timestamps span the years 1 to 9999: a time from outside them (an absurd or infinite
  // one in a request) counts as their first or last month rather than overflow.
  if (month.year() < 1) return 12;
  if (month.year() > 9999) return 9999 * 12 + 11;
  return static_cast<Month>(month.year() * 12 + (month.month() - 1));
}

absl::StatusOr<Month> ParseMonth(absl::string_view text, absl::string_view field) {
  int year = 0, month = 0;
  if (text.size() != 7 || text[4] != '-' || !absl::SimpleAtoi(text.substr(0, 4), &year) ||
      !absl::SimpleAtoi(text.substr(5, 2), &month) || month < 1 || month > 12 || year < 1970) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", text, "' is not a month (YYYY-MM)"));
  }
  return static_cast<Month>(year * 12 + month - 1);
}

std::string FormatMonth(Month month) {
  return absl::StrFormat("%04d-%02d", month / 12, month % 12 + 1);
}

absl::Time EndOfMonth(Month month) {
  return absl::FromCivil(absl::CivilMonth(month / 12, month % 12 + 1) + 1, absl::UTCTimeZone());
}

absl::StatusOr<MonthWindow> ResolveWindow(absl::string_view from_month, absl::string_view to_month,
                                          absl::Time now) {
  MonthWindow window;
  window.to = MonthOf(now);
  if (!to_month.empty()) {
    absl::StatusOr<Month> to = ParseMonth(to_month, "to_month");
    if (!to.ok()) return to.status();
    window.to = *to;
  }
  window.from = window.to - 11;
  if (!from_month.empty()) {
    absl::StatusOr<Month> from = ParseMonth(from_month, "from_month");
    if (!from.ok()) return from.status();
    window.from = *from;
  }
  if (window.from > window.to) {
    return absl::InvalidArgumentError(absl::StrCat("from_month: ", FormatMonth(window.from),
                                                   " is after to_month ", FormatMonth(window.to)));
  }
  if (window.to - window.from >= kMaxWindowMonths) {
    return absl::InvalidArgumentError(
        absl::StrCat("from_month: a window spans at most ", kMaxWindowMonths, " months"));
  }
  return window;
}

std::string StagesKey(const v1::Inspection& inspection) {
  std::set<std::string> stages(inspection.stages().begin(), inspection.stages().end());
  return absl::StrJoin(stages, "+");
}

void AddCell(const internal::CertifierCell& delta, int sign, internal::CertifierCell& cell) {
  cell.set_inspections(cell.inspections() + sign * delta.inspections());
  cell.set_passed(cell.passed() + sign * delta.passed());
  cell.set_failed(cell.failed() + sign * delta.failed());
  cell.set_premium(cell.premium() + sign * delta.premium());
  cell.set_grade_i(cell.grade_i() + sign * delta.grade_i());
  cell.set_industrial(cell.industrial() + sign * delta.industrial());
  cell.set_overturned(cell.overturned() + sign * delta.overturned());
}

void AddCell(const internal::CriterionCell& delta, int sign, internal::CriterionCell& cell) {
  cell.set_evaluated(cell.evaluated() + sign * delta.evaluated());
  cell.set_failed(cell.failed() + sign * delta.failed());
  cell.set_limiting(cell.limiting() + sign * delta.limiting());
  cell.set_passed(cell.passed() + sign * delta.passed());
  for (const internal::ValueCount& value : delta.values()) {
    AddValue(cell, value.value(), sign * value.count());
  }
}

void CellSum::Add(const internal::CriterionCell& cell) {
  sum_.set_evaluated(sum_.evaluated() + cell.evaluated());
  sum_.set_failed(sum_.failed() + cell.failed());
  sum_.set_limiting(sum_.limiting() + cell.limiting());
  sum_.set_passed(sum_.passed() + cell.passed());
  for (const internal::ValueCount& value : cell.values()) values_[value.value()] += value.count();
}

internal::CriterionCell CellSum::Cell() const {
  internal::CriterionCell cell = sum_;
  for (const auto& [value, count] : values_) {
    if (count == 0) continue;
    internal::ValueCount* entry = cell.add_values();
    entry->set_value(value);
    entry->set_count(count);
  }
  return cell;
}

bool IsEmpty(const internal::CertifierCell& cell) {
  return cell.inspections() == 0 && cell.passed() == 0 && cell.failed() == 0 &&
         cell.premium() == 0 && cell.grade_i() == 0 && cell.industrial() == 0 &&
         cell.overturned() == 0;
}

bool IsEmpty(const internal::CriterionCell& cell) {
  return cell.evaluated() == 0 && cell.failed() == 0 && cell.limiting() == 0 &&
         cell.passed() == 0 && cell.values().empty();
}

bool IsConsistent(const internal::CertifierCell& cell) {
  return cell.inspections() >= 0 && cell.passed() >= 0 && cell.failed() >= 0 &&
         cell.premium() >= 0 && cell.grade_i() >= 0 && cell.industrial() >= 0 &&
         cell.overturned() >= 0 && cell.passed() + cell.failed() == cell.inspections();
}

bool IsConsistent(const internal::CriterionCell& cell) {
  if (cell.evaluated() < 0 || cell.failed() < 0 || cell.limiting() < 0 || cell.passed() < 0) {
    return false;
  }
  int64_t values = 0;
  for (const internal::ValueCount& value : cell.values()) {
    if (value.count() <= 0) return false;
    values += value.count();
  }
  return values <= cell.evaluated();
}

Recording RecordingOf(Month month, int sign, absl::Time recorded) {
  if (recorded < EndOfMonth(month)) return Recording::kByMonthEnd;
  return sign > 0 ? Recording::kAddedLate : Recording::kRemovedLate;
}

void AddInspection(const v1::Inspection& inspection, int sign, absl::Time recorded,
                   Aggregates& into) {
  const Month month = MonthOf(FromProto(inspection.inspection_date()));
  const Recording recording = RecordingOf(month, sign, recorded);
  // A late removal is stored as a count of its own (kRemovedLate), never a negative one.
  const int stored_sign = recording == Recording::kRemovedLate ? 1 : sign;
  internal::CertifierCell counted;
  counted.set_inspections(1);
  if (inspection.outcome() == v1::Inspection::PASS) {
    counted.set_passed(1);
    if (inspection.grade() == v1::PREMIUM) counted.set_premium(1);
    if (inspection.grade() == v1::GRADE_I) counted.set_grade_i(1);
    if (inspection.grade() == v1::INDUSTRIAL) counted.set_industrial(1);
  } else {
    counted.set_failed(1);
  }
  AddCell(counted, stored_sign,
          into.certifiers[{inspection.standard_id(), StagesKey(inspection), month,
                           inspection.certifier_id(), inspection.firm_id(), recording}]);
  for (const v1::CriterionResult& result : inspection.results()) {
    internal::CriterionCell cell;
    cell.set_evaluated(1);
    cell.set_failed(Contains(inspection.failing_criteria(), result.criterion_id()) ? 1 : 0);
    cell.set_limiting(Contains(inspection.limiting_criteria(), result.criterion_id()) ? 1 : 0);
    if (result.result_case() == v1::CriterionResult::kPassed) cell.set_passed(result.passed());
    if (result.result_case() == v1::CriterionResult::kMeasured) {
      AddValue(cell, result.measured(), 1);
    }
    AddCell(cell, stored_sign,
            into.criteria[{inspection.standard_id(), inspection.standard_version(),
                           result.criterion_id(), month, inspection.firm_id(), recording}]);
  }
}

void AddInspection(const v1::Inspection& inspection, int sign, Aggregates& into) {
  AddInspection(inspection, sign, FromProto(inspection.create_time()), into);
}

void AddOverturned(const v1::Inspection& overturned, absl::Time recorded, Aggregates& into) {
  const Month month = MonthOf(FromProto(overturned.inspection_date()));
  internal::CertifierCell counted;
  counted.set_overturned(1);
  AddCell(counted, 1,
          into.certifiers[{overturned.standard_id(), StagesKey(overturned), month,
                           overturned.certifier_id(), overturned.firm_id(),
                           RecordingOf(month, 1, recorded)}]);
}

Aggregates Recompute(const std::vector<v1::Inspection>& inspections) {
  std::map<std::string, const v1::Inspection*> by_id;
  for (const v1::Inspection& inspection : inspections) by_id[inspection.id()] = &inspection;
  Aggregates aggregates;
  for (const v1::Inspection& inspection : inspections) {
    if (inspection.status() != v1::Inspection::CURRENT &&
        inspection.status() != v1::Inspection::SUPERSEDED) {
      continue;
    }
    AddInspection(inspection, 1, aggregates);
    if (inspection.status() != v1::Inspection::SUPERSEDED) continue;
    auto successor = by_id.find(inspection.superseded_by());
    // Taken out when its successor was recorded (a successor that is missing: at once).
    const absl::Time superseded = successor != by_id.end()
                                      ? FromProto(successor->second->create_time())
                                      : FromProto(inspection.create_time());
    AddInspection(inspection, -1, superseded, aggregates);
    if (successor != by_id.end() && !successor->second->appeal_id().empty()) {
      AddOverturned(inspection, superseded, aggregates);
    }
  }
  std::erase_if(aggregates.certifiers, [](const auto& entry) { return IsEmpty(entry.second); });
  std::erase_if(aggregates.criteria, [](const auto& entry) { return IsEmpty(entry.second); });
  return aggregates;
}

double Quantile(const google::protobuf::RepeatedPtrField<internal::ValueCount>& values, double q) {
  int64_t n = 0;
  for (const internal::ValueCount& value : values) n += value.count();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  const double h = static_cast<double>(n - 1) * std::clamp(q, 0.0, 1.0);
  const auto low = static_cast<int64_t>(std::floor(h));
  // The order statistic `index` (0-based), from the cumulative counts.
  const auto order_statistic = [&values](int64_t index) {
    int64_t seen = 0;
    for (const internal::ValueCount& value : values) {
      seen += value.count();
      if (index < seen) return value.value();
    }
    return values.rbegin()->value();
  };
  const double at_low = order_statistic(low);
  const double at_high = order_statistic(std::min(low + 1, n - 1));
  return at_low + (h - static_cast<double>(low)) * (at_high - at_low);
}

double Quantile(std::vector<double> values, double q) {
  google::protobuf::RepeatedPtrField<internal::ValueCount> table;
  std::sort(values.begin(), values.end());
  for (double value : values) {
    if (table.empty() || table.rbegin()->value() != value) table.Add()->set_value(value);
    table.rbegin()->set_count(table.rbegin()->count() + 1);
  }
  return Quantile(table, q);
}

double PercentileRank(const std::vector<double>& values, double value) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  double below = 0;
  for (double v : values) {
    if (v < value) below += 1;
    if (v == value) below += 0.5;
  }
  return 100.0 * below / static_cast<double>(values.size());
}

void AddCounts(const internal::CertifierCell& cell, v1::GradeCounts& counts) {
  counts.set_inspections(counts.inspections() + cell.inspections());
  counts.set_passed(counts.passed() + cell.passed());
  counts.set_failed(counts.failed() + cell.failed());
  counts.set_premium(counts.premium() + cell.premium());
  counts.set_grade_i(counts.grade_i() + cell.grade_i());
  counts.set_industrial(counts.industrial() + cell.industrial());
}

void AddCounts(const v1::GradeCounts& more, v1::GradeCounts& counts) {
  counts.set_inspections(counts.inspections() + more.inspections());
  counts.set_passed(counts.passed() + more.passed());
  counts.set_failed(counts.failed() + more.failed());
  counts.set_premium(counts.premium() + more.premium());
  counts.set_grade_i(counts.grade_i() + more.grade_i());
  counts.set_industrial(counts.industrial() + more.industrial());
}

v1::OutlierTest TestCertifier(const v1::GradeCounts& own, const v1::GradeCounts& peers,
                              int certifiers_tested) {
  v1::OutlierTest test;
  test.set_alpha(kOutlierAlpha / std::max(1, certifiers_tested));
  test.set_premium_share_difference(Share(own.premium(), own.inspections()) -
                                    Share(peers.premium(), peers.inspections()));
  test.set_fail_rate_difference(Share(own.failed(), own.inspections()) -
                                Share(peers.failed(), peers.inspections()));
  if (own.inspections() < kOutlierMinInspections || peers.inspections() < kOutlierMinInspections) {
    test.set_verdict(v1::OutlierTest::NOT_TESTED);
    test.set_reason(absl::StrCat("needs at least ", kOutlierMinInspections,
                                 " inspections on each side (has ", own.inspections(), " vs ",
                                 peers.inspections(), " by peers)"));
    return test;
  }
  const int64_t rows[2][4] = {
      {own.premium(), own.grade_i(), own.industrial(), own.failed()},
      {peers.premium(), peers.grade_i(), peers.industrial(), peers.failed()}};
  const double n = static_cast<double>(own.inspections() + peers.inspections());
  const double row_totals[2] = {static_cast<double>(own.inspections()),
                                static_cast<double>(peers.inspections())};
  double chi_square = 0;
  int columns = 0;
  int small_expected = 0;
  for (int c = 0; c < 4; ++c) {
    const double column = static_cast<double>(rows[0][c] + rows[1][c]);
    if (column == 0) continue;  // a class nobody used carries no information
    ++columns;
    for (int r = 0; r < 2; ++r) {
      const double expected = row_totals[r] * column / n;
      if (expected < 5) ++small_expected;
      const double difference = static_cast<double>(rows[r][c]) - expected;
      chi_square += difference * difference / expected;
    }
  }
  test.set_degrees_of_freedom(columns - 1);
  test.set_chi_square(chi_square);
  if (columns < 2) {
    test.set_p_value(1);
    test.set_verdict(v1::OutlierTest::IN_LINE);
    test.set_reason("every inspection, its and its peers', in one class");
    return test;
  }
  const boost::math::chi_squared_distribution<double> distribution(columns - 1);
  test.set_p_value(boost::math::cdf(boost::math::complement(distribution, chi_square)));
  test.set_cramers_v(std::sqrt(chi_square / n));
  const bool departs = test.p_value() < test.alpha() && test.cramers_v() >= kOutlierMinCramersV;
  if (!departs) {
    test.set_verdict(v1::OutlierTest::IN_LINE);
  } else {
    test.set_verdict(MeanScore(own) > MeanScore(peers) ? v1::OutlierTest::LENIENT
                                                       : v1::OutlierTest::STRICT);
  }
  test.set_reason(absl::StrFormat(
      "chi-square %.2f, df %d, p %.3g %s alpha %.3g; Cramér's V %.2f%s", chi_square, columns - 1,
      test.p_value(), test.p_value() < test.alpha() ? "<" : ">=", test.alpha(), test.cramers_v(),
      small_expected > 0 ? absl::StrCat("; ", small_expected,
                                        " expected counts below 5: the p-value is approximate")
                         : ""));
  return test;
}

std::string OutlierMethod() {
  return absl::StrFormat(
      "Each certifier's inspections of a standard covering the same stages are compared "
      "with its peers' (every other certifier's) in the window by a chi-square test of "
      "homogeneity on the 2 x 4 table of PREMIUM, GRADE_I, INDUSTRIAL and FAIL counts "
      "(classes nobody used are dropped). Tested only with at least %d inspections on "
      "each side. A certifier departs from its peers when p < %.2f / (certifiers tested) "
      "(Bonferroni) and Cramér's V >= %.2f; LENIENT when its mean grade (PREMIUM 3 .. FAIL "
      "0) is above its peers', STRICT when below.",
      kOutlierMinInspections, kOutlierAlpha, kOutlierMinCramersV);
}

std::vector<const v1::Criterion*> CriteriaOf(const v1::StandardVersion& version) {
  std::vector<const v1::Criterion*> criteria;
  for (const v1::Stage& stage : version.stages()) {
    for (const v1::Criterion& criterion : stage.criteria()) criteria.push_back(&criterion);
  }
  return criteria;
}

bool HigherIsBetter(const v1::Criterion& criterion) {
  return criterion.grades().premium().has_min() && !criterion.grades().premium().has_max();
}

namespace {

template <typename Key, typename Cell>
std::map<Key, Cell> Fold(const std::vector<std::pair<Key, Cell>>& cells, StatsView view) {
  std::map<Key, Cell> folded;
  for (const auto& [key, cell] : cells) {
    if (view == StatsView::kPublished && key.recording != Recording::kByMonthEnd) continue;
    Key net = key;
    net.recording = Recording::kByMonthEnd;
    AddCell(cell, key.recording == Recording::kRemovedLate ? -1 : 1, folded[net]);
  }
  std::erase_if(folded, [](const auto& entry) { return IsEmpty(entry.second); });
  return folded;
}

// Every part counts no firm or at least kMinFirmsPerCell firms over `months`.
bool LargeEnough(const Series& series, const std::vector<Month>& months) {
  FirmsByPart firms;
  for (Month month : months) {
    auto found = series.find(month);
    if (found == series.end()) continue;
    for (const auto& [part, ids] : found->second) firms[part].insert(ids.begin(), ids.end());
  }
  for (const auto& [part, ids] : firms) {
    if (!ids.empty() && static_cast<int>(ids.size()) < kMinFirmsPerCell) return false;
  }
  return true;
}

std::vector<Month> MonthsOf(const MonthWindow& window) {
  std::vector<Month> months;
  for (Month month = window.from; month <= window.to; ++month) months.push_back(month);
  return months;
}

}  // namespace

std::map<CertifierCellKey, internal::CertifierCell> FoldRecordings(
    const std::vector<std::pair<CertifierCellKey, internal::CertifierCell>>& cells,
    StatsView view) {
  return Fold(cells, view);
}

std::map<CriterionCellKey, internal::CriterionCell> FoldRecordings(
    const std::vector<std::pair<CriterionCellKey, internal::CriterionCell>>& cells,
    StatsView view) {
  return Fold(cells, view);
}

bool IsFixedWindow(const MonthWindow& window) {
  const Month length = window.to - window.from + 1;
  if (window.from < 0 || length < 1) return false;
  if (length == 1) return true;
  if (length == 3) return window.from % 3 == 0;
  if (length == 12) return window.from % 12 == 0;
  return false;
}

std::string FormatWindow(const MonthWindow& window) {
  if (window.from == window.to) return FormatMonth(window.from);
  if (IsFixedWindow(window) && window.to - window.from == 2) {
    return absl::StrFormat("%04d-Q%d", window.from / 12, window.from % 12 / 3 + 1);
  }
  if (IsFixedWindow(window)) return absl::StrFormat("%04d", window.from / 12);
  return absl::StrCat(FormatMonth(window.from), "..", FormatMonth(window.to));
}

absl::StatusOr<MonthWindow> ResolvePublishedWindow(absl::string_view from_month,
                                                   absl::string_view to_month, absl::Time now) {
  MonthWindow window;
  if (from_month.empty() && to_month.empty()) {
    // The last quarter that has ended.
    const Month current = MonthOf(now);
    window.from = current - current % 3 - 3;
    window.to = window.from + 2;
    return window;
  }
  const absl::string_view from_text = from_month.empty() ? to_month : from_month;
  const absl::string_view to_text = to_month.empty() ? from_month : to_month;
  absl::StatusOr<Month> from =
      ParseMonth(from_text, from_month.empty() ? "to_month" : "from_month");
  if (!from.ok()) return from.status();
  absl::StatusOr<Month> to = ParseMonth(to_text, to_month.empty() ? "from_month" : "to_month");
  if (!to.ok()) return to.status();
  window = {*from, *to};
  if (!IsFixedWindow(window)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "from_month: ", FormatWindow(window),
        " is not a published window: statistics are published by month (YYYY-MM), "
        "calendar quarter (YYYY-01..YYYY-03, ...) or calendar year (YYYY-01..YYYY-12)"));
  }
  if (EndOfMonth(window.to) > now) {
    return absl::InvalidArgumentError(absl::StrCat(
        "to_month: ", FormatWindow(window),
        " has not ended; statistics are published for closed periods only (a month once it "
        "has ended, as the records stood then)"));
  }
  return window;
}

bool MayPublish(const Series& series, const MonthWindow& window) {
  if (!IsFixedWindow(window)) return false;
  if (!LargeEnough(series, MonthsOf(window))) return false;
  const Month length = window.to - window.from + 1;
  if (length == 1) return true;
  // What the window holds beyond its published sub-cells.
  std::vector<Month> rest;
  if (length == 3) {
    for (Month month : MonthsOf(window)) {
      if (!MayPublish(series, {month, month})) rest.push_back(month);
    }
  } else {
    for (Month quarter = window.from; quarter <= window.to; quarter += 3) {
      if (MayPublish(series, {quarter, quarter + 2})) continue;
      for (Month month = quarter; month <= quarter + 2; ++month) {
        if (!MayPublish(series, {month, month})) rest.push_back(month);
      }
    }
  }
  return LargeEnough(series, rest);
}

// --- The answers ------------------------------------------------------------------------

namespace {

double Rate(int64_t part, int64_t whole) {
  return whole == 0 ? 0 : static_cast<double>(part) / static_cast<double>(whole);
}

bool InWindow(Month month, const MonthWindow& window) {
  return month >= window.from && month <= window.to;
}

// own + peers = total: the peers' counts.
void SetPeers(const v1::GradeCounts& total, v1::CertifierRow& row) {
  v1::GradeCounts* peers = row.mutable_peers();
  for (const auto& [field, value] :
       {std::pair{&v1::GradeCounts::set_inspections, total.inspections() - row.own().inspections()},
        {&v1::GradeCounts::set_passed, total.passed() - row.own().passed()},
        {&v1::GradeCounts::set_failed, total.failed() - row.own().failed()},
        {&v1::GradeCounts::set_premium, total.premium() - row.own().premium()},
        {&v1::GradeCounts::set_grade_i, total.grade_i() - row.own().grade_i()},
        {&v1::GradeCounts::set_industrial, total.industrial() - row.own().industrial()}}) {
    (peers->*field)(value);
  }
}

// A row of a stage set withheld from published figures.
void Withhold(const MonthWindow& window, v1::CertifierRow& row) {
  row.clear_own();
  row.clear_peers();
  row.set_overturned(0);
  row.set_suppressed(true);
  row.mutable_test()->set_verdict(v1::OutlierTest::NOT_TESTED);
  row.mutable_test()->set_reason(absl::StrCat("withheld: these stages' figures for ",
                                              FormatWindow(window), " would isolate fewer than ",
                                              kMinFirmsPerCell, " firms"));
}

// One criterion's figures over some cells.
void FillCriterionRow(const internal::CriterionCell& cell, int firms, bool suppress,
                      v1::CriterionRow& row) {
  if (suppress) {
    // Not even how many firms: beside other cells' counts it could tell who is in it.
    row.set_suppressed(true);
    return;
  }
  row.set_firms(firms);
  row.set_evaluated(cell.evaluated());
  row.set_failed(cell.failed());
  row.set_limiting(cell.limiting());
  row.set_fail_rate(Rate(cell.failed(), cell.evaluated()));
  row.set_limiting_rate(Rate(cell.limiting(), cell.evaluated()));
  if (!cell.values().empty()) {
    v1::Quantiles* q = row.mutable_values();
    q->set_min(cell.values().begin()->value());
    q->set_max(cell.values().rbegin()->value());
    q->set_p10(Quantile(cell.values(), 0.10));
    q->set_p25(Quantile(cell.values(), 0.25));
    q->set_p50(Quantile(cell.values(), 0.50));
    q->set_p75(Quantile(cell.values(), 0.75));
    q->set_p90(Quantile(cell.values(), 0.90));
  }
}

v1::CriterionRow DescribedRow(const v1::Criterion& criterion) {
  v1::CriterionRow row;
  row.set_criterion_id(criterion.id());
  row.set_name(criterion.name());
  row.set_kind(v1::Criterion::Kind_Name(criterion.kind()));
  row.set_unit(criterion.unit());
  return row;
}

// A criterion's cells over a window: in all (month -1) and per month, with their firms.
struct Merged {
  internal::CriterionCell cell;
  std::set<std::string> firms;
};

// One criterion's benchmark: the firm's figures and the cluster's.
void FillBenchmarkRow(const v1::Criterion& criterion,
                      const std::map<std::string, internal::CriterionCell>& firms,
                      const std::string& firm_id, bool publishable, bool published,
                      v1::BenchmarkRow& row) {
  row.set_criterion_id(criterion.id());
  row.set_name(criterion.name());
  row.set_kind(v1::Criterion::Kind_Name(criterion.kind()));
  row.set_unit(criterion.unit());
  row.set_higher_is_better(criterion.kind() == v1::Criterion::BOOLEAN || HigherIsBetter(criterion));
  const bool numeric = criterion.kind() == v1::Criterion::NUMERIC;
  // A firm's value: its median measurement, or its pass rate in percent.
  const auto value_of = [numeric](const internal::CriterionCell& cell) {
    return numeric ? Quantile(cell.values(), 0.5) : 100.0 * Rate(cell.passed(), cell.evaluated());
  };
  std::vector<double> values;
  int64_t evaluated = 0, failed = 0;
  for (const auto& [id, cell] : firms) {
    evaluated += cell.evaluated();
    failed += cell.failed();
    if (numeric && cell.values().empty()) continue;
    values.push_back(value_of(cell));
  }
  auto own = firms.find(firm_id);
  if (own != firms.end()) {
    row.set_firm_inspections(own->second.evaluated());
    row.set_firm_fail_rate(Rate(own->second.failed(), own->second.evaluated()));
    if (!numeric || !own->second.values().empty()) row.set_firm_value(value_of(own->second));
  }
  if (static_cast<int>(firms.size()) < kMinFirmsPerCell || values.empty() || !publishable) {
    row.set_suppressed(true);
    // How many firms a withheld cell holds is withheld too from published figures.
    if (!published) row.set_cluster_firms(static_cast<int>(firms.size()));
    return;
  }
  row.set_cluster_firms(static_cast<int>(firms.size()));
  row.set_cluster_p10(Quantile(values, 0.10));
  row.set_cluster_p50(Quantile(values, 0.50));
  row.set_cluster_p90(Quantile(values, 0.90));
  row.set_cluster_fail_rate(Rate(failed, evaluated));
  if (own != firms.end()) row.set_firm_percentile(PercentileRank(values, row.firm_value()));
}

}  // namespace

std::vector<v1::CertifierRow> CertifierRows(
    const std::map<CertifierCellKey, internal::CertifierCell>& cells, const MonthWindow& window,
    StatsView view) {
  // (stages, certifier) -> its counts; stages -> everyone's, and the firms behind each
  // certifier's cells month by month (a stage set's rows are published together: the
  // peers of one are the others).
  std::map<std::pair<std::string, std::string>, v1::CertifierRow> rows;
  std::map<std::string, v1::GradeCounts> totals;
  std::map<std::string, Series> series;
  for (const auto& [key, cell] : cells) {
    if (!InWindow(key.month, window)) continue;
    v1::CertifierRow& row = rows[{key.stages, key.certifier_id}];
    row.set_certifier_id(key.certifier_id);
    row.set_stages(key.stages);
    AddCounts(cell, *row.mutable_own());
    row.set_overturned(row.overturned() + cell.overturned());
    AddCounts(cell, totals[key.stages]);
    series[key.stages][key.month][key.certifier_id].insert(key.firm_id);
  }
  // A stage set whose cells would isolate fewer than kMinFirmsPerCell firms is withheld
  // whole from published figures.
  std::set<std::string> withheld;
  if (view == StatsView::kPublished) {
    for (const auto& [stages, months] : series) {
      if (!MayPublish(months, window)) withheld.insert(stages);
    }
  }
  int tested = 0;
  for (auto& [id, row] : rows) {
    SetPeers(totals[row.stages()], row);
    if (row.own().inspections() >= kOutlierMinInspections &&
        row.peers().inspections() >= kOutlierMinInspections && !withheld.contains(row.stages())) {
      ++tested;
    }
  }
  std::vector<v1::CertifierRow> out;
  out.reserve(rows.size());
  for (auto& [id, row] : rows) {
    if (withheld.contains(row.stages())) {
      Withhold(window, row);
    } else {
      *row.mutable_test() = TestCertifier(row.own(), row.peers(), tested);
    }
    out.push_back(std::move(row));
  }
  return out;
}

std::vector<v1::CriterionRow> CriterionRows(
    const v1::StandardVersion& version,
    const std::vector<std::pair<CriterionCellKey, internal::CriterionCell>>& cells,
    const MonthWindow& window, StatsView view) {
  // criterion -> month -> (merged cell, firms); month -1 is the whole window.
  std::map<std::string, std::map<Month, Merged>> merged;
  std::map<std::string, Series> series;
  for (const auto& [key, cell] : cells) {
    if (!InWindow(key.month, window) || cell.evaluated() == 0) continue;
    for (Month month : {key.month, Month{-1}}) {
      Merged& into = merged[key.criterion_id][month];
      AddCell(cell, 1, into.cell);
      into.firms.insert(key.firm_id);
    }
    series[key.criterion_id][key.month][""].insert(key.firm_id);
  }
  const bool published = view == StatsView::kPublished;
  std::vector<v1::CriterionRow> rows;
  for (const v1::Criterion* criterion : CriteriaOf(version)) {
    auto months = merged.find(criterion->id());
    if (months == merged.end()) {
      rows.push_back(DescribedRow(*criterion));
      continue;
    }
    for (const auto& [month, figures] : months->second) {
      v1::CriterionRow& row = rows.emplace_back(DescribedRow(*criterion));
      row.set_month(month < 0 ? "" : FormatMonth(month));
      const MonthWindow cell_window = month < 0 ? window : MonthWindow{month, month};
      FillCriterionRow(figures.cell, static_cast<int>(figures.firms.size()),
                       published && !MayPublish(series[criterion->id()], cell_window), row);
    }
  }
  return rows;
}

std::vector<v1::BenchmarkRow> BenchmarkRows(
    const v1::StandardVersion& version,
    const std::vector<std::pair<CriterionCellKey, internal::CriterionCell>>& cells,
    const MonthWindow& window, StatsView view, const std::string& firm_id) {
  // criterion -> firm -> its cells over the window.
  std::map<std::string, std::map<std::string, internal::CriterionCell>> by_firm;
  std::map<std::string, Series> series;
  for (const auto& [key, cell] : cells) {
    if (!InWindow(key.month, window) || cell.evaluated() == 0) continue;
    AddCell(cell, 1, by_firm[key.criterion_id][key.firm_id]);
    series[key.criterion_id][key.month][""].insert(key.firm_id);
  }
  const bool published = view == StatsView::kPublished;
  std::vector<v1::BenchmarkRow> rows;
  for (const v1::Criterion* criterion : CriteriaOf(version)) {
    const bool publishable = !published || MayPublish(series[criterion->id()], window);
    FillBenchmarkRow(*criterion, by_firm[criterion->id()], firm_id, publishable, published,
                     rows.emplace_back());
  }
  return rows;
}

std::vector<std::pair<Month, absl::Time>> OverviewPoints(const v1::Norm& norm,
                                                         const MonthWindow& window,
                                                         absl::Time now) {
  std::vector<std::pair<Month, absl::Time>> points;
  for (Month month = window.from; month <= window.to; ++month) {
    const absl::Time at = std::min(EndOfMonth(month) - absl::Nanoseconds(1), now);
    if (at < EndOfMonth(month - 1)) break;  // a month still to come
    if (NormStatusAt(norm, at) != v1::Norm::IN_FORCE) continue;
    points.emplace_back(month, at);
  }
  return points;
}

void ComplianceTally::Count(Month month, const v1::Site& site,
                            const v1::ComplianceVerdict& verdict) {
  const Cell cell{month, site.region()};
  v1::ComplianceOverviewRow& row = rows_[cell];
  row.set_sites(row.sites() + 1);
  firms_[cell].insert(site.firm_id());
  if (verdict.status() == v1::ComplianceVerdict::COMPLIANT) {
    row.set_compliant(row.compliant() + 1);
  } else if (std::all_of(verdict.stages().begin(), verdict.stages().end(),
                         [](const v1::StageVerdict& stage) {
                           return stage.reason() == v1::ComplianceVerdict::NO_INSPECTION;
                         }) &&
             verdict.reason() == v1::ComplianceVerdict::NO_INSPECTION) {
    // Not one required stage inspected yet.
    row.set_not_inspected(row.not_inspected() + 1);
  } else {
    row.set_non_compliant(row.non_compliant() + 1);
    ++deciding_stages_[cell][verdict.deciding_stage()];
  }
}

std::vector<v1::ComplianceOverviewRow> ComplianceTally::Rows(StatsView view) {
  std::vector<v1::ComplianceOverviewRow> out;
  out.reserve(rows_.size());
  for (auto& [key, row] : rows_) {
    row.set_month(FormatMonth(key.first));
    row.set_region(key.second);
    // Five sites of one firm would describe that firm: published cells count at least
    // kMinFirmsPerCell sites of as many firms.
    const bool small =
        row.sites() < kMinFirmsPerCell || static_cast<int>(firms_[key].size()) < kMinFirmsPerCell;
    if (small && view == StatsView::kPublished) {
      row.set_suppressed(true);
      row.set_sites(0);
      row.set_compliant(0);
      row.set_non_compliant(0);
      row.set_not_inspected(0);
    } else {
      for (const auto& [stage, sites] : deciding_stages_[key]) {
        v1::StageCount* count = row.add_non_compliant_by_stage();
        count->set_stage_id(stage);
        count->set_sites(sites);
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace sello::domain

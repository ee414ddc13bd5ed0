#include "daemon/service/stats_service.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "daemon/domain/compliance.h"
#include "daemon/domain/statistics.h"
#include "daemon/domain/time_convert.h"
#include "daemon/service/compliance_ops.h"
#include "daemon/service/log.h"
#include "storage/keys.h"
#include "storage/loaders.h"
#include "storage/records.h"
#include "storage/stats_store.h"

namespace sello::service {
namespace {

std::string Method(absl::string_view name) {
  return MethodName(v1::StatsService::service_full_name(), name);
}

// Whether `caller` may see cells about fewer than kMinFirmsPerCell firms or sites: those
// who may read every firm's identified results anyway.
bool SeesSmallCells(const domain::Principal& caller) {
  return caller.role == v1::ADMIN || caller.role == v1::REGULATOR;
}

// Current figures for ADMIN and REGULATOR, published ones for everyone else.
domain::StatsView ViewOf(const domain::Principal& caller) {
  return SeesSmallCells(caller) ? domain::StatsView::kCurrent : domain::StatsView::kPublished;
}

// The window asked for, as `view` allows it: any range of months for current figures, a
// fixed window that has ended for published ones.
absl::StatusOr<domain::MonthWindow> WindowFor(domain::StatsView view, const std::string& from_month,
                                              const std::string& to_month, absl::Time now) {
  return view == domain::StatsView::kCurrent
             ? domain::ResolveWindow(from_month, to_month, now)
             : domain::ResolvePublishedWindow(from_month, to_month, now);
}

bool InWindow(domain::Month month, const domain::MonthWindow& window) {
  return month >= window.from && month <= window.to;
}

void SetWindow(const domain::MonthWindow& window, std::string* from, std::string* to) {
  *from = domain::FormatMonth(window.from);
  *to = domain::FormatMonth(window.to);
}

absl::StatusOr<v1::StandardVersion> RequireVersion(const storage::Store& store,
                                                   const std::string& standard_id,
                                                   uint32_t version) {
  if (standard_id.empty()) return absl::InvalidArgumentError("standard_id: required");
  if (version == 0) return absl::InvalidArgumentError("standard_version: required");
  return storage::RequireStandardVersion(store, standard_id, version);
}

// What the criterion statistics and benchmarks read: the version, the window, and the
// version's criterion cells.
struct CriterionCells {
  v1::StandardVersion version;
  domain::MonthWindow window;
  std::vector<std::pair<domain::CriterionCellKey, internal::CriterionCell>> cells;
};

absl::StatusOr<CriterionCells> LoadCriterionWindow(const storage::Store& store,
                                                   const domain::Principal& caller,
                                                   const std::string& standard_id, uint32_t version,
                                                   const std::string& from_month,
                                                   const std::string& to_month) {
  CriterionCells loaded;
  absl::StatusOr<v1::StandardVersion> found = RequireVersion(store, standard_id, version);
  if (!found.ok()) return found.status();
  // A draft's criteria are the association's until it is published (as for GetStandardVersion).
  if (found->status() == v1::StandardVersion::DRAFT && !SeesSmallCells(caller)) {
    return absl::PermissionDeniedError(
        absl::StrCat("standard_version: ", standard_id, "@", version,
                     " is a DRAFT; drafts are visible to ADMIN and REGULATOR only"));
  }
  loaded.version = *std::move(found);
  absl::StatusOr<domain::MonthWindow> window =
      WindowFor(ViewOf(caller), from_month, to_month, absl::Now());
  if (!window.ok()) return window.status();
  loaded.window = *window;
  auto cells = storage::LoadCriterionCells(store, standard_id, version);
  if (!cells.ok()) return cells.status();
  for (auto& [key, cell] : domain::FoldRecordings(*cells, ViewOf(caller))) {
    loaded.cells.emplace_back(key, std::move(cell));
  }
  return loaded;
}

double Rate(int64_t part, int64_t whole) {
  return whole == 0 ? 0 : static_cast<double>(part) / static_cast<double>(whole);
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
    q->set_p10(domain::Quantile(cell.values(), 0.10));
    q->set_p25(domain::Quantile(cell.values(), 0.25));
    q->set_p50(domain::Quantile(cell.values(), 0.50));
    q->set_p75(domain::Quantile(cell.values(), 0.75));
    q->set_p90(domain::Quantile(cell.values(), 0.90));
  }
}

void DescribeCriterion(const v1::Criterion& criterion, v1::CriterionRow& row) {
  row.set_criterion_id(criterion.id());
  row.set_name(criterion.name());
  row.set_kind(v1::Criterion::Kind_Name(criterion.kind()));
  row.set_unit(criterion.unit());
}

std::string Describe(const domain::CertifierCellKey& key) {
  return absl::StrCat("certifier cell ", key.standard_id, " [", key.stages, "] ",
                      domain::FormatMonth(key.month), " ", key.certifier_id);
}

std::string Describe(const domain::CriterionCellKey& key) {
  return absl::StrCat("criterion cell ", key.standard_id, "@", key.version, " ", key.criterion_id,
                      " ", domain::FormatMonth(key.month), " ", key.firm_id);
}

// Compares two maps of cells by their serialisations.
template <typename Key, typename Cell>
void Compare(const std::map<Key, Cell>& stored, const std::map<Key, Cell>& recomputed,
             v1::VerifyAggregatesResponse& response) {
  std::set<Key> keys;
  for (const auto& [key, cell] : stored) keys.insert(key);
  for (const auto& [key, cell] : recomputed) keys.insert(key);
  for (const Key& key : keys) {
    response.set_cells(response.cells() + 1);
    auto mine = stored.find(key);
    auto theirs = recomputed.find(key);
    const std::string a = mine == stored.end() ? "" : storage::SerializeRecord(mine->second);
    const std::string b =
        theirs == recomputed.end() ? "" : storage::SerializeRecord(theirs->second);
    if (a == b) continue;
    response.set_mismatches(response.mismatches() + 1);
    if (response.differences_size() < 20) {
      response.add_differences(absl::StrCat(
          Describe(key), ": stored ",
          mine == stored.end() ? "nothing" : mine->second.ShortDebugString(), ", recomputed ",
          theirs == recomputed.end() ? "nothing" : theirs->second.ShortDebugString()));
    }
  }
}

}  // namespace

absl::Status EnsureAggregates(storage::Store& store) {
  absl::StatusOr<bool> built = storage::AggregatesBuilt(store);
  if (!built.ok()) return built.status();
  if (*built) return absl::OkStatus();
  absl::StatusOr<std::vector<v1::Inspection>> inspections = storage::AllInspections(store);
  if (!inspections.ok()) return inspections.status();
  const domain::Aggregates aggregates = domain::Recompute(*inspections);
  if (absl::Status status = storage::ReplaceAggregates(store, aggregates); !status.ok()) {
    return status;
  }
  LogInfo("statistics_built",
          {{"inspections", absl::StrCat(inspections->size())},
           {"cells", absl::StrCat(aggregates.certifiers.size() + aggregates.criteria.size())}});
  return absl::OkStatus();
}

grpc::Status StatsService::CertifierStats(grpc::ServerContext* context,
                                          const v1::CertifierStatsRequest* request,
                                          v1::CertifierStatsResponse* response) {
  return Serve(
      registry_, context, Method("CertifierStats"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        const storage::Store& store = *registry_.store;
        if (request->standard_id().empty()) {
          return absl::InvalidArgumentError("standard_id: required");
        }
        absl::StatusOr<v1::Standard> standard =
            storage::RequireStandardRecord(store, request->standard_id());
        if (!standard.ok()) return standard.status();
        const domain::StatsView view = ViewOf(*caller);
        absl::StatusOr<domain::MonthWindow> window =
            WindowFor(view, request->from_month(), request->to_month(), absl::Now());
        if (!window.ok()) return window.status();
        auto stored = storage::LoadCertifierCells(store, request->standard_id());
        if (!stored.ok()) return stored.status();
        const auto cells = domain::FoldRecordings(*stored, view);

        // (stages, certifier) -> its counts; stages -> everyone's, and the firms behind
        // each certifier's cells month by month (a stage set's rows are published together:
        // the peers of one are the others).
        std::map<std::pair<std::string, std::string>, v1::CertifierRow> rows;
        std::map<std::string, v1::GradeCounts> totals;
        std::map<std::string, domain::Series> series;
        for (const auto& [key, cell] : cells) {
          if (!InWindow(key.month, *window)) continue;
          v1::CertifierRow& row = rows[{key.stages, key.certifier_id}];
          row.set_certifier_id(key.certifier_id);
          row.set_stages(key.stages);
          domain::AddCounts(cell, *row.mutable_own());
          row.set_overturned(row.overturned() + cell.overturned());
          domain::AddCounts(cell, totals[key.stages]);
          series[key.stages][key.month][key.certifier_id].insert(key.firm_id);
        }
        // A stage set whose cells would isolate fewer than kMinFirmsPerCell firms is
        // withheld whole from published figures.
        std::set<std::string> withheld;
        if (view == domain::StatsView::kPublished) {
          for (const auto& [stages, months] : series) {
            if (!domain::MayPublish(months, *window)) withheld.insert(stages);
          }
        }
        int tested = 0;
        for (auto& [id, row] : rows) {
          const v1::GradeCounts& total = totals[row.stages()];
          v1::GradeCounts* peers = row.mutable_peers();
          for (const auto& [field, value] :
               {std::pair{&v1::GradeCounts::set_inspections,
                          total.inspections() - row.own().inspections()},
                {&v1::GradeCounts::set_passed, total.passed() - row.own().passed()},
                {&v1::GradeCounts::set_failed, total.failed() - row.own().failed()},
                {&v1::GradeCounts::set_premium, total.premium() - row.own().premium()},
                {&v1::GradeCounts::set_grade_i, total.grade_i() - row.own().grade_i()},
                {&v1::GradeCounts::set_industrial, total.industrial() - row.own().industrial()}}) {
            (peers->*field)(value);
          }
          if (row.own().inspections() >= domain::kOutlierMinInspections &&
              peers->inspections() >= domain::kOutlierMinInspections &&
              !withheld.contains(row.stages())) {
            ++tested;
          }
        }
        response->set_standard_id(request->standard_id());
        SetWindow(*window, response->mutable_from_month(), response->mutable_to_month());
        response->set_method(domain::OutlierMethod());
        for (auto& [id, row] : rows) {
          if (!request->certifier_id().empty() && row.certifier_id() != request->certifier_id()) {
            continue;
          }
          if (withheld.contains(row.stages())) {
            row.clear_own();
            row.clear_peers();
            row.set_overturned(0);
            row.set_suppressed(true);
            row.mutable_test()->set_verdict(v1::OutlierTest::NOT_TESTED);
            row.mutable_test()->set_reason(
                absl::StrCat("withheld: these stages' figures for ", domain::FormatWindow(*window),
                             " would isolate fewer than ", domain::kMinFirmsPerCell, " firms"));
          } else {
            *row.mutable_test() = domain::TestCertifier(row.own(), row.peers(), tested);
          }
          absl::StatusOr<std::optional<v1::Organisation>> certifier =
              storage::FindOrganisation(store, row.certifier_id());
          if (!certifier.ok()) return certifier.status();
          if (certifier->has_value()) row.set_certifier_name((*certifier)->name());
          *response->add_rows() = std::move(row);
        }
        return absl::OkStatus();
      });
}

grpc::Status StatsService::CriterionStats(grpc::ServerContext* context,
                                          const v1::CriterionStatsRequest* request,
                                          v1::CriterionStatsResponse* response) {
  return Serve(registry_, context, Method("CriterionStats"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 absl::StatusOr<CriterionCells> loaded = LoadCriterionWindow(
                     *registry_.store, *caller, request->standard_id(), request->standard_version(),
                     request->from_month(), request->to_month());
                 if (!loaded.ok()) return loaded.status();
                 const v1::StandardVersion* version = &loaded->version;
                 const domain::MonthWindow* window = &loaded->window;
                 const auto* cells = &loaded->cells;

                 // criterion -> month -> (merged cell, firms); month -1 is the whole window.
                 struct Merged {
                   internal::CriterionCell cell;
                   std::set<std::string> firms;
                 };
                 std::map<std::string, std::map<domain::Month, Merged>> merged;
                 std::map<std::string, domain::Series> series;
                 for (const auto& [key, cell] : *cells) {
                   if (!InWindow(key.month, *window) || cell.evaluated() == 0) continue;
                   for (domain::Month month : {key.month, domain::Month{-1}}) {
                     Merged& into = merged[key.criterion_id][month];
                     domain::AddCell(cell, 1, into.cell);
                     into.firms.insert(key.firm_id);
                   }
                   series[key.criterion_id][key.month][""].insert(key.firm_id);
                 }
                 const bool published = ViewOf(*caller) == domain::StatsView::kPublished;
                 response->set_standard_id(request->standard_id());
                 response->set_standard_version(request->standard_version());
                 SetWindow(*window, response->mutable_from_month(), response->mutable_to_month());
                 for (const v1::Criterion* criterion : domain::CriteriaOf(*version)) {
                   auto months = merged.find(criterion->id());
                   if (months == merged.end()) {
                     v1::CriterionRow* row = response->add_rows();
                     DescribeCriterion(*criterion, *row);
                     continue;
                   }
                   for (const auto& [month, figures] : months->second) {
                     v1::CriterionRow* row = response->add_rows();
                     DescribeCriterion(*criterion, *row);
                     row->set_month(month < 0 ? "" : domain::FormatMonth(month));
                     const int firms = static_cast<int>(figures.firms.size());
                     const domain::MonthWindow cell_window =
                         month < 0 ? *window : domain::MonthWindow{month, month};
                     FillCriterionRow(
                         figures.cell, firms,
                         published && !domain::MayPublish(series[criterion->id()], cell_window),
                         *row);
                   }
                 }
                 return absl::OkStatus();
               });
}

grpc::Status StatsService::FirmBenchmark(grpc::ServerContext* context,
                                         const v1::FirmBenchmarkRequest* request,
                                         v1::FirmBenchmarkResponse* response) {
  return Serve(
      registry_, context, Method("FirmBenchmark"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        const storage::Store& store = *registry_.store;
        std::string firm_id = request->firm_id();
        if (caller->role == v1::FIRM) {
          if (!firm_id.empty() && firm_id != caller->organisation_id) {
            return absl::PermissionDeniedError(
                "firm_id: a FIRM sees its own benchmark only; other firms appear only "
                "anonymised in the cluster figures");
          }
          firm_id = caller->organisation_id;
        }
        if (firm_id.empty()) return absl::InvalidArgumentError("firm_id: required");
        absl::StatusOr<v1::Organisation> firm = storage::RequireOrganisation(store, firm_id);
        if (!firm.ok()) return firm.status();
        absl::StatusOr<CriterionCells> loaded =
            LoadCriterionWindow(store, *caller, request->standard_id(), request->standard_version(),
                                request->from_month(), request->to_month());
        if (!loaded.ok()) return loaded.status();
        const v1::StandardVersion* version = &loaded->version;
        const domain::MonthWindow* window = &loaded->window;
        const auto* cells = &loaded->cells;

        // criterion -> firm -> its cells over the window.
        std::map<std::string, std::map<std::string, internal::CriterionCell>> by_firm;
        std::map<std::string, domain::Series> series;
        for (const auto& [key, cell] : *cells) {
          if (!InWindow(key.month, *window) || cell.evaluated() == 0) continue;
          domain::AddCell(cell, 1, by_firm[key.criterion_id][key.firm_id]);
          series[key.criterion_id][key.month][""].insert(key.firm_id);
        }
        const bool published = ViewOf(*caller) == domain::StatsView::kPublished;
        response->set_firm_id(firm_id);
        response->set_standard_id(request->standard_id());
        response->set_standard_version(request->standard_version());
        SetWindow(*window, response->mutable_from_month(), response->mutable_to_month());
        for (const v1::Criterion* criterion : domain::CriteriaOf(*version)) {
          v1::BenchmarkRow* row = response->add_rows();
          row->set_criterion_id(criterion->id());
          row->set_name(criterion->name());
          row->set_kind(v1::Criterion::Kind_Name(criterion->kind()));
          row->set_unit(criterion->unit());
          row->set_higher_is_better(criterion->kind() == v1::Criterion::BOOLEAN ||
                                    domain::HigherIsBetter(*criterion));
          const bool numeric = criterion->kind() == v1::Criterion::NUMERIC;
          // A firm's value: its median measurement, or its pass rate in percent.
          const auto value_of = [numeric](const internal::CriterionCell& cell) {
            return numeric ? domain::Quantile(cell.values(), 0.5)
                           : 100.0 * Rate(cell.passed(), cell.evaluated());
          };
          std::vector<double> values;
          int64_t evaluated = 0, failed = 0;
          const auto& firms = by_firm[criterion->id()];
          for (const auto& [id, cell] : firms) {
            evaluated += cell.evaluated();
            failed += cell.failed();
            if (numeric && cell.values().empty()) continue;
            values.push_back(value_of(cell));
          }
          auto own = firms.find(firm_id);
          if (own != firms.end()) {
            row->set_firm_inspections(own->second.evaluated());
            row->set_firm_fail_rate(Rate(own->second.failed(), own->second.evaluated()));
            if (!numeric || !own->second.values().empty()) {
              row->set_firm_value(value_of(own->second));
            }
          }
          if (static_cast<int>(firms.size()) < domain::kMinFirmsPerCell || values.empty() ||
              (published && !domain::MayPublish(series[criterion->id()], *window))) {
            row->set_suppressed(true);
            // How many firms a withheld cell holds is withheld too from published figures.
            if (!published) row->set_cluster_firms(static_cast<int>(firms.size()));
            continue;
          }
          row->set_cluster_firms(static_cast<int>(firms.size()));
          row->set_cluster_p10(domain::Quantile(values, 0.10));
          row->set_cluster_p50(domain::Quantile(values, 0.50));
          row->set_cluster_p90(domain::Quantile(values, 0.90));
          row->set_cluster_fail_rate(Rate(failed, evaluated));
          if (own != firms.end()) {
            row->set_firm_percentile(domain::PercentileRank(values, row->firm_value()));
          }
        }
        return absl::OkStatus();
      });
}

grpc::Status StatsService::ComplianceOverview(grpc::ServerContext* context,
                                              const v1::ComplianceOverviewRequest* request,
                                              v1::ComplianceOverviewResponse* response) {
  return Serve(
      registry_, context, Method("ComplianceOverview"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        const storage::Store& store = *registry_.store;
        if (request->norm_id().empty()) return absl::InvalidArgumentError("norm_id: required");
        absl::StatusOr<v1::Norm> norm = storage::RequireNorm(store, request->norm_id());
        if (!norm.ok()) return norm.status();
        const domain::StatsView view = ViewOf(*caller);
        if (view == domain::StatsView::kPublished && domain::IsSet(request->as_of())) {
          // Published figures are as the records stood at each month's end, never at an
          // instant of the caller's choosing (two instants a day apart isolate one site).
          return absl::InvalidArgumentError(
              "as_of: published statistics stand at each closed month's end; as_of is for "
              "ADMIN and REGULATOR");
        }
        if (absl::Status status = ResolveRequiredStages(store, *norm); !status.ok()) return status;
        const absl::Time now =
            domain::IsSet(request->as_of()) ? domain::FromProto(request->as_of()) : absl::Now();
        absl::StatusOr<domain::MonthWindow> window =
            WindowFor(view, request->from_month(), request->to_month(), now);
        if (!window.ok()) return window.status();
        // The points in time: the end of each month of the window (as_of for its month),
        // while the norm was in force.
        std::vector<std::pair<domain::Month, absl::Time>> points;
        for (domain::Month month = window->from; month <= window->to; ++month) {
          const absl::Time at = std::min(domain::EndOfMonth(month) - absl::Nanoseconds(1), now);
          if (at < domain::EndOfMonth(month - 1)) break;  // a month still to come
          if (domain::NormStatusAt(*norm, at) != v1::Norm::IN_FORCE) continue;
          points.emplace_back(month, at);
        }
        // (month, region) -> counts, the firms whose sites they count, and the
        // non-compliant ones by deciding stage.
        std::map<std::pair<domain::Month, std::string>, v1::ComplianceOverviewRow> rows;
        std::map<std::pair<domain::Month, std::string>, std::set<std::string>> firms;
        std::map<std::pair<domain::Month, std::string>, std::map<std::string, int32_t>>
            deciding_stages;
        absl::Status inner;
        absl::Status scan = storage::VisitSites(store, "", [&](absl::string_view, v1::Site&& site) {
          if (!domain::NormCovers(*norm, site)) return true;
          absl::StatusOr<SiteRecords> records = LoadSiteRecords(store, site.id());
          if (!records.ok()) {
            inner = records.status();
            return false;
          }
          for (const auto& [month, at] : points) {
            if (domain::FromProto(site.create_time()) > at) continue;
            v1::ComplianceOverviewRow& row = rows[{month, site.region()}];
            row.set_sites(row.sites() + 1);
            firms[{month, site.region()}].insert(site.firm_id());
            const v1::ComplianceVerdict verdict = domain::EvaluateCompliance(
                *norm, site, records->inspections, records->accreditations, at);
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
              ++deciding_stages[{month, site.region()}][verdict.deciding_stage()];
            }
          }
          return true;
        });
        if (!scan.ok()) return scan;
        if (!inner.ok()) return inner;
        *response->mutable_norm() = *norm;
        response->mutable_norm()->set_status(domain::NormStatusAt(*norm, absl::Now()));
        for (auto& [key, row] : rows) {
          row.set_month(domain::FormatMonth(key.first));
          row.set_region(key.second);
          // Five sites of one firm would describe that firm: published cells count at
          // least kMinFirmsPerCell sites of as many firms.
          const bool small = row.sites() < domain::kMinFirmsPerCell ||
                             static_cast<int>(firms[key].size()) < domain::kMinFirmsPerCell;
          if (small && view == domain::StatsView::kPublished) {
            row.set_suppressed(true);
            row.set_sites(0);
            row.set_compliant(0);
            row.set_non_compliant(0);
            row.set_not_inspected(0);
          } else {
            for (const auto& [stage, sites] : deciding_stages[key]) {
              v1::StageCount* count = row.add_non_compliant_by_stage();
              count->set_stage_id(stage);
              count->set_sites(sites);
            }
          }
          *response->add_rows() = std::move(row);
        }
        return absl::OkStatus();
      });
}

grpc::Status StatsService::VerifyAggregates(grpc::ServerContext* context,
                                            const v1::VerifyAggregatesRequest* request,
                                            v1::VerifyAggregatesResponse* response) {
  return Serve(registry_, context, Method("VerifyAggregates"), *request,
               [&](const domain::Principal*) -> absl::Status {
                 const storage::Store& store = *registry_.store;
                 // A consistent view: no change commits while the comparison reads.
                 return registry_.ledger->Read([&]() -> absl::Status {
                   absl::StatusOr<std::vector<v1::Inspection>> inspections = AllInspections(store);
                   if (!inspections.ok()) return inspections.status();
                   absl::StatusOr<domain::Aggregates> stored = storage::LoadAggregates(store);
                   if (!stored.ok()) return stored.status();
                   const domain::Aggregates recomputed = domain::Recompute(*inspections);
                   response->set_inspections(static_cast<int64_t>(inspections->size()));
                   Compare(stored->certifiers, recomputed.certifiers, *response);
                   Compare(stored->criteria, recomputed.criteria, *response);
                   return absl::OkStatus();
                 });
               });
}

}  // namespace sello::service

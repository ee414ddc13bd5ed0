#include "daemon/service/stats_service.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "daemon/domain/compliance.h"
#include "daemon/domain/statistics.h"
#include "daemon/domain/time_convert.h"
#include "daemon/server/json_logger.h"
#include "daemon/service/compliance_ops.h"
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

// What the certifier statistics read: the window, and the standard's certifier cells as
// `view` counts them.
struct CertifierCells {
  domain::MonthWindow window;
  std::map<domain::CertifierCellKey, internal::CertifierCell> cells;
};

absl::StatusOr<CertifierCells> LoadCertifierWindow(const storage::Store& store,
                                                   domain::StatsView view,
                                                   const v1::CertifierStatsRequest& request) {
  if (request.standard_id().empty()) return absl::InvalidArgumentError("standard_id: required");
  absl::StatusOr<v1::Standard> standard =
      storage::RequireStandardRecord(store, request.standard_id());
  if (!standard.ok()) return standard.status();
  absl::StatusOr<domain::MonthWindow> window =
      WindowFor(view, request.from_month(), request.to_month(), absl::Now());
  if (!window.ok()) return window.status();
  auto stored = storage::LoadCertifierCells(store, request.standard_id());
  if (!stored.ok()) return stored.status();
  return CertifierCells{*window, domain::FoldRecordings(*stored, view)};
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

// Names the certifier of each row that still exists.
absl::Status NameCertifiers(const storage::Store& store,
                            google::protobuf::RepeatedPtrField<v1::CertifierRow>& rows) {
  for (v1::CertifierRow& row : rows) {
    absl::StatusOr<std::optional<v1::Organisation>> certifier =
        storage::FindOrganisation(store, row.certifier_id());
    if (!certifier.ok()) return certifier.status();
    if (certifier->has_value()) row.set_certifier_name((*certifier)->name());
  }
  return absl::OkStatus();
}

// The firm a benchmark is of: a FIRM's own (it may not ask for another's), else the one
// named, which must exist.
absl::StatusOr<std::string> BenchmarkedFirm(const storage::Store& store,
                                            const domain::Principal& caller,
                                            const std::string& named) {
  std::string firm_id = named;
  if (caller.role == v1::FIRM) {
    if (!firm_id.empty() && firm_id != caller.organisation_id) {
      return absl::PermissionDeniedError(
          "firm_id: a FIRM sees its own benchmark only; other firms appear only "
          "anonymised in the cluster figures");
    }
    firm_id = caller.organisation_id;
  }
  if (firm_id.empty()) return absl::InvalidArgumentError("firm_id: required");
  absl::StatusOr<v1::Organisation> firm = storage::RequireOrganisation(store, firm_id);
  if (!firm.ok()) return firm.status();
  return firm_id;
}

// The norm a compliance overview is of, its required stages resolved. Published figures
// are as the records stood at each month's end, never at an instant of the caller's
// choosing (two instants a day apart isolate one site): as_of is refused for them.
absl::StatusOr<v1::Norm> OverviewNorm(const storage::Store& store, domain::StatsView view,
                                      const v1::ComplianceOverviewRequest& request) {
  if (request.norm_id().empty()) return absl::InvalidArgumentError("norm_id: required");
  absl::StatusOr<v1::Norm> norm = storage::RequireNorm(store, request.norm_id());
  if (!norm.ok()) return norm.status();
  if (view == domain::StatsView::kPublished && domain::IsSet(request.as_of())) {
    return absl::InvalidArgumentError(
        "as_of: published statistics stand at each closed month's end; as_of is for "
        "ADMIN and REGULATOR");
  }
  if (absl::Status status = ResolveRequiredStages(store, *norm); !status.ok()) return status;
  return norm;
}

// Every site `norm` covers, judged at each of `points` (those it existed by) and counted.
absl::StatusOr<std::vector<v1::ComplianceOverviewRow>> TallyCompliance(
    const storage::Store& store, const v1::Norm& norm,
    const std::vector<std::pair<domain::Month, absl::Time>>& points, domain::StatsView view) {
  domain::ComplianceTally tally;
  absl::Status inner;
  absl::Status scan = storage::VisitSites(store, "", [&](absl::string_view, v1::Site&& site) {
    if (!domain::NormCovers(norm, site)) return true;
    absl::StatusOr<SiteRecords> records = LoadSiteRecords(store, site.id());
    if (!records.ok()) {
      inner = records.status();
      return false;
    }
    for (const auto& [month, at] : points) {
      if (domain::FromProto(site.create_time()) > at) continue;
      tally.Count(month, site,
                  domain::EvaluateCompliance(norm, site, records->inspections,
                                             records->accreditations, at));
    }
    return true;
  });
  if (!scan.ok()) return scan;
  if (!inner.ok()) return inner;
  return tally.Rows(view);
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
        const domain::StatsView view = ViewOf(*caller);
        absl::StatusOr<CertifierCells> loaded = LoadCertifierWindow(store, view, *request);
        if (!loaded.ok()) return loaded.status();
        response->set_standard_id(request->standard_id());
        SetWindow(loaded->window, response->mutable_from_month(), response->mutable_to_month());
        response->set_method(domain::OutlierMethod());
        for (v1::CertifierRow& row : domain::CertifierRows(loaded->cells, loaded->window, view)) {
          if (!request->certifier_id().empty() && row.certifier_id() != request->certifier_id()) {
            continue;
          }
          *response->add_rows() = std::move(row);
        }
        return NameCertifiers(store, *response->mutable_rows());
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
                 response->set_standard_id(request->standard_id());
                 response->set_standard_version(request->standard_version());
                 SetWindow(loaded->window, response->mutable_from_month(),
                           response->mutable_to_month());
                 for (v1::CriterionRow& row : domain::CriterionRows(
                          loaded->version, loaded->cells, loaded->window, ViewOf(*caller))) {
                   *response->add_rows() = std::move(row);
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
        absl::StatusOr<std::string> firm_id = BenchmarkedFirm(store, *caller, request->firm_id());
        if (!firm_id.ok()) return firm_id.status();
        absl::StatusOr<CriterionCells> loaded =
            LoadCriterionWindow(store, *caller, request->standard_id(), request->standard_version(),
                                request->from_month(), request->to_month());
        if (!loaded.ok()) return loaded.status();
        response->set_firm_id(*firm_id);
        response->set_standard_id(request->standard_id());
        response->set_standard_version(request->standard_version());
        SetWindow(loaded->window, response->mutable_from_month(), response->mutable_to_month());
        for (v1::BenchmarkRow& row : domain::BenchmarkRows(
                 loaded->version, loaded->cells, loaded->window, ViewOf(*caller), *firm_id)) {
          *response->add_rows() = std::move(row);
        }
        return absl::OkStatus();
      });
}

grpc::Status StatsService::ComplianceOverview(grpc::ServerContext* context,
                                              const v1::ComplianceOverviewRequest* request,
                                              v1::ComplianceOverviewResponse* response) {
  return Serve(registry_, context, Method("ComplianceOverview"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 const storage::Store& store = *registry_.store;
                 const domain::StatsView view = ViewOf(*caller);
                 absl::StatusOr<v1::Norm> norm = OverviewNorm(store, view, *request);
                 if (!norm.ok()) return norm.status();
                 const absl::Time now = domain::IsSet(request->as_of())
                                            ? domain::FromProto(request->as_of())
                                            : absl::Now();
                 absl::StatusOr<domain::MonthWindow> window =
                     WindowFor(view, request->from_month(), request->to_month(), now);
                 if (!window.ok()) return window.status();
                 absl::StatusOr<std::vector<v1::ComplianceOverviewRow>> rows = TallyCompliance(
                     store, *norm, domain::OverviewPoints(*norm, *window, now), view);
                 if (!rows.ok()) return rows.status();
                 *response->mutable_norm() = *norm;
                 response->mutable_norm()->set_status(domain::NormStatusAt(*norm, absl::Now()));
                 for (v1::ComplianceOverviewRow& row : *rows)
                   *response->add_rows() = std::move(row);
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
                   absl::StatusOr<std::vector<v1::Inspection>> inspections =
                       storage::AllInspections(store);
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

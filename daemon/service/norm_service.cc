#include "daemon/service/norm_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "daemon/domain/compliance.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/domain/standard_lifecycle.h"
#include "daemon/domain/time_convert.h"
#include "daemon/domain/visibility.h"
#include "daemon/domain/withdrawal_rules.h"
#include "daemon/service/apply_tx.h"
#include "daemon/service/compliance_ops.h"
#include "storage/keys.h"
#include "storage/loaders.h"
#include "storage/records.h"

namespace sello::service {
namespace {

std::string Method(absl::string_view name) {
  return MethodName(v1::NormService::service_full_name(), name);
}

std::string Subject(absl::string_view id) { return domain::Subject(domain::kNormRecord, id); }

// The norm as served: its status computed for now.
v1::Norm Present(v1::Norm norm) {
  norm.set_status(domain::NormStatusAt(norm, absl::Now()));
  return norm;
}

// What a verdict says about the norm itself (a withdrawn version), beside the site.
void AddNotice(const v1::Norm& norm, absl::Time at, v1::ComplianceVerdict& verdict) {
  verdict.set_norm_notice(domain::WithdrawnStandardNotice(norm, at));
}

absl::Time AsOf(const google::protobuf::Timestamp& as_of) {
  return domain::IsSet(as_of) ? domain::FromProto(as_of) : absl::Now();
}

// Adopts `wanted` as `caller`'s norm: the version it names must exist and admit it.
absl::StatusOr<v1::Norm> AdoptNormTx(storage::Transaction& tx, const v1::Norm& wanted,
                                     const domain::Principal& caller) {
  // The version named must exist, so it must be named first.
  if (wanted.standard_id().empty()) {
    return absl::InvalidArgumentError("norm.standard_id: required");
  }
  if (wanted.standard_version() == 0) {
    return absl::InvalidArgumentError("norm.standard_version: required");
  }
  absl::StatusOr<std::optional<v1::StandardVersion>> version =
      storage::FindStandardVersion(tx.store(), wanted.standard_id(), wanted.standard_version());
  if (!version.ok()) return version.status();
  if (!version->has_value()) {
    return absl::NotFoundError(absl::StrCat(
        "norm.standard_version: ",
        domain::VersionRef(wanted.standard_id(), wanted.standard_version()), " not found"));
  }
  if (absl::Status status = domain::ValidateNewNorm(wanted, **version); !status.ok()) {
    return status;
  }
  v1::Norm norm = wanted;
  // Every stage of the version unless the regulator named some: the record says which.
  domain::ResolveRequiredStages(norm, **version);
  norm.set_id(domain::NewId("norm"));
  norm.set_regulator_id(caller.organisation_id);
  norm.set_status(v1::Norm::ADOPTED);
  norm.clear_repeal_time();
  norm.clear_repeal_reason();
  *norm.mutable_create_time() = domain::ToProto(tx.now());
  storage::PutNorm(tx.writes(), norm);
  tx.Record("norm.adopted", Subject(norm.id()), norm, caller.organisation_id);
  return Present(std::move(norm));
}

// Repeals the norm `request` names, which only its regulator may do, and only once.
absl::StatusOr<v1::Norm> RepealNormTx(storage::Transaction& tx,
                                      const v1::RepealNormRequest& request,
                                      const domain::Principal& caller) {
  absl::StatusOr<v1::Norm> norm = storage::RequireNorm(tx.store(), request.norm_id());
  if (!norm.ok()) return norm.status();
  if (norm->regulator_id() != caller.organisation_id) {
    return absl::PermissionDeniedError(absl::StrCat(
        "norm ", norm->id(), " was adopted by ", norm->regulator_id(), "; only it may repeal it"));
  }
  if (norm->status() == v1::Norm::REPEALED) {
    return absl::FailedPreconditionError(absl::StrCat("norm ", norm->id(), " is already REPEALED"));
  }
  norm->set_status(v1::Norm::REPEALED);
  *norm->mutable_repeal_time() = domain::ToProto(tx.now());
  norm->set_repeal_reason(request.reason());
  storage::PutNorm(tx.writes(), *norm);
  tx.Record("norm.repealed", Subject(norm->id()), *norm, caller.organisation_id);
  return Present(*std::move(norm));
}

// What CheckCompliance reads and answers: the verdict of every norm in force at `at` that
// covers the site, shown as `caller` may see it.
absl::Status CheckSiteCompliance(const storage::Store& store, const domain::Principal* caller,
                                 const v1::CheckComplianceRequest& request,
                                 v1::CheckComplianceResponse& response) {
  const absl::Time at = AsOf(request.as_of());
  absl::StatusOr<v1::Site> site = storage::RequireSite(store, request.site_id());
  if (!site.ok()) return site.status();
  absl::StatusOr<std::vector<v1::Norm>> norms = storage::AllNorms(store);
  if (!norms.ok()) return norms.status();
  absl::StatusOr<SiteRecords> records = LoadSiteRecords(store, site->id());
  if (!records.ok()) return records.status();
  response.set_site_id(site->id());
  *response.mutable_as_of() = domain::ToProto(at);
  // Why a site does not comply is for its firm, its certifiers, regulators and the
  // association; anyone else learns whether it does.
  const domain::CertificationView view =
      domain::ViewOfCertification(caller, site->firm_id(), CertifiersOf(*records));
  for (v1::Norm& norm : *norms) {
    if (domain::NormStatusAt(norm, at) != v1::Norm::IN_FORCE) continue;
    if (!domain::NormCovers(norm, *site)) continue;
    if (absl::Status status = ResolveRequiredStages(store, norm); !status.ok()) return status;
    v1::ComplianceVerdict* verdict = response.add_verdicts();
    *verdict =
        domain::EvaluateCompliance(norm, *site, records->inspections, records->accreditations, at);
    domain::ShowComplianceVerdict(view, *verdict);
    AddNotice(norm, at, *verdict);
  }
  return absl::OkStatus();
}

// One report entry: the site, its firm's membership at `at` and the norm's verdict on it.
absl::Status AddReportEntry(const storage::Store& store, const v1::Norm& norm, const v1::Site& site,
                            absl::Time at, v1::ComplianceReportResponse& response) {
  absl::StatusOr<SiteRecords> records = LoadSiteRecords(store, site.id());
  if (!records.ok()) return records.status();
  absl::StatusOr<v1::Organisation> firm = storage::RequireOrganisation(store, site.firm_id());
  if (!firm.ok()) return firm.status();
  v1::ComplianceReportEntry* entry = response.add_entries();
  entry->set_site_id(site.id());
  entry->set_site_name(site.name());
  entry->set_firm_id(site.firm_id());
  entry->set_region(site.region());
  entry->set_member(domain::IsMemberAt(*firm, at));
  *entry->mutable_verdict() =
      domain::EvaluateCompliance(norm, site, records->inspections, records->accreditations, at);
  AddNotice(norm, at, *entry->mutable_verdict());
  return absl::OkStatus();
}

// What ComplianceReport reads and answers: one page of the sites, in id order, with the
// norm's verdict on each that it covers.
absl::Status ReportCompliance(const storage::Store& store,
                              const v1::ComplianceReportRequest& request, int page_size,
                              v1::ComplianceReportResponse& response) {
  const absl::Time at = AsOf(request.as_of());
  absl::StatusOr<v1::Norm> norm = storage::RequireNorm(store, request.norm_id());
  if (!norm.ok()) return norm.status();
  if (absl::Status status = ResolveRequiredStages(store, *norm); !status.ok()) {
    return status;
  }
  response.set_norm_id(norm->id());
  *response.mutable_as_of() = domain::ToProto(at);
  // Every site, in id order; those outside the scope are skipped.
  absl::StatusOr<std::string> next = storage::ListSitesPage(
      store, "", request.page_token(), page_size, [&](v1::Site&& site) -> absl::StatusOr<bool> {
        if (!domain::NormCovers(*norm, site)) return false;
        if (absl::Status status = AddReportEntry(store, *norm, site, at, response); !status.ok()) {
          return status;
        }
        return true;
      });
  if (!next.ok()) return next.status();
  response.set_next_page_token(*next);
  return absl::OkStatus();
}

}  // namespace

grpc::Status NormService::AdoptNorm(grpc::ServerContext* context,
                                    const v1::AdoptNormRequest* request, v1::Norm* response) {
  return Serve(registry_, context, Method("AdoptNorm"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 return ApplyTx(*registry_.ledger, *caller, response,
                                [&](storage::Transaction& tx) {
                                  return AdoptNormTx(tx, request->norm(), *caller);
                                });
               });
}

grpc::Status NormService::RepealNorm(grpc::ServerContext* context,
                                     const v1::RepealNormRequest* request, v1::Norm* response) {
  return Serve(registry_, context, Method("RepealNorm"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (request->norm_id().empty())
                   return absl::InvalidArgumentError("norm_id: required");
                 if (request->reason().empty() || request->reason().size() > 1000) {
                   return absl::InvalidArgumentError("reason: required, at most 1000 characters");
                 }
                 return ApplyTx(
                     *registry_.ledger, *caller, response,
                     [&](storage::Transaction& tx) { return RepealNormTx(tx, *request, *caller); });
               });
}

grpc::Status NormService::GetNorm(grpc::ServerContext* context, const v1::GetNormRequest* request,
                                  v1::Norm* response) {
  return Serve(registry_, context, Method("GetNorm"), *request, [&](const domain::Principal*) {
    if (request->norm_id().empty()) return absl::InvalidArgumentError("norm_id: required");
    absl::StatusOr<v1::Norm> norm = storage::RequireNorm(*registry_.store, request->norm_id());
    if (!norm.ok()) return norm.status();
    *response = Present(*std::move(norm));
    return absl::OkStatus();
  });
}

grpc::Status NormService::ListNorms(grpc::ServerContext* context,
                                    const v1::ListNormsRequest* request,
                                    v1::ListNormsResponse* response) {
  return Serve(registry_, context, Method("ListNorms"), *request,
               [&](const domain::Principal*) -> absl::Status {
                 absl::StatusOr<int> page_size = domain::NormalisePageSize(
                     request->page_size(), registry_.limits.max_page_size);
                 if (!page_size.ok()) return page_size.status();
                 absl::StatusOr<std::string> next =
                     storage::ListNormsPage(*registry_.store, request->page_token(), *page_size,
                                            [&](v1::Norm&& norm) -> absl::StatusOr<bool> {
                                              *response->add_norms() = Present(std::move(norm));
                                              return true;
                                            });
                 if (!next.ok()) return next.status();
                 response->set_next_page_token(*next);
                 return absl::OkStatus();
               });
}

grpc::Status NormService::CheckCompliance(grpc::ServerContext* context,
                                          const v1::CheckComplianceRequest* request,
                                          v1::CheckComplianceResponse* response) {
  return Serve(registry_, context, Method("CheckCompliance"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (request->site_id().empty())
                   return absl::InvalidArgumentError("site_id: required");
                 return CheckSiteCompliance(*registry_.store, caller, *request, *response);
               });
}

grpc::Status NormService::ComplianceReport(grpc::ServerContext* context,
                                           const v1::ComplianceReportRequest* request,
                                           v1::ComplianceReportResponse* response) {
  return Serve(registry_, context, Method("ComplianceReport"), *request,
               [&](const domain::Principal*) -> absl::Status {
                 if (request->norm_id().empty())
                   return absl::InvalidArgumentError("norm_id: required");
                 if (request->page_size() < 0)
                   return absl::InvalidArgumentError("page_size: negative");
                 const int page_size =
                     request->page_size() == 0 ? 100 : std::min(request->page_size(), 1000);
                 return ReportCompliance(*registry_.store, *request, page_size, *response);
               });
}

}  // namespace sello::service

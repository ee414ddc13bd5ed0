#include "daemon/service/inspection_service.h"

#include <map>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "daemon/domain/appeal_rules.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/inspection_rules.h"
#include "daemon/domain/lot_certification.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/domain/site_certification.h"
#include "daemon/domain/standard_lifecycle.h"
#include "daemon/domain/time_convert.h"
#include "daemon/domain/visibility.h"
#include "daemon/service/accreditation_service.h"
#include "daemon/service/apply_tx.h"
#include "daemon/service/certification_ops.h"
#include "daemon/service/inspection_tx.h"
#include "storage/keys.h"
#include "storage/loaders.h"
#include "storage/records.h"

namespace sello::service {
namespace {

std::string Method(absl::string_view name) {
  return MethodName(v1::InspectionService::service_full_name(), name);
}

absl::Status CheckLotVisible(const domain::Principal& caller, const v1::Lot& lot) {
  if (!domain::CanReadLot(lot, caller)) {
    return absl::PermissionDeniedError(absl::StrCat("lot ", lot.id(), " belongs to another firm"));
  }
  return absl::OkStatus();
}

// The lot's certification per standard, computed now from all its inspections, as
// much of it as `caller` may see (domain::ViewOfCertification: the lot's firm and
// certifiers, ADMIN and REGULATOR see all; another certifier what is certified).
absl::Status AddLotCertifications(const storage::Store& store, const domain::Principal& caller,
                                  v1::Lot& lot) {
  absl::StatusOr<std::vector<v1::Inspection>> inspections =
      storage::InspectionsOfLot(store, lot.id());
  if (!inspections.ok()) return inspections.status();
  absl::StatusOr<std::vector<v1::Certification>> certifications = CertifyLot(store, *inspections);
  if (!certifications.ok()) return certifications.status();
  std::set<std::string> certifiers;
  for (const v1::Inspection& inspection : *inspections) {
    certifiers.insert(inspection.certifier_id());
  }
  const domain::CertificationView view =
      domain::ViewOfCertification(&caller, lot.firm_id(), certifiers);
  for (v1::Certification& certification : *certifications) {
    if (domain::ShowCertification(view, certification)) {
      *lot.add_certifications() = std::move(certification);
    }
  }
  return absl::OkStatus();
}

// The index and parent a listing of inspections reads.
struct InspectionListing {
  storage::InspectionsBy by = storage::InspectionsBy::kDate;
  std::string parent;  // empty for kDate
};

absl::StatusOr<InspectionListing> ChooseListing(const v1::ListInspectionsRequest& request,
                                                const domain::Principal& caller) {
  const std::pair<storage::InspectionsBy, const std::string*> filters[] = {
      {storage::InspectionsBy::kLot, &request.lot_id()},
      {storage::InspectionsBy::kSite, &request.site_id()},
      {storage::InspectionsBy::kFirm, &request.firm_id()},
      {storage::InspectionsBy::kCertifier, &request.certifier_id()},
      {storage::InspectionsBy::kStandard, &request.standard_id()},
  };
  for (const auto& [by, value] : filters) {
    if (!value->empty()) return InspectionListing{by, *value};
  }
  // No filter: a firm or certifier lists its own, the others everything.
  if (caller.role == v1::FIRM) {
    return InspectionListing{storage::InspectionsBy::kFirm, caller.organisation_id};
  }
  if (caller.role == v1::CERTIFIER) {
    return InspectionListing{storage::InspectionsBy::kCertifier, caller.organisation_id};
  }
  return InspectionListing{};
}

// Whether a listing of inspections shows `inspection` its index yielded: within the
// request's dates and standard, and readable by `caller`.
bool ListsInspection(const v1::ListInspectionsRequest& request, const domain::Principal& caller,
                     const v1::Inspection& inspection) {
  const absl::Time date = domain::FromProto(inspection.inspection_date());
  if (domain::IsSet(request.from_time()) && date < domain::FromProto(request.from_time())) {
    return false;
  }
  if (domain::IsSet(request.to_time()) && date >= domain::FromProto(request.to_time())) {
    return false;
  }
  if (!request.standard_id().empty() && inspection.standard_id() != request.standard_id()) {
    return false;
  }
  return domain::CanReadInspection(inspection, caller);
}

}  // namespace

grpc::Status InspectionService::CreateLot(grpc::ServerContext* context,
                                          const v1::CreateLotRequest* request, v1::Lot* response) {
  return Serve(registry_, context, Method("CreateLot"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 return ApplyTx(
                     *registry_.ledger, *caller, response,
                     [&](storage::Transaction& tx) { return CreateLotTx(tx, request->lot()); });
               });
}

grpc::Status InspectionService::GetLot(grpc::ServerContext* context,
                                       const v1::GetLotRequest* request, v1::Lot* response) {
  return Serve(registry_, context, Method("GetLot"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (request->lot_id().empty())
                   return absl::InvalidArgumentError("lot_id: required");
                 absl::StatusOr<v1::Lot> lot =
                     storage::RequireLot(*registry_.store, request->lot_id());
                 if (!lot.ok()) return lot.status();
                 if (absl::Status status = CheckLotVisible(*caller, *lot); !status.ok())
                   return status;
                 *response = *std::move(lot);
                 return AddLotCertifications(*registry_.store, *caller, *response);
               });
}

grpc::Status InspectionService::ListLots(grpc::ServerContext* context,
                                         const v1::ListLotsRequest* request,
                                         v1::ListLotsResponse* response) {
  return Serve(registry_, context, Method("ListLots"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 absl::StatusOr<int> page_size = domain::NormalisePageSize(
                     request->page_size(), registry_.limits.max_page_size);
                 if (!page_size.ok()) return page_size.status();
                 std::string firm_id = request->firm_id();
                 if (caller->role == v1::FIRM) {
                   if (!firm_id.empty() && firm_id != caller->organisation_id) {
                     return absl::PermissionDeniedError("firm_id: a FIRM lists only its own lots");
                   }
                   firm_id = caller->organisation_id;
                 }
                 absl::StatusOr<std::string> next = storage::ListLotsPage(
                     *registry_.store, request->site_id(), firm_id, request->page_token(),
                     *page_size, [&](v1::Lot&& lot) -> absl::StatusOr<bool> {
                       if (!CheckLotVisible(*caller, lot).ok()) return false;
                       *response->add_lots() = std::move(lot);
                       return true;
                     });
                 if (!next.ok()) return next.status();
                 response->set_next_page_token(*next);
                 return absl::OkStatus();
               });
}

void InspectionService::Submit(const domain::Principal& caller, const v1::Inspection& submitted,
                               const v1::CorrectInspectionRequest* correction,
                               v1::Inspection* response, storage::Ledger::Done done) {
  registry_.ledger->ApplyAsync(
      caller,
      [&](storage::Transaction& tx) -> absl::Status {
        absl::StatusOr<v1::Inspection> stored = SubmitInspectionTx(tx, submitted, correction);
        if (!stored.ok()) return stored.status();
        *response = *std::move(stored);
        return absl::OkStatus();
      },
      std::move(done));
}

grpc::ServerUnaryReactor* InspectionService::SubmitInspection(
    grpc::CallbackServerContext* context, const v1::SubmitInspectionRequest* request,
    v1::Inspection* response) {
  return ServeWrite(registry_, context, Method("SubmitInspection"), *request,
                    [&](const domain::Principal* caller,
                        storage::Ledger::Done& done) -> std::optional<absl::Status> {
                      Submit(*caller, request->inspection(), nullptr, response, std::move(done));
                      return std::nullopt;
                    });
}

grpc::ServerUnaryReactor* InspectionService::CorrectInspection(
    grpc::CallbackServerContext* context, const v1::CorrectInspectionRequest* request,
    v1::Inspection* response) {
  return ServeWrite(registry_, context, Method("CorrectInspection"), *request,
                    [&](const domain::Principal* caller,
                        storage::Ledger::Done& done) -> std::optional<absl::Status> {
                      if (request->inspection_id().empty()) {
                        return absl::InvalidArgumentError("inspection_id: required");
                      }
                      Submit(*caller, request->inspection(), request, response, std::move(done));
                      return std::nullopt;
                    });
}

grpc::Status InspectionService::GetInspection(grpc::ServerContext* context,
                                              const v1::GetInspectionRequest* request,
                                              v1::Inspection* response) {
  return Serve(registry_, context, Method("GetInspection"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (request->inspection_id().empty()) {
                   return absl::InvalidArgumentError("inspection_id: required");
                 }
                 absl::StatusOr<v1::Inspection> inspection =
                     storage::RequireInspection(*registry_.store, request->inspection_id());
                 if (!inspection.ok()) return inspection.status();
                 if (!domain::CanReadInspection(*inspection, *caller)) {
                   return absl::PermissionDeniedError(
                       absl::StrCat("inspection ", inspection->id(),
                                    " is read by its firm, its certifier, ADMIN and "
                                    "REGULATOR only"));
                 }
                 *response = *std::move(inspection);
                 return absl::OkStatus();
               });
}

grpc::Status InspectionService::ListInspections(grpc::ServerContext* context,
                                                const v1::ListInspectionsRequest* request,
                                                v1::ListInspectionsResponse* response) {
  return Serve(registry_, context, Method("ListInspections"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 absl::StatusOr<int> page_size = domain::NormalisePageSize(
                     request->page_size(), registry_.limits.max_page_size);
                 if (!page_size.ok()) return page_size.status();
                 absl::StatusOr<InspectionListing> listing = ChooseListing(*request, *caller);
                 if (!listing.ok()) return listing.status();
                 std::string page_token = request->page_token();
                 if (page_token.empty() && domain::IsSet(request->from_time())) {
                   // Start at the first entry dated `from`: just before it, as a page token would.
                   page_token = storage::InspectionPageFrom(
                       listing->by, listing->parent, domain::FromProto(request->from_time()));
                 }
                 absl::StatusOr<std::string> next = storage::ListInspectionsPage(
                     *registry_.store, listing->by, listing->parent, page_token, *page_size,
                     [&](v1::Inspection&& inspection) -> absl::StatusOr<bool> {
                       if (!ListsInspection(*request, *caller, inspection)) return false;
                       *response->add_inspections() = std::move(inspection);
                       return true;
                     });
                 if (!next.ok()) return next.status();
                 response->set_next_page_token(*next);
                 return absl::OkStatus();
               });
}

grpc::Status InspectionService::GetCertificationStatus(
    grpc::ServerContext* context, const v1::GetCertificationStatusRequest* request,
    v1::GetCertificationStatusResponse* response) {
  return Serve(registry_, context, Method("GetCertificationStatus"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (request->site_id().empty())
                   return absl::InvalidArgumentError("site_id: required");
                 const storage::Store& store = *registry_.store;
                 absl::StatusOr<v1::Site> site = storage::RequireSite(store, request->site_id());
                 if (!site.ok()) return site.status();
                 response->set_site_id(site->id());
                 response->set_site_name(site->name());
                 response->set_firm_id(site->firm_id());
                 // Per standard, by the lots' stage rule over every inspection at the
                 // site; shown as the caller may see it.
                 std::set<std::string> certifiers;
                 absl::StatusOr<std::vector<v1::SiteCertification>> certifications =
                     SiteCertifications(store, site->id(), nullptr, &certifiers);
                 if (!certifications.ok()) return certifications.status();
                 const domain::CertificationView view =
                     domain::ViewOfCertification(caller, site->firm_id(), certifiers);
                 for (v1::SiteCertification& entry : *certifications) {
                   if (domain::ShowSiteCertification(view, entry)) {
                     *response->add_certifications() = std::move(entry);
                   }
                 }
                 return absl::OkStatus();
               });
}

grpc::Status InspectionService::ListCertifiedSites(grpc::ServerContext* context,
                                                   const v1::ListCertifiedSitesRequest* request,
                                                   v1::ListCertifiedSitesResponse* response) {
  return Serve(registry_, context, Method("ListCertifiedSites"), *request,
               [&](const domain::Principal*) -> absl::Status {
                 absl::StatusOr<int> page_size = domain::NormalisePageSize(
                     request->page_size(), registry_.limits.max_page_size);
                 if (!page_size.ok()) return page_size.status();
                 const domain::RegisterFilter filter{request->standard_id(), request->min_grade(),
                                                     request->region(), request->site_type()};
                 if (absl::Status status = domain::ValidateRegisterFilter(filter); !status.ok()) {
                   return status;
                 }
                 const storage::Store& store = *registry_.store;
                 if (!filter.standard_id.empty()) {
                   absl::StatusOr<bool> standard =
                       storage::StandardExists(store, filter.standard_id);
                   if (!standard.ok()) return standard.status();
                   if (!*standard) {
                     return absl::NotFoundError(
                         absl::StrCat("standard_id: no standard '", filter.standard_id, "'"));
                   }
                 }
                 absl::StatusOr<std::string> next =
                     ReadRegister(store, filter, request->page_token(), *page_size,
                                  kRegisterReadBudget, *response->mutable_sites());
                 if (!next.ok()) return next.status();
                 response->set_next_page_token(*next);
                 return absl::OkStatus();
               });
}

}  // namespace sello::service

#include "daemon/service/inspection_service.h"

#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "daemon/domain/appeal_rules.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/inspection_rules.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/domain/site_certification.h"
#include "daemon/domain/standard_lifecycle.h"
#include "daemon/domain/time_convert.h"
#include "daemon/service/accreditation_service.h"
#include "daemon/service/certification_ops.h"
#include "daemon/service/inspection_ops.h"
#include "storage/keys.h"
#include "storage/records.h"

namespace sello::service {
namespace {

using storage::Table;

std::string Method(absl::string_view name) {
  return MethodName(v1::InspectionService::service_full_name(), name);
}

absl::Status CheckLotVisible(const domain::Principal& caller, const v1::Lot& lot) {
  if (caller.role == v1::FIRM && caller.organisation_id != lot.firm_id()) {
    return absl::PermissionDeniedError(absl::StrCat("lot ", lot.id(), " belongs to another firm"));
  }
  return absl::OkStatus();
}

// The index and prefix a listing of inspections reads, and the filter it still needs.
struct InspectionListing {
  Table table = Table::kInspectionsByDate;
  std::string parent;  // empty for kInspectionsByDate
  std::string name;
};

absl::StatusOr<InspectionListing> ChooseListing(const v1::ListInspectionsRequest& request,
                                                const domain::Principal& caller) {
  const std::pair<Table, const std::string*> filters[] = {
      {Table::kInspectionsByLot, &request.lot_id()},
      {Table::kInspectionsBySite, &request.site_id()},
      {Table::kInspectionsByFirm, &request.firm_id()},
      {Table::kInspectionsByCertifier, &request.certifier_id()},
      {Table::kInspectionsByStandard, &request.standard_id()},
  };
  for (const auto& [table, value] : filters) {
    if (!value->empty()) {
      return InspectionListing{table, *value, std::string(storage::TableName(table))};
    }
  }
  // No filter: a firm or certifier lists its own, the others everything.
  if (caller.role == v1::FIRM) {
    return InspectionListing{Table::kInspectionsByFirm, caller.organisation_id,
                             "inspections_by_firm"};
  }
  if (caller.role == v1::CERTIFIER) {
    return InspectionListing{Table::kInspectionsByCertifier, caller.organisation_id,
                             "inspections_by_certifier"};
  }
  return InspectionListing{Table::kInspectionsByDate, "", "inspections_by_date"};
}

}  // namespace

grpc::Status InspectionService::CreateLot(grpc::ServerContext* context,
                                          const v1::CreateLotRequest* request, v1::Lot* response) {
  return Serve(
      registry_, context, Method("CreateLot"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        return registry_.ledger->Apply(*caller, [&](storage::Transaction& tx) -> absl::Status {
          if (absl::Status status = domain::ValidateNewLot(request->lot(), tx.now());
              !status.ok()) {
            return status;
          }
          absl::StatusOr<v1::Site> site = storage::RequireRecord<v1::Site>(
              tx.store(), Table::kSites, request->lot().site_id(), "site");
          if (!site.ok()) return site.status();
          if (caller->role == v1::FIRM && site->firm_id() != caller->organisation_id) {
            return absl::PermissionDeniedError(
                absl::StrCat("lot.site_id: site ", site->id(), " belongs to another firm"));
          }
          v1::Lot lot = request->lot();
          lot.set_id(domain::NewId("lot"));
          lot.set_firm_id(site->firm_id());
          lot.set_created_by(caller->organisation_id);
          *lot.mutable_create_time() = domain::ToProto(tx.now());
          lot.set_seals_issued(0);
          storage::PutLot(tx.writes(), lot);
          tx.Record("lot.created", domain::Subject(domain::kLotRecord, lot.id()), lot,
                    lot.firm_id(), lot.site_id());
          *response = lot;
          return absl::OkStatus();
        });
      });
}

grpc::Status InspectionService::GetLot(grpc::ServerContext* context,
                                       const v1::GetLotRequest* request, v1::Lot* response) {
  return Serve(registry_, context, Method("GetLot"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (request->lot_id().empty())
                   return absl::InvalidArgumentError("lot_id: required");
                 absl::StatusOr<v1::Lot> lot = storage::RequireRecord<v1::Lot>(
                     *registry_.store, Table::kLots, request->lot_id(), "lot");
                 if (!lot.ok()) return lot.status();
                 if (absl::Status status = CheckLotVisible(*caller, *lot); !status.ok())
                   return status;
                 *response = *std::move(lot);
                 return absl::OkStatus();
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
                 const bool by_site = !request->site_id().empty();
                 const bool by_firm = !by_site && !firm_id.empty();
                 absl::StatusOr<std::string> next = storage::ListRecords<v1::Lot>(
                     *registry_.store, Table::kLots,
                     by_site   ? std::optional(Table::kLotsBySite)
                     : by_firm ? std::optional(Table::kLotsByFirm)
                               : std::nullopt,
                     by_site   ? storage::ChildPrefix(request->site_id())
                     : by_firm ? storage::ChildPrefix(firm_id)
                               : "",
                     request->page_token(), *page_size, [&](v1::Lot&& lot) -> absl::StatusOr<bool> {
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
        // A correction: whose inspection it is comes first, before its state (an open
        // appeal) or the new content says anything.
        std::optional<v1::Inspection> earlier;
        if (correction != nullptr) {
          absl::StatusOr<v1::Inspection> loaded = storage::RequireRecord<v1::Inspection>(
              tx.store(), Table::kInspections, correction->inspection_id(), "inspection");
          if (!loaded.ok()) return loaded.status();
          if (absl::Status status = domain::CheckCorrector(*loaded, caller.organisation_id);
              !status.ok()) {
            return status;
          }
          earlier = *std::move(loaded);
        }
        absl::StatusOr<PlannedInspection> planned = PlanSubmission(tx, caller, submitted);
        if (!planned.ok()) return planned.status();
        // A retry of a request already done returns its result and writes nothing.
        if (planned->retry) {
          *response = std::move(planned->record);
          return absl::OkStatus();
        }
        if (earlier.has_value()) {
          absl::StatusOr<std::vector<v1::Appeal>> appeals =
              AppealsAgainst(tx.store(), earlier->id());
          if (!appeals.ok()) return appeals.status();
          if (absl::Status status = domain::CheckMayCorrect(*earlier, *appeals); !status.ok()) {
            return status;
          }
          if (absl::Status status =
                  domain::LinkCorrection(*earlier, planned->record, correction->reason());
              !status.ok()) {
            return status;
          }
          absl::StatusOr<uint32_t> suspended =
              StoreSuperseded(tx, *earlier, planned->record, "corrected");
          if (!suspended.ok()) return suspended.status();
        }
        if (absl::Status status = StoreInspection(
                tx, planned->record,
                correction != nullptr ? "inspection.corrected" : "inspection.submitted");
            !status.ok()) {
          return status;
        }
        *response = std::move(planned->record);
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
                 absl::StatusOr<v1::Inspection> inspection = storage::RequireRecord<v1::Inspection>(
                     *registry_.store, Table::kInspections, request->inspection_id(), "inspection");
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
                 const bool dated = listing->table != Table::kInspectionsByDate;
                 const std::string prefix = dated ? storage::ChildPrefix(listing->parent) : "";
                 const bool has_from = domain::IsSet(request->from_time());
                 const bool has_to = domain::IsSet(request->to_time());
                 const absl::Time from = domain::FromProto(request->from_time());
                 const absl::Time to = domain::FromProto(request->to_time());
                 std::string page_token = request->page_token();
                 if (page_token.empty() && has_from) {
                   // Start at the first entry dated `from`: just before it, as a page token would.
                   const std::string start = dated ? storage::DatedChildStart(listing->parent, from)
                                                   : storage::DatedChildStart("", from).substr(1);
                   page_token = storage::EncodePageToken(listing->name, start);
                 }
                 const storage::Store& store = *registry_.store;
                 absl::StatusOr<std::string> next = storage::ListPage(
                     store, listing->table, prefix, listing->name, page_token, *page_size,
                     [&](absl::string_view key, absl::string_view) -> absl::StatusOr<bool> {
                       absl::string_view id = storage::IndexedId(key);
                       absl::StatusOr<v1::Inspection> inspection =
                           storage::RequireRecord<v1::Inspection>(store, Table::kInspections, id,
                                                                  "inspection");
                       if (!inspection.ok()) return inspection.status();
                       const absl::Time date = domain::FromProto(inspection->inspection_date());
                       if ((has_from && date < from) || (has_to && date >= to)) return false;
                       if (!request->standard_id().empty() &&
                           inspection->standard_id() != request->standard_id()) {
                         return false;
                       }
                       if (!domain::CanReadInspection(*inspection, *caller)) return false;
                       *response->add_inspections() = *std::move(inspection);
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
               [&](const domain::Principal*) -> absl::Status {
                 if (request->site_id().empty())
                   return absl::InvalidArgumentError("site_id: required");
                 const storage::Store& store = *registry_.store;
                 absl::StatusOr<v1::Site> site = storage::RequireRecord<v1::Site>(
                     store, Table::kSites, request->site_id(), "site");
                 if (!site.ok()) return site.status();
                 response->set_site_id(site->id());
                 response->set_site_name(site->name());
                 response->set_firm_id(site->firm_id());
                 absl::StatusOr<std::vector<v1::SiteCertification>> certifications =
                     SiteCertifications(store, site->id());
                 if (!certifications.ok()) return certifications.status();
                 for (v1::SiteCertification& entry : *certifications)
                   *response->add_certifications() = std::move(entry);
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
                   absl::StatusOr<std::optional<std::string>> standard =
                       store.Get(Table::kStandards, filter.standard_id);
                   if (!standard.ok()) return standard.status();
                   if (!standard->has_value()) {
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

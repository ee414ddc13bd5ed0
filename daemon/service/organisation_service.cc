#include "daemon/service/organisation_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/domain/time_convert.h"
#include "storage/keys.h"
#include "storage/loaders.h"
#include "storage/records.h"

namespace sello::service {
namespace {

std::string Method(absl::string_view name) {
  return MethodName(v1::OrganisationService::service_full_name(), name);
}

// The organisation as served: `member` computed for now.
v1::Organisation Present(v1::Organisation organisation) {
  if (organisation.kind() == v1::Organisation::FIRM) {
    organisation.set_member(domain::IsMemberAt(organisation, absl::Now()));
  }
  return organisation;
}

absl::StatusOr<v1::Organisation> LoadOrganisation(const storage::Store& store,
                                                  absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError("organisation_id: required");
  return storage::RequireOrganisation(store, id);
}

// A FIRM principal reads only its own firm's sites.
absl::Status CheckSiteVisible(const domain::Principal* caller, const v1::Site& site) {
  if (caller != nullptr && caller->role == v1::FIRM && caller->organisation_id != site.firm_id()) {
    return absl::PermissionDeniedError(
        absl::StrCat("site ", site.id(), " belongs to another firm"));
  }
  return absl::OkStatus();
}

// Whether a record of some kind is stored under an id.
using IdTaken = absl::StatusOr<bool> (*)(const storage::Store&, absl::string_view);

// A new id from the caller's choice (validated) or the server's.
absl::StatusOr<std::string> ChooseId(const storage::Store& store, IdTaken taken,
                                     absl::string_view field, absl::string_view requested,
                                     absl::string_view prefix, absl::string_view what) {
  if (requested.empty()) {
    for (int attempt = 0; attempt < 8; ++attempt) {
      std::string id = domain::NewId(prefix);
      absl::StatusOr<bool> existing = taken(store, id);
      if (!existing.ok()) return existing.status();
      if (!*existing) return id;
    }
    return absl::InternalError(absl::StrCat("could not choose a free ", what, " id"));
  }
  if (absl::Status status = domain::ValidateId(field, requested); !status.ok()) return status;
  absl::StatusOr<bool> existing = taken(store, requested);
  if (!existing.ok()) return existing.status();
  if (*existing) {
    return absl::AlreadyExistsError(
        absl::StrCat(field, ": ", what, " '", requested, "' already exists"));
  }
  return std::string(requested);
}

// CreateOrganisation's change: a new organisation (a member from now when asked), its event.
absl::Status CreateOrganisationTx(storage::Transaction& tx,
                                  const v1::CreateOrganisationRequest& request,
                                  v1::Organisation* response) {
  absl::StatusOr<std::string> id =
      ChooseId(tx.store(), &storage::OrganisationExists, "organisation_id",
               request.organisation_id(), "org", "organisation");
  if (!id.ok()) return id.status();
  v1::Organisation organisation;
  organisation.set_id(*id);
  organisation.set_kind(request.organisation().kind());
  organisation.set_name(request.organisation().name());
  organisation.set_country(request.organisation().country());
  *organisation.mutable_create_time() = domain::ToProto(tx.now());
  if (request.organisation().member()) {
    if (absl::Status status = domain::ApplyMembership(organisation, true, tx.now()); !status.ok()) {
      return status;
    }
  }
  storage::PutOrganisation(tx.writes(), organisation);
  tx.Record("organisation.created", domain::Subject(domain::kOrganisationRecord, organisation.id()),
            organisation, organisation.id());
  *response = Present(organisation);
  return absl::OkStatus();
}

// CreateSite's change: a new site of an existing FIRM, its event.
absl::Status CreateSiteTx(storage::Transaction& tx, const v1::CreateSiteRequest& request,
                          v1::Site* response) {
  absl::StatusOr<std::optional<v1::Organisation>> firm =
      storage::FindOrganisation(tx.store(), request.site().firm_id());
  if (!firm.ok()) return firm.status();
  if (!firm->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("site.firm_id: organisation '", request.site().firm_id(), "' not found"));
  }
  if ((*firm)->kind() != v1::Organisation::FIRM) {
    return absl::FailedPreconditionError(
        absl::StrCat("site.firm_id: organisation '", (*firm)->id(), "' is a ",
                     v1::Organisation::Kind_Name((*firm)->kind()), ", not a FIRM"));
  }
  absl::StatusOr<std::string> id =
      ChooseId(tx.store(), &storage::SiteExists, "site_id", request.site_id(), "site", "site");
  if (!id.ok()) return id.status();
  v1::Site site = request.site();
  site.set_id(*id);
  *site.mutable_create_time() = domain::ToProto(tx.now());
  storage::PutSite(tx.writes(), site);
  tx.Record("site.created", domain::Subject(domain::kSiteRecord, site.id()), site, site.firm_id(),
            site.id());
  *response = site;
  return absl::OkStatus();
}

}  // namespace

grpc::Status OrganisationService::CreateOrganisation(grpc::ServerContext* context,
                                                     const v1::CreateOrganisationRequest* request,
                                                     v1::Organisation* response) {
  return Serve(registry_, context, Method("CreateOrganisation"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (absl::Status status = domain::ValidateNewOrganisation(request->organisation());
                     !status.ok()) {
                   return status;
                 }
                 return registry_.ledger->Apply(*caller, [&](storage::Transaction& tx) {
                   return CreateOrganisationTx(tx, *request, response);
                 });
               });
}

grpc::Status OrganisationService::GetOrganisation(grpc::ServerContext* context,
                                                  const v1::GetOrganisationRequest* request,
                                                  v1::Organisation* response) {
  return Serve(registry_, context, Method("GetOrganisation"), *request,
               [&](const domain::Principal*) -> absl::Status {
                 absl::StatusOr<v1::Organisation> organisation =
                     LoadOrganisation(*registry_.store, request->organisation_id());
                 if (!organisation.ok()) return organisation.status();
                 *response = Present(*std::move(organisation));
                 return absl::OkStatus();
               });
}

grpc::Status OrganisationService::ListOrganisations(grpc::ServerContext* context,
                                                    const v1::ListOrganisationsRequest* request,
                                                    v1::ListOrganisationsResponse* response) {
  return Serve(registry_, context, Method("ListOrganisations"), *request,
               [&](const domain::Principal*) -> absl::Status {
                 absl::StatusOr<int> page_size = domain::NormalisePageSize(
                     request->page_size(), registry_.limits.max_page_size);
                 if (!page_size.ok()) return page_size.status();
                 if (!v1::Organisation::Kind_IsValid(request->kind())) {
                   return absl::InvalidArgumentError("kind: unknown value");
                 }
                 absl::StatusOr<std::string> next = storage::ListOrganisationsPage(
                     *registry_.store, request->kind(), request->page_token(), *page_size,
                     [&](v1::Organisation&& organisation) -> absl::StatusOr<bool> {
                       *response->add_organisations() = Present(std::move(organisation));
                       return true;
                     });
                 if (!next.ok()) return next.status();
                 response->set_next_page_token(*next);
                 return absl::OkStatus();
               });
}

grpc::Status OrganisationService::SetMembership(grpc::ServerContext* context,
                                                const v1::SetMembershipRequest* request,
                                                v1::Organisation* response) {
  return Serve(
      registry_, context, Method("SetMembership"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        return registry_.ledger->Apply(*caller, [&](storage::Transaction& tx) -> absl::Status {
          absl::StatusOr<v1::Organisation> organisation =
              LoadOrganisation(tx.store(), request->organisation_id());
          if (!organisation.ok()) return organisation.status();
          const absl::Time effective = request->has_effective_time()
                                           ? domain::FromProto(request->effective_time())
                                           : tx.now();
          if (absl::Status status =
                  domain::ApplyMembership(*organisation, request->member(), effective);
              !status.ok()) {
            return status;
          }
          storage::PutOrganisation(tx.writes(), *organisation);
          tx.Record("organisation.membership_changed",
                    domain::Subject(domain::kOrganisationRecord, organisation->id()), *organisation,
                    organisation->id());
          *response = Present(*std::move(organisation));
          return absl::OkStatus();
        });
      });
}

grpc::Status OrganisationService::CreateSite(grpc::ServerContext* context,
                                             const v1::CreateSiteRequest* request,
                                             v1::Site* response) {
  return Serve(registry_, context, Method("CreateSite"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (absl::Status status = domain::ValidateNewSite(request->site()); !status.ok()) {
                   return status;
                 }
                 return registry_.ledger->Apply(*caller, [&](storage::Transaction& tx) {
                   return CreateSiteTx(tx, *request, response);
                 });
               });
}

grpc::Status OrganisationService::GetSite(grpc::ServerContext* context,
                                          const v1::GetSiteRequest* request, v1::Site* response) {
  return Serve(registry_, context, Method("GetSite"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (request->site_id().empty())
                   return absl::InvalidArgumentError("site_id: required");
                 absl::StatusOr<v1::Site> site =
                     storage::RequireSite(*registry_.store, request->site_id());
                 if (!site.ok()) return site.status();
                 if (absl::Status status = CheckSiteVisible(caller, *site); !status.ok())
                   return status;
                 *response = *std::move(site);
                 return absl::OkStatus();
               });
}

grpc::Status OrganisationService::ListSites(grpc::ServerContext* context,
                                            const v1::ListSitesRequest* request,
                                            v1::ListSitesResponse* response) {
  return Serve(registry_, context, Method("ListSites"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 absl::StatusOr<int> page_size = domain::NormalisePageSize(
                     request->page_size(), registry_.limits.max_page_size);
                 if (!page_size.ok()) return page_size.status();
                 std::string firm_id = request->firm_id();
                 if (caller->role == v1::FIRM) {
                   if (!firm_id.empty() && firm_id != caller->organisation_id) {
                     return absl::PermissionDeniedError(absl::StrCat(
                         "firm_id: a FIRM may list only its own sites, not those of ", firm_id));
                   }
                   firm_id = caller->organisation_id;
                 }
                 absl::StatusOr<std::string> next = storage::ListSitesPage(
                     *registry_.store, firm_id, request->page_token(), *page_size,
                     [&](v1::Site&& site) -> absl::StatusOr<bool> {
                       *response->add_sites() = std::move(site);
                       return true;
                     });
                 if (!next.ok()) return next.status();
                 response->set_next_page_token(*next);
                 return absl::OkStatus();
               });
}

}  // namespace sello::service

#include "daemon/service/accreditation_service.h"

#include "absl/strings/str_cat.h"
#include "daemon/domain/accreditation_rules.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/domain/time_convert.h"
#include "daemon/service/accreditation_tx.h"
#include "daemon/service/apply_tx.h"
#include "storage/keys.h"
#include "storage/loaders.h"
#include "storage/records.h"

namespace sello::service {
namespace {

std::string Method(absl::string_view name) {
  return MethodName(v1::AccreditationService::service_full_name(), name);
}

}  // namespace

grpc::Status AccreditationService::CreateAccreditation(
    grpc::ServerContext* context, const v1::CreateAccreditationRequest* request,
    v1::Accreditation* response) {
  return Serve(
      registry_, context, Method("CreateAccreditation"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        if (absl::Status status = domain::ValidateNewAccreditation(request->accreditation());
            !status.ok()) {
          return status;
        }
        return ApplyTx(*registry_.ledger, *caller, response, [&](storage::Transaction& tx) {
          return CreateAccreditationTx(tx, request->accreditation());
        });
      });
}

grpc::Status AccreditationService::Change(grpc::ServerContext* context, absl::string_view method,
                                          const v1::ChangeAccreditationRequest* request,
                                          v1::Accreditation::Status target,
                                          absl::string_view event_kind,
                                          v1::Accreditation* response) {
  return Serve(registry_, context, Method(method), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (request->accreditation_id().empty()) {
                   return absl::InvalidArgumentError("accreditation_id: required");
                 }
                 if (absl::Status status = domain::CheckSealsChoice(target, request->seals());
                     !status.ok()) {
                   return status;
                 }
                 return ApplyTx(*registry_.ledger, *caller, response,
                                [&](storage::Transaction& tx) {
                                  return ChangeAccreditationTx(tx, *request, target, event_kind);
                                });
               });
}

grpc::Status AccreditationService::SuspendAccreditation(
    grpc::ServerContext* context, const v1::ChangeAccreditationRequest* request,
    v1::Accreditation* response) {
  return Change(context, "SuspendAccreditation", request, v1::Accreditation::SUSPENDED,
                "accreditation.suspended", response);
}

grpc::Status AccreditationService::ReinstateAccreditation(
    grpc::ServerContext* context, const v1::ChangeAccreditationRequest* request,
    v1::Accreditation* response) {
  return Change(context, "ReinstateAccreditation", request, v1::Accreditation::ACTIVE,
                "accreditation.reinstated", response);
}

grpc::Status AccreditationService::WithdrawAccreditation(
    grpc::ServerContext* context, const v1::ChangeAccreditationRequest* request,
    v1::Accreditation* response) {
  return Change(context, "WithdrawAccreditation", request, v1::Accreditation::WITHDRAWN,
                "accreditation.withdrawn", response);
}

grpc::Status AccreditationService::GetAccreditation(grpc::ServerContext* context,
                                                    const v1::GetAccreditationRequest* request,
                                                    v1::Accreditation* response) {
  return Serve(registry_, context, Method("GetAccreditation"), *request,
               [&](const domain::Principal*) -> absl::Status {
                 if (request->accreditation_id().empty()) {
                   return absl::InvalidArgumentError("accreditation_id: required");
                 }
                 absl::StatusOr<v1::Accreditation> accreditation =
                     storage::RequireAccreditation(*registry_.store, request->accreditation_id());
                 if (!accreditation.ok()) return accreditation.status();
                 *response = *std::move(accreditation);
                 return absl::OkStatus();
               });
}

grpc::Status AccreditationService::ListAccreditations(grpc::ServerContext* context,
                                                      const v1::ListAccreditationsRequest* request,
                                                      v1::ListAccreditationsResponse* response) {
  return Serve(registry_, context, Method("ListAccreditations"), *request,
               [&](const domain::Principal*) -> absl::Status {
                 absl::StatusOr<int> page_size = domain::NormalisePageSize(
                     request->page_size(), registry_.limits.max_page_size);
                 if (!page_size.ok()) return page_size.status();
                 absl::StatusOr<std::string> next = storage::ListAccreditationsPage(
                     *registry_.store, request->certifier_id(), request->page_token(), *page_size,
                     [&](v1::Accreditation&& accreditation) -> absl::StatusOr<bool> {
                       *response->add_accreditations() = std::move(accreditation);
                       return true;
                     });
                 if (!next.ok()) return next.status();
                 response->set_next_page_token(*next);
                 return absl::OkStatus();
               });
}

}  // namespace sello::service

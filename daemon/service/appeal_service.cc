#include "daemon/service/appeal_service.h"

#include "absl/strings/str_cat.h"
#include "daemon/domain/appeal_rules.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/service/appeal_tx.h"
#include "daemon/service/apply_tx.h"
#include "storage/keys.h"
#include "storage/loaders.h"
#include "storage/records.h"

namespace sello::service {
namespace {

std::string Method(absl::string_view name) {
  return MethodName(v1::AppealService::service_full_name(), name);
}

absl::StatusOr<v1::Appeal> RequireAppeal(const storage::Store& store, const std::string& id) {
  if (id.empty()) return absl::InvalidArgumentError("appeal_id: required");
  return storage::RequireAppeal(store, id);
}

// The narrowest index that holds every appeal the caller may see, and its parent.
std::pair<storage::AppealsBy, std::string> AppealIndexFor(const v1::ListAppealsRequest& request,
                                                          const domain::Principal& caller) {
  if (!request.inspection_id().empty()) {
    return {storage::AppealsBy::kInspection, request.inspection_id()};
  }
  if (caller.role == v1::FIRM || !request.firm_id().empty()) {
    return {storage::AppealsBy::kFirm,
            caller.role == v1::FIRM ? caller.organisation_id : request.firm_id()};
  }
  if (caller.role == v1::CERTIFIER) {
    return {storage::AppealsBy::kCertifier, caller.organisation_id};
  }
  return {storage::AppealsBy::kDate, std::string()};
}

// Whether a listed appeal is in the answer: readable by the caller and matching the
// request's filters; marks it overdue or not as of `now`.
bool KeepListedAppeal(const v1::ListAppealsRequest& request, const domain::Principal& caller,
                      absl::Time now, v1::Appeal& appeal) {
  if (!domain::CanReadAppeal(appeal, caller)) return false;
  if (!request.firm_id().empty() && appeal.firm_id() != request.firm_id()) return false;
  if (request.status() != v1::Appeal::STATUS_UNSPECIFIED && appeal.status() != request.status()) {
    return false;
  }
  appeal.set_overdue(domain::IsOverdue(appeal, now));
  if (request.overdue() && !appeal.overdue()) return false;
  return true;
}

// One page of the appeals the caller may see that match the request, with the next
// page's token.
absl::Status ListVisibleAppeals(const storage::Store& store, const v1::ListAppealsRequest& request,
                                const domain::Principal& caller, int page_size,
                                v1::ListAppealsResponse& response) {
  const auto [index, parent] = AppealIndexFor(request, caller);
  const absl::Time now = absl::Now();
  absl::StatusOr<std::string> next =
      storage::ListAppealsPage(store, index, parent, request.page_token(), page_size,
                               [&](v1::Appeal&& taken) -> absl::StatusOr<bool> {
                                 if (!KeepListedAppeal(request, caller, now, taken)) return false;
                                 *response.add_appeals() = std::move(taken);
                                 return true;
                               });
  if (!next.ok()) return next.status();
  response.set_next_page_token(*next);
  return absl::OkStatus();
}

}  // namespace

grpc::Status AppealService::FileAppeal(grpc::ServerContext* context,
                                       const v1::FileAppealRequest* request, v1::Appeal* response) {
  return Serve(registry_, context, Method("FileAppeal"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (request->inspection_id().empty()) {
                   return absl::InvalidArgumentError("inspection_id: required");
                 }
                 return ApplyTx(*registry_.ledger, *caller, response,
                                [&](storage::Transaction& tx) {
                                  return FileAppealTx(tx, *request, registry_.appeal_deadline);
                                });
               });
}

grpc::Status AppealService::AssignAppeal(grpc::ServerContext* context,
                                         const v1::AssignAppealRequest* request,
                                         v1::Appeal* response) {
  return Serve(registry_, context, Method("AssignAppeal"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (request->certifier_id().empty()) {
                   return absl::InvalidArgumentError("certifier_id: required");
                 }
                 return ApplyTx(
                     *registry_.ledger, *caller, response,
                     [&](storage::Transaction& tx) { return AssignAppealTx(tx, *request); });
               });
}

grpc::Status AppealService::ResolveAppeal(grpc::ServerContext* context,
                                          const v1::ResolveAppealRequest* request,
                                          v1::Appeal* response) {
  return Serve(registry_, context, Method("ResolveAppeal"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 return ApplyTx(
                     *registry_.ledger, *caller, response,
                     [&](storage::Transaction& tx) { return ResolveAppealTx(tx, *request); });
               });
}

grpc::Status AppealService::GetAppeal(grpc::ServerContext* context,
                                      const v1::GetAppealRequest* request, v1::Appeal* response) {
  return Serve(registry_, context, Method("GetAppeal"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 absl::StatusOr<v1::Appeal> appeal =
                     RequireAppeal(*registry_.store, request->appeal_id());
                 if (!appeal.ok()) return appeal.status();
                 if (!domain::CanReadAppeal(*appeal, *caller)) {
                   return absl::PermissionDeniedError(
                       absl::StrCat("appeal ", appeal->id(),
                                    " is read by its firm, the certifiers involved, ADMIN and "
                                    "REGULATOR only"));
                 }
                 appeal->set_overdue(domain::IsOverdue(*appeal, absl::Now()));
                 *response = *std::move(appeal);
                 return absl::OkStatus();
               });
}

grpc::Status AppealService::ListAppeals(grpc::ServerContext* context,
                                        const v1::ListAppealsRequest* request,
                                        v1::ListAppealsResponse* response) {
  return Serve(
      registry_, context, Method("ListAppeals"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        absl::StatusOr<int> page_size =
            domain::NormalisePageSize(request->page_size(), registry_.limits.max_page_size);
        if (!page_size.ok()) return page_size.status();
        if (caller->role == v1::FIRM && !request->firm_id().empty() &&
            request->firm_id() != caller->organisation_id) {
          return absl::PermissionDeniedError("firm_id: a FIRM lists only its own appeals");
        }
        return ListVisibleAppeals(*registry_.store, *request, *caller, *page_size, *response);
      });
}

grpc::Status AppealService::DismissAppeal(grpc::ServerContext* context,
                                          const v1::DismissAppealRequest* request,
                                          v1::Appeal* response) {
  return Serve(registry_, context, Method("DismissAppeal"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (request->appeal_id().empty()) {
                   return absl::InvalidArgumentError("appeal_id: required");
                 }
                 return ApplyTx(
                     *registry_.ledger, *caller, response,
                     [&](storage::Transaction& tx) { return DismissAppealTx(tx, *request); });
               });
}

grpc::Status AppealService::WithdrawAppeal(grpc::ServerContext* context,
                                           const v1::WithdrawAppealRequest* request,
                                           v1::Appeal* response) {
  return Serve(registry_, context, Method("WithdrawAppeal"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (request->appeal_id().empty()) {
                   return absl::InvalidArgumentError("appeal_id: required");
                 }
                 return ApplyTx(
                     *registry_.ledger, *caller, response,
                     [&](storage::Transaction& tx) { return WithdrawAppealTx(tx, *request); });
               });
}

}  // namespace sello::service

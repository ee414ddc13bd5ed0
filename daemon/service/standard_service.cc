#include "daemon/service/standard_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/domain/standard_lifecycle.h"
#include "daemon/domain/standard_rules.h"
#include "daemon/domain/time_convert.h"
#include "daemon/domain/withdrawal_rules.h"
#include "daemon/service/apply_tx.h"
#include "daemon/service/standard_tx.h"
#include "storage/keys.h"
#include "storage/loaders.h"
#include "storage/records.h"

namespace sello::service {
namespace {

std::string Method(absl::string_view name) {
  return MethodName(v1::StandardService::service_full_name(), name);
}

// Drafts are work in progress of the association: regulators may follow them.
bool SeesDrafts(const domain::Principal* caller) {
  return caller != nullptr && (caller->role == v1::ADMIN || caller->role == v1::REGULATOR);
}

// Whether any version of the standard has left DRAFT. A standard with drafts only does
// not exist yet for those who do not see drafts.
absl::StatusOr<bool> HasNonDraft(const storage::Store& store, absl::string_view standard_id) {
  bool found = false;
  absl::Status scan =
      storage::VisitStandardVersions(store, standard_id, [&](v1::StandardVersion&& version) {
        found = version.status() != v1::StandardVersion::DRAFT;
        return !found;
      });
  if (!scan.ok()) return scan;
  return found;
}

// NOT_FOUND for a drafts-only standard when the caller does not see drafts.
absl::Status CheckStandardVisible(const storage::Store& store, const domain::Principal* caller,
                                  const v1::Standard& standard) {
  if (SeesDrafts(caller) || standard.published_version() != 0) return absl::OkStatus();
  absl::StatusOr<bool> visible = HasNonDraft(store, standard.id());
  if (!visible.ok()) return visible.status();
  if (!*visible) {
    return absl::NotFoundError(absl::StrCat("standard '", standard.id(), "' not found"));
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status StandardService::PushStandardVersion(grpc::ServerContext* context,
                                                  const v1::PushStandardVersionRequest* request,
                                                  v1::StandardVersion* response) {
  return Serve(registry_, context, Method("PushStandardVersion"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 const v1::StandardVersion& content = request->version();
                 if (absl::Status status = domain::ProblemsToStatus(
                         request->source_name(), domain::ValidateStandardVersion(content));
                     !status.ok()) {
                   return status;
                 }
                 return ApplyTx(
                     *registry_.ledger, *caller, response,
                     [&](storage::Transaction& tx) { return PushStandardVersionTx(tx, *request); });
               });
}

grpc::Status StandardService::PublishStandardVersion(
    grpc::ServerContext* context, const v1::PublishStandardVersionRequest* request,
    v1::PublishStandardVersionResponse* response) {
  return Serve(registry_, context, Method("PublishStandardVersion"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 return ApplyTx(*registry_.ledger, *caller, response,
                                [&](storage::Transaction& tx) {
                                  return PublishStandardVersionTx(tx, *request);
                                });
               });
}

grpc::Status StandardService::WithdrawStandardVersion(
    grpc::ServerContext* context, const v1::WithdrawStandardVersionRequest* request,
    v1::StandardVersion* response) {
  return Serve(
      registry_, context, Method("WithdrawStandardVersion"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        absl::StatusOr<v1::SealsChoice> seals = domain::WithdrawalSealsChoice(request->seals());
        if (!seals.ok()) return seals.status();
        return ApplyTx(*registry_.ledger, *caller, response, [&](storage::Transaction& tx) {
          return WithdrawStandardVersionTx(tx, *request, *seals);
        });
      });
}

grpc::Status StandardService::GetStandardVersion(grpc::ServerContext* context,
                                                 const v1::GetStandardVersionRequest* request,
                                                 v1::StandardVersion* response) {
  return Serve(
      registry_, context, Method("GetStandardVersion"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        const storage::Store& store = *registry_.store;
        absl::StatusOr<v1::Standard> standard = RequireStandard(store, request->standard_id());
        if (!standard.ok()) return standard.status();
        uint32_t version = request->version();
        if (version == 0) {
          version = standard->published_version();
          if (version == 0) {
            return absl::NotFoundError(
                absl::StrCat("standard ", standard->id(), " has no published version"));
          }
        }
        absl::StatusOr<v1::StandardVersion> record = RequireVersion(store, standard->id(), version);
        if (!record.ok()) return record.status();
        if (record->status() == v1::StandardVersion::DRAFT && !SeesDrafts(caller)) {
          return absl::PermissionDeniedError(
              absl::StrCat(domain::VersionRef(standard->id(), version),
                           " is a DRAFT; drafts are visible to ADMIN and REGULATOR only"));
        }
        *response = *std::move(record);
        return absl::OkStatus();
      });
}

grpc::Status StandardService::ListStandards(grpc::ServerContext* context,
                                            const v1::ListStandardsRequest* request,
                                            v1::ListStandardsResponse* response) {
  return Serve(registry_, context, Method("ListStandards"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 absl::StatusOr<int> page_size = domain::NormalisePageSize(
                     request->page_size(), registry_.limits.max_page_size);
                 if (!page_size.ok()) return page_size.status();
                 absl::StatusOr<std::string> next = storage::ListStandardsPage(
                     *registry_.store, request->page_token(), *page_size,
                     [&](v1::Standard&& standard) -> absl::StatusOr<bool> {
                       const absl::Status visible =
                           CheckStandardVisible(*registry_.store, caller, standard);
                       if (absl::IsNotFound(visible)) return false;
                       if (!visible.ok()) return visible;
                       *response->add_standards() = std::move(standard);
                       return true;
                     });
                 if (!next.ok()) return next.status();
                 response->set_next_page_token(*next);
                 return absl::OkStatus();
               });
}

grpc::Status StandardService::ListStandardVersions(grpc::ServerContext* context,
                                                   const v1::ListStandardVersionsRequest* request,
                                                   v1::ListStandardVersionsResponse* response) {
  return Serve(
      registry_, context, Method("ListStandardVersions"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        absl::StatusOr<int> page_size =
            domain::NormalisePageSize(request->page_size(), registry_.limits.max_page_size);
        if (!page_size.ok()) return page_size.status();
        absl::StatusOr<v1::Standard> standard =
            RequireStandard(*registry_.store, request->standard_id());
        if (!standard.ok()) return standard.status();
        if (absl::Status status = CheckStandardVisible(*registry_.store, caller, *standard);
            !status.ok()) {
          return status;
        }
        absl::StatusOr<std::string> next = storage::ListStandardVersionsPage(
            *registry_.store, standard->id(), request->page_token(), *page_size,
            [&](v1::StandardVersion&& version) -> absl::StatusOr<bool> {
              if (version.status() == v1::StandardVersion::DRAFT && !SeesDrafts(caller)) {
                return false;
              }
              version.clear_stages();
              *response->add_versions() = std::move(version);
              return true;
            });
        if (!next.ok()) return next.status();
        response->set_next_page_token(*next);
        return absl::OkStatus();
      });
}

}  // namespace sello::service

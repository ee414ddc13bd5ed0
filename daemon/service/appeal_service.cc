#include "daemon/service/appeal_service.h"

#include "absl/strings/str_cat.h"
#include "daemon/domain/appeal_rules.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/organisation_rules.h"
#include "daemon/service/accreditation_service.h"
#include "daemon/service/inspection_ops.h"
#include "storage/keys.h"
#include "storage/loaders.h"
#include "storage/records.h"

namespace sello::service {
namespace {

std::string Method(absl::string_view name) {
  return MethodName(v1::AppealService::service_full_name(), name);
}

// Writes the appeal with an event of `kind`, concerning its firm and site.
void StoreAppeal(storage::Transaction& tx, const v1::Appeal& appeal, absl::string_view kind,
                 absl::string_view replaced_certifier = "") {
  storage::PutAppeal(tx.writes(), appeal, replaced_certifier);
  tx.Record(kind, domain::Subject(domain::kAppealRecord, appeal.id()), appeal, appeal.firm_id(),
            appeal.site_id());
}

absl::StatusOr<v1::Appeal> RequireAppeal(const storage::Store& store, const std::string& id) {
  if (id.empty()) return absl::InvalidArgumentError("appeal_id: required");
  return storage::RequireAppeal(store, id);
}

}  // namespace

grpc::Status AppealService::FileAppeal(grpc::ServerContext* context,
                                       const v1::FileAppealRequest* request, v1::Appeal* response) {
  return Serve(registry_, context, Method("FileAppeal"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 if (request->inspection_id().empty()) {
                   return absl::InvalidArgumentError("inspection_id: required");
                 }
                 return registry_.ledger->Apply(
                     *caller, [&](storage::Transaction& tx) -> absl::Status {
                       absl::StatusOr<v1::Inspection> inspection =
                           storage::RequireInspection(tx.store(), request->inspection_id());
                       if (!inspection.ok()) return inspection.status();
                       absl::StatusOr<std::vector<v1::Appeal>> earlier =
                           storage::AppealsOfInspection(tx.store(), inspection->id());
                       if (!earlier.ok()) return earlier.status();
                       absl::StatusOr<v1::Appeal> appeal =
                           domain::PlanAppeal(*inspection, *caller, request->grounds(), *earlier,
                                              tx.now(), registry_.appeal_deadline);
                       if (!appeal.ok()) return appeal.status();
                       appeal->set_id(domain::NewId("apl"));
                       StoreAppeal(tx, *appeal, "appeal.filed");
                       *response = *std::move(appeal);
                       return absl::OkStatus();
                     });
               });
}

grpc::Status AppealService::AssignAppeal(grpc::ServerContext* context,
                                         const v1::AssignAppealRequest* request,
                                         v1::Appeal* response) {
  return Serve(
      registry_, context, Method("AssignAppeal"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        if (request->certifier_id().empty()) {
          return absl::InvalidArgumentError("certifier_id: required");
        }
        return registry_.ledger->Apply(*caller, [&](storage::Transaction& tx) -> absl::Status {
          absl::StatusOr<v1::Appeal> appeal = RequireAppeal(tx.store(), request->appeal_id());
          if (!appeal.ok()) return appeal.status();
          absl::StatusOr<v1::Organisation> certifier =
              storage::RequireOrganisation(tx.store(), request->certifier_id());
          if (!certifier.ok()) return certifier.status();
          absl::StatusOr<std::vector<v1::Accreditation>> accreditations =
              storage::AccreditationsOfCertifier(tx.store(), certifier->id());
          if (!accreditations.ok()) return accreditations.status();
          const std::string replaced = appeal->assigned_certifier_id();
          if (absl::Status status = domain::AssignAppeal(*appeal, *certifier, *accreditations,
                                                         request->note(), *caller, tx.now());
              !status.ok()) {
            return status;
          }
          StoreAppeal(tx, *appeal, replaced.empty() ? "appeal.assigned" : "appeal.reassigned",
                      replaced);
          appeal->set_overdue(domain::IsOverdue(*appeal, tx.now()));
          *response = *std::move(appeal);
          return absl::OkStatus();
        });
      });
}

grpc::Status AppealService::ResolveAppeal(grpc::ServerContext* context,
                                          const v1::ResolveAppealRequest* request,
                                          v1::Appeal* response) {
  return Serve(
      registry_, context, Method("ResolveAppeal"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        return registry_.ledger->Apply(*caller, [&](storage::Transaction& tx) -> absl::Status {
          absl::StatusOr<v1::Appeal> appeal = RequireAppeal(tx.store(), request->appeal_id());
          if (!appeal.ok()) return appeal.status();
          // Whose appeal it is comes first: a certifier not party to it learns nothing of
          // its state (its assigned certifier, and the original one, may read it).
          if (!domain::CanReadAppeal(*appeal, *caller)) {
            return absl::PermissionDeniedError(
                absl::StrCat("appeal ", appeal->id(),
                             " is not assigned to you; only the certifier the association "
                             "assigns re-inspects"));
          }
          absl::StatusOr<PlannedInspection> planned =
              PlanSubmission(tx, *caller, request->reinspection());
          // A retry of the resolving request returns the resolved appeal.
          if (planned.ok() && planned->retry) {
            if (planned->record.id() != appeal->reinspection_id()) {
              return absl::FailedPreconditionError(
                  absl::StrCat("reinspection.request_id: ", request->reinspection().request_id(),
                               " was used for inspection ", planned->record.id(),
                               ", not for appeal ", appeal->id()));
            }
            *response = *std::move(appeal);
            return absl::OkStatus();
          }
          // The appeal's state speaks before the re-inspection's content.
          if (absl::Status status = domain::CheckMayResolve(*appeal, *caller); !status.ok()) {
            return status;
          }
          if (!planned.ok()) return planned.status();
          absl::StatusOr<v1::Inspection> original =
              storage::RequireInspection(tx.store(), appeal->inspection_id());
          if (!original.ok()) return original.status();
          v1::Inspection& reinspection = planned->record;
          if (absl::Status status =
                  domain::ResolveAppeal(*appeal, *original, reinspection, *caller, tx.now());
              !status.ok()) {
            return status;
          }
          const bool overturned = appeal->status() == v1::Appeal::OVERTURNED;
          if (overturned) {
            if (absl::Status status = StoreSuperseded(tx, *original, reinspection); !status.ok()) {
              return status;
            }
          }
          // Seals follow the lot: an overturn that makes any stage worse suspends those
          // that now claim too much, in this write (an upheld one changes nothing).
          absl::StatusOr<uint32_t> suspended = FollowLotCertification(
              tx, reinspection, overturned ? &*original : nullptr,
              absl::StrCat("appeal ", appeal->id(), overturned ? " overturned" : " upheld",
                           ": inspection ", original->id(),
                           overturned ? " superseded by " : " confirmed by ", reinspection.id(),
                           " (", OutcomeName(reinspection), ")"));
          if (!suspended.ok()) return suspended.status();
          appeal->set_seals_suspended(*suspended);
          if (absl::Status status = StoreInspection(tx, reinspection, "inspection.reinspected");
              !status.ok()) {
            return status;
          }
          StoreAppeal(tx, *appeal, overturned ? "appeal.overturned" : "appeal.upheld");
          *response = *std::move(appeal);
          return absl::OkStatus();
        });
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
  return Serve(registry_, context, Method("ListAppeals"), *request,
               [&](const domain::Principal* caller) -> absl::Status {
                 absl::StatusOr<int> page_size = domain::NormalisePageSize(
                     request->page_size(), registry_.limits.max_page_size);
                 if (!page_size.ok()) return page_size.status();
                 if (caller->role == v1::FIRM && !request->firm_id().empty() &&
                     request->firm_id() != caller->organisation_id) {
                   return absl::PermissionDeniedError("firm_id: a FIRM lists only its own appeals");
                 }
                 // The narrowest index that holds every appeal the caller may see.
                 storage::AppealsBy index = storage::AppealsBy::kDate;
                 std::string parent;
                 if (!request->inspection_id().empty()) {
                   index = storage::AppealsBy::kInspection;
                   parent = request->inspection_id();
                 } else if (caller->role == v1::FIRM || !request->firm_id().empty()) {
                   index = storage::AppealsBy::kFirm;
                   parent = caller->role == v1::FIRM ? caller->organisation_id : request->firm_id();
                 } else if (caller->role == v1::CERTIFIER) {
                   index = storage::AppealsBy::kCertifier;
                   parent = caller->organisation_id;
                 }
                 const absl::Time now = absl::Now();
                 absl::StatusOr<std::string> next = storage::ListAppealsPage(
                     *registry_.store, index, parent, request->page_token(), *page_size,
                     [&](v1::Appeal&& taken) -> absl::StatusOr<bool> {
                       v1::Appeal* appeal = &taken;
                       if (!domain::CanReadAppeal(*appeal, *caller)) return false;
                       if (!request->firm_id().empty() && appeal->firm_id() != request->firm_id()) {
                         return false;
                       }
                       if (request->status() != v1::Appeal::STATUS_UNSPECIFIED &&
                           appeal->status() != request->status()) {
                         return false;
                       }
                       appeal->set_overdue(domain::IsOverdue(*appeal, now));
                       if (request->overdue() && !appeal->overdue()) return false;
                       *response->add_appeals() = std::move(*appeal);
                       return true;
                     });
                 if (!next.ok()) return next.status();
                 response->set_next_page_token(*next);
                 return absl::OkStatus();
               });
}

grpc::Status AppealService::DismissAppeal(grpc::ServerContext* context,
                                          const v1::DismissAppealRequest* request,
                                          v1::Appeal* response) {
  return Serve(
      registry_, context, Method("DismissAppeal"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        if (request->appeal_id().empty()) return absl::InvalidArgumentError("appeal_id: required");
        return registry_.ledger->Apply(*caller, [&](storage::Transaction& tx) -> absl::Status {
          absl::StatusOr<v1::Appeal> appeal = RequireAppeal(tx.store(), request->appeal_id());
          if (!appeal.ok()) return appeal.status();
          if (absl::Status status =
                  domain::DismissAppeal(*appeal, request->reason(), *caller, tx.now());
              !status.ok()) {
            return status;
          }
          StoreAppeal(tx, *appeal, "appeal.dismissed");
          *response = *std::move(appeal);
          return absl::OkStatus();
        });
      });
}

grpc::Status AppealService::WithdrawAppeal(grpc::ServerContext* context,
                                           const v1::WithdrawAppealRequest* request,
                                           v1::Appeal* response) {
  return Serve(
      registry_, context, Method("WithdrawAppeal"), *request,
      [&](const domain::Principal* caller) -> absl::Status {
        if (request->appeal_id().empty()) return absl::InvalidArgumentError("appeal_id: required");
        return registry_.ledger->Apply(*caller, [&](storage::Transaction& tx) -> absl::Status {
          absl::StatusOr<v1::Appeal> appeal = RequireAppeal(tx.store(), request->appeal_id());
          if (!appeal.ok()) return appeal.status();
          if (absl::Status status =
                  domain::WithdrawAppeal(*appeal, request->reason(), *caller, tx.now());
              !status.ok()) {
            return status;
          }
          StoreAppeal(tx, *appeal, "appeal.withdrawn");
          *response = *std::move(appeal);
          return absl::OkStatus();
        });
      });
}

}  // namespace sello::service

#include "daemon/service/appeal_tx.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "daemon/domain/appeal_rules.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/service/inspection_tx.h"
#include "storage/loaders.h"
#include "storage/records.h"

namespace sello::service {
namespace {

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

// Stores the re-inspection that resolved `appeal` (domain::ResolveAppeal decided it)
// with what follows: the original superseded when overturned, the lot's seals that now
// claim too much suspended, and the appeal.
absl::Status StoreResolution(storage::Transaction& tx, v1::Appeal& appeal,
                             const v1::Inspection& original, const v1::Inspection& reinspection) {
  const bool overturned = appeal.status() == v1::Appeal::OVERTURNED;
  if (overturned) {
    if (absl::Status status = StoreSuperseded(tx, original, reinspection); !status.ok()) {
      return status;
    }
  }
  // Seals follow the lot: an overturn that makes any stage worse suspends those that now
  // claim too much, in this write (an upheld one changes nothing).
  absl::StatusOr<uint32_t> suspended = FollowLotCertification(
      tx, reinspection, overturned ? &original : nullptr,
      absl::StrCat("appeal ", appeal.id(), overturned ? " overturned" : " upheld", ": inspection ",
                   original.id(), overturned ? " superseded by " : " confirmed by ",
                   reinspection.id(), " (", OutcomeName(reinspection), ")"));
  if (!suspended.ok()) return suspended.status();
  appeal.set_seals_suspended(*suspended);
  if (absl::Status status = StoreInspection(tx, reinspection, "inspection.reinspected");
      !status.ok()) {
    return status;
  }
  StoreAppeal(tx, appeal, overturned ? "appeal.overturned" : "appeal.upheld");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Appeal> FileAppealTx(storage::Transaction& tx,
                                        const v1::FileAppealRequest& request,
                                        absl::Duration deadline) {
  absl::StatusOr<v1::Inspection> inspection =
      storage::RequireInspection(tx.store(), request.inspection_id());
  if (!inspection.ok()) return inspection.status();
  absl::StatusOr<std::vector<v1::Appeal>> earlier =
      storage::AppealsOfInspection(tx.store(), inspection->id());
  if (!earlier.ok()) return earlier.status();
  absl::StatusOr<v1::Appeal> appeal =
      domain::PlanAppeal(*inspection, tx.actor(), request.grounds(), *earlier, tx.now(), deadline);
  if (!appeal.ok()) return appeal.status();
  appeal->set_id(domain::NewId("apl"));
  StoreAppeal(tx, *appeal, "appeal.filed");
  return appeal;
}

absl::StatusOr<v1::Appeal> AssignAppealTx(storage::Transaction& tx,
                                          const v1::AssignAppealRequest& request) {
  absl::StatusOr<v1::Appeal> appeal = RequireAppeal(tx.store(), request.appeal_id());
  if (!appeal.ok()) return appeal.status();
  absl::StatusOr<v1::Organisation> certifier =
      storage::RequireOrganisation(tx.store(), request.certifier_id());
  if (!certifier.ok()) return certifier.status();
  absl::StatusOr<std::vector<v1::Accreditation>> accreditations =
      storage::AccreditationsOfCertifier(tx.store(), certifier->id());
  if (!accreditations.ok()) return accreditations.status();
  const std::string replaced = appeal->assigned_certifier_id();
  if (absl::Status status = domain::AssignAppeal(*appeal, *certifier, *accreditations,
                                                 request.note(), tx.actor(), tx.now());
      !status.ok()) {
    return status;
  }
  StoreAppeal(tx, *appeal, replaced.empty() ? "appeal.assigned" : "appeal.reassigned", replaced);
  appeal->set_overdue(domain::IsOverdue(*appeal, tx.now()));
  return appeal;
}

absl::StatusOr<v1::Appeal> ResolveAppealTx(storage::Transaction& tx,
                                           const v1::ResolveAppealRequest& request) {
  const domain::Principal& caller = tx.actor();
  absl::StatusOr<v1::Appeal> appeal = RequireAppeal(tx.store(), request.appeal_id());
  if (!appeal.ok()) return appeal.status();
  // Whose appeal it is comes first: a certifier not party to it learns nothing of its
  // state (its assigned certifier, and the original one, may read it).
  if (!domain::CanReadAppeal(*appeal, caller)) {
    return absl::PermissionDeniedError(absl::StrCat("appeal ", appeal->id(),
                                                    " is not assigned to you; only the certifier "
                                                    "the association assigns re-inspects"));
  }
  absl::StatusOr<PlannedInspection> planned = PlanSubmission(tx, caller, request.reinspection());
  // A retry of the resolving request returns the resolved appeal.
  if (planned.ok() && planned->retry) {
    if (planned->record.id() != appeal->reinspection_id()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "reinspection.request_id: ", request.reinspection().request_id(),
          " was used for inspection ", planned->record.id(), ", not for appeal ", appeal->id()));
    }
    return appeal;
  }
  // The appeal's state speaks before the re-inspection's content.
  if (absl::Status status = domain::CheckMayResolve(*appeal, caller); !status.ok()) return status;
  if (!planned.ok()) return planned.status();
  absl::StatusOr<v1::Inspection> original =
      storage::RequireInspection(tx.store(), appeal->inspection_id());
  if (!original.ok()) return original.status();
  if (absl::Status status =
          domain::ResolveAppeal(*appeal, *original, planned->record, caller, tx.now());
      !status.ok()) {
    return status;
  }
  if (absl::Status status = StoreResolution(tx, *appeal, *original, planned->record);
      !status.ok()) {
    return status;
  }
  return appeal;
}

absl::StatusOr<v1::Appeal> DismissAppealTx(storage::Transaction& tx,
                                           const v1::DismissAppealRequest& request) {
  absl::StatusOr<v1::Appeal> appeal = RequireAppeal(tx.store(), request.appeal_id());
  if (!appeal.ok()) return appeal.status();
  if (absl::Status status = domain::DismissAppeal(*appeal, request.reason(), tx.actor(), tx.now());
      !status.ok()) {
    return status;
  }
  StoreAppeal(tx, *appeal, "appeal.dismissed");
  return appeal;
}

absl::StatusOr<v1::Appeal> WithdrawAppealTx(storage::Transaction& tx,
                                            const v1::WithdrawAppealRequest& request) {
  absl::StatusOr<v1::Appeal> appeal = RequireAppeal(tx.store(), request.appeal_id());
  if (!appeal.ok()) return appeal.status();
  if (absl::Status status = domain::WithdrawAppeal(*appeal, request.reason(), tx.actor(), tx.now());
      !status.ok()) {
    return status;
  }
  StoreAppeal(tx, *appeal, "appeal.withdrawn");
  return appeal;
}

}  // namespace sello::service

#include "daemon/service/inspection_ops.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/inspection_rules.h"
#include "daemon/domain/standard_lifecycle.h"
#include "daemon/domain/statistics.h"
#include "daemon/domain/time_convert.h"
#include "daemon/service/accreditation_service.h"
#include "daemon/service/seal_ops.h"
#include "storage/keys.h"
#include "storage/records.h"
#include "storage/stats_store.h"

namespace sello::service {

using storage::Table;

absl::StatusOr<PlannedInspection> PlanSubmission(storage::Transaction& tx,
                                                 const domain::Principal& caller,
                                                 const v1::Inspection& submitted) {
  const storage::Store& store = tx.store();
  if (!submitted.request_id().empty()) {
    absl::StatusOr<std::optional<std::string>> done =
        store.Get(Table::kInspectionRequests,
                  storage::RequestKey(caller.organisation_id, submitted.request_id()));
    if (!done.ok()) return done.status();
    if (done->has_value()) {
      absl::StatusOr<v1::Inspection> first =
          storage::RequireRecord<v1::Inspection>(store, Table::kInspections, **done, "inspection");
      if (!first.ok()) return first.status();
      return PlannedInspection{*std::move(first), /*retry=*/true};
    }
  }
  // What must be named before anything can be looked up.
  if (submitted.site_id().empty())
    return absl::InvalidArgumentError("inspection.site_id: required");
  if (submitted.standard_id().empty() || submitted.standard_version() == 0) {
    return absl::InvalidArgumentError("inspection.standard_version: the exact version is required");
  }
  absl::StatusOr<v1::Site> site =
      storage::RequireRecord<v1::Site>(store, Table::kSites, submitted.site_id(), "site");
  if (!site.ok()) return site.status();
  std::optional<v1::Lot> lot;
  if (!submitted.lot_id().empty()) {
    absl::StatusOr<v1::Lot> loaded =
        storage::RequireRecord<v1::Lot>(store, Table::kLots, submitted.lot_id(), "lot");
    if (!loaded.ok()) return loaded.status();
    lot = *std::move(loaded);
  }
  absl::StatusOr<std::optional<v1::StandardVersion>> version =
      storage::LoadRecord<v1::StandardVersion>(
          store, Table::kStandardVersions,
          storage::StandardVersionKey(submitted.standard_id(), submitted.standard_version()));
  if (!version.ok()) return version.status();
  if (!version->has_value()) {
    return absl::NotFoundError(absl::StrCat(
        "inspection.standard_version: ",
        domain::VersionRef(submitted.standard_id(), submitted.standard_version()), " not found"));
  }
  absl::StatusOr<std::vector<v1::Accreditation>> accreditations =
      LoadAccreditations(store, caller.organisation_id);
  if (!accreditations.ok()) return accreditations.status();
  domain::InspectionContext context{&**version, &*site, lot ? &*lot : nullptr,
                                    *std::move(accreditations), tx.now()};
  absl::StatusOr<v1::Inspection> planned =
      domain::PlanInspection(submitted, caller.organisation_id, context);
  if (!planned.ok()) return planned.status();
  planned->set_id(domain::NewId("insp"));
  *planned->mutable_create_time() = domain::ToProto(tx.now());
  return PlannedInspection{*std::move(planned), /*retry=*/false};
}

absl::Status StoreInspection(storage::Transaction& tx, const v1::Inspection& inspection,
                             absl::string_view kind) {
  storage::PutInspection(tx.writes(), inspection);
  tx.Record(kind, domain::Subject(domain::kInspectionRecord, inspection.id()), inspection,
            inspection.firm_id(), inspection.site_id());
  if (inspection.status() != v1::Inspection::CURRENT) return absl::OkStatus();
  domain::Aggregates counted;
  domain::AddInspection(inspection, 1, counted);
  return storage::AddToAggregates(tx.store(), tx.writes(), counted);
}

absl::StatusOr<uint32_t> StoreSuperseded(storage::Transaction& tx, const v1::Inspection& earlier,
                                         const v1::Inspection& later, absl::string_view why) {
  if (absl::Status status = StoreInspection(tx, earlier, "inspection.superseded"); !status.ok()) {
    return status;
  }
  domain::Aggregates uncounted;
  // Taken out as of the successor's recording (this write).
  const absl::Time superseded = domain::FromProto(later.create_time());
  domain::AddInspection(earlier, -1, superseded, uncounted);
  if (!later.appeal_id().empty()) domain::AddOverturned(earlier, superseded, uncounted);
  if (absl::Status status = storage::AddToAggregates(tx.store(), tx.writes(), uncounted);
      !status.ok()) {
    return status;
  }
  // Seals follow a worse result: suspended in the same write.
  if (earlier.lot_id().empty() || !domain::SupersedingLowersGrade(earlier, later)) return 0u;
  absl::StatusOr<std::vector<std::string>> codes =
      SealCodesOfLot(tx.store(), earlier.lot_id(), earlier.id());
  if (!codes.ok()) return codes.status();
  if (codes->empty()) return 0u;
  // An overturned appeal is the association's process: its consequence carries the
  // association's authority, so the issuer cannot lift it. A correction is the issuer's
  // own.
  SealDecision decision;
  decision.cause = later.appeal_id().empty() ? v1::INSPECTION_RESULT : v1::APPEAL_OVERTURNED;
  decision.authority = later.appeal_id().empty() ? v1::ISSUER : v1::ASSOCIATION;
  return DecideSeals(
      tx, *codes, v1::Seal::SUSPENDED,
      absl::StrCat(why, ": inspection ", earlier.id(), " superseded by ", later.id(), " (",
                   later.outcome() == v1::Inspection::PASS ? v1::Grade_Name(later.grade()) : "FAIL",
                   ")"),
      earlier.lot_id(), decision);
}

absl::StatusOr<std::vector<v1::Appeal>> AppealsAgainst(const storage::Store& store,
                                                       absl::string_view inspection_id) {
  return storage::LoadIndexed<v1::Appeal>(store, Table::kAppealsByInspection,
                                          storage::ChildPrefix(inspection_id), Table::kAppeals);
}

}  // namespace sello::service

#include "daemon/service/inspection_tx.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "daemon/domain/appeal_rules.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/inspection_rules.h"
#include "daemon/domain/lot_certification.h"
#include "daemon/domain/standard_lifecycle.h"
#include "daemon/domain/statistics.h"
#include "daemon/domain/time_convert.h"
#include "daemon/service/seal_tx.h"
#include "storage/keys.h"
#include "storage/loaders.h"
#include "storage/records.h"
#include "storage/stats_store.h"

namespace sello::service {

absl::StatusOr<PlannedInspection> PlanSubmission(storage::Transaction& tx,
                                                 const domain::Principal& caller,
                                                 const v1::Inspection& submitted) {
  const storage::Store& store = tx.store();
  if (!submitted.request_id().empty()) {
    absl::StatusOr<std::optional<std::string>> done =
        storage::FindInspectionRequest(store, caller.organisation_id, submitted.request_id());
    if (!done.ok()) return done.status();
    if (done->has_value()) {
      absl::StatusOr<v1::Inspection> first = storage::RequireInspection(store, **done);
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
  absl::StatusOr<v1::Site> site = storage::RequireSite(store, submitted.site_id());
  if (!site.ok()) return site.status();
  std::optional<v1::Lot> lot;
  if (!submitted.lot_id().empty()) {
    absl::StatusOr<v1::Lot> loaded = storage::RequireLot(store, submitted.lot_id());
    if (!loaded.ok()) return loaded.status();
    lot = *std::move(loaded);
  }
  absl::StatusOr<std::optional<v1::StandardVersion>> version =
      storage::FindStandardVersion(store, submitted.standard_id(), submitted.standard_version());
  if (!version.ok()) return version.status();
  if (!version->has_value()) {
    return absl::NotFoundError(absl::StrCat(
        "inspection.standard_version: ",
        domain::VersionRef(submitted.standard_id(), submitted.standard_version()), " not found"));
  }
  absl::StatusOr<std::vector<v1::Accreditation>> accreditations =
      storage::AccreditationsOfCertifier(store, caller.organisation_id);
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

absl::Status StoreSuperseded(storage::Transaction& tx, const v1::Inspection& earlier,
                             const v1::Inspection& later) {
  if (absl::Status status = StoreInspection(tx, earlier, "inspection.superseded"); !status.ok()) {
    return status;
  }
  domain::Aggregates uncounted;
  // Taken out as of the successor's recording (this write).
  const absl::Time superseded = domain::FromProto(later.create_time());
  domain::AddInspection(earlier, -1, superseded, uncounted);
  if (!later.appeal_id().empty()) domain::AddOverturned(earlier, superseded, uncounted);
  return storage::AddToAggregates(tx.store(), tx.writes(), uncounted);
}

namespace {

using Certify = v1::Certification (*)(const std::vector<v1::Inspection>&,
                                      const v1::StandardVersion&);

// The certification for `standard_id` by `certify`, or none (STATUS_UNSPECIFIED) when
// `inspections` hold no current inspection of it.
absl::StatusOr<v1::Certification> CertifyFor(const storage::Store& store,
                                             const std::vector<v1::Inspection>& inspections,
                                             const std::string& standard_id, Certify certify) {
  const std::optional<uint32_t> number = domain::CertifyingVersion(inspections, standard_id);
  if (!number.has_value()) return v1::Certification();
  absl::StatusOr<v1::StandardVersion> version =
      storage::RequireStandardVersion(store, standard_id, *number);
  if (!version.ok()) return version.status();
  return certify(inspections, *version);
}

absl::StatusOr<std::vector<v1::Certification>> CertifyAll(
    const storage::Store& store, const std::vector<v1::Inspection>& inspections, Certify certify) {
  std::vector<v1::Certification> certifications;
  for (const std::string& standard : domain::CurrentStandards(inspections)) {
    absl::StatusOr<v1::Certification> certification =
        CertifyFor(store, inspections, standard, certify);
    if (!certification.ok()) return certification.status();
    certifications.push_back(*std::move(certification));
  }
  return certifications;
}

// The codes of lot `lot_id`'s seals of `standard_id` whose printed grade `too_much`
// says claims too much. Seals are found by issuance (the seals of one issuance share a
// grade and a standard: that of the inspection it names, one of `inspections`), then
// those stored whole before issuances kept their seals' shared fields.
absl::StatusOr<std::vector<std::string>> SealCodesClaimingTooMuch(
    const storage::Store& store, absl::string_view lot_id, absl::string_view standard_id,
    const std::vector<v1::Inspection>& inspections,
    const std::function<bool(v1::Grade)>& too_much) {
  absl::StatusOr<std::vector<std::string>> issuance_ids = storage::IssuanceIdsOfLot(store, lot_id);
  if (!issuance_ids.ok()) return issuance_ids.status();
  std::vector<std::string> codes;
  for (const std::string& issuance_id : *issuance_ids) {
    absl::StatusOr<v1::SealIssuance> issuance = storage::RequireIssuance(store, issuance_id);
    if (!issuance.ok()) return issuance.status();
    const auto inspection =
        std::find_if(inspections.begin(), inspections.end(),
                     [&](const v1::Inspection& i) { return i.id() == issuance->inspection_id(); });
    if (inspection == inspections.end() || inspection->standard_id() != standard_id ||
        !too_much(issuance->grade())) {
      continue;
    }
    absl::StatusOr<std::vector<std::string>> issued = CodesOfIssuance(store, issuance_id);
    if (!issued.ok()) return issued.status();
    codes.insert(codes.end(), issued->begin(), issued->end());
  }
  absl::StatusOr<std::vector<std::string>> whole = storage::WholeSealCodesOfLot(store, lot_id);
  if (!whole.ok()) return whole.status();
  for (const std::string& code : *whole) {
    absl::StatusOr<std::optional<storage::StoredSeal>> stored = storage::LoadSeal(store, code);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) continue;
    const v1::Seal& seal = (*stored)->seal;
    if (seal.standard_id() == standard_id && too_much(seal.grade())) codes.push_back(code);
  }
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  return codes;
}

}  // namespace

absl::StatusOr<std::vector<v1::Certification>> CertifyLot(
    const storage::Store& store, const std::vector<v1::Inspection>& inspections) {
  return CertifyAll(store, inspections, &domain::CertifyLot);
}

absl::StatusOr<std::vector<v1::Certification>> CertifySite(
    const storage::Store& store, const std::vector<v1::Inspection>& inspections) {
  return CertifyAll(store, inspections, &domain::CertifySite);
}

absl::StatusOr<uint32_t> FollowLotCertification(storage::Transaction& tx,
                                                const v1::Inspection& added,
                                                const v1::Inspection* superseded,
                                                absl::string_view why) {
  if (added.lot_id().empty()) return 0u;
  const storage::Store& store = tx.store();
  // The lot's inspections as committed, and as this write leaves them.
  absl::StatusOr<std::vector<v1::Inspection>> before =
      storage::InspectionsOfLot(store, added.lot_id());
  if (!before.ok()) return before.status();
  std::vector<v1::Inspection> after = *before;
  if (superseded != nullptr) {
    for (v1::Inspection& inspection : after) {
      if (inspection.id() == superseded->id()) inspection = *superseded;
    }
  }
  after.push_back(added);
  absl::StatusOr<v1::Certification> was =
      CertifyFor(store, *before, added.standard_id(), &domain::CertifyLot);
  if (!was.ok()) return was.status();
  absl::StatusOr<v1::Certification> now =
      CertifyFor(store, after, added.standard_id(), &domain::CertifyLot);
  if (!now.ok()) return now.status();
  const std::optional<std::string> worse = domain::CertificationWorsening(*was, *now);
  if (!worse.has_value()) return 0u;
  // Seals issued under an inspection superseded here are the lot's all the same.
  absl::StatusOr<std::vector<std::string>> codes = SealCodesClaimingTooMuch(
      store, added.lot_id(), added.standard_id(), after,
      [&](v1::Grade grade) { return domain::ClaimsMoreThan(grade, *now); });
  if (!codes.ok()) return codes.status();
  if (codes->empty()) return 0u;
  // An overturned appeal is the association's process: its consequence carries the
  // association's authority, so the issuer cannot lift it. A new inspection or a
  // correction is the issuer's own.
  SealDecision decision;
  decision.cause = added.appeal_id().empty() ? v1::INSPECTION_RESULT : v1::APPEAL_OVERTURNED;
  decision.authority = added.appeal_id().empty() ? v1::ISSUER : v1::ASSOCIATION;
  return DecideSeals(tx, *codes, v1::Seal::SUSPENDED,
                     absl::StrCat(why, "; ", *worse, ": lot ", added.lot_id(), " is now ",
                                  domain::CertificationText(*now)),
                     added.lot_id(), decision);
}

std::string OutcomeName(const v1::Inspection& inspection) {
  return inspection.outcome() == v1::Inspection::PASS ? v1::Grade_Name(inspection.grade()) : "FAIL";
}

namespace {

// A correction's target: whose inspection it is comes first, before its state (an open
// appeal) or the new content says anything.
absl::StatusOr<v1::Inspection> LoadCorrected(storage::Transaction& tx,
                                             const v1::CorrectInspectionRequest& correction) {
  absl::StatusOr<v1::Inspection> loaded =
      storage::RequireInspection(tx.store(), correction.inspection_id());
  if (!loaded.ok()) return loaded.status();
  if (absl::Status status = domain::CheckCorrector(*loaded, tx.actor().organisation_id);
      !status.ok()) {
    return status;
  }
  return loaded;
}

// Marks `earlier` corrected by `added` (no open appeal against it may stand) and stores it
// superseded.
absl::Status SupersedeCorrected(storage::Transaction& tx, v1::Inspection& earlier,
                                v1::Inspection& added, absl::string_view reason) {
  absl::StatusOr<std::vector<v1::Appeal>> appeals =
      storage::AppealsOfInspection(tx.store(), earlier.id());
  if (!appeals.ok()) return appeals.status();
  if (absl::Status status = domain::CheckMayCorrect(earlier, *appeals); !status.ok()) {
    return status;
  }
  if (absl::Status status = domain::LinkCorrection(earlier, added, reason); !status.ok()) {
    return status;
  }
  return StoreSuperseded(tx, earlier, added);
}

}  // namespace

absl::StatusOr<v1::Inspection> SubmitInspectionTx(storage::Transaction& tx,
                                                  const v1::Inspection& submitted,
                                                  const v1::CorrectInspectionRequest* correction) {
  std::optional<v1::Inspection> earlier;
  if (correction != nullptr) {
    absl::StatusOr<v1::Inspection> loaded = LoadCorrected(tx, *correction);
    if (!loaded.ok()) return loaded.status();
    earlier = *std::move(loaded);
  }
  absl::StatusOr<PlannedInspection> planned = PlanSubmission(tx, tx.actor(), submitted);
  if (!planned.ok()) return planned.status();
  // A retry of a request already done returns its result and writes nothing.
  if (planned->retry) return std::move(planned->record);
  v1::Inspection& added = planned->record;
  if (earlier.has_value()) {
    if (absl::Status status = SupersedeCorrected(tx, *earlier, added, correction->reason());
        !status.ok()) {
      return status;
    }
  }
  // Seals follow the lot: a result that makes any stage worse suspends those that now
  // claim too much, in this write.
  const std::string why =
      earlier.has_value() ? absl::StrCat("corrected: inspection ", earlier->id(), " superseded by ",
                                         added.id(), " (", OutcomeName(added), ")")
                          : absl::StrCat("inspection ", added.id(), " (", OutcomeName(added), ")");
  absl::StatusOr<uint32_t> suspended =
      FollowLotCertification(tx, added, earlier.has_value() ? &*earlier : nullptr, why);
  if (!suspended.ok()) return suspended.status();
  if (absl::Status status = StoreInspection(
          tx, added, correction != nullptr ? "inspection.corrected" : "inspection.submitted");
      !status.ok()) {
    return status;
  }
  return std::move(added);
}

absl::StatusOr<v1::Lot> CreateLotTx(storage::Transaction& tx, const v1::Lot& requested) {
  const domain::Principal& caller = tx.actor();
  if (absl::Status status = domain::ValidateNewLot(requested, tx.now()); !status.ok()) {
    return status;
  }
  absl::StatusOr<v1::Site> site = storage::RequireSite(tx.store(), requested.site_id());
  if (!site.ok()) return site.status();
  if (caller.role == v1::FIRM && site->firm_id() != caller.organisation_id) {
    return absl::PermissionDeniedError(
        absl::StrCat("lot.site_id: site ", site->id(), " belongs to another firm"));
  }
  v1::Lot lot = requested;
  lot.set_id(domain::NewId("lot"));
  lot.set_firm_id(site->firm_id());
  lot.set_created_by(caller.organisation_id);
  *lot.mutable_create_time() = domain::ToProto(tx.now());
  lot.set_seals_issued(0);
  storage::PutLot(tx.writes(), lot);
  tx.Record("lot.created", domain::Subject(domain::kLotRecord, lot.id()), lot, lot.firm_id(),
            lot.site_id());
  return lot;
}

}  // namespace sello::service

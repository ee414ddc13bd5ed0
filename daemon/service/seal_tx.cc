#include "daemon/service/seal_tx.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/inspection_rules.h"
#include "daemon/domain/lot_certification.h"
#include "daemon/domain/seal_code.h"
#include "daemon/domain/seal_rules.h"
#include "daemon/domain/time_convert.h"
#include "daemon/service/inspection_tx.h"
#include "daemon/tlog/merkle.h"
#include "storage/keys.h"
#include "storage/loaders.h"
#include "storage/records.h"

namespace sello::service {

namespace {

// The whole seal stored under `code`; NOT_FOUND when there is none.
absl::StatusOr<storage::StoredSeal> RequireSeal(const storage::Store& store,
                                                absl::string_view code) {
  absl::StatusOr<std::optional<storage::StoredSeal>> stored = storage::LoadSeal(store, code);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return absl::NotFoundError(absl::StrCat("seal '", code, "' not found"));
  return **std::move(stored);
}

// The codes of one issuance: its codes entry or, for seals stored whole before
// issuances listed their codes, its lot's entries that name it.
absl::Status AppendCodesOfIssuance(const storage::Store& store, const v1::SealIssuance& issuance,
                                   std::vector<std::string>& codes) {
  absl::StatusOr<std::optional<std::string>> listed =
      storage::LoadIssuanceCodes(store, issuance.id());
  if (!listed.ok()) return listed.status();
  if (listed->has_value()) {
    for (absl::string_view code : absl::StrSplit(**listed, '\n', absl::SkipEmpty())) {
      codes.emplace_back(code);
    }
    return absl::OkStatus();
  }
  absl::Status inner;
  absl::Status scan =
      storage::VisitWholeSealCodesOfLot(store, issuance.lot_id(), "", [&](absl::string_view code) {
        absl::StatusOr<storage::StoredSeal> stored = RequireSeal(store, code);
        if (!stored.ok()) {
          inner = stored.status();
          return false;
        }
        if (stored->seal.issuance_id() == issuance.id()) {
          codes.push_back(stored->seal.code());
        }
        return true;
      });
  if (!scan.ok()) return scan;
  return inner;
}

// The codes of the issuances `issuance_ids` (as read), those whose inspection
// `take` accepts.
absl::StatusOr<std::vector<std::string>> SealCodesOfIssuances(
    const storage::Store& store, const absl::StatusOr<std::vector<std::string>>& issuance_ids,
    const InspectionFilter& take) {
  if (!issuance_ids.ok()) return issuance_ids.status();
  std::vector<std::string> codes;
  std::map<std::string, bool> taken;  // by inspection id
  for (const std::string& issuance_id : *issuance_ids) {
    absl::StatusOr<v1::SealIssuance> issuance = storage::RequireIssuance(store, issuance_id);
    if (!issuance.ok()) return issuance.status();
    if (take) {
      auto found = taken.find(issuance->inspection_id());
      if (found == taken.end()) {
        absl::StatusOr<v1::Inspection> inspection =
            storage::RequireInspection(store, issuance->inspection_id());
        if (!inspection.ok()) return inspection.status();
        found = taken.emplace(issuance->inspection_id(), take(*inspection)).first;
      }
      if (!found->second) continue;
    }
    if (absl::Status status = AppendCodesOfIssuance(store, *issuance, codes); !status.ok()) {
      return status;
    }
  }
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  return codes;
}

// The whole seals stored under `codes` (normalised), in order, each with whether it is
// stored compact; NOT_FOUND naming the first code without one. Read in batches.
absl::StatusOr<std::vector<storage::StoredSeal>> LoadSeals(const storage::Store& store,
                                                           const std::vector<std::string>& codes) {
  std::vector<storage::StoredSeal> seals(codes.size());
  constexpr size_t kBatch = 1000;
  for (size_t from = 0; from < codes.size(); from += kBatch) {
    const size_t to = std::min(codes.size(), from + kBatch);
    std::vector<std::string> keys;
    keys.reserve(to - from);
    for (size_t i = from; i < to; ++i) keys.push_back(domain::SealCodeKey(codes[i]));
    absl::StatusOr<std::vector<std::optional<std::string>>> found =
        storage::LoadSealRecords(store, keys);
    if (!found.ok()) return found.status();
    std::vector<v1::Seal*> parsed;
    for (size_t i = from; i < to; ++i) {
      const std::optional<std::string>& bytes = (*found)[i - from];
      if (!bytes.has_value()) {
        return absl::NotFoundError(absl::StrCat("seal '", codes[i], "' not found"));
      }
      if (absl::Status status = storage::ParseSealRecord(keys[i - from], *bytes, seals[i].seal);
          !status.ok()) {
        return status;
      }
      seals[i].compact = seals[i].seal.lot_id().empty();
      parsed.push_back(&seals[i].seal);
    }
    if (absl::Status status = storage::CompleteSeals(store, parsed); !status.ok()) return status;
  }
  return seals;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> SealCodesOfCertifier(const storage::Store& store,
                                                              absl::string_view certifier_id,
                                                              const InspectionFilter& take) {
  return SealCodesOfIssuances(store, storage::IssuanceIdsOfCertifier(store, certifier_id), take);
}

absl::StatusOr<std::vector<std::string>> SealCodesOfVersion(const storage::Store& store,
                                                            absl::string_view standard_id,
                                                            uint32_t version) {
  return SealCodesOfIssuances(store, storage::IssuanceIdsOfVersion(store, standard_id, version),
                              {});
}

absl::StatusOr<std::vector<std::string>> CodesOfIssuance(const storage::Store& store,
                                                         absl::string_view issuance_id) {
  absl::StatusOr<std::optional<std::string>> listed =
      storage::LoadIssuanceCodes(store, issuance_id);
  if (!listed.ok()) return listed.status();
  if (!listed->has_value()) {
    return absl::DataLossError(absl::StrCat("the codes of issuance ", issuance_id, " are missing"));
  }
  return std::vector<std::string>(absl::StrSplit(**listed, '\n', absl::SkipEmpty()));
}

absl::StatusOr<std::vector<std::string>> SealCodesOfLot(const storage::Store& store,
                                                        absl::string_view lot_id,
                                                        absl::string_view inspection_id) {
  std::vector<std::string> codes;
  // Compact seals, by issuance: the lot's issuances and each one's codes.
  absl::StatusOr<std::vector<std::string>> issuance_ids = storage::IssuanceIdsOfLot(store, lot_id);
  if (!issuance_ids.ok()) return issuance_ids.status();
  for (const std::string& issuance_id : *issuance_ids) {
    if (!inspection_id.empty()) {
      absl::StatusOr<v1::SealIssuance> issuance = storage::RequireIssuance(store, issuance_id);
      if (!issuance.ok()) return issuance.status();
      if (issuance->inspection_id() != inspection_id) continue;
    }
    absl::StatusOr<std::vector<std::string>> issued = CodesOfIssuance(store, issuance_id);
    if (!issued.ok()) return issued.status();
    codes.insert(codes.end(), issued->begin(), issued->end());
  }
  // Seals stored whole (before issuances kept their seals' shared fields) have entries
  // of their own.
  absl::Status inner;
  absl::Status scan;
  scan = storage::VisitWholeSealCodesOfLot(store, lot_id, "", [&](absl::string_view listed) {
    const std::string code(listed);
    if (!inspection_id.empty()) {
      absl::StatusOr<storage::StoredSeal> stored = RequireSeal(store, code);
      if (!stored.ok()) {
        inner = stored.status();
        return false;
      }
      if (stored->seal.inspection_id() != inspection_id) return true;
    }
    codes.push_back(code);
    return true;
  });
  if (!scan.ok()) return scan;
  if (!inner.ok()) return inner;
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  return codes;
}

absl::Status CheckReinstatement(const storage::Store& store, const v1::Seal& seal,
                                v1::SealAuthority authority, const domain::Principal& actor,
                                absl::Time now) {
  // The lot's certification (a lot is only as good as its worst current stage) is the
  // ceiling of what a reinstated seal may claim.
  absl::StatusOr<std::vector<v1::Inspection>> inspections =
      storage::InspectionsOfLot(store, seal.lot_id());
  if (!inspections.ok()) return inspections.status();
  absl::StatusOr<std::vector<v1::Certification>> certifications = CertifyLot(store, *inspections);
  if (!certifications.ok()) return certifications.status();
  const auto standing = std::find_if(
      certifications->begin(), certifications->end(),
      [&](const v1::Certification& c) { return c.standard_id() == seal.standard_id(); });
  if (standing == certifications->end() || domain::ClaimsMoreThan(seal.grade(), *standing)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "seal ", seal.code(), " claims ", v1::Grade_Name(seal.grade()), ", but lot ", seal.lot_id(),
        " is ",
        standing == certifications->end()
            ? absl::StrCat("not certified for ", seal.standard_id())
            : absl::StrCat(domain::CertificationText(*standing), " (", standing->detail(), ")"),
        "; a reinstated seal may not claim more than its lot's inspections support"));
  }
  if (authority == v1::ISSUER) {
    absl::StatusOr<std::vector<v1::Accreditation>> accreditations =
        storage::AccreditationsOfCertifier(store, actor.organisation_id);
    if (!accreditations.ok()) return accreditations.status();
    absl::StatusOr<v1::StandardVersion> version = storage::RequireStandardVersion(
        store, standing->standard_id(), standing->standard_version());
    if (!version.ok()) return version.status();
    if (absl::Status accredited = domain::CheckMayIssueSeals(*accreditations, seal.standard_id(),
                                                             domain::SealedStages(*version), now);
        !accredited.ok()) {
      return absl::PermissionDeniedError(
          absl::StrCat("seal ", seal.code(), " cannot be reinstated: ", accredited.message()));
    }
  }
  return absl::OkStatus();
}

namespace {

// A seal with the authority a change of it is made with.
using Reached = std::vector<std::pair<storage::StoredSeal*, v1::SealAuthority>>;

// Authority first, before any seal's state is looked at: each seal with the authority
// the change is made with (the rule's, the association's for the daemon itself, else the
// actor's own over it). A seal named by hand the actor has none over is refused without
// a word about it; a whole lot's such seals are left out (PERMISSION_DENIED when none is
// left of a change by hand).
absl::StatusOr<Reached> ReachSeals(const domain::Principal& actor,
                                   std::vector<storage::StoredSeal>& loaded,
                                   absl::string_view lot_id, const SealDecision& decision) {
  const bool whole_lot = !lot_id.empty();
  Reached reached;
  for (size_t i = 0; i < loaded.size(); ++i) {
    storage::StoredSeal& stored = loaded[i];
    std::optional<v1::SealAuthority> authority = decision.authority;
    // The daemon itself acts with the association's authority.
    if (!authority.has_value() && actor.role == v1::ROLE_UNSPECIFIED) authority = v1::ASSOCIATION;
    if (!authority.has_value()) authority = domain::AuthorityOver(stored.seal, actor);
    if (authority.has_value()) {
      reached.emplace_back(&stored, *authority);
    } else if (!whole_lot) {
      return absl::PermissionDeniedError(absl::StrCat(
          "codes[", i,
          "]: not a seal you issued; only the issuing certifier or the association may change it"));
    }
  }
  if (whole_lot && !decision.authority.has_value() && reached.empty()) {
    if (loaded.empty() && actor.role == v1::ADMIN) {
      return absl::FailedPreconditionError(absl::StrCat("lot ", lot_id, " has no seals"));
    }
    return absl::PermissionDeniedError(
        absl::StrCat("lot ", lot_id,
                     ": you issued none of its seals; only the issuing certifier or the "
                     "association changes a lot's seals"));
  }
  return reached;
}

// Which of the `reached` seals change to `target`; undoing a higher authority's
// suspension of a lot's seals stops it all. A reinstated seal must pass
// CheckReinstatement (checked once per issuance's inspection, grade and authority).
absl::StatusOr<Reached> ChooseChanges(storage::Transaction& tx, const Reached& reached,
                                      v1::Seal::Status target, absl::string_view lot_id,
                                      bool by_rule) {
  const bool whole_lot = !lot_id.empty();
  Reached changing;
  std::map<std::tuple<std::string, int, int>, absl::Status> reinstatable;
  int outranked = 0;
  std::string outranked_by;
  for (const auto& [stored, authority] : reached) {
    v1::Seal& seal = stored->seal;
    if (by_rule && domain::EffectiveStatus(seal, tx.now()) == v1::Seal::EXPIRED) continue;
    absl::StatusOr<bool> change = domain::CheckSealChange(seal, target, authority);
    if (absl::IsPermissionDenied(change.status()) && whole_lot && !by_rule) {
      if (++outranked == 1) {
        outranked_by =
            domain::DecisionText(domain::DecidingAuthority(seal), seal.status_decision().cause());
      }
      continue;
    }
    if (absl::IsFailedPrecondition(change.status()) && (whole_lot || by_rule)) continue;
    if (!change.ok()) return change.status();
    if (!*change) continue;
    if (target == v1::Seal::VALID) {
      const auto key = std::make_tuple(seal.inspection_id(), static_cast<int>(seal.grade()),
                                       static_cast<int>(authority));
      auto checked = reinstatable.find(key);
      if (checked == reinstatable.end()) {
        checked =
            reinstatable
                .emplace(key, CheckReinstatement(tx.store(), seal, authority, tx.actor(), tx.now()))
                .first;
      }
      if (!checked->second.ok()) return checked->second;
    }
    changing.emplace_back(stored, authority);
  }
  if (outranked > 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "lot ", lot_id, ": ", outranked, outranked == 1 ? " seal was" : " seals were",
        " suspended by ", outranked_by, "; only an authority at least as high may reinstate ",
        outranked == 1 ? "it" : "them", "; nothing was changed"));
  }
  return changing;
}

// Applies the change to each of `changing` and records one event per lot, each
// concerning its own firm and site, whose record (kept) lists its seals.
void RecordSealChanges(storage::Transaction& tx, const Reached& changing, v1::Seal::Status target,
                       absl::string_view reason, const SealDecision& decision) {
  struct LotChange {
    v1::SealStatusChange record;
    std::string firm_id, site_id;
  };
  std::map<std::string, LotChange> by_lot;
  for (const auto& [stored, authority] : changing) {
    v1::Seal& seal = stored->seal;
    domain::ApplySealChange(seal, target, reason, authority, decision.cause, tx.actor(), tx.now());
    storage::PutSeal(tx.writes(), seal, stored->compact);
    LotChange& lot = by_lot[seal.lot_id()];
    if (lot.record.codes().empty()) {
      lot.record.set_status(target);
      lot.record.set_reason(std::string(reason));
      lot.record.set_lot_id(seal.lot_id());
      lot.record.set_authority(authority);
      lot.record.set_cause(decision.cause);
      lot.firm_id = seal.firm_id();
      lot.site_id = seal.site_id();
    }
    lot.record.add_codes(seal.code());
  }
  static constexpr absl::string_view kKinds[] = {"", "seals.reinstated", "seals.suspended",
                                                 "seals.revoked"};
  const absl::string_view kind =
      kKinds[static_cast<int>(target) < 4 ? static_cast<int>(target) : 0];
  for (auto& [lot, change] : by_lot) {
    const std::string change_id = domain::NewId("chg");
    tx.Record(kind, domain::Subject(domain::kSealChangeRecord, change_id), change.record,
              change.firm_id, change.site_id);
    // Kept, so that GetRecord serves it and anyone who may read the event can re-hash it.
    storage::PutSealChange(tx.writes(), change_id, change.record);
  }
}

}  // namespace

absl::StatusOr<uint32_t> DecideSeals(storage::Transaction& tx,
                                     const std::vector<std::string>& codes, v1::Seal::Status target,
                                     absl::string_view reason, absl::string_view lot_id,
                                     const SealDecision& decision) {
  const bool by_rule = decision.authority.has_value();
  // A rule's reason is composed here from records already checked (and may quote one).
  if (reason.empty() || (reason.size() > 1000 && !by_rule)) {
    return absl::InvalidArgumentError("reason: required, at most 1000 characters");
  }
  absl::StatusOr<std::vector<storage::StoredSeal>> loaded = LoadSeals(tx.store(), codes);
  if (!loaded.ok()) return loaded.status();
  absl::StatusOr<Reached> reached = ReachSeals(tx.actor(), *loaded, lot_id, decision);
  if (!reached.ok()) return reached.status();
  absl::StatusOr<Reached> changing = ChooseChanges(tx, *reached, target, lot_id, by_rule);
  if (!changing.ok()) return changing.status();
  RecordSealChanges(tx, *changing, target, reason, decision);
  return static_cast<uint32_t>(changing->size());
}

absl::StatusOr<uint32_t> ChangeSeals(storage::Transaction& tx,
                                     const std::vector<std::string>& codes, v1::Seal::Status target,
                                     absl::string_view reason, absl::string_view lot_id,
                                     bool follows_rule) {
  SealDecision decision;
  if (follows_rule) {
    decision.cause = v1::INSPECTION_RESULT;
    decision.authority = tx.actor().role == v1::ADMIN ? v1::ASSOCIATION : v1::ISSUER;
  }
  return DecideSeals(tx, codes, target, reason, lot_id, decision);
}

absl::StatusOr<uint32_t> ChangeSealsOrLot(storage::Transaction& tx, std::vector<std::string> codes,
                                          v1::Seal::Status target, absl::string_view reason,
                                          absl::string_view lot_id) {
  if (!lot_id.empty()) {
    absl::StatusOr<v1::Lot> lot = storage::RequireLot(tx.store(), lot_id);
    if (!lot.ok()) return lot.status();
    absl::StatusOr<std::vector<std::string>> all = SealCodesOfLot(tx.store(), lot->id());
    if (!all.ok()) return all.status();
    codes = *std::move(all);
  }
  return ChangeSeals(tx, codes, target, reason, lot_id);
}

namespace {

// What an issuance rests on: the issuer's inspection, the lot's certification for that
// inspection's standard, and the version it is judged against.
struct IssuanceBasis {
  v1::Inspection inspection;
  v1::Certification certification;  // empty when the inspection is no current one of the lot
  v1::StandardVersion version;
};

// The inspection named (`named`), or else the issuer's own that the lot's certification
// rests on (domain::IssuersInspection), with the lot's certification computed from all
// its inspections now (it is never stored). PlanIssuance judges whether they do.
absl::StatusOr<IssuanceBasis> LoadIssuanceBasis(const storage::Store& store, const v1::Lot& lot,
                                                const std::string& named,
                                                const std::string& certifier_id) {
  absl::StatusOr<std::vector<v1::Inspection>> inspections =
      storage::InspectionsOfLot(store, lot.id());
  if (!inspections.ok()) return inspections.status();
  absl::StatusOr<std::vector<v1::Certification>> certifications = CertifyLot(store, *inspections);
  if (!certifications.ok()) return certifications.status();
  IssuanceBasis basis;
  if (named.empty()) {
    const v1::Inspection* own =
        domain::IssuersInspection(*inspections, *certifications, certifier_id);
    if (own == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat("lot_id: lot ", lot.id(),
                                                        " has no current inspection by ",
                                                        certifier_id, "; submit one first"));
    }
    basis.inspection = *own;
  } else {
    absl::StatusOr<v1::Inspection> inspection = storage::RequireInspection(store, named);
    if (!inspection.ok()) return inspection.status();
    basis.inspection = *std::move(inspection);
  }
  for (v1::Certification& certification : *certifications) {
    if (certification.standard_id() == basis.inspection.standard_id()) {
      basis.certification = std::move(certification);
    }
  }
  if (basis.certification.standard_version() == 0) return basis;
  absl::StatusOr<v1::StandardVersion> version = storage::RequireStandardVersion(
      store, basis.certification.standard_id(), basis.certification.standard_version());
  if (!version.ok()) return version.status();
  basis.version = *std::move(version);
  return basis;
}

// For a retried request (`request_id` used before by this certifier): the first answer,
// read back. False when the request is new.
absl::StatusOr<bool> AnswerRetriedIssuance(const storage::Store& store,
                                           const std::string& certifier_id,
                                           const v1::IssueSealsRequest& request,
                                           v1::IssueSealsResponse& response) {
  if (request.request_id().empty()) return false;
  absl::StatusOr<std::optional<std::string>> done =
      storage::FindIssuanceRequest(store, certifier_id, request.request_id());
  if (!done.ok()) return done.status();
  if (!done->has_value()) return false;
  absl::StatusOr<v1::SealIssuance> first = storage::RequireIssuance(store, **done);
  if (!first.ok()) return first.status();
  absl::StatusOr<std::optional<std::string>> codes = storage::LoadIssuanceCodes(store, first->id());
  if (!codes.ok()) return codes.status();
  for (absl::string_view code : absl::StrSplit(codes->value_or(""), '\n', absl::SkipEmpty())) {
    response.add_codes(std::string(code));
  }
  *response.mutable_issuance() = *std::move(first);
  return true;
}

// Accredited today for what the seal vouches for, not only on the inspection date.
absl::Status CheckIssuerAccredited(const storage::Store& store, const std::string& certifier_id,
                                   const IssuanceBasis& basis, absl::Time now) {
  absl::StatusOr<std::vector<v1::Accreditation>> accreditations =
      storage::AccreditationsOfCertifier(store, certifier_id);
  if (!accreditations.ok()) return accreditations.status();
  return domain::CheckMayIssueSeals(*accreditations, basis.inspection.standard_id(),
                                    domain::SealRequiredStages(basis.inspection, basis.version),
                                    now);
}

v1::SealIssuance NewIssuance(const v1::Lot& lot, const IssuanceBasis& basis,
                             const domain::IssuancePlan& plan, const v1::IssueSealsRequest& request,
                             const std::string& certifier_id, absl::Time now) {
  v1::SealIssuance issuance;
  issuance.set_id(domain::NewId("iss"));
  issuance.set_lot_id(lot.id());
  issuance.set_inspection_id(basis.inspection.id());
  issuance.set_certifier_id(certifier_id);
  issuance.set_count(request.count());
  issuance.set_grade(plan.grade);
  *issuance.mutable_issue_time() = domain::ToProto(now);
  issuance.set_request_id(request.request_id());
  for (const std::string& id : plan.rests_on) issuance.add_rests_on(id);
  return issuance;
}

// What every seal of `issuance` shares (its code and position aside).
v1::Seal SealTemplate(const v1::SealIssuance& issuance, const v1::Lot& lot,
                      const v1::Organisation& firm, const v1::Site& site,
                      const IssuanceBasis& basis, const domain::IssuancePlan& plan,
                      absl::Time now) {
  v1::Seal seal;
  seal.set_lot_id(lot.id());
  seal.set_inspection_id(basis.inspection.id());
  seal.set_firm_id(firm.id());
  seal.set_firm_name(firm.name());
  seal.set_site_id(site.id());
  seal.set_site_name(site.name());
  seal.set_certifier_id(issuance.certifier_id());
  seal.set_standard_id(basis.inspection.standard_id());
  seal.set_standard_version(basis.version.version());
  seal.set_grade(plan.grade);
  *seal.mutable_issue_time() = domain::ToProto(now);
  if (plan.expiry.has_value()) *seal.mutable_expire_time() = domain::ToProto(*plan.expiry);
  seal.set_status(v1::Seal::VALID);
  seal.set_issuance_id(issuance.id());
  return seal;
}

// `count` new codes of `standard_id`. Codes are random; one already taken, or drawn
// twice (about 2^-60 per pair), is drawn again. All are looked up in one batch.
absl::StatusOr<std::vector<std::string>> DrawFreshCodes(const storage::Store& store,
                                                        const std::string& standard_id,
                                                        uint32_t count) {
  std::vector<std::string> codes;
  codes.reserve(count);
  absl::flat_hash_set<std::string> fresh;
  while (codes.size() < count) {
    std::vector<std::string> drawn = domain::NewSealCodes(standard_id, count - codes.size());
    std::vector<std::string> keys;
    keys.reserve(drawn.size());
    for (const std::string& code : drawn) keys.push_back(domain::SealCodeKey(code));
    absl::StatusOr<std::vector<std::optional<std::string>>> taken =
        storage::LoadSealRecords(store, keys);
    if (!taken.ok()) return taken.status();
    for (size_t i = 0; i < drawn.size(); ++i) {
      if ((*taken)[i].has_value() || !fresh.insert(std::move(keys[i])).second) continue;
      codes.push_back(std::move(drawn[i]));
    }
  }
  return codes;
}

// Writes the seals `codes` of `seal`'s issuance and its leaves, and returns the root of
// their tree. Each seal's whole record is hashed as its leaf; what is stored is its own
// fields, the shared ones once in the issuance's template.
absl::StatusOr<std::string> WriteIssuedSeals(storage::WriteSet& writes, const v1::Seal& seal,
                                             const std::vector<std::string>& codes) {
  storage::PutSealTemplate(writes, seal);
  const storage::IssuedSealRecords records(seal);
  const uint32_t count = static_cast<uint32_t>(codes.size());
  std::string leaves;
  leaves.reserve(size_t{count} * domain::merkle::kHashSize);
  for (uint32_t position = 0; position < count; ++position) {
    leaves += domain::merkle::LeafHash(records.Whole(codes[position], position));
    storage::PutCompactSealRecord(writes, codes[position], records.Own(codes[position], position));
  }
  absl::StatusOr<domain::merkle::LeafTree> tree = domain::merkle::LeafTree::Build(leaves);
  if (!tree.ok()) return tree.status();
  absl::StatusOr<std::string> root = tree->Root();
  if (!root.ok()) return root.status();
  storage::PutIssuanceLeaves(writes, seal.issuance_id(), std::move(leaves));
  storage::PutIssuanceCodes(writes, seal.issuance_id(), absl::StrJoin(codes, "\n"));
  return root;
}

}  // namespace

absl::Status IssueSealsTx(storage::Transaction& tx, const v1::IssueSealsRequest& request,
                          uint32_t max_seals_per_issuance, v1::IssueSealsResponse& response) {
  const storage::Store& store = tx.store();
  const std::string& certifier_id = tx.actor().organisation_id;
  absl::StatusOr<bool> retried = AnswerRetriedIssuance(store, certifier_id, request, response);
  if (!retried.ok() || *retried) return retried.status();
  absl::StatusOr<v1::Lot> lot = storage::RequireLot(store, request.lot_id());
  if (!lot.ok()) return lot.status();
  absl::StatusOr<IssuanceBasis> basis =
      LoadIssuanceBasis(store, *lot, request.inspection_id(), certifier_id);
  if (!basis.ok()) return basis.status();
  absl::StatusOr<domain::IssuancePlan> plan =
      domain::PlanIssuance(*lot, basis->inspection, basis->certification, basis->version, request,
                           certifier_id, tx.now(), max_seals_per_issuance);
  if (!plan.ok()) return plan.status();
  if (absl::Status accredited = CheckIssuerAccredited(store, certifier_id, *basis, tx.now());
      !accredited.ok()) {
    return accredited;
  }
  absl::StatusOr<v1::Organisation> firm = storage::RequireOrganisation(store, lot->firm_id());
  if (!firm.ok()) return firm.status();
  absl::StatusOr<v1::Site> site = storage::RequireSite(store, lot->site_id());
  if (!site.ok()) return site.status();

  v1::SealIssuance issuance = NewIssuance(*lot, *basis, *plan, request, certifier_id, tx.now());
  const v1::Seal seal = SealTemplate(issuance, *lot, *firm, *site, *basis, *plan, tx.now());
  absl::StatusOr<std::vector<std::string>> codes =
      DrawFreshCodes(store, basis->inspection.standard_id(), request.count());
  if (!codes.ok()) return codes.status();
  absl::StatusOr<std::string> root = WriteIssuedSeals(tx.writes(), seal, *codes);
  if (!root.ok()) return root.status();
  issuance.set_seals_root(*root);
  lot->set_seals_issued(lot->seals_issued() + request.count());
  storage::PutLot(tx.writes(), *lot);
  storage::PutIssuance(tx.writes(), issuance, basis->inspection.standard_id(),
                       basis->inspection.standard_version());
  for (std::string& code : *codes) response.add_codes(std::move(code));
  // One event for the whole issuance: its record digests every seal through seals_root
  // (a seal is proved by this event plus its path in that tree).
  tx.Record("seals.issued", domain::Subject(domain::kSealIssuanceRecord, issuance.id()), issuance,
            lot->firm_id(), lot->site_id());
  // The lot's count of seals changed too: every changed record has its event.
  tx.Record("lot.sealed", domain::Subject(domain::kLotRecord, lot->id()), *lot, lot->firm_id(),
            lot->site_id());
  *response.mutable_issuance() = std::move(issuance);
  return absl::OkStatus();
}

}  // namespace sello::service

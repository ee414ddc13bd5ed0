#include "daemon/service/seal_ops.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/seal_code.h"
#include "daemon/domain/seal_rules.h"
#include "storage/keys.h"
#include "storage/records.h"

namespace sello::service {

using storage::Table;

namespace {

// The whole seal stored under `code`; NOT_FOUND when there is none.
absl::StatusOr<storage::StoredSeal> RequireSeal(const storage::Store& store,
                                                absl::string_view code) {
  absl::StatusOr<std::optional<storage::StoredSeal>> stored = storage::LoadSeal(store, code);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return absl::NotFoundError(absl::StrCat("seal '", code, "' not found"));
  return **std::move(stored);
}

// The children of `parent` in `index`.
absl::StatusOr<std::vector<std::string>> ChildrenOf(const storage::Store& store, Table index,
                                                    absl::string_view parent) {
  std::vector<std::string> children;
  absl::Status scan = store.Scan(index, storage::ChildPrefix(parent), "",
                                 [&](absl::string_view key, absl::string_view) {
                                   children.emplace_back(storage::ChildOf(key));
                                   return true;
                                 });
  if (!scan.ok()) return scan;
  return children;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> IssuancesOfLot(const storage::Store& store,
                                                        absl::string_view lot_id) {
  return ChildrenOf(store, Table::kIssuancesByLot, lot_id);
}

absl::StatusOr<std::vector<std::string>> WholeSealsOfLot(const storage::Store& store,
                                                         absl::string_view lot_id) {
  return ChildrenOf(store, Table::kSealsByLot, lot_id);
}

absl::StatusOr<std::vector<std::string>> CodesOfIssuance(const storage::Store& store,
                                                         absl::string_view issuance_id) {
  absl::StatusOr<std::optional<std::string>> listed =
      store.Get(Table::kIssuances, storage::IssuanceCodesKey(issuance_id));
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
  absl::StatusOr<std::vector<std::string>> issuance_ids = IssuancesOfLot(store, lot_id);
  if (!issuance_ids.ok()) return issuance_ids.status();
  for (const std::string& issuance_id : *issuance_ids) {
    if (!inspection_id.empty()) {
      absl::StatusOr<v1::SealIssuance> issuance = storage::RequireRecord<v1::SealIssuance>(
          store, Table::kIssuances, issuance_id, "issuance");
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
  scan = store.Scan(Table::kSealsByLot, storage::ChildPrefix(lot_id), "",
                    [&](absl::string_view key, absl::string_view) {
                      const std::string code(storage::ChildOf(key));
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

absl::StatusOr<uint32_t> ChangeSeals(storage::Transaction& tx,
                                     const std::vector<std::string>& codes, v1::Seal::Status target,
                                     absl::string_view reason, absl::string_view lot_id,
                                     bool follows_rule) {
  if (reason.empty() || reason.size() > 1000) {
    return absl::InvalidArgumentError("reason: required, at most 1000 characters");
  }
  v1::SealStatusChange change;
  change.set_status(target);
  change.set_reason(std::string(reason));
  change.set_lot_id(std::string(lot_id));
  std::string firm_id, site_id;
  for (const std::string& code : codes) {
    absl::StatusOr<storage::StoredSeal> stored = RequireSeal(tx.store(), code);
    if (!stored.ok()) return stored.status();
    v1::Seal* seal = &stored->seal;
    if (absl::Status status = domain::CheckMayChangeSeal(*seal, tx.actor());
        !status.ok() && !follows_rule && tx.actor().role != v1::ROLE_UNSPECIFIED) {
      return status;
    }
    if (absl::Status status = domain::CheckSealTransition(*seal, target); !status.ok()) {
      if (!lot_id.empty()) continue;
      return status;
    }
    if (seal->status() == target) continue;
    seal->set_status(target);
    seal->set_status_reason(std::string(reason));
    storage::PutSeal(tx.writes(), *seal, stored->compact);
    change.add_codes(code);
    firm_id = seal->firm_id();
    site_id = seal->site_id();
  }
  if (change.codes().empty()) return 0u;
  static constexpr absl::string_view kKinds[] = {"", "seals.reinstated", "seals.suspended",
                                                 "seals.revoked"};
  const std::string subject = domain::Subject(domain::kSealChangeRecord, domain::NewId("chg"));
  tx.Record(kKinds[static_cast<int>(target) < 4 ? static_cast<int>(target) : 0], subject, change,
            firm_id, site_id);
  return static_cast<uint32_t>(change.codes_size());
}

}  // namespace sello::service

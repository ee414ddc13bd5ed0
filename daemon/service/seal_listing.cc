#include "daemon/service/seal_listing.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "daemon/domain/seal_code.h"
#include "daemon/domain/seal_rules.h"
#include "storage/keys.h"
#include "storage/loaders.h"

namespace sello::service {
namespace {

// Where a page of a lot's seals ends, inside its page token: "i\0" issuance id "\0" the
// next position (u32 BE), or "w\0" the last code of a seal stored before issuances kept
// their codes.
constexpr absl::string_view kIssuancePart = absl::string_view("i\0", 2);
constexpr absl::string_view kWholePart = absl::string_view("w\0", 2);

absl::Status MalformedToken() {
  return absl::InvalidArgumentError("page_token: not a page of this listing");
}

// The codes of `issuance` in position order: its stored codes, or for an issuance made
// before those were kept, its seals' own by-lot entries.
absl::StatusOr<std::vector<std::string>> IssuanceCodes(const storage::Store& store,
                                                       const v1::SealIssuance& issuance) {
  absl::StatusOr<std::optional<std::string>> listed =
      storage::LoadIssuanceCodes(store, issuance.id());
  if (!listed.ok()) return listed.status();
  if (listed->has_value()) {
    return std::vector<std::string>(absl::StrSplit(**listed, '\n', absl::SkipEmpty()));
  }
  std::vector<v1::Seal> found;
  absl::Status inner;
  absl::Status scan =
      storage::VisitWholeSealCodesOfLot(store, issuance.lot_id(), "", [&](absl::string_view code) {
        absl::StatusOr<std::optional<storage::StoredSeal>> stored = storage::LoadSeal(store, code);
        if (!stored.ok()) {
          inner = stored.status();
          return false;
        }
        if (stored->has_value() && (*stored)->seal.issuance_id() == issuance.id()) {
          found.push_back(std::move((*stored)->seal));
        }
        return true;
      });
  if (!scan.ok()) return scan;
  if (!inner.ok()) return inner;
  std::sort(found.begin(), found.end(),
            [](const v1::Seal& a, const v1::Seal& b) { return a.position() < b.position(); });
  std::vector<std::string> codes;
  codes.reserve(found.size());
  for (v1::Seal& seal : found) codes.push_back(std::move(*seal.mutable_code()));
  return codes;
}

// Appends the seals stored under `codes` to `seals`, whole (one batched lookup, their
// issuances' templates completed), with their status as read at `now`.
absl::Status AppendSeals(const storage::Store& store, const std::vector<std::string>& codes,
                         absl::Time now, storage::SealTemplateCache* templates,
                         google::protobuf::RepeatedPtrField<v1::Seal>& seals) {
  std::vector<std::string> keys;
  keys.reserve(codes.size());
  for (const std::string& code : codes) keys.push_back(domain::SealCodeKey(code));
  absl::StatusOr<std::vector<std::optional<std::string>>> records =
      storage::LoadSealRecords(store, keys);
  if (!records.ok()) return records.status();
  std::vector<v1::Seal*> added;
  added.reserve(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) {
    if (!(*records)[i].has_value()) {
      return absl::DataLossError(
          absl::StrCat("seal ", codes[i], " is listed by its issuance but not stored"));
    }
    v1::Seal* seal = seals.Add();
    if (absl::Status parsed = storage::ParseSealRecord(keys[i], *(*records)[i], *seal);
        !parsed.ok()) {
      return parsed;
    }
    added.push_back(seal);
  }
  if (absl::Status completed = storage::CompleteSeals(store, added, templates); !completed.ok()) {
    return completed;
  }
  for (v1::Seal* seal : added) seal->set_status(domain::EffectiveStatus(*seal, now));
  return absl::OkStatus();
}

// Visits, in code order after `after_code` (from the first when empty), the seals of
// `lot_id` stored before issuances kept their codes (their by-lot entries) that are not
// listed with one of `listed_issuances`. `visit` returns false to stop.
absl::Status VisitEarlierSeals(const storage::Store& store, absl::string_view lot_id,
                               absl::string_view after_code,
                               const absl::flat_hash_set<std::string>& listed_issuances,
                               const std::function<bool(v1::Seal&&)>& visit) {
  absl::Status inner;
  absl::Status scan =
      storage::VisitWholeSealCodesOfLot(store, lot_id, after_code, [&](absl::string_view code) {
        absl::StatusOr<std::optional<storage::StoredSeal>> stored = storage::LoadSeal(store, code);
        if (!stored.ok() || !stored->has_value()) {
          inner = stored.ok()
                      ? absl::DataLossError(absl::StrCat("seal ", code, " is indexed by lot ",
                                                         lot_id, " but not stored"))
                      : stored.status();
          return false;
        }
        if (listed_issuances.count((*stored)->seal.issuance_id())) return true;
        return visit(std::move((*stored)->seal));
      });
  if (!scan.ok()) return scan;
  return inner;
}

// OK if `reader` may list the seals of `lot`, whose issuances were made by `issuers`;
// PERMISSION_DENIED otherwise.
absl::Status CheckMayListSeals(const storage::Store& store, const v1::Lot& lot,
                               const domain::Principal& reader,
                               const std::vector<std::string>& issuers,
                               const absl::flat_hash_set<std::string>& issuance_ids) {
  if (domain::CanListSealsOfLot(lot, issuers, reader)) return absl::OkStatus();
  // A certifier may have issued seals of the lot before issuances kept their codes.
  bool issued_earlier = false;
  if (reader.role == v1::CERTIFIER) {
    absl::Status visited =
        VisitEarlierSeals(store, lot.id(), "", issuance_ids, [&](v1::Seal&& seal) {
          issued_earlier = seal.certifier_id() == reader.organisation_id;
          return !issued_earlier;
        });
    if (!visited.ok()) return visited;
  }
  if (!issued_earlier) {
    return absl::PermissionDeniedError(
        absl::StrCat("the seals of lot ", lot.id(),
                     " are read by its firm, the certifiers that issued them, ADMIN and "
                     "REGULATOR only"));
  }
  return absl::OkStatus();
}

// Where the previous page of a lot's seals ended.
struct LotCursor {
  std::string from_issuance;
  uint32_t from_position = 0;
  std::string after_code;
  bool earlier_part = false;  // the page resumes among the seals stored before issuances
};

// The cursor inside a decoded page token (`after`; empty for the first page).
absl::StatusOr<LotCursor> ParseLotCursor(const std::string& after) {
  LotCursor cursor;
  cursor.earlier_part = absl::StartsWith(after, kWholePart);
  if (cursor.earlier_part) {
    cursor.after_code = after.substr(kWholePart.size());
  } else if (!after.empty()) {
    if (!absl::StartsWith(after, kIssuancePart)) return MalformedToken();
    const absl::string_view rest = absl::string_view(after).substr(kIssuancePart.size());
    const size_t separator = rest.find('\0');
    if (separator == absl::string_view::npos) return MalformedToken();
    absl::StatusOr<uint32_t> position = storage::DecodeU32(rest.substr(separator + 1));
    if (!position.ok()) return MalformedToken();
    cursor.from_issuance = std::string(rest.substr(0, separator));
    cursor.from_position = *position;
  }
  return cursor;
}

// A seal of a page, with the cursor that resumes after it.
struct PageEntry {
  std::string cursor;
  std::string code;              // a seal of an issuance (loaded later, in one batch)
  std::optional<v1::Seal> seal;  // a seal stored before issuances kept their codes
};

// Adds to `page`, up to `wanted` entries, the codes of the issued seals `reader` may read,
// from `cursor` on.
absl::Status CollectIssuedSeals(const storage::Store& store, const v1::Lot& lot,
                                const domain::Principal& reader,
                                const std::vector<v1::SealIssuance>& issuances,
                                const LotCursor& cursor, size_t wanted,
                                std::vector<PageEntry>& page) {
  for (const v1::SealIssuance& issuance : issuances) {
    if (page.size() == wanted) break;
    if (!cursor.from_issuance.empty() && issuance.id() < cursor.from_issuance) continue;
    if (!domain::CanReadIssuedSeals(lot, issuance.certifier_id(), reader)) continue;
    absl::StatusOr<std::vector<std::string>> codes = IssuanceCodes(store, issuance);
    if (!codes.ok()) return codes.status();
    for (size_t position = issuance.id() == cursor.from_issuance ? cursor.from_position : 0;
         position < codes->size() && page.size() < wanted; ++position) {
      page.push_back({absl::StrCat(kIssuancePart, issuance.id(), absl::string_view("\0", 1),
                                   storage::EncodeU32(static_cast<uint32_t>(position + 1))),
                      std::move((*codes)[position]), std::nullopt});
    }
  }
  return absl::OkStatus();
}

// Adds to `page`, up to `wanted` entries, the seals stored before issuances kept their
// codes that `reader` may read, after `after_code`.
absl::Status CollectEarlierSeals(const storage::Store& store, const v1::Lot& lot,
                                 const domain::Principal& reader,
                                 const absl::flat_hash_set<std::string>& issuance_ids,
                                 absl::string_view after_code, size_t wanted,
                                 std::vector<PageEntry>& page) {
  return VisitEarlierSeals(store, lot.id(), after_code, issuance_ids, [&](v1::Seal&& seal) {
    if (!domain::CanReadIssuedSeals(lot, seal.certifier_id(), reader)) return true;
    page.push_back({absl::StrCat(kWholePart, seal.code()), "", std::move(seal)});
    return page.size() < wanted;
  });
}

// Appends the seals of `page` to `seals`: issued seals first, the earlier ones after them.
absl::Status AppendPage(const storage::Store& store, std::vector<PageEntry>& page, absl::Time now,
                        storage::SealTemplateCache* templates,
                        google::protobuf::RepeatedPtrField<v1::Seal>& seals) {
  std::vector<std::string> codes;
  for (PageEntry& entry : page) {
    if (!entry.seal.has_value()) codes.push_back(std::move(entry.code));
  }
  if (absl::Status appended = AppendSeals(store, codes, now, templates, seals); !appended.ok()) {
    return appended;
  }
  for (PageEntry& entry : page) {
    if (!entry.seal.has_value()) continue;
    entry.seal->set_status(domain::EffectiveStatus(*entry.seal, now));
    *seals.Add() = std::move(*entry.seal);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ListSealsOfLot(const storage::Store& store, const v1::Lot& lot,
                                           const domain::Principal& reader,
                                           absl::string_view page_token, int page_size,
                                           absl::Time now, storage::SealTemplateCache* templates,
                                           google::protobuf::RepeatedPtrField<v1::Seal>& seals) {
  const std::string listing = absl::StrCat("lot_seals:", lot.id());
  absl::StatusOr<std::string> after = storage::DecodePageToken(listing, page_token);
  if (!after.ok()) return after.status();
  absl::StatusOr<std::vector<v1::SealIssuance>> issuances =
      storage::LoadIssuancesOfLot(store, lot.id());
  if (!issuances.ok()) return issuances.status();
  std::vector<std::string> issuers;
  absl::flat_hash_set<std::string> issuance_ids;
  for (const v1::SealIssuance& issuance : *issuances) {
    issuers.push_back(issuance.certifier_id());
    issuance_ids.insert(issuance.id());
  }
  if (absl::Status allowed = CheckMayListSeals(store, lot, reader, issuers, issuance_ids);
      !allowed.ok()) {
    return allowed;
  }
  absl::StatusOr<LotCursor> cursor = ParseLotCursor(*after);
  if (!cursor.ok()) return cursor.status();

  // The page's seals, and one more to know whether there is a next page.
  const size_t wanted = static_cast<size_t>(page_size) + 1;
  std::vector<PageEntry> page;
  if (!cursor->earlier_part) {
    absl::Status collected =
        CollectIssuedSeals(store, lot, reader, *issuances, *cursor, wanted, page);
    if (!collected.ok()) return collected;
  }
  if (page.size() < wanted) {
    absl::Status collected =
        CollectEarlierSeals(store, lot, reader, issuance_ids, cursor->after_code, wanted, page);
    if (!collected.ok()) return collected;
  }
  const bool more = page.size() == wanted;
  if (more) page.pop_back();
  if (absl::Status appended = AppendPage(store, page, now, templates, seals); !appended.ok()) {
    return appended;
  }
  return more ? storage::EncodePageToken(listing, page.back().cursor) : std::string();
}

absl::StatusOr<std::string> ListSealsOfIssuance(
    const storage::Store& store, const v1::SealIssuance& issuance, absl::string_view page_token,
    int page_size, absl::Time now, storage::SealTemplateCache* templates,
    google::protobuf::RepeatedPtrField<v1::Seal>& seals) {
  const std::string listing = absl::StrCat("issuance_seals:", issuance.id());
  absl::StatusOr<std::string> after = storage::DecodePageToken(listing, page_token);
  if (!after.ok()) return after.status();
  uint32_t from = 0;
  if (!after->empty()) {
    absl::StatusOr<uint32_t> position = storage::DecodeU32(*after);
    if (!position.ok()) return MalformedToken();
    from = *position;
  }
  absl::StatusOr<std::vector<std::string>> codes = IssuanceCodes(store, issuance);
  if (!codes.ok()) return codes.status();
  const size_t begin = std::min<size_t>(from, codes->size());
  const size_t end = std::min(codes->size(), begin + static_cast<size_t>(page_size));
  const std::vector<std::string> page(std::make_move_iterator(codes->begin() + begin),
                                      std::make_move_iterator(codes->begin() + end));
  if (absl::Status appended = AppendSeals(store, page, now, templates, seals); !appended.ok()) {
    return appended;
  }
  return end < codes->size()
             ? storage::EncodePageToken(listing, storage::EncodeU32(static_cast<uint32_t>(end)))
             : std::string();
}

}  // namespace sello::service

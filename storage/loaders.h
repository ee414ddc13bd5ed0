// Typed loaders: each kind of record read by what it is (a lot, a site, an issuance's
// codes, the seals stored under some codes, a page of inspections by site, ...), so that
// the services never name a table, an index or a key layout. Built on records.h; the
// errors are the ones the services have always returned (NOT_FOUND "lot 'L-1' not
// found", DATA_LOSS naming what is unreadable or missing).
#ifndef SELLO_STORAGE_LOADERS_H_
#define SELLO_STORAGE_LOADERS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sello/internal/records.pb.h"
#include "sello/v1/accreditation.pb.h"
#include "sello/v1/appeal.pb.h"
#include "sello/v1/event.pb.h"
#include "sello/v1/inspection.pb.h"
#include "sello/v1/norm.pb.h"
#include "sello/v1/organisation.pb.h"
#include "sello/v1/seal.pb.h"
#include "sello/v1/standard.pb.h"
#include "storage/records.h"
#include "storage/store.h"

namespace sello::storage {

// --- One record by id. Require*: NOT_FOUND "<kind> '<id>' not found" when absent.
// Find*: nullopt when absent.
absl::StatusOr<v1::Organisation> RequireOrganisation(const Store& store, absl::string_view id);
absl::StatusOr<v1::Site> RequireSite(const Store& store, absl::string_view id);
absl::StatusOr<v1::Lot> RequireLot(const Store& store, absl::string_view id);
absl::StatusOr<v1::Inspection> RequireInspection(const Store& store, absl::string_view id);
absl::StatusOr<v1::SealIssuance> RequireIssuance(const Store& store, absl::string_view id);
absl::StatusOr<v1::Appeal> RequireAppeal(const Store& store, absl::string_view id);
absl::StatusOr<v1::Norm> RequireNorm(const Store& store, absl::string_view id);
absl::StatusOr<v1::Standard> RequireStandardRecord(const Store& store, absl::string_view id);
absl::StatusOr<v1::Accreditation> RequireAccreditation(const Store& store, absl::string_view id);
absl::StatusOr<internal::StoredToken> RequireToken(const Store& store, absl::string_view id);
// NOT_FOUND "standard version '<key>' not found" (the key as stored).
absl::StatusOr<v1::StandardVersion> RequireStandardVersion(const Store& store,
                                                           absl::string_view standard_id,
                                                           uint32_t version);
absl::StatusOr<std::optional<v1::Organisation>> FindOrganisation(const Store& store,
                                                                 absl::string_view id);
absl::StatusOr<std::optional<v1::Standard>> FindStandard(const Store& store, absl::string_view id);
absl::StatusOr<std::optional<v1::StandardVersion>> FindStandardVersion(
    const Store& store, absl::string_view standard_id, uint32_t version);
// Whether a record of that kind is stored under `id` (not parsed).
absl::StatusOr<bool> OrganisationExists(const Store& store, absl::string_view id);
absl::StatusOr<bool> SiteExists(const Store& store, absl::string_view id);
absl::StatusOr<bool> StandardExists(const Store& store, absl::string_view id);

// --- Retried requests: the id of what `certifier_id` made with `request_id`, if any.
absl::StatusOr<std::optional<std::string>> FindIssuanceRequest(const Store& store,
                                                               absl::string_view certifier_id,
                                                               absl::string_view request_id);
absl::StatusOr<std::optional<std::string>> FindInspectionRequest(const Store& store,
                                                                 absl::string_view certifier_id,
                                                                 absl::string_view request_id);

// --- Issuances and seals.
// The issuance's stored record bytes (as logged), nullopt when absent.
absl::StatusOr<std::optional<std::string>> LoadIssuanceBytes(const Store& store,
                                                             absl::string_view issuance_id);
// The issuance's seals' leaf hashes (32 bytes each, in position order), nullopt when absent.
absl::StatusOr<std::optional<std::string>> LoadIssuanceLeaves(const Store& store,
                                                              absl::string_view issuance_id);
// The issuance's codes entry (newline-separated, in position order); nullopt for an
// issuance made before the codes were kept.
absl::StatusOr<std::optional<std::string>> LoadIssuanceCodes(const Store& store,
                                                             absl::string_view issuance_id);
// An issuance's leaf hashes and codes, beside its record (records.h).
void PutIssuanceLeaves(WriteSet& writes, absl::string_view issuance_id, std::string leaves);
void PutIssuanceCodes(WriteSet& writes, absl::string_view issuance_id, std::string codes);
// The issuances of `lot_id` (by issuance id); DATA_LOSS "issuance <id> is indexed by lot
// <lot> but not stored" when one is missing.
absl::StatusOr<std::vector<v1::SealIssuance>> LoadIssuancesOfLot(const Store& store,
                                                                 absl::string_view lot_id);
// The ids of a lot's issuances; of a certifier's; of those under a standard version.
absl::StatusOr<std::vector<std::string>> IssuanceIdsOfLot(const Store& store,
                                                          absl::string_view lot_id);
absl::StatusOr<std::vector<std::string>> IssuanceIdsOfCertifier(const Store& store,
                                                                absl::string_view certifier_id);
absl::StatusOr<std::vector<std::string>> IssuanceIdsOfVersion(const Store& store,
                                                              absl::string_view standard_id,
                                                              uint32_t version);
// The codes of a lot's seals stored whole (before issuances kept their seals' shared
// fields), which no issuance lists.
absl::StatusOr<std::vector<std::string>> WholeSealCodesOfLot(const Store& store,
                                                             absl::string_view lot_id);
// Visits those codes in order, after `after_code` (from the first when empty); `visit`
// returns false to stop.
absl::Status VisitWholeSealCodesOfLot(const Store& store, absl::string_view lot_id,
                                      absl::string_view after_code,
                                      const std::function<bool(absl::string_view code)>& visit);
// The stored seal records under `keys` (domain::SealCodeKey of normalised codes), in
// order, nullopt where there is none: one batched lookup.
absl::StatusOr<std::vector<std::optional<std::string>>> LoadSealRecords(
    const Store& store, const std::vector<std::string>& keys);
// Parses a seal record read under `key`; DATA_LOSS naming it when unreadable.
absl::Status ParseSealRecord(absl::string_view key, absl::string_view bytes, v1::Seal& seal);
// Keeps a change of seals' status (a seals.* event's record) under `change_id`.
void PutSealChange(WriteSet& writes, absl::string_view change_id,
                   const v1::SealStatusChange& change);

// --- Records through their indexes, whole.
absl::StatusOr<std::vector<v1::Inspection>> InspectionsOfLot(const Store& store,
                                                             absl::string_view lot_id);
absl::StatusOr<std::vector<v1::Inspection>> InspectionsOfSite(const Store& store,
                                                              absl::string_view site_id);
absl::StatusOr<std::vector<v1::Appeal>> AppealsOfInspection(const Store& store,
                                                            absl::string_view inspection_id);
absl::StatusOr<std::vector<v1::Accreditation>> AccreditationsOfCertifier(
    const Store& store, absl::string_view certifier_id);
absl::StatusOr<std::vector<v1::Norm>> NormsOfVersion(const Store& store,
                                                     absl::string_view standard_id,
                                                     uint32_t version);

// --- Every record of a kind, in id order; `visit` returns false to stop. Sites from
// just after `after` (from the first when empty).
absl::Status VisitTokens(const Store& store,
                         const std::function<bool(internal::StoredToken&&)>& visit);
absl::Status VisitSites(const Store& store, absl::string_view after,
                        const std::function<bool(absl::string_view key, v1::Site&&)>& visit);
absl::Status VisitStandardVersions(const Store& store, absl::string_view standard_id,
                                   const std::function<bool(v1::StandardVersion&&)>& visit);
absl::StatusOr<std::vector<v1::Norm>> AllNorms(const Store& store);
absl::StatusOr<std::vector<v1::Inspection>> AllInspections(const Store& store);

// --- The event log: events from `from_seq` on, in order; `visit` gets each event's
// sequence number and stored bytes (its leaf data) and returns false to stop.
absl::Status VisitEvents(
    const Store& store, uint64_t from_seq,
    const std::function<bool(absl::StatusOr<uint64_t> seq, absl::string_view data)>& visit);
// Parses event `seq`'s stored bytes; DATA_LOSS naming it when unreadable.
absl::Status ParseEventRecord(uint64_t seq, absl::string_view data, v1::Event& event);

// --- Pages of records (records.h ListPage: `page_token` from an earlier page of the same
// listing, `take` says whether the record belongs in the page). An empty parent lists
// every record.
template <typename Record>
using PageTaker = std::function<absl::StatusOr<bool>(Record&&)>;
absl::StatusOr<std::string> ListOrganisationsPage(const Store& store, v1::Organisation::Kind kind,
                                                  absl::string_view page_token, int page_size,
                                                  const PageTaker<v1::Organisation>& take);
absl::StatusOr<std::string> ListSitesPage(const Store& store, absl::string_view firm_id,
                                          absl::string_view page_token, int page_size,
                                          const PageTaker<v1::Site>& take);
absl::StatusOr<std::string> ListTokensPage(const Store& store, absl::string_view organisation_id,
                                           absl::string_view page_token, int page_size,
                                           const PageTaker<internal::StoredToken>& take);
absl::StatusOr<std::string> ListAccreditationsPage(const Store& store,
                                                   absl::string_view certifier_id,
                                                   absl::string_view page_token, int page_size,
                                                   const PageTaker<v1::Accreditation>& take);
absl::StatusOr<std::string> ListNormsPage(const Store& store, absl::string_view page_token,
                                          int page_size, const PageTaker<v1::Norm>& take);
absl::StatusOr<std::string> ListStandardsPage(const Store& store, absl::string_view page_token,
                                              int page_size, const PageTaker<v1::Standard>& take);
absl::StatusOr<std::string> ListStandardVersionsPage(const Store& store,
                                                     absl::string_view standard_id,
                                                     absl::string_view page_token, int page_size,
                                                     const PageTaker<v1::StandardVersion>& take);
// Lots by site (when `site_id` is set), else by firm (when `firm_id` is), else all.
absl::StatusOr<std::string> ListLotsPage(const Store& store, absl::string_view site_id,
                                         absl::string_view firm_id, absl::string_view page_token,
                                         int page_size, const PageTaker<v1::Lot>& take);

// The dated indexes a listing of inspections may read: every inspection by date, or
// those of one parent (lot, site, firm, certifier, standard), each by date.
enum class InspectionsBy { kDate, kLot, kSite, kFirm, kCertifier, kStandard };
// The listing's name in its page tokens.
absl::string_view InspectionListingName(InspectionsBy by);
// The page token that starts a listing at its first inspection dated `from` or later.
std::string InspectionPageFrom(InspectionsBy by, absl::string_view parent, absl::Time from);
absl::StatusOr<std::string> ListInspectionsPage(const Store& store, InspectionsBy by,
                                                absl::string_view parent,
                                                absl::string_view page_token, int page_size,
                                                const PageTaker<v1::Inspection>& take);

// The indexes a listing of appeals may read: every appeal by filing date, or those of
// one inspection, firm or certifier.
enum class AppealsBy { kDate, kInspection, kFirm, kCertifier };
absl::StatusOr<std::string> ListAppealsPage(const Store& store, AppealsBy by,
                                            absl::string_view parent, absl::string_view page_token,
                                            int page_size, const PageTaker<v1::Appeal>& take);

}  // namespace sello::storage

#endif  // SELLO_STORAGE_LOADERS_H_

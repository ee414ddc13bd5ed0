#include "storage/loaders.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storage/keys.h"

namespace sello::storage {
namespace {

// The children of `parent` in `index` ("parent \0 child" keys).
absl::StatusOr<std::vector<std::string>> ChildrenOf(const Store& store, Table index,
                                                    absl::string_view parent) {
  std::vector<std::string> children;
  absl::Status scan =
      store.Scan(index, ChildPrefix(parent), "", [&](absl::string_view key, absl::string_view) {
        children.emplace_back(ChildOf(key));
        return true;
      });
  if (!scan.ok()) return scan;
  return children;
}

// The ids an index lists under `prefix` (IndexedId of each entry).
absl::StatusOr<std::vector<std::string>> IndexedIds(const Store& store, Table index,
                                                    absl::string_view prefix) {
  std::vector<std::string> ids;
  absl::Status scan = store.Scan(index, prefix, "", [&](absl::string_view key, absl::string_view) {
    ids.emplace_back(IndexedId(key));
    return true;
  });
  if (!scan.ok()) return scan;
  return ids;
}

absl::StatusOr<bool> Exists(const Store& store, Table table, absl::string_view id) {
  absl::StatusOr<std::optional<std::string>> found = store.Get(table, id);
  if (!found.ok()) return found.status();
  return found->has_value();
}

// Every record of `table` under `prefix`, parsed, in key order; `visit` returns false to
// stop.
template <typename Record>
absl::Status VisitTable(const Store& store, Table table, absl::string_view prefix,
                        absl::string_view after,
                        const std::function<bool(absl::string_view key, Record&&)>& visit) {
  absl::Status inner;
  absl::Status scan =
      store.Scan(table, prefix, after, [&](absl::string_view key, absl::string_view value) {
        Record record;
        inner = ParseRecord(table, key, value, record);
        if (!inner.ok()) return false;
        return visit(key, std::move(record));
      });
  if (!scan.ok()) return scan;
  return inner;
}

template <typename Record>
absl::StatusOr<std::vector<Record>> AllOf(const Store& store, Table table) {
  std::vector<Record> records;
  absl::Status status =
      VisitTable<Record>(store, table, "", "", [&](absl::string_view, Record&& record) {
        records.push_back(std::move(record));
        return true;
      });
  if (!status.ok()) return status;
  return records;
}

// A page of `Record`s from `table`, or through `index` under ChildPrefix(parent) when
// `parent` is set.
template <typename Record>
absl::StatusOr<std::string> PageOf(const Store& store, Table table, Table index,
                                   absl::string_view prefix, absl::string_view page_token,
                                   int page_size, const PageTaker<Record>& take) {
  return ListRecords<Record>(store, table, prefix.empty() ? std::nullopt : std::optional(index),
                             prefix, page_token, page_size, take);
}

std::string PrefixOf(absl::string_view parent) {
  return parent.empty() ? std::string() : ChildPrefix(parent);
}

// A page of `Record`s of `table` through the entries of `index` under `prefix`, each
// loaded as `what`.
template <typename Record>
absl::StatusOr<std::string> PageThroughIndex(const Store& store, Table index, Table table,
                                             absl::string_view what, absl::string_view prefix,
                                             absl::string_view page_token, int page_size,
                                             const PageTaker<Record>& take) {
  return ListPage(store, index, prefix, TableName(index), page_token, page_size,
                  [&](absl::string_view key, absl::string_view) -> absl::StatusOr<bool> {
                    absl::StatusOr<Record> record =
                        RequireRecord<Record>(store, table, IndexedId(key), what);
                    if (!record.ok()) return record.status();
                    return take(*std::move(record));
                  });
}

Table InspectionIndex(InspectionsBy by) {
  switch (by) {
    case InspectionsBy::kLot:
      return Table::kInspectionsByLot;
    case InspectionsBy::kSite:
      return Table::kInspectionsBySite;
    case InspectionsBy::kFirm:
      return Table::kInspectionsByFirm;
    case InspectionsBy::kCertifier:
      return Table::kInspectionsByCertifier;
    case InspectionsBy::kStandard:
      return Table::kInspectionsByStandard;
    case InspectionsBy::kDate:
      break;
  }
  return Table::kInspectionsByDate;
}

Table AppealIndex(AppealsBy by) {
  switch (by) {
    case AppealsBy::kInspection:
      return Table::kAppealsByInspection;
    case AppealsBy::kFirm:
      return Table::kAppealsByFirm;
    case AppealsBy::kCertifier:
      return Table::kAppealsByCertifier;
    case AppealsBy::kDate:
      break;
  }
  return Table::kAppealsByDate;
}

}  // namespace

absl::StatusOr<v1::Organisation> RequireOrganisation(const Store& store, absl::string_view id) {
  return RequireRecord<v1::Organisation>(store, Table::kOrganisations, id, "organisation");
}
absl::StatusOr<v1::Site> RequireSite(const Store& store, absl::string_view id) {
  return RequireRecord<v1::Site>(store, Table::kSites, id, "site");
}
absl::StatusOr<v1::Lot> RequireLot(const Store& store, absl::string_view id) {
  return RequireRecord<v1::Lot>(store, Table::kLots, id, "lot");
}
absl::StatusOr<v1::Inspection> RequireInspection(const Store& store, absl::string_view id) {
  return RequireRecord<v1::Inspection>(store, Table::kInspections, id, "inspection");
}
absl::StatusOr<v1::SealIssuance> RequireIssuance(const Store& store, absl::string_view id) {
  return RequireRecord<v1::SealIssuance>(store, Table::kIssuances, id, "issuance");
}
absl::StatusOr<v1::Appeal> RequireAppeal(const Store& store, absl::string_view id) {
  return RequireRecord<v1::Appeal>(store, Table::kAppeals, id, "appeal");
}
absl::StatusOr<v1::Norm> RequireNorm(const Store& store, absl::string_view id) {
  return RequireRecord<v1::Norm>(store, Table::kNorms, id, "norm");
}
absl::StatusOr<v1::Standard> RequireStandardRecord(const Store& store, absl::string_view id) {
  return RequireRecord<v1::Standard>(store, Table::kStandards, id, "standard");
}
absl::StatusOr<v1::Accreditation> RequireAccreditation(const Store& store, absl::string_view id) {
  return RequireRecord<v1::Accreditation>(store, Table::kAccreditations, id, "accreditation");
}
absl::StatusOr<internal::StoredToken> RequireToken(const Store& store, absl::string_view id) {
  return RequireRecord<internal::StoredToken>(store, Table::kTokens, id, "token");
}
absl::StatusOr<v1::StandardVersion> RequireStandardVersion(const Store& store,
                                                           absl::string_view standard_id,
                                                           uint32_t version) {
  return RequireRecord<v1::StandardVersion>(store, Table::kStandardVersions,
                                            StandardVersionKey(standard_id, version),
                                            "standard version");
}
absl::StatusOr<std::optional<v1::Organisation>> FindOrganisation(const Store& store,
                                                                 absl::string_view id) {
  return LoadRecord<v1::Organisation>(store, Table::kOrganisations, id);
}
absl::StatusOr<std::optional<v1::Standard>> FindStandard(const Store& store, absl::string_view id) {
  return LoadRecord<v1::Standard>(store, Table::kStandards, id);
}
absl::StatusOr<std::optional<v1::StandardVersion>> FindStandardVersion(
    const Store& store, absl::string_view standard_id, uint32_t version) {
  return LoadRecord<v1::StandardVersion>(store, Table::kStandardVersions,
                                         StandardVersionKey(standard_id, version));
}
absl::StatusOr<bool> OrganisationExists(const Store& store, absl::string_view id) {
  return Exists(store, Table::kOrganisations, id);
}
absl::StatusOr<bool> SiteExists(const Store& store, absl::string_view id) {
  return Exists(store, Table::kSites, id);
}
absl::StatusOr<bool> StandardExists(const Store& store, absl::string_view id) {
  return Exists(store, Table::kStandards, id);
}

absl::StatusOr<std::optional<std::string>> FindIssuanceRequest(const Store& store,
                                                               absl::string_view certifier_id,
                                                               absl::string_view request_id) {
  return store.Get(Table::kIssuanceRequests, RequestKey(certifier_id, request_id));
}
absl::StatusOr<std::optional<std::string>> FindInspectionRequest(const Store& store,
                                                                 absl::string_view certifier_id,
                                                                 absl::string_view request_id) {
  return store.Get(Table::kInspectionRequests, RequestKey(certifier_id, request_id));
}

absl::StatusOr<std::optional<std::string>> LoadIssuanceBytes(const Store& store,
                                                             absl::string_view issuance_id) {
  return store.Get(Table::kIssuances, issuance_id);
}
absl::StatusOr<std::optional<std::string>> LoadIssuanceLeaves(const Store& store,
                                                              absl::string_view issuance_id) {
  return store.Get(Table::kIssuances, IssuanceLeavesKey(issuance_id));
}
absl::StatusOr<std::optional<std::string>> LoadIssuanceCodes(const Store& store,
                                                             absl::string_view issuance_id) {
  return store.Get(Table::kIssuances, IssuanceCodesKey(issuance_id));
}
void PutIssuanceLeaves(WriteSet& writes, absl::string_view issuance_id, std::string leaves) {
  writes.Put(Table::kIssuances, IssuanceLeavesKey(issuance_id), std::move(leaves));
}
void PutIssuanceCodes(WriteSet& writes, absl::string_view issuance_id, std::string codes) {
  writes.Put(Table::kIssuances, IssuanceCodesKey(issuance_id), std::move(codes));
}

absl::StatusOr<std::vector<v1::SealIssuance>> LoadIssuancesOfLot(const Store& store,
                                                                 absl::string_view lot_id) {
  absl::StatusOr<std::vector<std::string>> ids = IssuanceIdsOfLot(store, lot_id);
  if (!ids.ok()) return ids.status();
  absl::StatusOr<std::vector<std::optional<std::string>>> records =
      store.MultiGet(Table::kIssuances, *ids);
  if (!records.ok()) return records.status();
  std::vector<v1::SealIssuance> issuances(ids->size());
  for (size_t i = 0; i < ids->size(); ++i) {
    if (!(*records)[i].has_value()) {
      return absl::DataLossError(
          absl::StrCat("issuance ", (*ids)[i], " is indexed by lot ", lot_id, " but not stored"));
    }
    if (absl::Status parsed =
            ParseRecord(Table::kIssuances, (*ids)[i], *(*records)[i], issuances[i]);
        !parsed.ok()) {
      return parsed;
    }
  }
  return issuances;
}

absl::StatusOr<std::vector<std::string>> IssuanceIdsOfLot(const Store& store,
                                                          absl::string_view lot_id) {
  return ChildrenOf(store, Table::kIssuancesByLot, lot_id);
}
absl::StatusOr<std::vector<std::string>> IssuanceIdsOfCertifier(const Store& store,
                                                                absl::string_view certifier_id) {
  return IndexedIds(store, Table::kIssuancesByCertifier, ChildPrefix(certifier_id));
}
absl::StatusOr<std::vector<std::string>> IssuanceIdsOfVersion(const Store& store,
                                                              absl::string_view standard_id,
                                                              uint32_t version) {
  return IndexedIds(store, Table::kIssuancesByVersion, VersionIndexPrefix(standard_id, version));
}
absl::StatusOr<std::vector<std::string>> WholeSealCodesOfLot(const Store& store,
                                                             absl::string_view lot_id) {
  return ChildrenOf(store, Table::kSealsByLot, lot_id);
}
absl::Status VisitWholeSealCodesOfLot(const Store& store, absl::string_view lot_id,
                                      absl::string_view after_code,
                                      const std::function<bool(absl::string_view code)>& visit) {
  return store.Scan(Table::kSealsByLot, ChildPrefix(lot_id),
                    after_code.empty() ? "" : ChildKey(lot_id, after_code),
                    [&](absl::string_view key, absl::string_view) { return visit(ChildOf(key)); });
}
absl::StatusOr<std::vector<std::optional<std::string>>> LoadSealRecords(
    const Store& store, const std::vector<std::string>& keys) {
  return store.MultiGet(Table::kSeals, keys);
}
absl::Status ParseSealRecord(absl::string_view key, absl::string_view bytes, v1::Seal& seal) {
  return ParseRecord(Table::kSeals, key, bytes, seal);
}
void PutSealChange(WriteSet& writes, absl::string_view change_id,
                   const v1::SealStatusChange& change) {
  writes.Put(Table::kSealChanges, std::string(change_id), SerializeRecord(change));
}

absl::StatusOr<std::vector<v1::Inspection>> InspectionsOfLot(const Store& store,
                                                             absl::string_view lot_id) {
  return LoadIndexed<v1::Inspection>(store, Table::kInspectionsByLot, ChildPrefix(lot_id),
                                     Table::kInspections);
}
absl::StatusOr<std::vector<v1::Inspection>> InspectionsOfSite(const Store& store,
                                                              absl::string_view site_id) {
  return LoadIndexed<v1::Inspection>(store, Table::kInspectionsBySite, ChildPrefix(site_id),
                                     Table::kInspections);
}
absl::StatusOr<std::vector<v1::Appeal>> AppealsOfInspection(const Store& store,
                                                            absl::string_view inspection_id) {
  return LoadIndexed<v1::Appeal>(store, Table::kAppealsByInspection, ChildPrefix(inspection_id),
                                 Table::kAppeals);
}
absl::StatusOr<std::vector<v1::Accreditation>> AccreditationsOfCertifier(
    const Store& store, absl::string_view certifier_id) {
  std::vector<v1::Accreditation> out;
  absl::Status inner;
  absl::Status scan = store.Scan(
      Table::kAccreditationsByCertifier, ChildPrefix(certifier_id), "",
      [&](absl::string_view key, absl::string_view) {
        absl::StatusOr<v1::Accreditation> accreditation = RequireRecord<v1::Accreditation>(
            store, Table::kAccreditations, ChildOf(key), "accreditation");
        if (!accreditation.ok()) {
          inner = accreditation.status();
          return false;
        }
        out.push_back(*std::move(accreditation));
        return true;
      });
  if (!scan.ok()) return scan;
  if (!inner.ok()) return inner;
  return out;
}
absl::StatusOr<std::vector<v1::Norm>> NormsOfVersion(const Store& store,
                                                     absl::string_view standard_id,
                                                     uint32_t version) {
  return LoadIndexed<v1::Norm>(store, Table::kNormsByVersion,
                               VersionIndexPrefix(standard_id, version), Table::kNorms);
}

absl::Status VisitTokens(const Store& store,
                         const std::function<bool(internal::StoredToken&&)>& visit) {
  return VisitTable<internal::StoredToken>(
      store, Table::kTokens, "", "",
      [&](absl::string_view, internal::StoredToken&& token) { return visit(std::move(token)); });
}
absl::Status VisitSites(const Store& store, absl::string_view after,
                        const std::function<bool(absl::string_view key, v1::Site&&)>& visit) {
  return VisitTable<v1::Site>(store, Table::kSites, "", after, visit);
}
absl::Status VisitStandardVersions(const Store& store, absl::string_view standard_id,
                                   const std::function<bool(v1::StandardVersion&&)>& visit) {
  return VisitTable<v1::StandardVersion>(
      store, Table::kStandardVersions, ChildPrefix(standard_id), "",
      [&](absl::string_view, v1::StandardVersion&& version) { return visit(std::move(version)); });
}
absl::StatusOr<std::vector<v1::Norm>> AllNorms(const Store& store) {
  return AllOf<v1::Norm>(store, Table::kNorms);
}
absl::StatusOr<std::vector<v1::Inspection>> AllInspections(const Store& store) {
  return AllOf<v1::Inspection>(store, Table::kInspections);
}

absl::Status VisitEvents(
    const Store& store, uint64_t from_seq,
    const std::function<bool(absl::StatusOr<uint64_t> seq, absl::string_view data)>& visit) {
  return store.Scan(
      Table::kEvents, "", from_seq > 1 ? EncodeU64(from_seq - 1) : "",
      [&](absl::string_view key, absl::string_view value) { return visit(DecodeU64(key), value); });
}
absl::Status ParseEventRecord(uint64_t seq, absl::string_view data, v1::Event& event) {
  return ParseRecord(Table::kEvents, EncodeU64(seq), data, event);
}

absl::StatusOr<std::string> ListOrganisationsPage(const Store& store, v1::Organisation::Kind kind,
                                                  absl::string_view page_token, int page_size,
                                                  const PageTaker<v1::Organisation>& take) {
  const bool by_kind = kind != v1::Organisation::KIND_UNSPECIFIED;
  return PageOf<v1::Organisation>(store, Table::kOrganisations, Table::kOrganisationsByKind,
                                  by_kind ? OrganisationKindPrefix(kind) : "", page_token,
                                  page_size, take);
}
absl::StatusOr<std::string> ListSitesPage(const Store& store, absl::string_view firm_id,
                                          absl::string_view page_token, int page_size,
                                          const PageTaker<v1::Site>& take) {
  return PageOf<v1::Site>(store, Table::kSites, Table::kSitesByFirm, PrefixOf(firm_id), page_token,
                          page_size, take);
}
absl::StatusOr<std::string> ListTokensPage(const Store& store, absl::string_view organisation_id,
                                           absl::string_view page_token, int page_size,
                                           const PageTaker<internal::StoredToken>& take) {
  return PageOf<internal::StoredToken>(store, Table::kTokens, Table::kTokensByOrg,
                                       PrefixOf(organisation_id), page_token, page_size, take);
}
absl::StatusOr<std::string> ListAccreditationsPage(const Store& store,
                                                   absl::string_view certifier_id,
                                                   absl::string_view page_token, int page_size,
                                                   const PageTaker<v1::Accreditation>& take) {
  return PageOf<v1::Accreditation>(store, Table::kAccreditations, Table::kAccreditationsByCertifier,
                                   PrefixOf(certifier_id), page_token, page_size, take);
}
absl::StatusOr<std::string> ListNormsPage(const Store& store, absl::string_view page_token,
                                          int page_size, const PageTaker<v1::Norm>& take) {
  return ListRecords<v1::Norm>(store, Table::kNorms, std::nullopt, "", page_token, page_size, take);
}
absl::StatusOr<std::string> ListStandardsPage(const Store& store, absl::string_view page_token,
                                              int page_size, const PageTaker<v1::Standard>& take) {
  return ListRecords<v1::Standard>(store, Table::kStandards, std::nullopt, "", page_token,
                                   page_size, take);
}
absl::StatusOr<std::string> ListStandardVersionsPage(const Store& store,
                                                     absl::string_view standard_id,
                                                     absl::string_view page_token, int page_size,
                                                     const PageTaker<v1::StandardVersion>& take) {
  return ListRecords<v1::StandardVersion>(store, Table::kStandardVersions, std::nullopt,
                                          ChildPrefix(standard_id), page_token, page_size, take);
}
absl::StatusOr<std::string> ListLotsPage(const Store& store, absl::string_view site_id,
                                         absl::string_view firm_id, absl::string_view page_token,
                                         int page_size, const PageTaker<v1::Lot>& take) {
  if (!site_id.empty()) {
    return PageOf<v1::Lot>(store, Table::kLots, Table::kLotsBySite, ChildPrefix(site_id),
                           page_token, page_size, take);
  }
  return PageOf<v1::Lot>(store, Table::kLots, Table::kLotsByFirm, PrefixOf(firm_id), page_token,
                         page_size, take);
}

absl::string_view InspectionListingName(InspectionsBy by) { return TableName(InspectionIndex(by)); }
std::string InspectionPageFrom(InspectionsBy by, absl::string_view parent, absl::Time from) {
  const std::string start = by != InspectionsBy::kDate ? DatedChildStart(parent, from)
                                                       : DatedChildStart("", from).substr(1);
  return EncodePageToken(InspectionListingName(by), start);
}
absl::StatusOr<std::string> ListInspectionsPage(const Store& store, InspectionsBy by,
                                                absl::string_view parent,
                                                absl::string_view page_token, int page_size,
                                                const PageTaker<v1::Inspection>& take) {
  return PageThroughIndex<v1::Inspection>(
      store, InspectionIndex(by), Table::kInspections, "inspection",
      by == InspectionsBy::kDate ? "" : ChildPrefix(parent), page_token, page_size, take);
}
absl::StatusOr<std::string> ListAppealsPage(const Store& store, AppealsBy by,
                                            absl::string_view parent, absl::string_view page_token,
                                            int page_size, const PageTaker<v1::Appeal>& take) {
  return PageThroughIndex<v1::Appeal>(store, AppealIndex(by), Table::kAppeals, "appeal",
                                      PrefixOf(parent), page_token, page_size, take);
}

}  // namespace sello::storage

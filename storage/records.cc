#include "storage/records.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "daemon/domain/crypto.h"
#include "daemon/domain/event_rules.h"
#include "daemon/domain/seal_code.h"
#include "daemon/domain/time_convert.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "storage/keys.h"

namespace sello::storage {
namespace {

// Microseconds since the epoch, shifted so that every absl::Time orders as unsigned.
std::string EncodeTime(absl::Time time) {
  const int64_t micros = absl::ToUnixMicros(time);
  return EncodeU64(static_cast<uint64_t>(micros) ^ (uint64_t{1} << 63));
}

}  // namespace

std::string SerializeRecord(const google::protobuf::Message& record) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  record.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

absl::Status ParseRecord(Table table, absl::string_view key, absl::string_view bytes,
                         google::protobuf::Message& out) {
  if (out.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return absl::OkStatus();
  return absl::DataLossError(
      absl::StrCat(TableName(table), ": record at key ", domain::HexEncode(key), " is unreadable"));
}

std::string OrganisationKindPrefix(v1::Organisation::Kind kind) {
  return ChildPrefix(std::string(1, static_cast<char>(kind)));
}

absl::string_view IndexedId(absl::string_view key) { return key.substr(key.rfind('\0') + 1); }

std::string StandardVersionKey(absl::string_view standard_id, uint32_t version) {
  return ChildKey(standard_id, EncodeU32(version));
}

void PutOrganisation(WriteSet& writes, const v1::Organisation& organisation) {
  writes.Put(Table::kOrganisations, organisation.id(), SerializeRecord(organisation));
  writes.Put(Table::kOrganisationsByKind,
             ChildKey(std::string(1, static_cast<char>(organisation.kind())), organisation.id()),
             "");
}

void PutSite(WriteSet& writes, const v1::Site& site) {
  writes.Put(Table::kSites, site.id(), SerializeRecord(site));
  writes.Put(Table::kSitesByFirm, ChildKey(site.firm_id(), site.id()), "");
}

void PutToken(WriteSet& writes, const internal::StoredToken& token) {
  writes.Put(Table::kTokens, token.token().id(), SerializeRecord(token));
  writes.Put(Table::kTokensByHash, token.secret_sha256(), token.token().id());
  writes.Put(Table::kTokensByOrg, ChildKey(token.token().organisation_id(), token.token().id()),
             "");
}

void PutStandard(WriteSet& writes, const v1::Standard& standard) {
  writes.Put(Table::kStandards, standard.id(), SerializeRecord(standard));
}

void PutStandardVersion(WriteSet& writes, const v1::StandardVersion& version) {
  writes.Put(Table::kStandardVersions, StandardVersionKey(version.standard_id(), version.version()),
             SerializeRecord(version));
}

std::string DatedChildKey(absl::string_view parent, absl::Time date, absl::string_view id) {
  return ChildKey(ChildKey(parent, EncodeTime(date)), id);
}

std::string DatedChildStart(absl::string_view parent, absl::Time date) {
  return ChildKey(parent, EncodeTime(date));
}

std::string RequestKey(absl::string_view certifier_id, absl::string_view request_id) {
  return ChildKey(certifier_id, request_id);
}

void PutAccreditation(WriteSet& writes, const v1::Accreditation& accreditation) {
  writes.Put(Table::kAccreditations, accreditation.id(), SerializeRecord(accreditation));
  writes.Put(Table::kAccreditationsByCertifier,
             ChildKey(accreditation.certifier_id(), accreditation.id()), "");
}

void PutLot(WriteSet& writes, const v1::Lot& lot) {
  writes.Put(Table::kLots, lot.id(), SerializeRecord(lot));
  writes.Put(Table::kLotsBySite, ChildKey(lot.site_id(), lot.id()), "");
  writes.Put(Table::kLotsByFirm, ChildKey(lot.firm_id(), lot.id()), "");
}

void PutInspection(WriteSet& writes, const v1::Inspection& inspection) {
  writes.Put(Table::kInspections, inspection.id(), SerializeRecord(inspection));
  const absl::Time date = domain::FromProto(inspection.inspection_date());
  const std::string& id = inspection.id();
  writes.Put(Table::kInspectionsBySite, DatedChildKey(inspection.site_id(), date, id), "");
  writes.Put(Table::kInspectionsByFirm, DatedChildKey(inspection.firm_id(), date, id), "");
  if (!inspection.lot_id().empty()) {
    writes.Put(Table::kInspectionsByLot, DatedChildKey(inspection.lot_id(), date, id), "");
  }
  writes.Put(Table::kInspectionsByCertifier, DatedChildKey(inspection.certifier_id(), date, id),
             "");
  writes.Put(Table::kInspectionsByStandard, DatedChildKey(inspection.standard_id(), date, id), "");
  writes.Put(Table::kInspectionsByDate, ChildKey(EncodeTime(date), id), "");
  if (!inspection.request_id().empty()) {
    writes.Put(Table::kInspectionRequests,
               RequestKey(inspection.certifier_id(), inspection.request_id()), id);
  }
}

void PutAppeal(WriteSet& writes, const v1::Appeal& appeal, absl::string_view replaced_certifier) {
  writes.Put(Table::kAppeals, appeal.id(), SerializeRecord(appeal));
  const absl::Time filed = domain::FromProto(appeal.file_time());
  const std::string& id = appeal.id();
  writes.Put(Table::kAppealsByInspection, ChildKey(appeal.inspection_id(), id), "");
  writes.Put(Table::kAppealsByFirm, DatedChildKey(appeal.firm_id(), filed, id), "");
  writes.Put(Table::kAppealsByDate, ChildKey(EncodeTime(filed), id), "");
  writes.Put(Table::kAppealsByCertifier, DatedChildKey(appeal.original_certifier_id(), filed, id),
             "");
  if (!appeal.assigned_certifier_id().empty()) {
    writes.Put(Table::kAppealsByCertifier, DatedChildKey(appeal.assigned_certifier_id(), filed, id),
               "");
  }
  if (!replaced_certifier.empty() && replaced_certifier != appeal.assigned_certifier_id()) {
    writes.Delete(Table::kAppealsByCertifier, DatedChildKey(replaced_certifier, filed, id));
  }
}

std::string SealTemplateKey(absl::string_view issuance_id) {
  return ChildKey(issuance_id, "template");
}

std::string IssuanceLeavesKey(absl::string_view issuance_id) {
  return ChildKey(issuance_id, "leaves");
}

std::string IssuanceCodesKey(absl::string_view issuance_id) {
  return ChildKey(issuance_id, "codes");
}

v1::Seal SealTemplateOf(const v1::Seal& seal) {
  v1::Seal shared = seal;
  shared.clear_code();
  shared.clear_status();
  shared.clear_status_reason();
  shared.clear_status_decision();
  shared.clear_issuance_id();
  shared.clear_position();
  return shared;
}

v1::Seal SealOwnFields(const v1::Seal& seal) {
  v1::Seal own;
  own.set_code(seal.code());
  own.set_status(seal.status());
  own.set_status_reason(seal.status_reason());
  own.set_issuance_id(seal.issuance_id());
  own.set_position(seal.position());
  if (seal.has_status_decision()) *own.mutable_status_decision() = seal.status_decision();
  return own;
}

void PutSealTemplate(WriteSet& writes, const v1::Seal& seal) {
  writes.Put(Table::kIssuances, SealTemplateKey(seal.issuance_id()),
             SerializeRecord(SealTemplateOf(seal)));
}

namespace {

// The bytes of a seal's field 1 (code) and field 17 (position; none when 0).
std::string CodeField(absl::string_view code) {
  v1::Seal part;
  part.set_code(std::string(code));
  return part.SerializeAsString();
}
std::string PositionField(uint32_t position) {
  v1::Seal part;
  part.set_position(position);
  return part.SerializeAsString();
}

}  // namespace

IssuedSealRecords::IssuedSealRecords(const v1::Seal& seal) {
  v1::Seal shared = seal;
  shared.clear_code();
  shared.clear_position();
  shared_whole_ = SerializeRecord(shared);
  shared_own_ = SerializeRecord(SealOwnFields(shared));
}

std::string IssuedSealRecords::Whole(absl::string_view code, uint32_t position) const {
  return absl::StrCat(CodeField(code), shared_whole_, PositionField(position));
}

std::string IssuedSealRecords::Own(absl::string_view code, uint32_t position) const {
  return absl::StrCat(CodeField(code), shared_own_, PositionField(position));
}

void PutCompactSealRecord(WriteSet& writes, absl::string_view code, std::string record) {
  writes.Put(Table::kSeals, domain::SealCodeKey(code), std::move(record));
}

void PutSeal(WriteSet& writes, const v1::Seal& seal, bool compact) {
  // Keyed so that every typing accepted as this code finds it (see SealCodeKey).
  writes.Put(Table::kSeals, domain::SealCodeKey(seal.code()),
             SerializeRecord(compact ? SealOwnFields(seal) : seal));
  // Compact seals are found by lot through their issuance (kIssuancesByLot and the
  // issuance's codes); seals stored whole have their own entries.
  if (!compact) writes.Put(Table::kSealsByLot, ChildKey(seal.lot_id(), seal.code()), "");
}

std::shared_ptr<const v1::Seal> SealTemplateCache::Find(absl::string_view issuance_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto found = templates_.find(issuance_id);
  return found == templates_.end() ? nullptr : found->second;
}

void SealTemplateCache::Insert(absl::string_view issuance_id,
                               std::shared_ptr<const v1::Seal> seal_template) {
  absl::MutexLock lock(&mu_);
  if (templates_.size() >= capacity_) templates_.clear();
  templates_.insert_or_assign(issuance_id, std::move(seal_template));
}

absl::Status CompleteSeals(const Store& store, const std::vector<v1::Seal*>& seals,
                           SealTemplateCache* cache) {
  // The template of each issuance named, from the cache or (missing) read below.
  absl::flat_hash_map<absl::string_view, std::shared_ptr<const v1::Seal>> templates;
  std::vector<absl::string_view> missing;
  for (const v1::Seal* seal : seals) {
    if (!seal->lot_id().empty()) continue;
    auto [at, added] = templates.try_emplace(seal->issuance_id());
    if (!added) continue;
    if (cache != nullptr) at->second = cache->Find(seal->issuance_id());
    if (at->second == nullptr) missing.push_back(seal->issuance_id());
  }
  if (!missing.empty()) {
    std::vector<std::string> keys;
    keys.reserve(missing.size());
    for (absl::string_view issuance_id : missing) keys.push_back(SealTemplateKey(issuance_id));
    absl::StatusOr<std::vector<std::optional<std::string>>> found =
        store.MultiGet(Table::kIssuances, keys);
    if (!found.ok()) return found.status();
    for (size_t i = 0; i < missing.size(); ++i) {
      auto seal_template = std::make_shared<v1::Seal>();
      if (!(*found)[i].has_value() || !seal_template->ParseFromString(*(*found)[i])) {
        return absl::DataLossError(absl::StrCat("the seal template of issuance ", missing[i],
                                                " is missing or unreadable"));
      }
      if (cache != nullptr) cache->Insert(missing[i], seal_template);
      templates[missing[i]] = std::move(seal_template);
    }
  }
  for (v1::Seal* seal : seals) {
    // The template's fields and the seal's own are disjoint: merging adds the former.
    if (seal->lot_id().empty()) seal->MergeFrom(*templates.at(seal->issuance_id()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<StoredSeal>> LoadSeal(const Store& store, absl::string_view code) {
  absl::StatusOr<std::optional<v1::Seal>> seal =
      LoadRecord<v1::Seal>(store, Table::kSeals, domain::SealCodeKey(code));
  if (!seal.ok()) return seal.status();
  if (!seal->has_value()) return std::nullopt;
  StoredSeal stored{**std::move(seal), false};
  stored.compact = stored.seal.lot_id().empty();
  if (absl::Status completed = CompleteSeals(store, {&stored.seal}); !completed.ok()) {
    return completed;
  }
  return stored;
}

std::string VersionIndexPrefix(absl::string_view standard_id, uint32_t version) {
  return ChildPrefix(StandardVersionKey(standard_id, version));
}

namespace {

void PutIssuanceIndexes(WriteSet& writes, const v1::SealIssuance& issuance,
                        absl::string_view standard_id, uint32_t version) {
  writes.Put(Table::kIssuancesByCertifier, ChildKey(issuance.certifier_id(), issuance.id()), "");
  writes.Put(Table::kIssuancesByVersion,
             absl::StrCat(VersionIndexPrefix(standard_id, version), issuance.id()), "");
}

void PutNormIndex(WriteSet& writes, const v1::Norm& norm) {
  writes.Put(
      Table::kNormsByVersion,
      absl::StrCat(VersionIndexPrefix(norm.standard_id(), norm.standard_version()), norm.id()), "");
}

}  // namespace

void PutNorm(WriteSet& writes, const v1::Norm& norm) {
  writes.Put(Table::kNorms, norm.id(), SerializeRecord(norm));
  PutNormIndex(writes, norm);
}

absl::StatusOr<std::optional<size_t>> EnsureVersionIndexes(Store& store) {
  static constexpr absl::string_view kBuiltKey = "version_indexes";
  absl::StatusOr<std::optional<std::string>> built = store.Get(Table::kMeta, kBuiltKey);
  if (!built.ok()) return built.status();
  if (built->has_value()) return std::optional<size_t>();
  WriteSet writes;
  size_t indexed = 0;
  absl::Status inner;
  // Issuance records are the keys without a '\0' (the others are their leaves, codes
  // and templates); their inspection names the standard version.
  absl::Status scan =
      store.Scan(Table::kIssuances, "", "", [&](absl::string_view key, absl::string_view value) {
        if (key.find('\0') != absl::string_view::npos) return true;
        v1::SealIssuance issuance;
        inner = ParseRecord(Table::kIssuances, key, value, issuance);
        if (!inner.ok()) return false;
        absl::StatusOr<v1::Inspection> inspection = RequireRecord<v1::Inspection>(
            store, Table::kInspections, issuance.inspection_id(), "inspection");
        if (!inspection.ok()) {
          inner = inspection.status();
          return false;
        }
        PutIssuanceIndexes(writes, issuance, inspection->standard_id(),
                           inspection->standard_version());
        ++indexed;
        return true;
      });
  if (!scan.ok()) return scan;
  if (!inner.ok()) return inner;
  scan = store.Scan(Table::kNorms, "", "", [&](absl::string_view key, absl::string_view value) {
    v1::Norm norm;
    inner = ParseRecord(Table::kNorms, key, value, norm);
    if (!inner.ok()) return false;
    PutNormIndex(writes, norm);
    ++indexed;
    return true;
  });
  if (!scan.ok()) return scan;
  if (!inner.ok()) return inner;
  writes.Put(Table::kMeta, std::string(kBuiltKey), "1");
  if (absl::Status status = store.Write(writes); !status.ok()) return status;
  return std::optional<size_t>(indexed);
}

void PutIssuance(WriteSet& writes, const v1::SealIssuance& issuance, absl::string_view standard_id,
                 uint32_t version) {
  writes.Put(Table::kIssuances, issuance.id(), SerializeRecord(issuance));
  writes.Put(Table::kIssuancesByLot, ChildKey(issuance.lot_id(), issuance.id()), "");
  PutIssuanceIndexes(writes, issuance, standard_id, version);
  if (!issuance.request_id().empty()) {
    writes.Put(Table::kIssuanceRequests, RequestKey(issuance.certifier_id(), issuance.request_id()),
               issuance.id());
  }
}

absl::StatusOr<std::optional<std::string>> LoadEventData(const Store& store, uint64_t seq) {
  return store.Get(Table::kEvents, EncodeU64(seq));
}

absl::StatusOr<uint64_t> LatestEventFor(const Store& store, absl::string_view subject) {
  std::optional<uint64_t> seq;
  absl::Status scan = store.ScanReverse(
      Table::kEventsBySubject, ChildPrefix(subject), [&](absl::string_view key, absl::string_view) {
        absl::StatusOr<uint64_t> decoded = DecodeU64(ChildOf(key));
        if (decoded.ok()) seq = *decoded;
        return false;
      });
  if (!scan.ok()) return scan;
  if (!seq.has_value()) {
    return absl::NotFoundError(absl::StrCat("no event names '", subject, "'"));
  }
  return *seq;
}

absl::StatusOr<std::string> ListPage(const Store& store, Table table, absl::string_view prefix,
                                     absl::string_view listing, absl::string_view page_token,
                                     int page_size, const PageVisitor& visit) {
  absl::StatusOr<std::string> after = DecodePageToken(listing, page_token);
  if (!after.ok()) return after.status();
  if (!after->empty() && !absl::StartsWith(*after, prefix)) {
    return absl::InvalidArgumentError("page_token: belongs to another listing");
  }
  int taken = 0;
  std::string last_key;
  bool more = false;
  absl::Status visit_status;
  absl::Status scan =
      store.Scan(table, prefix, *after, [&](absl::string_view key, absl::string_view value) {
        if (taken == page_size) {
          more = true;
          return false;
        }
        absl::StatusOr<bool> took = visit(key, value);
        if (!took.ok()) {
          visit_status = took.status();
          return false;
        }
        if (*took) ++taken;
        last_key = std::string(key);
        return true;
      });
  if (!scan.ok()) return scan;
  if (!visit_status.ok()) return visit_status;
  return more ? EncodePageToken(listing, last_key) : std::string();
}

absl::StatusOr<std::optional<LoggedRecord>> LoadLoggedRecord(const Store& store,
                                                             absl::string_view subject) {
  absl::string_view kind, id;
  if (!domain::SplitSubject(subject, &kind, &id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "subject: '", subject, "' is not KIND/ID (e.g. organisation/salmones-calbuco)"));
  }
  // Each kind of record events name: its table and type.
  struct RecordKind {
    absl::string_view kind;
    Table table;
    const google::protobuf::Descriptor* (*descriptor)();
  };
  static constexpr RecordKind kKinds[] = {
      {domain::kOrganisationRecord, Table::kOrganisations, &v1::Organisation::descriptor},
      {domain::kSiteRecord, Table::kSites, &v1::Site::descriptor},
      {domain::kTokenRecord, Table::kTokens, &v1::Token::descriptor},
      {domain::kStandardVersionRecord, Table::kStandardVersions, &v1::StandardVersion::descriptor},
      {domain::kAccreditationRecord, Table::kAccreditations, &v1::Accreditation::descriptor},
      {domain::kLotRecord, Table::kLots, &v1::Lot::descriptor},
      {domain::kInspectionRecord, Table::kInspections, &v1::Inspection::descriptor},
      {domain::kSealIssuanceRecord, Table::kIssuances, &v1::SealIssuance::descriptor},
      {domain::kNormRecord, Table::kNorms, &v1::Norm::descriptor},
      {domain::kAppealRecord, Table::kAppeals, &v1::Appeal::descriptor},
      {domain::kSealChangeRecord, Table::kSealChanges, &v1::SealStatusChange::descriptor},
  };
  const RecordKind* found = nullptr;
  for (const RecordKind& known : kKinds) {
    if (known.kind == kind) found = &known;
  }
  if (found == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("subject: unknown record kind '", kind, "'"));
  }
  const Table table = found->table;
  const absl::string_view type = found->descriptor()->full_name();
  std::string key(id);
  if (table == Table::kStandardVersions) {
    const size_t at = id.rfind('@');
    uint32_t version = 0;
    if (at == absl::string_view::npos || !absl::SimpleAtoi(id.substr(at + 1), &version)) {
      return absl::InvalidArgumentError(
          absl::StrCat("subject: '", subject, "' should be standard_version/ID@N"));
    }
    key = StandardVersionKey(id.substr(0, at), version);
  }
  absl::StatusOr<std::optional<std::string>> bytes = store.Get(table, key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  if (table == Table::kTokens) {
    // The event digests the public part only, never the secret's hash.
    internal::StoredToken stored;
    if (!stored.ParseFromString(**bytes)) {
      return absl::DataLossError(absl::StrCat(subject, ": stored token unreadable"));
    }
    return LoggedRecord{type, SerializeRecord(stored.token())};
  }
  return LoggedRecord{type, **std::move(bytes)};
}

}  // namespace sello::storage

#include "storage/stats_store.h"

#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "storage/keys.h"
#include "storage/records.h"

namespace sello::storage {
namespace {

// Splits `key` at its first '\0' into `part` and the rest; false when there is none.
bool TakePart(absl::string_view& key, absl::string_view& part) {
  const size_t end = key.find('\0');
  if (end == absl::string_view::npos) return false;
  part = key.substr(0, end);
  key.remove_prefix(end + 1);
  return true;
}

// Takes a 4-byte big-endian number and the '\0' after it.
bool TakeU32(absl::string_view& key, uint32_t& value) {
  if (key.size() < 5 || key[4] != '\0') return false;
  absl::StatusOr<uint32_t> decoded = DecodeU32(key.substr(0, 4));
  if (!decoded.ok()) return false;
  value = *decoded;
  key.remove_prefix(5);
  return true;
}

std::string RecordingDigit(domain::Recording recording) {
  return std::string(1, static_cast<char>('0' + static_cast<int>(recording)));
}

// Takes the recording digit and the '\0' after it.
bool TakeRecording(absl::string_view& key, domain::Recording& recording) {
  if (key.size() < 2 || key[1] != '\0' || key[0] < '0' || key[0] > '2') return false;
  recording = static_cast<domain::Recording>(key[0] - '0');
  key.remove_prefix(2);
  return true;
}

absl::Status BadKey(absl::string_view table, absl::string_view key) {
  return absl::DataLossError(absl::StrCat(table, ": malformed key '", absl::CEscape(key), "'"));
}

// Adds `delta` to the cell at `key` of `table`, reading through `writes`.
template <typename Cell>
absl::Status AddToCell(const Store& store, WriteSet& writes, Table table, const std::string& key,
                       const Cell& delta) {
  Cell cell;
  std::optional<std::string> bytes;
  if (const WriteSet::Op* pending = writes.Last(table, key); pending != nullptr) {
    bytes = pending->value;
  } else {
    absl::StatusOr<std::optional<std::string>> stored = store.Get(table, key);
    if (!stored.ok()) return stored.status();
    bytes = *std::move(stored);
  }
  if (bytes.has_value()) {
    if (absl::Status status = ParseRecord(table, key, *bytes, cell); !status.ok()) return status;
  }
  domain::AddCell(delta, 1, cell);
  if (!domain::IsConsistent(cell)) {
    return absl::InternalError(
        absl::StrCat(TableName(table), ": the cell '", absl::CEscape(key),
                     "' would no longer match the records; `sello stats verify` compares them"));
  }
  if (domain::IsEmpty(cell)) {
    writes.Delete(table, key);
  } else {
    writes.Put(table, key, SerializeRecord(cell));
  }
  return absl::OkStatus();
}

template <typename Key, typename Cell, typename Decode>
absl::StatusOr<std::vector<std::pair<Key, Cell>>> LoadCells(const Store& store, Table table,
                                                            absl::string_view prefix,
                                                            Decode decode) {
  std::vector<std::pair<Key, Cell>> cells;
  absl::Status inner;
  absl::Status scan =
      store.Scan(table, prefix, "", [&](absl::string_view key, absl::string_view value) {
        absl::StatusOr<Key> decoded = decode(key);
        if (!decoded.ok()) {
          inner = decoded.status();
          return false;
        }
        Cell cell;
        inner = ParseRecord(table, key, value, cell);
        if (!inner.ok()) return false;
        cells.emplace_back(*std::move(decoded), std::move(cell));
        return true;
      });
  if (!scan.ok()) return scan;
  if (!inner.ok()) return inner;
  return cells;
}

}  // namespace

// Keys: the parts joined by '\0', numbers fixed-width big-endian, the recording as one
// digit. Certifier cells: standard, stages, month, certifier, recording, firm. Criterion
// cells: standard, version, criterion, month, recording, firm.
std::string EncodeCellKey(const domain::CertifierCellKey& key) {
  const std::string zero(1, '\0');
  return absl::StrCat(key.standard_id, zero, key.stages, zero,
                      EncodeU32(static_cast<uint32_t>(key.month)), zero, key.certifier_id, zero,
                      RecordingDigit(key.recording), zero, key.firm_id);
}

std::string EncodeCellKey(const domain::CriterionCellKey& key) {
  const std::string zero(1, '\0');
  return absl::StrCat(key.standard_id, zero, EncodeU32(key.version), zero, key.criterion_id, zero,
                      EncodeU32(static_cast<uint32_t>(key.month)), zero,
                      RecordingDigit(key.recording), zero, key.firm_id);
}

absl::StatusOr<domain::CertifierCellKey> DecodeCertifierCellKey(absl::string_view key) {
  absl::string_view rest = key, standard, stages, certifier;
  uint32_t month = 0;
  domain::Recording recording = domain::Recording::kByMonthEnd;
  if (!TakePart(rest, standard) || !TakePart(rest, stages) || !TakeU32(rest, month) ||
      !TakePart(rest, certifier) || certifier.empty() || !TakeRecording(rest, recording) ||
      rest.empty() || rest.find('\0') != absl::string_view::npos) {
    return BadKey("stats_certifiers", key);
  }
  return domain::CertifierCellKey{
      std::string(standard),  std::string(stages), static_cast<domain::Month>(month),
      std::string(certifier), std::string(rest),   recording};
}

absl::StatusOr<domain::CriterionCellKey> DecodeCriterionCellKey(absl::string_view key) {
  absl::string_view rest = key, standard, criterion;
  uint32_t version = 0, month = 0;
  domain::Recording recording = domain::Recording::kByMonthEnd;
  if (!TakePart(rest, standard) || !TakeU32(rest, version) || !TakePart(rest, criterion) ||
      !TakeU32(rest, month) || !TakeRecording(rest, recording) || rest.empty() ||
      rest.find('\0') != absl::string_view::npos) {
    return BadKey("stats_criteria", key);
  }
  return domain::CriterionCellKey{std::string(standard),  version,
                                  std::string(criterion), static_cast<domain::Month>(month),
                                  std::string(rest),      recording};
}

absl::Status AddToAggregates(const Store& store, WriteSet& writes,
                             const domain::Aggregates& delta) {
  for (const auto& [key, cell] : delta.certifiers) {
    if (absl::Status status =
            AddToCell(store, writes, Table::kStatsCertifiers, EncodeCellKey(key), cell);
        !status.ok()) {
      return status;
    }
  }
  for (const auto& [key, cell] : delta.criteria) {
    if (absl::Status status =
            AddToCell(store, writes, Table::kStatsCriteria, EncodeCellKey(key), cell);
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::pair<domain::CertifierCellKey, internal::CertifierCell>>>
LoadCertifierCells(const Store& store, absl::string_view standard_id) {
  return LoadCells<domain::CertifierCellKey, internal::CertifierCell>(
      store, Table::kStatsCertifiers, ChildPrefix(standard_id), DecodeCertifierCellKey);
}

absl::StatusOr<std::vector<std::pair<domain::CriterionCellKey, internal::CriterionCell>>>
LoadCriterionCells(const Store& store, absl::string_view standard_id, uint32_t version) {
  return LoadCells<domain::CriterionCellKey, internal::CriterionCell>(
      store, Table::kStatsCriteria,
      absl::StrCat(ChildPrefix(standard_id), EncodeU32(version), std::string(1, '\0')),
      DecodeCriterionCellKey);
}

absl::StatusOr<domain::Aggregates> LoadAggregates(const Store& store) {
  domain::Aggregates aggregates;
  absl::StatusOr<std::vector<std::pair<domain::CertifierCellKey, internal::CertifierCell>>>
      certifiers = LoadCells<domain::CertifierCellKey, internal::CertifierCell>(
          store, Table::kStatsCertifiers, "", DecodeCertifierCellKey);
  if (!certifiers.ok()) return certifiers.status();
  for (auto& [key, cell] : *certifiers) aggregates.certifiers[key] = std::move(cell);
  absl::StatusOr<std::vector<std::pair<domain::CriterionCellKey, internal::CriterionCell>>>
      criteria = LoadCells<domain::CriterionCellKey, internal::CriterionCell>(
          store, Table::kStatsCriteria, "", DecodeCriterionCellKey);
  if (!criteria.ok()) return criteria.status();
  for (auto& [key, cell] : *criteria) aggregates.criteria[key] = std::move(cell);
  return aggregates;
}

namespace {

constexpr absl::string_view kAggregatesKey = "stats_aggregates";
// 2: cells keyed also by firm (certifier cells) and by when each change was recorded
// (domain::Recording). A store with older cells has them deleted and rebuilt at start.
constexpr absl::string_view kAggregatesVersion = "2";

}  // namespace

absl::StatusOr<bool> AggregatesBuilt(const Store& store) {
  absl::StatusOr<std::optional<std::string>> built =
      store.Get(Table::kMeta, std::string(kAggregatesKey));
  if (!built.ok()) return built.status();
  return built->has_value() && **built == kAggregatesVersion;
}

absl::Status ReplaceAggregates(Store& store, const domain::Aggregates& aggregates) {
  WriteSet writes;
  // Cells of an older layout go first (their keys would not decode).
  for (const Table table : {Table::kStatsCertifiers, Table::kStatsCriteria}) {
    absl::Status scan = store.Scan(table, "", "", [&](absl::string_view key, absl::string_view) {
      writes.Delete(table, std::string(key));
      return true;
    });
    if (!scan.ok()) return scan;
  }
  for (const auto& [key, cell] : aggregates.certifiers) {
    writes.Put(Table::kStatsCertifiers, EncodeCellKey(key), SerializeRecord(cell));
  }
  for (const auto& [key, cell] : aggregates.criteria) {
    writes.Put(Table::kStatsCriteria, EncodeCellKey(key), SerializeRecord(cell));
  }
  writes.Put(Table::kMeta, std::string(kAggregatesKey), std::string(kAggregatesVersion));
  return store.Write(writes);
}

}  // namespace sello::storage

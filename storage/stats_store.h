// The statistics aggregates in the store: their keys, adding a change's contribution
// inside the change's own write, and reading the cells of a standard back.
#ifndef SELLO_STORAGE_STATS_STORE_H_
#define SELLO_STORAGE_STATS_STORE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "daemon/domain/statistics.h"
#include "storage/store.h"

namespace sello::storage {

std::string EncodeCellKey(const domain::CertifierCellKey& key);
std::string EncodeCellKey(const domain::CriterionCellKey& key);
absl::StatusOr<domain::CertifierCellKey> DecodeCertifierCellKey(absl::string_view key);
absl::StatusOr<domain::CriterionCellKey> DecodeCriterionCellKey(absl::string_view key);

// Adds `delta` to the stored cells, through `writes` (reading what `writes` already
// holds for a cell, so several additions in one change add up). A cell whose counts
// all reach zero is deleted. INTERNAL when a cell would go negative: the aggregates no
// longer match the records (`sello stats verify` says where).
absl::Status AddToAggregates(const Store& store, WriteSet& writes, const domain::Aggregates& delta);

// The certifier cells of `standard_id`, and the criterion cells of one version.
absl::StatusOr<std::vector<std::pair<domain::CertifierCellKey, internal::CertifierCell>>>
LoadCertifierCells(const Store& store, absl::string_view standard_id);
absl::StatusOr<std::vector<std::pair<domain::CriterionCellKey, internal::CriterionCell>>>
LoadCriterionCells(const Store& store, absl::string_view standard_id, uint32_t version);

// Every stored cell.
absl::StatusOr<domain::Aggregates> LoadAggregates(const Store& store);

// Whether the stored cells are complete and in the current layout (a meta entry says so).
absl::StatusOr<bool> AggregatesBuilt(const Store& store);
// Replaces every stored cell (of any layout) with `aggregates` and records them built,
// in one write.
absl::Status ReplaceAggregates(Store& store, const domain::Aggregates& aggregates);

}  // namespace sello::storage

#endif  // SELLO_STORAGE_STATS_STORE_H_

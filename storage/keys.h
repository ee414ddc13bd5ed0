// Key encoding for the store: order-preserving, so that range scans give listings by
// parent and by time without a full scan. Ids never contain '\0', so it separates parts.
#ifndef SELLO_STORAGE_KEYS_H_
#define SELLO_STORAGE_KEYS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sello::storage {

// Big-endian fixed-width integers sort like the numbers they encode.
std::string EncodeU64(uint64_t value);
std::string EncodeU32(uint32_t value);
absl::StatusOr<uint64_t> DecodeU64(absl::string_view bytes);
absl::StatusOr<uint32_t> DecodeU32(absl::string_view bytes);

// parent \0 child: every child key of `parent` starts with ChildPrefix(parent).
std::string ChildKey(absl::string_view parent, absl::string_view child);
std::string ChildPrefix(absl::string_view parent);
// The part after the first '\0' (the whole key when there is none).
absl::string_view ChildOf(absl::string_view key);

// The indexes of `keys` in bytewise key order (RocksDB's): keys[order[0]] is the least.
// Cheaper than comparing whole strings: keys are ranked by their first 8 bytes first.
std::vector<size_t> KeyOrder(const std::vector<std::string>& keys);

// Page tokens are opaque to clients: the web-safe base64 of the last key returned,
// tagged with the listing it belongs to so a token from one listing is refused by
// another.
std::string EncodePageToken(absl::string_view listing, absl::string_view last_key);
// INVALID_ARGUMENT ("page_token: ...") when the token is malformed or belongs to
// another listing. An empty token decodes to an empty key (the first page).
absl::StatusOr<std::string> DecodePageToken(absl::string_view listing, absl::string_view token);

}  // namespace sello::storage

#endif  // SELLO_STORAGE_KEYS_H_

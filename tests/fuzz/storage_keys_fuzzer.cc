// Fuzz target: decoding the store's keys (storage/keys.h, storage/stats_store.h) and the
// page tokens clients hand back. Keys come from the store and tokens from anyone; neither
// may crash a decoder, and what decodes must encode back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/keys.h"
#include "storage/stats_store.h"
#include "tests/fuzz/fuzz_check.h"

namespace sello::storage {
namespace {

// The listings whose page tokens the services decode (a sample: each is only a tag).
constexpr absl::string_view kListings[] = {"organisations", "sites", "events", "lots", ""};

void CheckIntegers(absl::string_view bytes) {
  if (absl::StatusOr<uint64_t> value = DecodeU64(bytes); value.ok()) {
    SELLO_FUZZ_CHECK(EncodeU64(*value) == bytes, "u64");
  }
  if (absl::StatusOr<uint32_t> value = DecodeU32(bytes); value.ok()) {
    SELLO_FUZZ_CHECK(EncodeU32(*value) == bytes, "u32");
  }
  // Big-endian encodings sort like their numbers.
  if (bytes.size() >= 16) {
    const absl::StatusOr<uint64_t> a = DecodeU64(bytes.substr(0, 8));
    const absl::StatusOr<uint64_t> b = DecodeU64(bytes.substr(8, 8));
    SELLO_FUZZ_CHECK(a.ok() && b.ok(), "8-byte slices decode");
    SELLO_FUZZ_CHECK((*a < *b) == (bytes.substr(0, 8) < bytes.substr(8, 8)), "u64 order");
  }
}

void CheckChildKeys(absl::string_view key) {
  const absl::string_view child = ChildOf(key);
  SELLO_FUZZ_CHECK(child.size() <= key.size(), "child within key");
  const size_t separator = key.find('\0');
  if (separator != absl::string_view::npos) {
    SELLO_FUZZ_CHECK(ChildKey(key.substr(0, separator), child) == key, "child key round trip");
  }
}

void CheckPageTokens(absl::string_view token) {
  for (absl::string_view listing : kListings) {
    const absl::StatusOr<std::string> last_key = DecodePageToken(listing, token);
    if (!last_key.ok()) continue;
    if (token.empty()) {
      SELLO_FUZZ_CHECK(last_key->empty(), "empty token is the first page");
      continue;
    }
    // The token names this listing: re-encoding gives a token that decodes the same.
    const std::string again = EncodePageToken(listing, *last_key);
    const absl::StatusOr<std::string> round = DecodePageToken(listing, again);
    SELLO_FUZZ_CHECK(round.ok() && *round == *last_key, "page token round trip");
  }
  // Our own tokens always decode.
  const std::string made = EncodePageToken("sites", token);
  const absl::StatusOr<std::string> back = DecodePageToken("sites", made);
  SELLO_FUZZ_CHECK(back.ok() && *back == token, "encoded token decodes");
}

void CheckStatisticsKeys(absl::string_view key) {
  if (absl::StatusOr<domain::CertifierCellKey> cell = DecodeCertifierCellKey(key); cell.ok()) {
    SELLO_FUZZ_CHECK(EncodeCellKey(*cell) == key, "certifier cell key round trip");
  }
  if (absl::StatusOr<domain::CriterionCellKey> cell = DecodeCriterionCellKey(key); cell.ok()) {
    SELLO_FUZZ_CHECK(EncodeCellKey(*cell) == key, "criterion cell key round trip");
  }
}

}  // namespace
}  // namespace sello::storage

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  sello::storage::CheckIntegers(bytes);
  sello::storage::CheckChildKeys(bytes);
  sello::storage::CheckPageTokens(bytes);
  sello::storage::CheckStatisticsKeys(bytes);
  return 0;
}

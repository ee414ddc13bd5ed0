#include "storage/keys.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace sello::storage {
namespace {

// Separates the listing tag from the last key inside a page token. Listings are our own
// fixed names and never contain it; the key after it may (child keys do).
constexpr char kTokenSeparator = '\0';

template <typename T>
std::string EncodeBigEndian(T value) {
  std::string out(sizeof(T), '\0');
  for (size_t i = sizeof(T); i > 0; --i) {
    out[i - 1] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

template <typename T>
absl::StatusOr<T> DecodeBigEndian(absl::string_view bytes) {
  if (bytes.size() != sizeof(T)) {
    return absl::InvalidArgumentError(absl::StrCat("expected a ", sizeof(T) * 8,
                                                   "-bit big-endian integer of ", sizeof(T),
                                                   " bytes, got ", bytes.size(), " bytes"));
  }
  T value = 0;
  for (char byte : bytes) {
    value = static_cast<T>((value << 8) | static_cast<unsigned char>(byte));
  }
  return value;
}

}  // namespace

std::string EncodeU64(uint64_t value) { return EncodeBigEndian(value); }
std::string EncodeU32(uint32_t value) { return EncodeBigEndian(value); }
absl::StatusOr<uint64_t> DecodeU64(absl::string_view bytes) {
  return DecodeBigEndian<uint64_t>(bytes);
}
absl::StatusOr<uint32_t> DecodeU32(absl::string_view bytes) {
  return DecodeBigEndian<uint32_t>(bytes);
}

std::string ChildKey(absl::string_view parent, absl::string_view child) {
  std::string key = ChildPrefix(parent);
  key.append(child.data(), child.size());
  return key;
}

std::string ChildPrefix(absl::string_view parent) {
  std::string prefix(parent);
  prefix.push_back('\0');
  return prefix;
}

absl::string_view ChildOf(absl::string_view key) {
  size_t separator = key.find('\0');
  return separator == absl::string_view::npos ? key : key.substr(separator + 1);
}

std::string EncodePageToken(absl::string_view listing, absl::string_view last_key) {
  std::string payload(listing);
  payload.push_back(kTokenSeparator);
  payload.append(last_key.data(), last_key.size());
  std::string token;
  absl::WebSafeBase64Escape(payload, &token);
  return token;
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view listing, absl::string_view token) {
  if (token.empty()) return std::string();
  std::string payload;
  if (!absl::WebSafeBase64Unescape(token, &payload)) {
    return absl::InvalidArgumentError("page_token: not a page token (bad encoding)");
  }
  size_t separator = payload.find(kTokenSeparator);
  if (separator == std::string::npos) {
    return absl::InvalidArgumentError("page_token: not a page token (no listing tag)");
  }
  if (absl::string_view(payload).substr(0, separator) != listing) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_token: belongs to another listing, not to ", listing));
  }
  return payload.substr(separator + 1);
}

std::vector<size_t> KeyOrder(const std::vector<std::string>& keys) {
  // Each key's first 8 bytes read as one big-endian number, zero-padded: numbers that
  // differ order their keys as comparing the bytes would (a key that ends early is a
  // prefix of the other there, and so the lesser). Equal numbers compare whole.
  struct Ranked {
    uint64_t head;
    size_t index;
  };
  std::vector<Ranked> ranked(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    uint64_t head = 0;
    for (size_t b = 0; b < sizeof(head); ++b) {
      head = (head << 8) | (b < keys[i].size() ? static_cast<unsigned char>(keys[i][b]) : 0U);
    }
    ranked[i] = {head, i};
  }
  std::sort(ranked.begin(), ranked.end(), [&](const Ranked& a, const Ranked& b) {
    if (a.head != b.head) return a.head < b.head;
    return keys[a.index] < keys[b.index];
  });
  std::vector<size_t> order(keys.size());
  for (size_t i = 0; i < ranked.size(); ++i) order[i] = ranked[i].index;
  return order;
}

}  // namespace sello::storage

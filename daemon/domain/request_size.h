// The size bounds of one request: its message and its header set, each refused with
// RESOURCE_EXHAUSTED naming the sellod flag that sets it.
#ifndef SELLO_DAEMON_DOMAIN_REQUEST_SIZE_H_
#define SELLO_DAEMON_DOMAIN_REQUEST_SIZE_H_

#include <cstdint>

#include "absl/status/status.h"

namespace sello::domain {

// A request's size as received: the serialized message, and the headers counted as HTTP/2
// counts a header list (RFC 9113 §6.5.2: name, value and 32 bytes for each field).
struct RequestSize {
  uint64_t message_bytes = 0;
  uint64_t metadata_bytes = 0;
};

// The bounds, in bytes (0: no bound).
struct RequestSizeLimits {
  uint64_t max_message_bytes = 0;   // --max-message-kb
  uint64_t max_metadata_bytes = 0;  // --max-metadata-kb
};

// The bytes HTTP/2 counts for one header field.
inline uint64_t HeaderFieldBytes(uint64_t name_size, uint64_t value_size) {
  return name_size + value_size + 32;
}

// OK, or RESOURCE_EXHAUSTED naming the flag, its bound and the request's size (the headers
// first: they are read first, and may hold an oversized token).
absl::Status CheckRequestSize(const RequestSizeLimits& limits, const RequestSize& size);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_REQUEST_SIZE_H_

#include "daemon/domain/request_size.h"

#include "absl/strings/str_cat.h"

namespace sello::domain {

absl::Status CheckRequestSize(const RequestSizeLimits& limits, const RequestSize& size) {
  if (limits.max_metadata_bytes > 0 && size.metadata_bytes > limits.max_metadata_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "request headers of ", size.metadata_bytes, " bytes exceed --max-metadata-kb (",
        limits.max_metadata_bytes, " bytes; the token and every other header count)"));
  }
  if (limits.max_message_bytes > 0 && size.message_bytes > limits.max_message_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("request of ", size.message_bytes,
                                                     " bytes exceeds --max-message-kb (",
                                                     limits.max_message_bytes, " bytes)"));
  }
  return absl::OkStatus();
}

}  // namespace sello::domain

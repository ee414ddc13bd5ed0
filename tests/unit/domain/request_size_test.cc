// CheckRequestSize: what is refused, and how the refusal names the flag.
#include "daemon/domain/request_size.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace sello::domain {
namespace {

using ::testing::HasSubstr;

TEST(RequestSizeTest, RefusesWhatExceedsEachBoundNamingItsFlag) {
  const RequestSizeLimits limits{.max_message_bytes = 65536, .max_metadata_bytes = 4096};
  const struct {
    RequestSize size;
    absl::StatusCode code;
    std::string message;
  } cases[] = {
      {{.message_bytes = 0, .metadata_bytes = 0}, absl::StatusCode::kOk, ""},
      {{.message_bytes = 65536, .metadata_bytes = 4096}, absl::StatusCode::kOk, ""},
      {{.message_bytes = 65537, .metadata_bytes = 100},
       absl::StatusCode::kResourceExhausted,
       "request of 65537 bytes exceeds --max-message-kb (65536 bytes)"},
      {{.message_bytes = 10, .metadata_bytes = 4097},
       absl::StatusCode::kResourceExhausted,
       "request headers of 4097 bytes exceed --max-metadata-kb (4096 bytes"},
      // Both: the headers are named (they came first, and may hold the token).
      {{.message_bytes = 1 << 20, .metadata_bytes = 1 << 20},
       absl::StatusCode::kResourceExhausted,
       "--max-metadata-kb"},
  };
  for (const auto& [size, code, message] : cases) {
    const absl::Status status = CheckRequestSize(limits, size);
    EXPECT_EQ(status.code(), code) << size.message_bytes << " " << size.metadata_bytes;
    EXPECT_THAT(std::string(status.message()), HasSubstr(message));
  }
}

TEST(RequestSizeTest, ZeroBoundsCheckNothing) {
  EXPECT_TRUE(CheckRequestSize({}, {.message_bytes = 1u << 30, .metadata_bytes = 1u << 30}).ok());
}

TEST(RequestSizeTest, HeaderFieldsCountAsHttp2CountsThem) {
  // RFC 9113 §6.5.2: name and value octets plus 32.
  EXPECT_EQ(HeaderFieldBytes(13, 50), 95u);
}

}  // namespace
}  // namespace sello::domain

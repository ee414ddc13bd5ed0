#include "daemon/domain/time_convert.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace sello::domain {

google::protobuf::Timestamp ToProto(absl::Time time) {
  google::protobuf::Timestamp out;
  const int64_t seconds = absl::ToUnixSeconds(time);
  out.set_seconds(seconds);
  out.set_nanos(
      static_cast<int32_t>((time - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
  return out;
}

absl::Time FromProto(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

bool IsSet(const google::protobuf::Timestamp& timestamp) {
  return timestamp.seconds() != 0 || timestamp.nanos() != 0;
}

absl::StatusOr<absl::Time> ParseDateTime(absl::string_view text) {
  absl::Time out;
  std::string error;
  const std::string input(text);
  if (absl::ParseTime("%Y-%m-%d", input, absl::UTCTimeZone(), &out, &error)) return out;
  if (absl::ParseTime(absl::RFC3339_full, input, absl::UTCTimeZone(), &out, &error)) return out;
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is not a date (YYYY-MM-DD) or an RFC 3339 time"));
}

std::string FormatTime(const google::protobuf::Timestamp& timestamp) {
  if (!IsSet(timestamp)) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", FromProto(timestamp), absl::UTCTimeZone());
}

}  // namespace sello::domain

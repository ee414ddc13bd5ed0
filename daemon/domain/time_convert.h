// Conversions between absl::Time and google.protobuf.Timestamp, and the date formats
// people type.
#ifndef SELLO_DAEMON_DOMAIN_TIME_CONVERT_H_
#define SELLO_DAEMON_DOMAIN_TIME_CONVERT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace sello::domain {

google::protobuf::Timestamp ToProto(absl::Time time);
absl::Time FromProto(const google::protobuf::Timestamp& timestamp);
// True when the timestamp is set (non-zero).
bool IsSet(const google::protobuf::Timestamp& timestamp);
// "2026-11-26" (midnight UTC) or RFC 3339 ("2026-11-26T10:00:00Z").
absl::StatusOr<absl::Time> ParseDateTime(absl::string_view text);
// RFC 3339 in UTC, seconds precision; "" for an unset timestamp.
std::string FormatTime(const google::protobuf::Timestamp& timestamp);

}  // namespace sello::domain

#endif  // SELLO_DAEMON_DOMAIN_TIME_CONVERT_H_

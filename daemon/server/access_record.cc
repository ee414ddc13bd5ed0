#include "daemon/server/access_record.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "daemon/server/json_logger.h"
#include "sello/v1/common.pb.h"

namespace sello::service {
namespace {

// Codes that point at the server rather than at the request.
bool IsServerError(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kUnknown:
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::StatusOr<CallLogLevel> ParseCallLogLevel(absl::string_view text) {
  if (text == "none") return CallLogLevel::kNone;
  if (text == "errors") return CallLogLevel::kErrors;
  if (text == "principals") return CallLogLevel::kPrincipals;
  if (text == "all") return CallLogLevel::kAll;
  return absl::InvalidArgumentError(
      absl::StrCat("call log: \"", text, "\" is not one of none, errors, principals, all"));
}

std::optional<std::string> AccessRecorder::Format(const CallRecord& call,
                                                  const absl::Status& status) const {
  const bool server_error = IsServerError(status.code());
  bool wanted = server_error;
  switch (level_) {
    case CallLogLevel::kAll:
      wanted = true;
      break;
    case CallLogLevel::kPrincipals:
      wanted = wanted || !status.ok() || call.caller != nullptr;
      break;
    case CallLogLevel::kErrors:
      wanted = wanted || !status.ok();
      break;
    case CallLogLevel::kNone:
      break;
  }
  if (!wanted) return std::nullopt;
  std::string members = absl::StrCat(
      ",\"method\":", JsonQuote(call.method),
      ",\"code\":", JsonQuote(absl::StatusCodeToString(status.code())),
      absl::StrFormat(",\"duration_ms\":%.3f", absl::ToDoubleMilliseconds(call.duration)),
      ",\"peer\":", JsonQuote(call.peer));
  if (call.caller != nullptr) {
    absl::StrAppend(&members, ",\"organisation\":", JsonQuote(call.caller->organisation_id),
                    ",\"role\":", JsonQuote(v1::Role_Name(call.caller->role)),
                    ",\"token\":", JsonQuote(call.caller->token_id));
  }
  if (!status.ok()) absl::StrAppend(&members, ",\"message\":", JsonQuote(status.message()));
  return members;
}

void AccessRecorder::Record(const CallRecord& call, const absl::Status& status) const {
  std::optional<std::string> members = Format(call, status);
  if (!members.has_value()) return;
  LogJson(IsServerError(status.code()) ? "error" : "info", "call", *members);
}

}  // namespace sello::service

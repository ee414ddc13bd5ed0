#include "daemon/server/call.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "daemon/domain/crypto.h"

namespace sello::service {

std::string CallerAddress(const Registry& registry, const grpc::ServerContextBase& context) {
  std::string peer = context.peer();
  // Network peers are "ipv4:...", "ipv6:..." or "unix:..."; gRPC's in-process transport
  // names none ("unknown" in gRPC 1.51).
  if (registry.http_front_key.empty() || absl::StartsWith(peer, "ipv4:") ||
      absl::StartsWith(peer, "ipv6:") || absl::StartsWith(peer, "unix:")) {
    return peer;
  }
  const auto& metadata = context.client_metadata();
  const auto key = metadata.find(kHttpFrontKey);
  const auto address = metadata.find(kHttpClientAddressKey);
  if (key == metadata.end() || address == metadata.end() ||
      !domain::ConstantTimeEqual(absl::string_view(key->second.data(), key->second.size()),
                                 registry.http_front_key)) {
    return peer;
  }
  return absl::StrCat("http:", absl::string_view(address->second.data(), address->second.size()));
}

grpc::Status FinishCall(const Registry& registry, absl::string_view method,
                        const domain::Principal* caller, absl::string_view peer, absl::Time start,
                        const absl::Status& status) {
  grpc::Status answer = ToGrpcStatus(status);
  const absl::Duration duration = absl::Now() - start;
  if (registry.metrics != nullptr)
    registry.metrics->RecordCall(method, answer.error_code(), duration);
  const CallRecord call{.method = method, .caller = caller, .peer = peer, .duration = duration};
  if (registry.call_log != nullptr) {
    registry.call_log->Record(call, status);
  } else {
    AccessRecorder(CallLogLevel::kNone).Record(call, status);
  }
  return answer;
}

}  // namespace sello::service

#include "daemon/service/call.h"

#include "absl/time/clock.h"

namespace sello::service {

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
    CallLog(CallLogLevel::kNone).Record(call, status);
  }
  return answer;
}

}  // namespace sello::service

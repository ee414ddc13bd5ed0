// The one place domain errors (absl::Status) become gRPC statuses.
#ifndef SELLO_DAEMON_SERVICE_STATUS_MAP_H_
#define SELLO_DAEMON_SERVICE_STATUS_MAP_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace sello::service {

// Same code, same message. abseil's canonical codes are gRPC's codes.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_STATUS_MAP_H_

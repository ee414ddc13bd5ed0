#include "daemon/service/status_map.h"

#include <string>

#include "absl/strings/string_view.h"

namespace sello::service {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // Both enumerations are the canonical google.rpc.Code values.
  static_assert(static_cast<int>(absl::StatusCode::kUnauthenticated) ==
                static_cast<int>(grpc::StatusCode::UNAUTHENTICATED));
  static_assert(static_cast<int>(absl::StatusCode::kDataLoss) ==
                static_cast<int>(grpc::StatusCode::DATA_LOSS));
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace sello::service

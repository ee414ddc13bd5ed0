// gRPC StandardService: pushing, publishing, withdrawing and reading standards.
#ifndef SELLO_DAEMON_SERVICE_STANDARD_SERVICE_H_
#define SELLO_DAEMON_SERVICE_STANDARD_SERVICE_H_

#include "daemon/server/call.h"
#include "sello/v1/standard.grpc.pb.h"

namespace sello::service {

class StandardService final : public v1::StandardService::Service {
 public:
  explicit StandardService(Registry registry) : registry_(registry) {}

  grpc::Status PushStandardVersion(grpc::ServerContext* context,
                                   const v1::PushStandardVersionRequest* request,
                                   v1::StandardVersion* response) override;
  grpc::Status PublishStandardVersion(grpc::ServerContext* context,
                                      const v1::PublishStandardVersionRequest* request,
                                      v1::PublishStandardVersionResponse* response) override;
  grpc::Status WithdrawStandardVersion(grpc::ServerContext* context,
                                       const v1::WithdrawStandardVersionRequest* request,
                                       v1::StandardVersion* response) override;
  grpc::Status GetStandardVersion(grpc::ServerContext* context,
                                  const v1::GetStandardVersionRequest* request,
                                  v1::StandardVersion* response) override;
  grpc::Status ListStandards(grpc::ServerContext* context, const v1::ListStandardsRequest* request,
                             v1::ListStandardsResponse* response) override;
  grpc::Status ListStandardVersions(grpc::ServerContext* context,
                                    const v1::ListStandardVersionsRequest* request,
                                    v1::ListStandardVersionsResponse* response) override;

 private:
  Registry registry_;
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_STANDARD_SERVICE_H_

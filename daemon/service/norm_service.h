// gRPC NormService: regulators adopt and repeal norms; anyone reads them and asks
// whether a site complies.
#ifndef SELLO_DAEMON_SERVICE_NORM_SERVICE_H_
#define SELLO_DAEMON_SERVICE_NORM_SERVICE_H_

#include "daemon/server/call.h"
#include "sello/v1/norm.grpc.pb.h"

namespace sello::service {

class NormService final : public v1::NormService::Service {
 public:
  explicit NormService(Registry registry) : registry_(registry) {}

  grpc::Status AdoptNorm(grpc::ServerContext* context, const v1::AdoptNormRequest* request,
                         v1::Norm* response) override;
  grpc::Status RepealNorm(grpc::ServerContext* context, const v1::RepealNormRequest* request,
                          v1::Norm* response) override;
  grpc::Status GetNorm(grpc::ServerContext* context, const v1::GetNormRequest* request,
                       v1::Norm* response) override;
  grpc::Status ListNorms(grpc::ServerContext* context, const v1::ListNormsRequest* request,
                         v1::ListNormsResponse* response) override;
  grpc::Status CheckCompliance(grpc::ServerContext* context,
                               const v1::CheckComplianceRequest* request,
                               v1::CheckComplianceResponse* response) override;
  grpc::Status ComplianceReport(grpc::ServerContext* context,
                                const v1::ComplianceReportRequest* request,
                                v1::ComplianceReportResponse* response) override;

 private:
  Registry registry_;
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_NORM_SERVICE_H_

// gRPC AppealService: firms contest inspections, ADMIN assigns an impartial certifier,
// whose re-inspection resolves the appeal; ADMIN dismisses one before assignment, the
// firm withdraws its own before resolution.
#ifndef SELLO_DAEMON_SERVICE_APPEAL_SERVICE_H_
#define SELLO_DAEMON_SERVICE_APPEAL_SERVICE_H_

#include "daemon/server/call.h"
#include "sello/v1/appeal.grpc.pb.h"

namespace sello::service {

class AppealService final : public v1::AppealService::Service {
 public:
  explicit AppealService(Registry registry) : registry_(registry) {}

  grpc::Status FileAppeal(grpc::ServerContext* context, const v1::FileAppealRequest* request,
                          v1::Appeal* response) override;
  grpc::Status AssignAppeal(grpc::ServerContext* context, const v1::AssignAppealRequest* request,
                            v1::Appeal* response) override;
  grpc::Status ResolveAppeal(grpc::ServerContext* context, const v1::ResolveAppealRequest* request,
                             v1::Appeal* response) override;
  grpc::Status GetAppeal(grpc::ServerContext* context, const v1::GetAppealRequest* request,
                         v1::Appeal* response) override;
  grpc::Status ListAppeals(grpc::ServerContext* context, const v1::ListAppealsRequest* request,
                           v1::ListAppealsResponse* response) override;
  grpc::Status DismissAppeal(grpc::ServerContext* context, const v1::DismissAppealRequest* request,
                             v1::Appeal* response) override;
  grpc::Status WithdrawAppeal(grpc::ServerContext* context,
                              const v1::WithdrawAppealRequest* request,
                              v1::Appeal* response) override;

 private:
  Registry registry_;
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_APPEAL_SERVICE_H_

// gRPC AccreditationService: the public register of accredited certifiers, kept by the
// association.
#ifndef SELLO_DAEMON_SERVICE_ACCREDITATION_SERVICE_H_
#define SELLO_DAEMON_SERVICE_ACCREDITATION_SERVICE_H_

#include <vector>

#include "daemon/server/call.h"
#include "sello/v1/accreditation.grpc.pb.h"

namespace sello::service {

class AccreditationService final : public v1::AccreditationService::Service {
 public:
  explicit AccreditationService(Registry registry) : registry_(registry) {}

  grpc::Status CreateAccreditation(grpc::ServerContext* context,
                                   const v1::CreateAccreditationRequest* request,
                                   v1::Accreditation* response) override;
  grpc::Status SuspendAccreditation(grpc::ServerContext* context,
                                    const v1::ChangeAccreditationRequest* request,
                                    v1::Accreditation* response) override;
  grpc::Status ReinstateAccreditation(grpc::ServerContext* context,
                                      const v1::ChangeAccreditationRequest* request,
                                      v1::Accreditation* response) override;
  grpc::Status WithdrawAccreditation(grpc::ServerContext* context,
                                     const v1::ChangeAccreditationRequest* request,
                                     v1::Accreditation* response) override;
  grpc::Status GetAccreditation(grpc::ServerContext* context,
                                const v1::GetAccreditationRequest* request,
                                v1::Accreditation* response) override;
  grpc::Status ListAccreditations(grpc::ServerContext* context,
                                  const v1::ListAccreditationsRequest* request,
                                  v1::ListAccreditationsResponse* response) override;

 private:
  grpc::Status Change(grpc::ServerContext* context, absl::string_view method,
                      const v1::ChangeAccreditationRequest* request,
                      v1::Accreditation::Status target, absl::string_view event_kind,
                      v1::Accreditation* response);

  Registry registry_;
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_ACCREDITATION_SERVICE_H_

// gRPC AdminService: online backups of the store, with the log's key beside them.
#ifndef SELLO_DAEMON_SERVICE_ADMIN_SERVICE_H_
#define SELLO_DAEMON_SERVICE_ADMIN_SERVICE_H_

#include <string>

#include "daemon/server/call.h"
#include "sello/v1/admin.grpc.pb.h"

namespace sello::service {

class AdminService final : public v1::AdminService::Service {
 public:
  AdminService(Registry registry, std::string data_dir)
      : registry_(registry), data_dir_(std::move(data_dir)) {}

  grpc::Status CreateBackup(grpc::ServerContext* context, const v1::CreateBackupRequest* request,
                            v1::CreateBackupResponse* response) override;

 private:
  Registry registry_;
  const std::string data_dir_;
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_ADMIN_SERVICE_H_

// gRPC OrganisationService: organisations, firms' membership, and sites.
#ifndef SELLO_DAEMON_SERVICE_ORGANISATION_SERVICE_H_
#define SELLO_DAEMON_SERVICE_ORGANISATION_SERVICE_H_

#include "daemon/server/call.h"
#include "sello/v1/organisation.grpc.pb.h"

namespace sello::service {

class OrganisationService final : public v1::OrganisationService::Service {
 public:
  explicit OrganisationService(Registry registry) : registry_(registry) {}

  grpc::Status CreateOrganisation(grpc::ServerContext* context,
                                  const v1::CreateOrganisationRequest* request,
                                  v1::Organisation* response) override;
  grpc::Status GetOrganisation(grpc::ServerContext* context,
                               const v1::GetOrganisationRequest* request,
                               v1::Organisation* response) override;
  grpc::Status ListOrganisations(grpc::ServerContext* context,
                                 const v1::ListOrganisationsRequest* request,
                                 v1::ListOrganisationsResponse* response) override;
  grpc::Status SetMembership(grpc::ServerContext* context, const v1::SetMembershipRequest* request,
                             v1::Organisation* response) override;
  grpc::Status CreateSite(grpc::ServerContext* context, const v1::CreateSiteRequest* request,
                          v1::Site* response) override;
  grpc::Status GetSite(grpc::ServerContext* context, const v1::GetSiteRequest* request,
                       v1::Site* response) override;
  grpc::Status ListSites(grpc::ServerContext* context, const v1::ListSitesRequest* request,
                         v1::ListSitesResponse* response) override;

 private:
  Registry registry_;
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_ORGANISATION_SERVICE_H_

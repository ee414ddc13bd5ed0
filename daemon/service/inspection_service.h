// gRPC InspectionService: lots, and inspections graded by the registry.
#ifndef SELLO_DAEMON_SERVICE_INSPECTION_SERVICE_H_
#define SELLO_DAEMON_SERVICE_INSPECTION_SERVICE_H_

#include "daemon/server/call.h"
#include "sello/v1/inspection.grpc.pb.h"

namespace sello::service {

// Submissions and corrections are callback methods: their handlers hand the change to
// the ledger and return, and the call finishes when the group commit is durable.
class InspectionService final : public v1::InspectionService::WithCallbackMethod_SubmitInspection<
                                    v1::InspectionService::WithCallbackMethod_CorrectInspection<
                                        v1::InspectionService::Service>> {
 public:
  explicit InspectionService(Registry registry) : registry_(registry) {}

  grpc::Status CreateLot(grpc::ServerContext* context, const v1::CreateLotRequest* request,
                         v1::Lot* response) override;
  grpc::Status GetLot(grpc::ServerContext* context, const v1::GetLotRequest* request,
                      v1::Lot* response) override;
  grpc::Status ListLots(grpc::ServerContext* context, const v1::ListLotsRequest* request,
                        v1::ListLotsResponse* response) override;
  grpc::ServerUnaryReactor* SubmitInspection(grpc::CallbackServerContext* context,
                                             const v1::SubmitInspectionRequest* request,
                                             v1::Inspection* response) override;
  grpc::ServerUnaryReactor* CorrectInspection(grpc::CallbackServerContext* context,
                                              const v1::CorrectInspectionRequest* request,
                                              v1::Inspection* response) override;
  grpc::Status GetInspection(grpc::ServerContext* context, const v1::GetInspectionRequest* request,
                             v1::Inspection* response) override;
  grpc::Status ListInspections(grpc::ServerContext* context,
                               const v1::ListInspectionsRequest* request,
                               v1::ListInspectionsResponse* response) override;
  grpc::Status GetCertificationStatus(grpc::ServerContext* context,
                                      const v1::GetCertificationStatusRequest* request,
                                      v1::GetCertificationStatusResponse* response) override;
  grpc::Status ListCertifiedSites(grpc::ServerContext* context,
                                  const v1::ListCertifiedSitesRequest* request,
                                  v1::ListCertifiedSitesResponse* response) override;

 private:
  // Submission and correction share everything but the link to the earlier record.
  void Submit(const domain::Principal& caller, const v1::Inspection& submitted,
              const v1::CorrectInspectionRequest* correction, v1::Inspection* response,
              storage::Ledger::Done done);

  Registry registry_;
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_INSPECTION_SERVICE_H_

// gRPC SealService: issuing seals in bulk, verifying them (public, the hottest call),
// suspending, revoking or reinstating them, and listing them for the parties that may
// read them in full.
#ifndef SELLO_DAEMON_SERVICE_SEAL_SERVICE_H_
#define SELLO_DAEMON_SERVICE_SEAL_SERVICE_H_

#include "daemon/server/arena_allocator.h"
#include "daemon/server/call.h"
#include "daemon/service/issuance_trees.h"
#include "daemon/tlog/transparency_log.h"
#include "sello/v1/seal.grpc.pb.h"
#include "storage/records.h"

namespace sello::service {

// IssueSeals is a callback method: its handler hands the issuance to the ledger and
// returns; the call finishes when the group commit is durable. VerifySeal, the hottest
// call, is a callback method too, answered on the thread that received it: on the
// synchronous API every call is handed to another thread, and gRPC 1.51 starts and stops
// those threads all the time under load (more than half of its CPU per call).
class SealService final
    : public v1::SealService::WithCallbackMethod_IssueSeals<
          v1::SealService::WithCallbackMethod_VerifySeal<v1::SealService::Service>> {
 public:
  SealService(Registry registry, storage::TransparencyLog* log) : registry_(registry), log_(log) {
    SetMessageAllocatorFor_VerifySeal(&verify_messages_);
  }

  grpc::ServerUnaryReactor* IssueSeals(grpc::CallbackServerContext* context,
                                       const v1::IssueSealsRequest* request,
                                       v1::IssueSealsResponse* response) override;
  grpc::ServerUnaryReactor* VerifySeal(grpc::CallbackServerContext* context,
                                       const v1::VerifySealRequest* request,
                                       v1::VerifySealResponse* response) override;
  grpc::Status SuspendSeals(grpc::ServerContext* context, const v1::ChangeSealsRequest* request,
                            v1::ChangeSealsResponse* response) override;
  grpc::Status RevokeSeals(grpc::ServerContext* context, const v1::ChangeSealsRequest* request,
                           v1::ChangeSealsResponse* response) override;
  grpc::Status ReinstateSeals(grpc::ServerContext* context, const v1::ChangeSealsRequest* request,
                              v1::ChangeSealsResponse* response) override;
  grpc::Status ListSeals(grpc::ServerContext* context, const v1::ListSealsRequest* request,
                         v1::ListSealsResponse* response) override;
  grpc::Status ListIssuances(grpc::ServerContext* context, const v1::ListIssuancesRequest* request,
                             v1::ListIssuancesResponse* response) override;

 private:
  grpc::Status Change(grpc::ServerContext* context, absl::string_view method,
                      const v1::ChangeSealsRequest* request, v1::Seal::Status target,
                      v1::ChangeSealsResponse* response);

  Registry registry_;
  // The seals' shared fields by issuance, for VerifySeal (records.h).
  storage::SealTemplateCache templates_;
  // The trees over issuances' leaves, for VerifySeal's proofs (issuance_trees.h).
  IssuanceTreeCache trees_;
  IssuanceProofCache proofs_;
  storage::TransparencyLog* const log_;
  ArenaMessageAllocator<v1::VerifySealRequest, v1::VerifySealResponse> verify_messages_;
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_SEAL_SERVICE_H_

// gRPC LogService: checkpoints, proofs, events and records of the transparency log, and
// the Watch stream.
#ifndef SELLO_DAEMON_SERVICE_LOG_SERVICE_H_
#define SELLO_DAEMON_SERVICE_LOG_SERVICE_H_

#include "daemon/server/call.h"
#include "daemon/tlog/transparency_log.h"
#include "sello/v1/log.grpc.pb.h"

namespace sello::service {

struct WatchOptions {
  // An idle watch gets a heartbeat this often.
  absl::Duration heartbeat = absl::Seconds(15);
  // Events read from the store per batch (what one watch buffers at most).
  int batch = 256;
  // A watcher further behind the head than this is ended with RESOURCE_EXHAUSTED and
  // told where to resume, rather than holding a server thread indefinitely.
  uint64_t max_lag = 100000;
};

// GetInclusionProof (a public read with O(log n) lookups, asked for by every auditor and
// buyer who checks a seal) is served on the callback API, answered on the thread that
// received it; the others on the synchronous API.
class LogService final
    : public v1::LogService::WithCallbackMethod_GetInclusionProof<v1::LogService::Service> {
 public:
  LogService(Registry registry, storage::TransparencyLog* log, WatchOptions watch = {})
      : registry_(registry), log_(log), watch_(watch) {}

  grpc::Status GetCheckpoint(grpc::ServerContext* context, const v1::GetCheckpointRequest* request,
                             v1::GetCheckpointResponse* response) override;
  grpc::ServerUnaryReactor* GetInclusionProof(grpc::CallbackServerContext* context,
                                              const v1::GetInclusionProofRequest* request,
                                              v1::GetInclusionProofResponse* response) override;
  grpc::Status GetConsistencyProof(grpc::ServerContext* context,
                                   const v1::GetConsistencyProofRequest* request,
                                   v1::GetConsistencyProofResponse* response) override;
  grpc::Status ListEvents(grpc::ServerContext* context, const v1::ListEventsRequest* request,
                          v1::ListEventsResponse* response) override;
  grpc::Status GetRecord(grpc::ServerContext* context, const v1::GetRecordRequest* request,
                         v1::GetRecordResponse* response) override;
  grpc::Status WatchEvents(grpc::ServerContext* context, const v1::WatchEventsRequest* request,
                           grpc::ServerWriter<v1::WatchEventsResponse>* writer) override;

 private:
  absl::Status CheckHolds(uint64_t size, const v1::Checkpoint& checkpoint) const;

  Registry registry_;
  storage::TransparencyLog* const log_;
  const WatchOptions watch_;
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_LOG_SERVICE_H_

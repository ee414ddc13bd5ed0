// daemon/server/: sellod's runtime, apart from the services it serves (daemon/service/).
//   server.h          this file: the gRPC server over the services, health, reflection
//   server_options.h  gRPC's builder settings (limits, TLS, keepalive)
//   call.h            the path every call takes: Serve, ServeNow, ServeWrite
//   auth.h            bearer tokens to principals      admission.h  write and watch quotas
//   call_timer.h      deadlines of synchronous calls   request_meter.h  request sizes
//   access_record.h   the access log's line per call   metrics.h  counters, histograms
//   metrics_server.h  /metrics over HTTP               json_logger.h  JSON lines on stderr
//   bootstrap.h       the first start's association and ADMIN token
//   tls_files.h, config_check.h  start-up checks of the TLS files and --config keys
// The transparency log and its signer are in daemon/tlog/.
//
// The gRPC server: Sello's services plus the standard health and reflection services.
#ifndef SELLO_DAEMON_SERVER_SERVER_H_
#define SELLO_DAEMON_SERVER_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/server/call.h"
#include "daemon/server/server_options.h"
#include "daemon/tlog/transparency_log.h"

namespace grpc {
class Channel;
class Server;
class ServerBuilder;
}  // namespace grpc

namespace sello::service {

class AccreditationService;
class InspectionService;
class LogService;
class NormService;
class AppealService;
class StatsService;
class AdminService;
class SealService;
class OrganisationService;
class StandardService;
class TokenService;

// The health service's name for writes (grpc.health.v1, Check or Watch with this
// service): SERVING while the store takes writes, NOT_SERVING while it is read-only — its
// disk or --max-disk-mb is full, or a failed write left it so. The whole service ("")
// stays SERVING meanwhile: reads and proofs go on.
inline constexpr char kWriteHealthService[] = "sello.write";

class Server {
 public:
  // Binds, starts serving and reports SERVING on the health service, and on
  // kWriteHealthService whether the store takes writes (looked at again every half
  // second, each change logged). UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options,
                                                       Registry registry,
                                                       storage::TransparencyLog* log);
  ~Server();

  // The address actually bound (with the chosen port).
  const std::string& address() const { return address_; }

  // A channel to these services that stays in this process (no network, no TLS): what
  // sellod's HTTP front calls them through. Valid until Shutdown.
  std::shared_ptr<grpc::Channel> InProcessChannel();

  // Health turns NOT_SERVING, no new calls are accepted, calls in flight get until
  // `grace` to finish and are cancelled after. Returns when the server has stopped.
  void Shutdown(absl::Duration grace);

 private:
  // Start's steps: the services over `registry`, and their registration with gRPC.
  void MakeServices(const Registry& registry, storage::TransparencyLog* log,
                    const std::string& data_dir);
  void RegisterServices(grpc::ServerBuilder& builder);
  Server() = default;
  // Keeps kWriteHealthService in step with store->Writable(), `writable` when it
  // starts, until Shutdown.
  void WatchWrites(const storage::Store* store, absl::Status writable);

  std::unique_ptr<OrganisationService> organisations_;
  std::unique_ptr<TokenService> tokens_;
  std::unique_ptr<StandardService> standards_;
  std::unique_ptr<LogService> log_;
  std::unique_ptr<AccreditationService> accreditations_;
  std::unique_ptr<InspectionService> inspections_;
  std::unique_ptr<SealService> seals_;
  std::unique_ptr<NormService> norms_;
  std::unique_ptr<AppealService> appeals_;
  std::unique_ptr<StatsService> stats_;
  std::unique_ptr<AdminService> admin_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;

  absl::Mutex watch_mu_;
  bool watch_stopping_ ABSL_GUARDED_BY(watch_mu_) = false;
  std::thread write_watcher_;
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVER_SERVER_H_

// The gRPC server: Sello's services plus the standard health and reflection services.
#ifndef SELLO_DAEMON_SERVICE_SERVER_H_
#define SELLO_DAEMON_SERVICE_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/service/call.h"
#include "storage/transparency_log.h"

namespace grpc {
class Server;
}

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

struct ServerOptions {
  // HOST:PORT; port 0 picks a free port (see Server::address()).
  std::string listen_address = "127.0.0.1:7443";
  // Limits (Debian's gRPC 1.51 defaults to unlimited streams and predates several
  // HTTP/2 denial-of-service fixes, so each is set here). A request over a size limit is
  // refused with RESOURCE_EXHAUSTED naming the limit.
  int max_message_bytes = 1 << 20;         // a request (a reply may be larger)
  int max_metadata_bytes = 8 << 10;        // all headers of a call, the token included
  int max_concurrent_streams = 100;        // calls in flight per connection
  int64_t memory_quota_bytes = 256 << 20;  // gRPC's buffers for every connection together
  int max_threads = 256;                   // threads serving synchronous calls
  absl::Duration max_connection_idle = absl::Minutes(30);
  absl::Duration max_connection_age = absl::Hours(6);  // then a grace period to finish
  absl::Duration max_connection_age_grace = absl::Minutes(1);
  // A connection that has not finished its handshake by then is closed. gRPC 1.51 cannot
  // cap the number of connections; this, the idle timeout and the memory quota bound
  // what idle ones cost.
  absl::Duration handshake_timeout = absl::Seconds(10);
  // TLS: the server's certificate chain and private key (PEM). Empty: plaintext.
  std::string tls_cert_pem;
  std::string tls_key_pem;
  // Mutual TLS: clients must present a certificate signed by this CA (PEM).
  std::string client_ca_pem;
  // The data dir (for backups, which copy the log's key pair beside the store's).
  std::string data_dir;
};

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

  // Health turns NOT_SERVING, no new calls are accepted, calls in flight get until
  // `grace` to finish and are cancelled after. Returns when the server has stopped.
  void Shutdown(absl::Duration grace);

 private:
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

#endif  // SELLO_DAEMON_SERVICE_SERVER_H_

// A connection to sellod: the channel, the stubs, and per-call contexts that carry the
// bearer token and a deadline.
#ifndef SELLO_CLIENT_CONNECTION_H_
#define SELLO_CLIENT_CONNECTION_H_

#include <grpcpp/client_context.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "sello/v1/accreditation.grpc.pb.h"
#include "sello/v1/admin.grpc.pb.h"
#include "sello/v1/appeal.grpc.pb.h"
#include "sello/v1/inspection.grpc.pb.h"
#include "sello/v1/log.grpc.pb.h"
#include "sello/v1/norm.grpc.pb.h"
#include "sello/v1/organisation.grpc.pb.h"
#include "sello/v1/seal.grpc.pb.h"
#include "sello/v1/standard.grpc.pb.h"
#include "sello/v1/stats.grpc.pb.h"
#include "sello/v1/token.grpc.pb.h"

namespace sello::client {

struct ConnectionOptions {
  std::string server = "127.0.0.1:7443";
  std::string token;  // empty: anonymous (public calls only)
  absl::Duration timeout = absl::Seconds(30);
  // TLS when `tls`: the CA to trust (PEM; empty: the system's roots) and, for mutual
  // TLS, this client's certificate chain and key (PEM).
  bool tls = false;
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
  // TLS: the name the server's certificate must be for (and the SNI sent), when it is not
  // the host of `server` (e.g. a registry reached by its IP address or through a tunnel).
  std::string tls_server_name;
};

class Connection {
 public:
  explicit Connection(const ConnectionOptions& options);

  // A context for one call: the deadline and, when there is a token, its metadata.
  std::unique_ptr<grpc::ClientContext> NewContext() const;

  // A context for a long-lived stream: the token but no deadline.
  std::unique_ptr<grpc::ClientContext> NewStreamContext() const;

  // Waits until the server reports SERVING on the health service for `service` ("": the
  // whole server; e.g. "sello.write" for writes), or `wait` passes.
  grpc::Status WaitUntilServing(absl::Duration wait, const std::string& service = "") const;

  // Asks the health service once about `service` (failing at once when the server is
  // unreachable): OK when SERVING, UNAVAILABLE when not, NOT_FOUND for a service the server
  // does not know.
  grpc::Status CheckServing(const std::string& service = "") const;

  v1::OrganisationService::Stub& organisations() { return *organisations_; }
  v1::TokenService::Stub& tokens() { return *tokens_; }
  v1::StandardService::Stub& standards() { return *standards_; }
  v1::LogService::Stub& log() { return *log_; }
  v1::AccreditationService::Stub& accreditations() { return *accreditations_; }
  v1::InspectionService::Stub& inspections() { return *inspections_; }
  v1::SealService::Stub& seals() { return *seals_; }
  v1::NormService::Stub& norms() { return *norms_; }
  v1::AppealService::Stub& appeals() { return *appeals_; }
  v1::StatsService::Stub& stats() { return *stats_; }
  v1::AdminService::Stub& admin() { return *admin_; }
  const ConnectionOptions& options() const { return options_; }

 private:
  ConnectionOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::OrganisationService::Stub> organisations_;
  std::unique_ptr<v1::TokenService::Stub> tokens_;
  std::unique_ptr<v1::StandardService::Stub> standards_;
  std::unique_ptr<v1::LogService::Stub> log_;
  std::unique_ptr<v1::AccreditationService::Stub> accreditations_;
  std::unique_ptr<v1::InspectionService::Stub> inspections_;
  std::unique_ptr<v1::SealService::Stub> seals_;
  std::unique_ptr<v1::NormService::Stub> norms_;
  std::unique_ptr<v1::AppealService::Stub> appeals_;
  std::unique_ptr<v1::StatsService::Stub> stats_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

}  // namespace sello::client

#endif  // SELLO_CLIENT_CONNECTION_H_

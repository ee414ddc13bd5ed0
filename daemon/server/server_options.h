// sellod's gRPC server settings: its limits, memory quota and keep-alive policy, in
// one place so that the benchmarks' floor server (tests/bench/floor_server.cc) is built
// exactly as sellod is.
#ifndef SELLO_DAEMON_SERVER_SERVER_OPTIONS_H_
#define SELLO_DAEMON_SERVER_SERVER_OPTIONS_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace grpc {
class ServerBuilder;
}

namespace sello::service {

struct ServerOptions {
  // HOST:PORT; port 0 picks a free port (see Server::address()).
  std::string listen_address = "127.0.0.1:7443";
  // Limits (Debian's gRPC 1.51 defaults to unlimited streams and predates several
  // HTTP/2 denial-of-service fixes, so each is set here). sellod refuses a request over a
  // size limit itself (request_meter.h), naming the limit, logged and counted; gRPC's own
  // limits are set above them (TransportMessageCeiling, TransportMetadataCeiling).
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

// gRPC's own size limits, above sellod's so that what sellod refuses reaches its handlers
// (gRPC 1.51 refuses inside its transport, where nothing logs or counts it): 16 times the
// message limit, 4 times the header limit. Beyond them gRPC still refuses, with
// RESOURCE_EXHAUSTED, unlogged: a bound on what a hostile client can make sellod parse.
// (gRPC buffers a whole message before its own check anyway, up to the memory quota.)
int TransportMessageCeiling(int max_message_bytes);
int TransportMetadataCeiling(int max_metadata_bytes);

// Applies every setting of `options` to `builder` except the listening port, the
// credentials and the services: message and metadata limits, streams per connection,
// the memory quota and thread cap, connection idle and age limits, the handshake
// timeout, ping strikes and keep-alive.
void ApplyServerOptions(const ServerOptions& options, grpc::ServerBuilder& builder);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVER_SERVER_OPTIONS_H_

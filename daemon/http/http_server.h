// sellod's HTTP listener (--http-listen): GNU libmicrohttpd (epoll, a small thread pool,
// TLS through GnuTLS), with every request bounded before a handler sees it — the request
// target, the headers and the body by size, each request by time (a client trickling
// bytes is disconnected), connections in all and per client address by count — a
// per-address rate limit (rate_limiter.h), and the security headers every response
// carries. Requests are dispatched by a Router to handlers that answer asynchronously
// (the connection is suspended meanwhile, so no server thread waits on a service).
#ifndef SELLO_DAEMON_HTTP_HTTP_SERVER_H_
#define SELLO_DAEMON_HTTP_HTTP_SERVER_H_

#include <array>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "daemon/http/http_exchange.h"
#include "daemon/http/rate_limiter.h"
#include "daemon/http/router.h"

struct MHD_Daemon;
struct MHD_Connection;

namespace sello::http {

struct HttpServerOptions {
  // HOST:PORT, HOST an IPv4 or [IPv6] literal or localhost; port 0 picks a free port.
  std::string listen;
  // TLS (PEM); both empty: plaintext.
  std::string tls_cert_pem;
  std::string tls_key_pem;
  size_t max_target_bytes = 8 << 10;         // the request target (path and query); beyond, 414
  size_t max_header_bytes = 8 << 10;         // all request headers together; beyond, 431
  size_t max_body_bytes = 1 << 20;           // one request body; beyond, 413 or a closed connection
  size_t max_body_memory_bytes = 256 << 20;  // bodies being received, all together
  unsigned max_connections = 10'000;
  unsigned max_connections_per_address = 256;  // 0: no limit (behind a reverse proxy)
  // A connection that sends nothing for this long is closed.
  absl::Duration idle_timeout = absl::Seconds(60);
  // Each request (line, headers and body) must have arrived within this long of the
  // connection's start or of the previous answer, or the connection is closed: a client
  // that trickles one byte a second cannot hold a connection.
  absl::Duration request_timeout = absl::Seconds(30);
  // Peers (addresses or CIDR ranges) whose X-Forwarded-For names the client: a reverse
  // proxy or CDN in front. Empty: the TCP peer is the client.
  std::vector<std::string> trusted_proxies;
  unsigned threads = 2;
};

class HttpServer {
 public:
  // Binds and serves `router`'s handlers (the router and `limiter` must outlive the
  // server; `limiter` may be null). INVALID_ARGUMENT for a bad option, UNAVAILABLE when
  // the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(HttpServerOptions options,
                                                           const Router* router,
                                                           RateLimiter* limiter);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // HOST:PORT actually bound.
  const std::string& address() const { return address_; }

  // Closes the listening socket: no new connections (requests in flight go on).
  void StopAccepting();
  // Waits (up to `wait`) until every dispatched request has been answered, then closes
  // every connection and stops. Call after the handlers' calls have ended (the gRPC
  // server's Shutdown): a request still waiting then is abandoned with its connection.
  void Stop(absl::Duration wait);

  // Prometheus text: responses by status, rate-limited requests, connections closed for
  // slowness, connections open.
  std::string RenderMetrics() const;

 private:
  struct Exchange;
  struct ConnectionWatch;
  struct Network {  // a trusted proxy range
    int family = 0;
    std::array<unsigned char, 16> bytes{};
    int prefix_bits = 0;
  };
  HttpServer() = default;

  // libmicrohttpd's callbacks (http_server.cc).
  friend struct Callbacks;

  // The first call for a request (its headers are in): an early answer, or nullopt to
  // go on and read the body.
  std::optional<HttpResponse> Begin(Exchange& exchange, MHD_Connection* connection,
                                    const char* method);
  // Begin's steps: the request's headers into `request` (returns their size), and the
  // rate limit's refusal of an anonymous or not yet verified caller (nullopt: go on).
  static size_t ReadHeaders(MHD_Connection* connection, HttpRequest& request);
  std::optional<HttpResponse> RateLimit(const HttpRequest& request);
  // --http-trusted-proxies. INVALID_ARGUMENT naming the entry.
  static absl::StatusOr<std::vector<Network>> ParseTrustedProxies(
      const std::vector<std::string>& entries);
  void Dispatch(Exchange& exchange, MHD_Connection* connection);
  int Queue(MHD_Connection* connection, Exchange& exchange, HttpResponse response);
  std::string ClientAddress(MHD_Connection* connection, const HttpRequest& request) const;
  void ReapSlowConnections();

  HttpServerOptions options_;
  const Router* router_ = nullptr;
  RateLimiter* limiter_ = nullptr;
  std::vector<Network> trusted_;
  MHD_Daemon* daemon_ = nullptr;
  std::string address_;

  std::atomic<int64_t> body_bytes_{0};
  std::atomic<int> dispatched_{0};  // requests handed to a handler and not yet answered
  std::array<std::atomic<uint64_t>, 600> responses_{};
  std::atomic<uint64_t> closed_slow_{0};
  std::atomic<int64_t> last_log_second_{0};

  absl::Mutex watch_mu_;
  absl::flat_hash_set<ConnectionWatch*> watches_ ABSL_GUARDED_BY(watch_mu_);
  bool stopping_ ABSL_GUARDED_BY(watch_mu_) = false;
  std::thread reaper_;
};

}  // namespace sello::http

#endif  // SELLO_DAEMON_HTTP_HTTP_SERVER_H_

// A small HTTP/1.1 server on GNU libmicrohttpd for sello-witness: a pool of threads, TLS
// when given a certificate, and the limits a public endpoint needs (request body size,
// connections in all and per client address, a per-address request rate, an idle
// timeout). Requests are handed, body complete, to one function that returns the answer.
#ifndef SELLO_WITNESS_HTTP_SERVER_H_
#define SELLO_WITNESS_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "witness/witness.h"

struct MHD_Daemon;

namespace sello::witness {

struct HttpRequest {
  std::string method;
  std::string path;  // without the query string
  std::string body;
  std::string peer;  // the client's address, without the port
};

struct HttpServerOptions {
  // HOST:PORT ("127.0.0.1:0", "[::1]:7380", "0.0.0.0:443"); port 0 picks a free one.
  std::string listen;
  // PEM certificate chain and key; both empty for plaintext.
  std::string tls_cert_pem, tls_key_pem;
  // A larger body is answered 413 without being read further.
  size_t max_body_bytes = 64 * 1024;
  // Requests per second each client address may make (a token bucket of `rate_burst`);
  // beyond, 429 with Retry-After. 0 turns the limit off.
  double rate_per_second = 0;
  int rate_burst = 0;
  unsigned max_connections = 256;
  unsigned max_connections_per_address = 32;
  absl::Duration idle_timeout = absl::Seconds(30);
  int threads = 4;
};

class HttpServer {
 public:
  using Handler = std::function<HttpAnswer(const HttpRequest&)>;

  // Listens and serves until destroyed. INVALID_ARGUMENT for a bad address or TLS
  // material, UNAVAILABLE when it cannot listen.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(HttpServerOptions options,
                                                           Handler handler);
  // Stops accepting, lets the requests being answered finish, and closes.
  ~HttpServer();

  // HOST:PORT actually bound.
  const std::string& address() const { return address_; }
  uint64_t rate_limited() const;

 private:
  HttpServer() = default;
  // Whether `peer` may make another request now (takes a token).
  bool Admit(const std::string& peer);

  // libmicrohttpd's callbacks (http_server.cc).
  friend class HttpServerCallbacks;

  HttpServerOptions options_;
  Handler handler_;
  MHD_Daemon* daemon_ = nullptr;
  std::string address_;

  struct Bucket {
    double tokens = 0;
    absl::Time refilled;
  };
  mutable absl::Mutex rate_mutex_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(rate_mutex_);
  uint64_t rate_limited_ ABSL_GUARDED_BY(rate_mutex_) = 0;
};

// Splits "HOST:PORT" / "[IPv6]:PORT" into a socket address. INVALID_ARGUMENT otherwise.
absl::Status ParseListenAddress(const std::string& listen, std::string* host, int* port);

}  // namespace sello::witness

#endif  // SELLO_WITNESS_HTTP_SERVER_H_

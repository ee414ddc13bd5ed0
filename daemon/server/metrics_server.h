// The /metrics endpoint: a small HTTP server (GNU libmicrohttpd, its own thread) that
// answers GET /metrics with what `render` returns, and 404 to anything else.
#ifndef SELLO_DAEMON_SERVER_METRICS_SERVER_H_
#define SELLO_DAEMON_SERVER_METRICS_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

struct MHD_Daemon;

namespace sello::service {

class MetricsServer {
 public:
  // Listens on `listen` (IPv4 HOST:PORT; port 0 picks one). UNAVAILABLE when it cannot.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(const std::string& listen,
                                                              std::function<std::string()> render);
  ~MetricsServer();

  // HOST:PORT actually bound.
  const std::string& address() const { return address_; }

 private:
  MetricsServer() = default;

  std::function<std::string()> render_;
  MHD_Daemon* daemon_ = nullptr;
  std::string address_;
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVER_METRICS_SERVER_H_

// Calls sellod's own gRPC services in process (grpc::Server::InProcessChannel, generic
// calls on serialized messages), on behalf of an HTTP client: every HTTP request goes
// through the same access table, limits, deadlines, metrics and access log as a gRPC
// call. The client's address travels in metadata that the services believe only on this
// in-process path and with the front's key (service::kHttpClientAddressKey,
// service::Registry::http_front_key).
#ifndef SELLO_DAEMON_HTTP_IN_PROCESS_CALLER_H_
#define SELLO_DAEMON_HTTP_IN_PROCESS_CALLER_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"

namespace sello::http {

class InProcessCaller {
 public:
  // `front_key`: the services' Registry::http_front_key.
  InProcessCaller(std::shared_ptr<grpc::Channel> channel, std::string front_key);

  struct Call {
    std::string method;         // "/sello.v1.SealService/VerifySeal"
    std::string request;        // the serialized request
    std::string authorization;  // the Authorization header as sent ("Bearer ..."), or ""
    std::string client_address;
    absl::Time deadline = absl::InfiniteFuture();
  };
  // The outcome: the status and, when OK, the serialized response.
  using Done = std::function<void(const grpc::Status& status, std::string response)>;

  // Starts `call`; `done` runs once, on a gRPC thread or before Start returns.
  void Start(Call call, Done done);

  // Calls started and not yet done.
  int in_flight() const { return in_flight_.load(std::memory_order_acquire); }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  grpc::GenericStub stub_;
  const std::string front_key_;
  std::atomic<int> in_flight_{0};
};

}  // namespace sello::http

#endif  // SELLO_DAEMON_HTTP_IN_PROCESS_CALLER_H_

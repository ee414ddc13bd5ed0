#include "daemon/server/request_meter.h"

#include <google/protobuf/message_lite.h>

#include <cstring>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace sello::service {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr absl::string_view kOwnMethodPrefix = "/sello.v1.";

thread_local std::optional<domain::RequestSize> current_request;

// Sets current_request for as long as it lives (the handler's run), then restores it.
class ScopedRequestSize {
 public:
  explicit ScopedRequestSize(domain::RequestSize size) : saved_(current_request) {
    current_request = size;
  }
  ~ScopedRequestSize() { current_request = saved_; }
  ScopedRequestSize(const ScopedRequestSize&) = delete;
  ScopedRequestSize& operator=(const ScopedRequestSize&) = delete;

 private:
  std::optional<domain::RequestSize> saved_;
};

class RequestMeter final : public grpc::experimental::Interceptor {
 public:
  explicit RequestMeter(grpc::experimental::ServerRpcInfo* info)
      : path_bytes_(info->method() != nullptr ? std::strlen(info->method()) : 0),
        ours_(info->method() != nullptr && absl::StartsWith(info->method(), kOwnMethodPrefix)) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      // The pseudo-header :path is not among the metadata the application sees.
      size_.metadata_bytes = domain::HeaderFieldBytes(5, path_bytes_);
      if (const std::multimap<grpc::string_ref, grpc::string_ref>* metadata =
              methods->GetRecvInitialMetadata();
          metadata != nullptr) {
        for (const auto& [name, value] : *metadata) {
          size_.metadata_bytes += domain::HeaderFieldBytes(name.size(), value.size());
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      // sellod's own services take generated protobuf messages (MessageLite their only
      // base). Others need not: gRPC's health service takes a raw ByteBuffer.
      if (void* message = methods->GetRecvMessage(); ours_ && message != nullptr) {
        size_.message_bytes = static_cast<google::protobuf::MessageLite*>(message)->ByteSizeLong();
      }
      // The handler runs inside Proceed(): it sees this request's size.
      const ScopedRequestSize scope(size_);
      methods->Proceed();
      return;
    }
    methods->Proceed();
  }

 private:
  const size_t path_bytes_;
  const bool ours_;  // a method of sello.v1
  domain::RequestSize size_;
};

class RequestMeterFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RequestMeter(info);
  }
};

}  // namespace

std::optional<domain::RequestSize> CurrentRequestSize() { return current_request; }

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewRequestMeterFactory() {
  return std::make_unique<RequestMeterFactory>();
}

}  // namespace sello::service

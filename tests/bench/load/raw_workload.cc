#include "tests/bench/load/raw_workload.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

namespace sello::load {
namespace {

class RawWorkload final : public Workload {
 public:
  RawWorkload(const LoadOptions& load, std::string method, const std::string& request)
      : settings_(load.token, load.deadline_seconds), method_(std::move(method)) {
    grpc::Slice slice(request);
    request_ = grpc::ByteBuffer(&slice, 1);
  }

  absl::StatusOr<std::unique_ptr<CallSlot>> NewSlot(const std::shared_ptr<grpc::Channel>& channel,
                                                    int, int) override {
    return std::make_unique<Slot>(*this, channel);
  }

 private:
  class Slot final : public UnarySlot<grpc::ByteBuffer, grpc::ByteBuffer> {
   public:
    Slot(const RawWorkload& workload, const std::shared_ptr<grpc::Channel>& channel)
        : UnarySlot(workload.settings_), method_(workload.method_), stub_(channel) {
      request_ = workload.request_;  // shares the slice; nothing is copied per call
    }

   private:
    std::unique_ptr<grpc::ClientAsyncResponseReader<grpc::ByteBuffer>> StartCall(
        grpc::ClientContext* context, grpc::CompletionQueue* cq) override {
      return stub_.PrepareUnaryCall(context, method_, request_, cq);
    }

    const std::string& method_;
    grpc::GenericStub stub_;
  };

  CallSettings settings_;
  std::string method_;
  grpc::ByteBuffer request_;
};

}  // namespace

std::unique_ptr<Workload> NewRawWorkload(const LoadOptions& load, std::string method,
                                         const std::string& request) {
  return std::make_unique<RawWorkload>(load, std::move(method), request);
}

}  // namespace sello::load

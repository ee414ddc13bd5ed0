#include "daemon/http/in_process_caller.h"

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>

#include <vector>

#include "daemon/server/call.h"

namespace sello::http {
namespace {

struct PendingCall {
  grpc::ClientContext context;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  InProcessCaller::Done done;
};

std::string Flatten(grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& slice : slices) {
    out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return out;
}

}  // namespace

InProcessCaller::InProcessCaller(std::shared_ptr<grpc::Channel> channel, std::string front_key)
    : channel_(std::move(channel)), stub_(channel_), front_key_(std::move(front_key)) {}

void InProcessCaller::Start(Call call, Done done) {
  auto* pending = new PendingCall;
  pending->done = std::move(done);
  if (!call.authorization.empty()) {
    pending->context.AddMetadata("authorization", call.authorization);
  }
  pending->context.AddMetadata(service::kHttpClientAddressKey, call.client_address);
  pending->context.AddMetadata(service::kHttpFrontKey, front_key_);
  if (call.deadline != absl::InfiniteFuture()) {
    pending->context.set_deadline(absl::ToChronoTime(call.deadline));
  }
  grpc::Slice slice(call.request);
  pending->request = grpc::ByteBuffer(&slice, 1);
  in_flight_.fetch_add(1, std::memory_order_acq_rel);
  stub_.UnaryCall(&pending->context, call.method, grpc::StubOptions(), &pending->request,
                  &pending->response, [this, pending](grpc::Status status) {
                    std::string response;
                    if (status.ok()) response = Flatten(pending->response);
                    Done done = std::move(pending->done);
                    delete pending;
                    done(status, std::move(response));
                    in_flight_.fetch_sub(1, std::memory_order_acq_rel);
                  });
}

}  // namespace sello::http

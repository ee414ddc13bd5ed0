// The engine of sello-load: drives one kind of call over several connections (distinct
// gRPC channels, so distinct TCP connections) with a fixed number of calls in flight on
// each, through the async CompletionQueue API, for a duration or a number of calls, and
// records every call.
#ifndef SELLO_TESTS_BENCH_LOAD_RUNNER_H_
#define SELLO_TESTS_BENCH_LOAD_RUNNER_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tests/bench/load/stats.h"

namespace sello::load {

// How a run drives the server (the flags every scenario shares).
struct LoadOptions {
  std::string server = "127.0.0.1:7443";
  std::string token;  // sent as "authorization: Bearer <token>" when set
  int connections = 4;
  int in_flight = 32;  // per connection
  double duration_seconds = 5;
  int64_t calls = 0;          // > 0: stop after this many measured calls (or the duration)
  double warmup_seconds = 0;  // calls started in the warm-up are not recorded
  double deadline_seconds = 30;
  double connect_timeout_seconds = 10;
};

// A channel of its own: a distinct channel argument and a local subchannel pool, so two
// channels never share a TCP connection.
std::shared_ptr<grpc::Channel> NewChannel(const std::string& server, int index);

// The metadata and deadline every call carries.
class CallSettings {
 public:
  CallSettings(const std::string& token, double deadline_seconds);
  void Apply(grpc::ClientContext& context) const;

 private:
  std::string authorization_;
  std::chrono::milliseconds deadline_;
};

// How one call ended: OK with the number of items it carried, or the name of what went
// wrong (a gRPC code name, or a wrong answer such as "WRONG_VERDICT") and a detail.
struct CallOutcome {
  int64_t items = 0;
  std::string error;  // empty: OK
  std::string detail;

  static CallOutcome Ok(int64_t items) { return {items, "", ""}; }
  static CallOutcome Failed(const grpc::Status& status);
  static CallOutcome Wrong(std::string error, std::string detail) {
    return {0, std::move(error), std::move(detail)};
  }
};

// One place for a call in flight: it issues its calls one after the other. Used by one
// thread at a time.
class CallSlot {
 public:
  virtual ~CallSlot() = default;
  // Readies the next request. May make untimed set-up calls (a new lot to seal).
  // false: this slot has no more work; an error: set-up failed (counted, slot retired).
  virtual absl::StatusOr<bool> Prepare() { return true; }
  // Starts the call; its completion is delivered on `cq` tagged `tag`.
  virtual void Start(grpc::CompletionQueue* cq, void* tag) = 0;
  // After the completion: how the call went.
  virtual CallOutcome Finish() = 0;
};

// A unary call of one method, restarted with a fresh context for every call. Subclasses
// fill request_ in Prepare (or once), start the call in StartCall and check response_ in
// Check.
template <class Request, class Response>
class UnarySlot : public CallSlot {
 public:
  void Start(grpc::CompletionQueue* cq, void* tag) final {
    context_ = std::make_unique<grpc::ClientContext>();
    settings_.Apply(*context_);
    response_.Clear();
    reader_ = StartCall(context_.get(), cq);
    reader_->StartCall();
    reader_->Finish(&response_, &status_, tag);
  }
  CallOutcome Finish() final {
    if (!status_.ok()) return CallOutcome::Failed(status_);
    return Check();
  }

 protected:
  explicit UnarySlot(CallSettings settings) : settings_(std::move(settings)) {}
  virtual std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> StartCall(
      grpc::ClientContext* context, grpc::CompletionQueue* cq) = 0;
  virtual CallOutcome Check() { return CallOutcome::Ok(1); }

  Request request_;
  Response response_;

 private:
  CallSettings settings_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader_;
  grpc::Status status_;
};

// A kind of call to drive: makes the call slots of each connection (and may share state
// between them, e.g. a queue of jobs).
class Workload {
 public:
  virtual ~Workload() = default;
  virtual absl::StatusOr<std::unique_ptr<CallSlot>> NewSlot(
      const std::shared_ptr<grpc::Channel>& channel, int connection, int slot) = 0;
};

// Runs `workload` as `options` say and summarises it as `scenario`. Every connection is
// connected and every slot made before the clock starts. When `progress` is set, the
// items of each successful call are added to it as they complete. Errors: no connection
// within the connect timeout, or a slot that cannot be made.
absl::StatusOr<Report> RunLoad(absl::string_view scenario, const LoadOptions& options,
                               Workload& workload, std::atomic<int64_t>* progress = nullptr);

// "UNAVAILABLE" for grpc::StatusCode::UNAVAILABLE, and so on.
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace sello::load

#endif  // SELLO_TESTS_BENCH_LOAD_RUNNER_H_

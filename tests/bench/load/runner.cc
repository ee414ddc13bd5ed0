#include "tests/bench/load/runner.h"

#include <algorithm>
#include <chrono>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"

namespace sello::load {

using Clock = std::chrono::steady_clock;

std::shared_ptr<grpc::Channel> NewChannel(const std::string& server, int index) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("sello.load.channel", index);
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args);
}

CallSettings::CallSettings(const std::string& token, double deadline_seconds)
    : authorization_(token.empty() ? "" : absl::StrCat("Bearer ", token)),
      deadline_(static_cast<int64_t>(deadline_seconds * 1000)) {}

void CallSettings::Apply(grpc::ClientContext& context) const {
  context.set_deadline(std::chrono::system_clock::now() + deadline_);
  if (!authorization_.empty()) context.AddMetadata("authorization", authorization_);
}

CallOutcome CallOutcome::Failed(const grpc::Status& status) {
  return {0, StatusCodeName(status.error_code()), status.error_message()};
}

std::string StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return absl::StrCat("CODE_", static_cast<int>(code));
  }
}

namespace {

// What the connection threads of one run share. The times are written before `go`
// opens and only read after.
struct RunState {
  RunState(const LoadOptions& options, int threads, std::atomic<int64_t>* progress)
      : options(options), budget(options.calls), progress(progress), ready(threads) {}

  const LoadOptions& options;
  Clock::time_point measure_from;
  Clock::time_point stop_at = Clock::time_point::max();
  std::atomic<int64_t> budget;
  std::atomic<int64_t>* progress;
  std::latch ready;
  std::latch go{1};
  std::mutex mutex;
  absl::Status setup_error;  // guarded by mutex

  void FailSetup(absl::Status status) {
    std::lock_guard<std::mutex> lock(mutex);
    if (setup_error.ok()) setup_error = std::move(status);
  }
};

struct ConnectionResult {
  CallRecord record;
  Clock::time_point last_completion;
};

// A slot and its call in flight.
struct ActiveCall {
  std::unique_ptr<CallSlot> slot;
  Clock::time_point started;
  bool measured = false;
};

// One connection: its channel, completion queue and slots, driven by one thread.
class ConnectionDriver {
 public:
  ConnectionDriver(RunState& state, Workload& workload, int index, ConnectionResult& result)
      : state_(state), workload_(workload), index_(index), result_(result) {}

  void Run() {
    const bool ready = SetUp();
    state_.ready.count_down();
    state_.go.wait();
    if (!ready) return;
    {
      std::lock_guard<std::mutex> lock(state_.mutex);
      if (!state_.setup_error.ok()) return;
    }
    for (ActiveCall& call : calls_) StartNext(call);
    void* tag = nullptr;
    bool ok = false;
    while (outstanding_ > 0 && cq_.Next(&tag, &ok)) {
      auto* call = static_cast<ActiveCall*>(tag);
      const Clock::time_point done = Clock::now();
      --outstanding_;
      CallOutcome outcome = ok ? call->slot->Finish() : CallOutcome::Wrong("CQ_FAILED", "");
      if (call->measured) {
        const int64_t latency =
            std::chrono::duration_cast<std::chrono::nanoseconds>(done - call->started).count();
        if (outcome.error.empty()) {
          result_.record.AddCall(latency, outcome.items);
        } else {
          result_.record.AddFailure(latency, outcome.error, outcome.detail);
        }
        result_.last_completion = std::max(result_.last_completion, done);
      }
      if (state_.progress != nullptr && outcome.error.empty()) {
        state_.progress->fetch_add(outcome.items, std::memory_order_relaxed);
      }
      StartNext(*call);
    }
    cq_.Shutdown();
    while (cq_.Next(&tag, &ok)) {
    }
  }

 private:
  bool SetUp() {
    channel_ = NewChannel(state_.options.server, index_);
    const auto deadline = std::chrono::system_clock::now() +
                          std::chrono::milliseconds(
                              static_cast<int64_t>(state_.options.connect_timeout_seconds * 1000));
    if (!channel_->WaitForConnected(deadline)) {
      state_.FailSetup(absl::UnavailableError(
          absl::StrCat("cannot connect to ", state_.options.server, " within ",
                       state_.options.connect_timeout_seconds, " s (connection ", index_, ")")));
      return false;
    }
    calls_.resize(static_cast<size_t>(state_.options.in_flight));
    for (int i = 0; i < state_.options.in_flight; ++i) {
      absl::StatusOr<std::unique_ptr<CallSlot>> slot = workload_.NewSlot(channel_, index_, i);
      if (!slot.ok()) {
        state_.FailSetup(slot.status());
        return false;
      }
      calls_[static_cast<size_t>(i)].slot = *std::move(slot);
    }
    return true;
  }

  // Starts the slot's next call unless the run is over or the slot has no more work.
  void StartNext(ActiveCall& call) {
    if (Clock::now() >= state_.stop_at) return;
    if (state_.options.calls > 0 && Clock::now() >= state_.measure_from &&
        state_.budget.fetch_sub(1, std::memory_order_relaxed) <= 0) {
      return;
    }
    absl::StatusOr<bool> more = call.slot->Prepare();
    if (!more.ok()) {
      result_.record.AddProblem(
          absl::StrCat("SETUP_", absl::StatusCodeToString(more.status().code())),
          more.status().message());
      return;
    }
    if (!*more) return;
    call.started = Clock::now();
    call.measured = call.started >= state_.measure_from;
    call.slot->Start(&cq_, &call);
    ++outstanding_;
  }

  RunState& state_;
  Workload& workload_;
  const int index_;
  ConnectionResult& result_;
  std::shared_ptr<grpc::Channel> channel_;
  grpc::CompletionQueue cq_;
  std::vector<ActiveCall> calls_;
  int outstanding_ = 0;
};

}  // namespace

absl::StatusOr<Report> RunLoad(absl::string_view scenario, const LoadOptions& options,
                               Workload& workload, std::atomic<int64_t>* progress) {
  if (options.connections < 1 || options.in_flight < 1) {
    return absl::InvalidArgumentError("--connections and --in-flight must be at least 1");
  }
  RunState state(options, options.connections, progress);
  std::vector<ConnectionResult> results(static_cast<size_t>(options.connections));
  std::vector<std::thread> threads;
  threads.reserve(results.size());
  for (int i = 0; i < options.connections; ++i) {
    threads.emplace_back(
        [&, i] { ConnectionDriver(state, workload, i, results[static_cast<size_t>(i)]).Run(); });
  }
  state.ready.wait();
  const Clock::time_point start = Clock::now();
  state.measure_from =
      start + std::chrono::milliseconds(static_cast<int64_t>(options.warmup_seconds * 1000));
  if (options.duration_seconds > 0) {
    state.stop_at = state.measure_from + std::chrono::milliseconds(
                                             static_cast<int64_t>(options.duration_seconds * 1000));
  }
  for (ConnectionResult& result : results) result.last_completion = state.measure_from;
  state.go.count_down();
  for (std::thread& thread : threads) thread.join();
  if (!state.setup_error.ok()) return state.setup_error;

  CallRecord all;
  Clock::time_point last = state.measure_from;
  for (ConnectionResult& result : results) {
    last = std::max(last, result.last_completion);
    all.Merge(std::move(result.record));
  }
  // Over a timed window the calls counted are those started in it, so the rate is over
  // the window itself: dividing by the time to the last completion would under-report
  // long calls (a 2 s IssueSeals in a 5 s window by about a third).
  const double seconds = options.duration_seconds > 0
                             ? options.duration_seconds
                             : std::chrono::duration<double>(last - state.measure_from).count();
  return Summarise(std::string(scenario), options.connections, options.in_flight, seconds,
                   std::move(all));
}

}  // namespace sello::load

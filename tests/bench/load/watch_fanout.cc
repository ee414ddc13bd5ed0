#include "tests/bench/load/watch_fanout.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sello/v1/log.grpc.pb.h"
#include "tests/bench/load/certification_setup.h"

namespace sello::load {
namespace {

// The watchers' shared bookkeeping: who has reached the target event, who has ended.
class Fanout {
 public:
  // Called by a watcher after each event; counts it once when it reaches the target.
  void Reached(uint64_t seq, bool& counted) {
    if (seq < target_.load()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (counted) return;
    counted = true;
    ++reached_;
    changed_.notify_all();
  }
  void Ended() {
    std::lock_guard<std::mutex> lock(mutex_);
    ++ended_;
    changed_.notify_all();
  }
  // Sets the target; `last_seqs` are re-checked under the lock for watchers already past it.
  template <class Watchers>
  void SetTarget(uint64_t target, Watchers& watchers) {
    target_.store(target);
    for (auto& watcher : watchers) watcher->Reached(*this);
  }
  // Waits until `count` watchers reached the target or `deadline` passes.
  void WaitReached(size_t count, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait_until(lock, deadline, [&] { return reached_ >= count; });
  }
  void WaitEnded(size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return ended_ >= count; });
  }

 private:
  std::atomic<uint64_t> target_{UINT64_MAX};
  std::mutex mutex_;
  std::condition_variable changed_;
  size_t reached_ = 0;  // guarded by mutex_
  size_t ended_ = 0;    // guarded by mutex_
};

// One WatchEvents stream (callback API): checks the sequence has no gap and times every
// event it may read.
class EventWatcher final : public grpc::ClientReadReactor<v1::WatchEventsResponse> {
 public:
  EventWatcher(v1::LogService::Stub& stub, const CallSettings& settings, uint64_t from_seq,
               Fanout& fanout)
      : next_seq_(from_seq), fanout_(fanout) {
    settings.Apply(context_);
    context_.set_deadline(std::chrono::system_clock::time_point::max());
    request_.set_from_seq(from_seq);
    stub.async()->WatchEvents(&context_, &request_, this);
    StartRead(&response_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream ended; OnDone follows
    const auto now = std::chrono::system_clock::now();
    if (response_.has_event()) {
      const v1::LoggedEvent& event = response_.event();
      if (event.seq() != next_seq_) {
        record_.AddProblem("GAP",
                           absl::StrCat("expected event ", next_seq_, ", got ", event.seq()));
      }
      next_seq_ = event.seq() + 1;
      if (event.event().has_time()) {
        const auto& time = event.event().time();
        const auto committed = std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::seconds(time.seconds()) + std::chrono::nanoseconds(time.nanos())));
        record_.AddCall(
            std::max<int64_t>(
                0, std::chrono::duration_cast<std::chrono::nanoseconds>(now - committed).count()),
            1);
      } else {
        record_.AddItems(1);
        ++redacted_;
      }
      last_seq_.store(event.seq());
      Reached(fanout_);
    }
    StartRead(&response_);
  }

  void OnDone(const grpc::Status& status) override {
    status_ = status;
    fanout_.Ended();
  }

  void Reached(Fanout& fanout) { fanout.Reached(last_seq_.load(), counted_); }
  void Cancel() { context_.TryCancel(); }
  uint64_t last_seq() const { return last_seq_.load(); }
  // After OnDone:
  const grpc::Status& status() const { return status_; }
  CallRecord& record() { return record_; }
  int64_t redacted() const { return redacted_; }

 private:
  grpc::ClientContext context_;
  v1::WatchEventsRequest request_;
  v1::WatchEventsResponse response_;
  uint64_t next_seq_;
  std::atomic<uint64_t> last_seq_{0};
  bool counted_ = false;  // guarded by the fanout's mutex
  Fanout& fanout_;
  CallRecord record_;
  int64_t redacted_ = 0;
  grpc::Status status_;
};

// The sequence number of the log's last event (the checkpoint may lag: list from there).
absl::StatusOr<uint64_t> FetchHead(v1::LogService::Stub& stub, const CallSettings& settings) {
  v1::GetCheckpointResponse checkpoint;
  {
    grpc::ClientContext context;
    settings.Apply(context);
    const grpc::Status status =
        stub.GetCheckpoint(&context, v1::GetCheckpointRequest(), &checkpoint);
    if (!status.ok()) return ToAbsl(status, "GetCheckpoint");
  }
  uint64_t head = checkpoint.checkpoint().size();
  v1::ListEventsRequest list;
  list.set_from_seq(head + 1);
  list.set_page_size(1000);
  while (true) {
    grpc::ClientContext context;
    settings.Apply(context);
    v1::ListEventsResponse page;
    const grpc::Status status = stub.ListEvents(&context, list, &page);
    if (!status.ok()) return ToAbsl(status, "ListEvents");
    if (page.events_size() > 0) head = page.events(page.events_size() - 1).seq();
    if (page.next_seq() == 0 || page.events_size() == 0) return head;
    list.set_from_seq(page.next_seq());
  }
}

}  // namespace

absl::StatusOr<std::vector<Report>> RunWatchFanout(const LoadOptions& writer_load, Workload& writer,
                                                   const WatchOptions& options) {
  if (options.watchers < 1 || options.connections < 1) {
    return absl::InvalidArgumentError("--watchers and --watch-connections must be at least 1");
  }
  const CallSettings settings(options.token, writer_load.deadline_seconds);
  auto head_stub = v1::LogService::NewStub(NewChannel(writer_load.server, -1));
  absl::StatusOr<uint64_t> head = FetchHead(*head_stub, settings);
  if (!head.ok()) return head.status();

  std::vector<std::unique_ptr<v1::LogService::Stub>> stubs;
  for (int i = 0; i < options.connections; ++i) {
    std::shared_ptr<grpc::Channel> channel = NewChannel(writer_load.server, 1000 + i);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                   std::chrono::milliseconds(static_cast<int64_t>(
                                       writer_load.connect_timeout_seconds * 1000)))) {
      return absl::UnavailableError(absl::StrCat("cannot connect to ", writer_load.server));
    }
    stubs.push_back(v1::LogService::NewStub(channel));
  }
  Fanout fanout;
  std::vector<std::unique_ptr<EventWatcher>> watchers;
  watchers.reserve(static_cast<size_t>(options.watchers));
  for (int i = 0; i < options.watchers; ++i) {
    watchers.push_back(std::make_unique<EventWatcher>(
        *stubs[static_cast<size_t>(i % options.connections)], settings, *head + 1, fanout));
  }

  absl::StatusOr<Report> written = RunLoad("watch-writer", writer_load, writer);
  absl::StatusOr<uint64_t> target = FetchHead(*head_stub, settings);
  if (target.ok() && *target > *head) {
    fanout.SetTarget(*target, watchers);
    fanout.WaitReached(
        watchers.size(),
        std::chrono::steady_clock::now() +
            std::chrono::milliseconds(static_cast<int64_t>(options.drain_seconds * 1000)));
  }
  for (auto& watcher : watchers) watcher->Cancel();
  fanout.WaitEnded(watchers.size());
  if (!written.ok()) return written.status();
  if (!target.ok()) return target.status();

  CallRecord delivered;
  int64_t redacted = 0;
  for (size_t i = 0; i < watchers.size(); ++i) {
    EventWatcher& watcher = *watchers[i];
    if (*target > *head && watcher.last_seq() < *target) {
      watcher.record().AddProblem(
          "BEHIND", absl::StrCat("watcher ", i, " at event ", watcher.last_seq(), " of ", *target,
                                 " after ", options.drain_seconds, " s"));
    }
    if (watcher.status().error_code() != grpc::StatusCode::CANCELLED) {
      watcher.record().AddProblem(
          absl::StrCat("WATCH_", StatusCodeName(watcher.status().error_code())),
          watcher.status().error_message());
    }
    redacted += watcher.redacted();
    delivered.Merge(std::move(watcher.record()));
  }
  const int64_t events = static_cast<int64_t>(*target - *head);
  Report delivery = Summarise("watch-delivery", options.connections, options.watchers,
                              written->seconds, std::move(delivered));
  delivery.notes.push_back(absl::StrCat(
      options.watchers, " watchers on ", options.connections, " connections from event ", *head + 1,
      ": ", events, " events written, ", delivery.items, " delivered (", redacted,
      " redacted, not timed); calls = timed events, latency = commit to delivery"));
  return std::vector<Report>{*std::move(written), std::move(delivery)};
}

}  // namespace sello::load

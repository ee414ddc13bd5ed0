// Deadlines for calls that wait on something that may never come — a write queued behind
// a stalled disk — so that every call is answered: with DEADLINE_EXCEEDED at its
// deadline, or at the server's default deadline when the client set none.
#ifndef SELLO_DAEMON_SERVER_CALL_TIMER_H_
#define SELLO_DAEMON_SERVER_CALL_TIMER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sello::service {

// Runs callbacks at their times on one thread of its own. Thread-safe.
class CallTimer {
 public:
  CallTimer();
  // Stops the thread; callbacks not yet due never run.
  ~CallTimer();
  CallTimer(const CallTimer&) = delete;
  CallTimer& operator=(const CallTimer&) = delete;

  using Id = uint64_t;  // never 0
  // Runs `callback` at `when` (at once if that has passed). It must be quick.
  Id Schedule(absl::Time when, std::function<void()> callback);
  // Drops a callback that has not run; no-op otherwise.
  void Cancel(Id id);
  // Callbacks waiting (for tests and metrics).
  size_t pending() const;

 private:
  void Run();

  mutable absl::Mutex mu_;
  // Ordered by time, then by id (unique).
  std::map<std::pair<absl::Time, Id>, std::function<void()>> due_ ABSL_GUARDED_BY(mu_);
  std::map<Id, absl::Time> when_ ABSL_GUARDED_BY(mu_);
  Id next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVER_CALL_TIMER_H_

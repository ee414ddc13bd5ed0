// Admission control for calls that hold resources while they wait: writes waiting to be
// sequenced and made durable, and watches (each holds a server thread for as long as the
// watcher stays). Beyond each bound a call is refused at once with RESOURCE_EXHAUSTED
// naming the limit, so that a flood is turned away quickly instead of queueing without
// bound while well-behaved readers starve.
#ifndef SELLO_DAEMON_SERVICE_ADMISSION_H_
#define SELLO_DAEMON_SERVICE_ADMISSION_H_

#include <atomic>
#include <string>

#include "absl/status/statusor.h"

namespace sello::service {

class Admission {
 public:
  struct Limits {
    int max_pending_writes = 1024;  // writes admitted and not yet answered
    int max_watches = 64;           // WatchEvents streams open at once
  };
  explicit Admission(Limits limits) : limits_(limits) {}

  // One admitted call's slot, given back when the ticket is destroyed.
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept : count_(other.count_) { other.count_ = nullptr; }
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket() {
      if (count_ != nullptr) count_->fetch_sub(1, std::memory_order_relaxed);
    }

   private:
    friend class Admission;
    explicit Ticket(std::atomic<int>* count) : count_(count) {}
    std::atomic<int>* count_;
  };

  absl::StatusOr<Ticket> AdmitWrite() {
    return Admit(&pending_writes_, limits_.max_pending_writes, "writes in flight",
                 "--max-pending-writes");
  }
  absl::StatusOr<Ticket> AdmitWatch() {
    return Admit(&watches_, limits_.max_watches, "watches open", "--max-watches");
  }

  int pending_writes() const { return pending_writes_.load(std::memory_order_relaxed); }
  int watches() const { return watches_.load(std::memory_order_relaxed); }

 private:
  static absl::StatusOr<Ticket> Admit(std::atomic<int>* count, int limit, const char* what,
                                      const char* flag);

  const Limits limits_;
  std::atomic<int> pending_writes_{0};
  std::atomic<int> watches_{0};
};

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVICE_ADMISSION_H_

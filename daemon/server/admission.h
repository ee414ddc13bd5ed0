// Admission control for calls that hold resources while they wait: writes waiting to be
// sequenced and made durable, and watches (each holds a server thread for as long as the
// watcher stays). Beyond each bound a call is refused at once with RESOURCE_EXHAUSTED
// naming the limit, so that a flood is turned away quickly instead of queueing without
// bound while well-behaved readers starve.
#ifndef SELLO_DAEMON_SERVER_ADMISSION_H_
#define SELLO_DAEMON_SERVER_ADMISSION_H_

#include <atomic>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace sello::service {

class Admission {
 public:
  struct Limits {
    int max_pending_writes = 1024;  // writes admitted and not yet answered
    int max_watches = 64;           // WatchEvents streams open at once
    // Watches one token may hold open; watches without a token, together and from one
    // client address. Anonymous watches never take more than max_anonymous_watches, so
    // that token holders (the regulator, auditors) always find room.
    int max_watches_per_principal = 8;
    int max_anonymous_watches = 32;
    int max_watches_per_address = 4;
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
  // One admitted watch's slots (overall, and its token's or its address's), given back
  // when destroyed.
  class WatchTicket {
   public:
    WatchTicket(WatchTicket&& other) noexcept
        : admission_(other.admission_), key_(std::move(other.key_)) {
      other.admission_ = nullptr;
    }
    WatchTicket& operator=(WatchTicket&&) = delete;
    ~WatchTicket() {
      if (admission_ != nullptr) admission_->ReleaseWatch(key_);
    }

   private:
    friend class Admission;
    WatchTicket(Admission* admission, std::string key)
        : admission_(admission), key_(std::move(key)) {}
    Admission* admission_;
    std::string key_;
  };

  // A watch by the holder of token `token_id`, or (empty) an anonymous one from client
  // `address`. RESOURCE_EXHAUSTED naming the limit (and its flag) it would exceed.
  absl::StatusOr<WatchTicket> AdmitWatch(absl::string_view token_id, absl::string_view address);

  int pending_writes() const { return pending_writes_.load(std::memory_order_relaxed); }
  int watches() const {
    absl::MutexLock lock(&watch_mu_);
    return watches_;
  }

 private:
  static absl::StatusOr<Ticket> Admit(std::atomic<int>* count, int limit, const char* what,
                                      const char* flag);
  void ReleaseWatch(const std::string& key);

  const Limits limits_;
  std::atomic<int> pending_writes_{0};
  mutable absl::Mutex watch_mu_;
  int watches_ ABSL_GUARDED_BY(watch_mu_) = 0;
  int anonymous_watches_ ABSL_GUARDED_BY(watch_mu_) = 0;
  // "token:ID" or "address:HOST" -> watches open.
  absl::flat_hash_map<std::string, int> watches_by_key_ ABSL_GUARDED_BY(watch_mu_);
};

// The client's address without its port ("127.0.0.1", "::1") from a gRPC peer string
// ("ipv4:127.0.0.1:5000", "ipv6:[::1]:5000"); the peer string itself otherwise.
std::string PeerHost(absl::string_view peer);

}  // namespace sello::service

#endif  // SELLO_DAEMON_SERVER_ADMISSION_H_

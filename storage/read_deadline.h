// The deadline of the call a thread is serving, for reads that walk many keys: past it a
// scan stops with DEADLINE_EXCEEDED instead of running on for a client that has given up
// (or, when the client set no deadline, past the server's default). Point lookups are
// bounded and never check it.
#ifndef SELLO_STORAGE_READ_DEADLINE_H_
#define SELLO_STORAGE_READ_DEADLINE_H_

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace sello::storage {

// Sets this thread's read deadline for its lifetime (the previous one comes back after).
// Threads that never set one (the ledger's own, tests) have none.
class ScopedReadDeadline {
 public:
  explicit ScopedReadDeadline(absl::Time deadline);
  ~ScopedReadDeadline();
  ScopedReadDeadline(const ScopedReadDeadline&) = delete;
  ScopedReadDeadline& operator=(const ScopedReadDeadline&) = delete;

 private:
  absl::Time previous_;
};

// This thread's read deadline: absl::InfiniteFuture() when none is set.
absl::Time ReadDeadline();

// Counts the keys a scan of `table` visits and, every 256 of them, checks the deadline.
class ScanClock {
 public:
  explicit ScanClock(absl::string_view table) : table_(table), deadline_(ReadDeadline()) {}
  // OK, or DEADLINE_EXCEEDED once the deadline has passed (checked every 256th call).
  absl::Status Tick() {
    if ((++visited_ & 255) != 0 || deadline_ == absl::InfiniteFuture()) return absl::OkStatus();
    return Check();
  }

 private:
  absl::Status Check() const;

  absl::string_view table_;  // static: the table's name
  absl::Time deadline_;
  uint64_t visited_ = 0;
};

}  // namespace sello::storage

#endif  // SELLO_STORAGE_READ_DEADLINE_H_

#include "storage/read_deadline.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace sello::storage {
namespace {

thread_local absl::Time read_deadline = absl::InfiniteFuture();

}  // namespace

ScopedReadDeadline::ScopedReadDeadline(absl::Time deadline) : previous_(read_deadline) {
  read_deadline = deadline;
}

ScopedReadDeadline::~ScopedReadDeadline() { read_deadline = previous_; }

absl::Time ReadDeadline() { return read_deadline; }

absl::Status ScanClock::Check() const {
  if (absl::Now() <= deadline_) return absl::OkStatus();
  return absl::DeadlineExceededError(
      absl::StrCat("the call's deadline passed while reading table ", table_, " (", visited_,
                   " keys read); narrow the request (a smaller page, a shorter period) or give it "
                   "more time"));
}

}  // namespace sello::storage

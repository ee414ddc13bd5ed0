#include "daemon/service/admission.h"

#include "absl/strings/str_cat.h"

namespace sello::service {

absl::StatusOr<Admission::Ticket> Admission::Admit(std::atomic<int>* count, int limit,
                                                   const char* what, const char* flag) {
  // Optimistic: take the slot, give it back if that went over.
  const int before = count->fetch_add(1, std::memory_order_relaxed);
  if (before >= limit) {
    count->fetch_sub(1, std::memory_order_relaxed);
    return absl::ResourceExhaustedError(absl::StrCat("the registry is busy: ", limit, " ", what,
                                                     " (limit ", flag, "); retry with backoff"));
  }
  return Ticket(count);
}

}  // namespace sello::service

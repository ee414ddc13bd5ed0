#include "daemon/server/call_timer.h"

#include "absl/time/clock.h"

namespace sello::service {

CallTimer::CallTimer() : thread_([this] { Run(); }) {}

CallTimer::~CallTimer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

CallTimer::Id CallTimer::Schedule(absl::Time when, std::function<void()> callback) {
  absl::MutexLock lock(&mu_);
  const Id id = next_id_++;
  due_.emplace(std::make_pair(when, id), std::move(callback));
  when_.emplace(id, when);
  return id;
}

void CallTimer::Cancel(Id id) {
  absl::MutexLock lock(&mu_);
  auto found = when_.find(id);
  if (found == when_.end()) return;
  due_.erase({found->second, id});
  when_.erase(found);
}

size_t CallTimer::pending() const {
  absl::MutexLock lock(&mu_);
  return due_.size();
}

void CallTimer::Run() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    const absl::Time next = due_.empty() ? absl::InfiniteFuture() : due_.begin()->first.first;
    if (next > absl::Now()) {
      // Wakes for a stop, for an earlier callback (Schedule changes due_), or at `next`.
      const auto changed = [this, next]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return stopping_ || (!due_.empty() && due_.begin()->first.first < next);
      };
      mu_.AwaitWithDeadline(absl::Condition(&changed), next);
      continue;
    }
    auto first = due_.begin();
    std::function<void()> callback = std::move(first->second);
    when_.erase(first->first.second);
    due_.erase(first);
    mu_.Unlock();
    callback();
    mu_.Lock();
  }
}

}  // namespace sello::service

#include "daemon/server/call_timer.h"

#include <gtest/gtest.h>

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

namespace sello::service {
namespace {

TEST(CallTimerTest, RunsCallbacksInTheOrderOfTheirTimes) {
  CallTimer timer;
  absl::Mutex mu;
  std::vector<int> order;
  absl::Notification last;
  const absl::Time now = absl::Now();
  // Scheduled out of order; the earliest must not wait behind a later one.
  timer.Schedule(now + absl::Milliseconds(60), [&] {
    absl::MutexLock lock(&mu);
    order.push_back(3);
    last.Notify();
  });
  timer.Schedule(now + absl::Milliseconds(40), [&] {
    absl::MutexLock lock(&mu);
    order.push_back(2);
  });
  timer.Schedule(now - absl::Seconds(1), [&] {
    absl::MutexLock lock(&mu);
    order.push_back(1);
  });
  ASSERT_TRUE(last.WaitForNotificationWithTimeout(absl::Seconds(10)));
  absl::MutexLock lock(&mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(timer.pending(), 0u);
}

TEST(CallTimerTest, ACancelledCallbackNeverRuns) {
  CallTimer timer;
  absl::Notification ran_cancelled, ran_kept;
  const CallTimer::Id cancelled =
      timer.Schedule(absl::Now() + absl::Milliseconds(20), [&] { ran_cancelled.Notify(); });
  timer.Schedule(absl::Now() + absl::Milliseconds(40), [&] { ran_kept.Notify(); });
  EXPECT_NE(cancelled, 0u);
  timer.Cancel(cancelled);
  timer.Cancel(cancelled);  // twice: no-op
  ASSERT_TRUE(ran_kept.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_FALSE(ran_cancelled.HasBeenNotified());
}

TEST(CallTimerTest, StoppingDropsWhatIsNotDue) {
  bool ran = false;
  {
    CallTimer timer;
    timer.Schedule(absl::Now() + absl::Hours(1), [&] { ran = true; });
    EXPECT_EQ(timer.pending(), 1u);
  }
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace sello::service

// End-to-end crash safety of sello-witness: two submitters extend a log in the test's
// memory and ask the witness to cosign each checkpoint, while the witness is SIGKILLed at
// random moments (20-200 ms apart) and restarted. The oracle is this process: every
// cosignature the witness returned is a promise that it holds that tree (or a larger
// one of the same log) from then on. After each restart:
//   - the size it holds is at least the largest size it ever cosigned (no rollback, not
//     even of a request answered just before the kill);
//   - the tree it holds is the log's own tree of that size (the same root: the checkpoint
//     of that size is cosigned again, not refused as a conflict);
//   - it starts at all: no state file is ever left half-written.
// ctest runs 20 kills; SELLO_WITNESS_CRASH_KILLS asks for more.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "tests/e2e/witness_harness.h"

namespace sello::e2e {
namespace {

int Kills() {
  int kills = 20;
  if (const char* text = std::getenv("SELLO_WITNESS_CRASH_KILLS"); text != nullptr) {
    (void)absl::SimpleAtoi(text, &kills);
  }
  return kills;
}

class Oracle {
 public:
  explicit Oracle(TestLog* log) : log_(log) {}

  // Appends 1-4 leaves and returns the request to extend the witness from what this
  // process believes it holds.
  domain::AddCheckpointRequest NextRequest(std::mt19937& random) ABSL_LOCKS_EXCLUDED(mutex_) {
    absl::MutexLock lock(&mutex_);
    log_->Append(1 + static_cast<int>(random() % 4));
    return log_->Request(believed_);
  }
  // The witness cosigned `request`'s checkpoint, or said it holds `size`.
  void Cosigned(const domain::AddCheckpointRequest& request, uint64_t size) {
    absl::MutexLock lock(&mutex_);
    max_cosigned_ = std::max(max_cosigned_, size);
    believed_ = std::max(believed_, size);
    ++cosignatures_;
    (void)request;
  }
  void Holds(uint64_t size) {
    absl::MutexLock lock(&mutex_);
    believed_ = size;
  }
  uint64_t max_cosigned() const {
    absl::MutexLock lock(&mutex_);
    return max_cosigned_;
  }
  uint64_t cosignatures() const {
    absl::MutexLock lock(&mutex_);
    return cosignatures_;
  }
  // A checkpoint of the log at `size` (under the lock: submitters append meanwhile).
  std::string Checkpoint(uint64_t size) const {
    absl::MutexLock lock(&mutex_);
    return log_->Checkpoint(size);
  }
  uint64_t LogSize() const {
    absl::MutexLock lock(&mutex_);
    return log_->size();
  }

 private:
  mutable absl::Mutex mutex_;
  TestLog* log_ ABSL_GUARDED_BY(mutex_);
  uint64_t believed_ ABSL_GUARDED_BY(mutex_) = 0;
  uint64_t max_cosigned_ ABSL_GUARDED_BY(mutex_) = 0;
  uint64_t cosignatures_ ABSL_GUARDED_BY(mutex_) = 0;
};

TEST(WitnessCrashTest, KilledAtRandomItNeverForgetsWhatItCosigned) {
  TestLog log;
  Oracle oracle(&log);
  WitnessHarness witness;
  witness.set_args({"--rate-limit=0"});
  witness.http_options().timeout = absl::Seconds(5);
  const std::vector<std::string> keys = {log.verifier_key()};
  ASSERT_TRUE(witness.Start(keys));
  // The witness comes back on the same port (another process may have taken it in the
  // meantime; then on a new one).
  std::string url = witness.url();

  // Submitters wait at the gate while the witness restarts and is checked.
  absl::Mutex gate;
  bool open = true;
  std::atomic<bool> stop{false};
  std::vector<std::thread> submitters;
  for (int i = 0; i < 2; ++i) {
    submitters.emplace_back([&, i] {
      std::mt19937 random(1000 + i);
      client::HttpClientOptions options = witness.http_options();
      while (!stop.load()) {
        gate.LockWhen(absl::Condition(&open));
        const std::string target = url;
        gate.Unlock();
        const domain::AddCheckpointRequest request = oracle.NextRequest(random);
        absl::StatusOr<client::AddCheckpointAnswer> answer =
            client::AddCheckpoint(options, target, request);
        if (!answer.ok()) continue;  // killed mid-request: its fate is the restart's to show
        if (answer->status == 200) {
          absl::StatusOr<domain::SignedNote> note = domain::ParseSignedNote(request.checkpoint);
          absl::StatusOr<domain::CheckpointText> text = domain::ParseCheckpointText(note->text);
          oracle.Cosigned(request, text->size);
        } else if (answer->status == 409 && answer->witness_size.has_value()) {
          oracle.Holds(*answer->witness_size);
        } else {
          ADD_FAILURE() << "unexpected answer " << answer->status << ": " << answer->message;
          stop = true;
        }
      }
    });
  }

  std::mt19937 random(7);
  const int kills = Kills();
  for (int kill = 0; kill < kills && !::testing::Test::HasFailure(); ++kill) {
    // The chaos schedule: how long the witness runs before this kill.
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + random() % 180));
    {
      absl::MutexLock lock(&gate);
      open = false;
    }
    const uint64_t promised_before_kill = oracle.max_cosigned();
    EXPECT_EQ(witness.Stop(SIGKILL), 128 + SIGKILL);
    const uint64_t promised = oracle.max_cosigned();  // answers that raced the kill count
    const std::string address = witness.address();
    if (!witness.Start(keys, address) && !witness.Start(keys)) {
      ADD_FAILURE() << "restart " << kill << " failed:\n" << witness.log();
      break;
    }
    url = witness.url();  // the gate is closed: no submitter reads it now
    // What it holds: a 409 to "old 0" names the size; re-submitting that size with the
    // log's own checkpoint is cosigned only if the root is the same.
    absl::StatusOr<client::AddCheckpointAnswer> held = client::AddCheckpoint(
        witness.http_options(), url, domain::AddCheckpointRequest{0, {}, oracle.Checkpoint(0)});
    if (!held.ok()) {
      ADD_FAILURE() << "restart " << kill << ": " << held.status();
      break;
    }
    const uint64_t size = held->status == 409 ? held->witness_size.value_or(0) : 0;
    EXPECT_GE(size, promised) << "restart " << kill << ": the witness rolled back from " << promised
                              << " (" << promised_before_kill << " before the kill) to " << size;
    EXPECT_LE(size, oracle.LogSize());
    if (size > 0) {
      absl::StatusOr<client::AddCheckpointAnswer> same =
          client::AddCheckpoint(witness.http_options(), url,
                                domain::AddCheckpointRequest{size, {}, oracle.Checkpoint(size)});
      if (!same.ok()) {
        ADD_FAILURE() << "restart " << kill << ": " << same.status();
        break;
      }
      EXPECT_EQ(same->status, 200) << "restart " << kill << ": it holds another tree of size "
                                   << size << ": " << same->message;
    }
    oracle.Holds(size);
    {
      absl::MutexLock lock(&gate);
      open = true;
    }
  }
  stop = true;
  {
    absl::MutexLock lock(&gate);
    open = true;
  }
  for (std::thread& submitter : submitters) submitter.join();
  EXPECT_GT(oracle.cosignatures(), static_cast<uint64_t>(kills))
      << "too few cosignatures to mean much";
  std::cout << "witness crash test: " << kills << " kills, " << oracle.cosignatures()
            << " cosignatures, log size " << oracle.LogSize() << "\n";
}

}  // namespace
}  // namespace sello::e2e

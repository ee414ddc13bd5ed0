// In-process power-loss test (issue 9, "Crash safety"): writers commit changes through
// the real ledger and transparency log onto a RocksStore over FaultInjectionFileSystem;
// at a random moment the power is cut (nothing reaches the disk any more), the registry
// is taken down, the disk is made to look as it would when the power comes back (what
// was not synced, and names whose directory was not synced, are gone), and the registry
// opens again on it. Round after round on the same data dir, what was acknowledged
// survives byte for byte, the log is a gap-free prefix of what the ledger wrote, nothing
// is half written, and every checkpoint handed out is a prefix of the tree.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/testing/fault_fs.h"
#include "tests/unit/common/temp_dir.h"
#include "tests/unit/storage/fault_registry.h"

namespace sello::storage::fault_test {
namespace {

constexpr int kWriters = 4;

// 30 power cuts in ctest (each one reopens RocksDB's 41 column families: about a tenth of
// a second); SELLO_POWER_LOSS_ROUNDS=N for a longer run.
int Rounds() {
  const char* rounds = std::getenv("SELLO_POWER_LOSS_ROUNDS");
  int n = 0;
  return rounds != nullptr && absl::SimpleAtoi(rounds, &n) && n > 0 ? n : 30;
}

TEST(PowerLossTest, AcknowledgedChangesSurviveAndTheLogIsAPrefixOfWhatWasWritten) {
  const uint64_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937_64 random(seed);
  sello::test_support::TempDir dir;
  auto fs = std::make_shared<FaultInjectionFileSystem>();
  FaultRegistry registry(dir.path(), fs);
  Oracle oracle;
  uint64_t events_before = 0;
  const int rounds = Rounds();

  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    const absl::Status opened = registry.Open();
    ASSERT_TRUE(opened.ok()) << opened;
    uint64_t events = 0;
    ASSERT_NO_FATAL_FAILURE(
        ExpectConsistent(registry.store(), oracle, registry.written(), &events));
    EXPECT_GE(events, events_before) << "acknowledged events were lost";

    // The power goes once between 1 and 24 more changes are acknowledged, with a
    // checkpoint handed out on the way.
    const size_t start = oracle.acknowledged();
    const size_t cut_at = start + 1 + random() % 24;
    std::atomic<bool> stop = false;
    std::vector<std::thread> writers;
    writers.reserve(kWriters);
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w, writer_seed = random()] {
        std::mt19937 local(static_cast<uint32_t>(writer_seed));
        for (int i = 0; !stop; ++i) {
          if (local() % 4 == 0) {
            (void)registry.Increment(oracle);
          } else {
            (void)registry.CreateFirm(absl::StrCat("r", round, "-w", w, "-", i), local() % 400,
                                      oracle);
          }
        }
      });
    }
    EXPECT_TRUE(oracle.AwaitAcknowledged((start + cut_at) / 2, absl::Seconds(20)));
    if (registry.log().SignNow().ok()) oracle.AcknowledgeCheckpoint(registry.log().Latest());
    EXPECT_TRUE(oracle.AwaitAcknowledged(cut_at, absl::Seconds(20)));
    fs->CutPower();
    stop = true;
    for (std::thread& writer : writers) writer.join();
    events_before = oracle.last_acknowledged();
    registry.KeepWritten();
    registry.Close();
    const absl::Status restored = fs->RestorePower();
    ASSERT_TRUE(restored.ok()) << restored;
  }
  const absl::Status opened = registry.Open();
  ASSERT_TRUE(opened.ok()) << opened;
  uint64_t events = 0;
  ExpectConsistent(registry.store(), oracle, registry.written(), &events);
  EXPECT_GE(events, events_before);
  EXPECT_GE(oracle.acknowledged(), static_cast<size_t>(rounds));
  RecordProperty("acknowledged", static_cast<int>(oracle.acknowledged()));
  RecordProperty("events_after_recovery", static_cast<int>(events));
}

}  // namespace
}  // namespace sello::storage::fault_test

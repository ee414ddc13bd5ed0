// Full disk (issue 9): "no space left on device" at each write, sync and rename — while
// writing, at a restart and during the store's own recovery — through
// FaultInjectionFileSystem, and the store's space limit (RocksDB's SstFileManager).
// Every write after the disk fills fails with RESOURCE_EXHAUSTED (or UNAVAILABLE) naming
// the data dir, never OK and then lost; reads and inclusion proofs go on; nothing is half
// written; the store says it cannot write (what health reports); writes resume within
// 5 s once there is room, without reopening anything; a restart while full is safe. Each
// scenario ends with a power cut and a check of what survives.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/testing/fault_fs.h"
#include "tests/unit/common/temp_dir.h"
#include "tests/unit/storage/fault_registry.h"

namespace sello::storage::fault_test {
namespace {

using Operation = FaultInjectionFileSystem::Operation;
using ::testing::AnyOf;
using ::testing::HasSubstr;

constexpr absl::Duration kResumeWithin = absl::Seconds(5);

// Checks `what` every few milliseconds until it holds or `timeout` passes; returns how
// long it took, or nullopt.
std::optional<absl::Duration> PollUntil(const std::function<bool()>& what, absl::Duration timeout) {
  const absl::Time start = absl::Now();
  for (;;) {
    if (what()) return absl::Now() - start;
    if (absl::Now() - start > timeout) return std::nullopt;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

// What a write gets while the disk is full: RESOURCE_EXHAUSTED (or UNAVAILABLE), saying
// the data dir is full and naming it.
void ExpectRefusedForSpace(const absl::Status& status, const std::string& data_dir) {
  EXPECT_THAT(status.code(),
              AnyOf(absl::StatusCode::kResourceExhausted, absl::StatusCode::kUnavailable))
      << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("data dir " + data_dir)) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("full")) << status;
}

// While the store cannot write: it says so, every write is refused the same way, and
// reads and proofs of what was acknowledged go on.
void ExpectReadOnly(FaultRegistry& registry, Oracle& oracle) {
  ExpectRefusedForSpace(registry.store().Writable(), registry.db_path());
  ExpectRefusedForSpace(registry.CreateFirm("refused-while-full", 10, oracle), registry.db_path());
  ExpectRefusedForSpace(registry.Increment(oracle), registry.db_path());
  for (const auto& [id, record] : oracle.records()) {
    absl::StatusOr<std::optional<std::string>> stored =
        registry.store().Get(Table::kOrganisations, id);
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_EQ(stored->value_or("<lost>"), record);
  }
  const uint64_t size = registry.ledger().last_seq();
  if (size > 0) {
    ExpectProvable(registry.log(), registry.store(), 1, size);
    ExpectProvable(registry.log(), registry.store(), size, size);
  }
}

// After the operator made room: writes succeed again within kResumeWithin, on the same
// store (nothing reopened from outside), and the store says so.
void ExpectResumes(FaultRegistry& registry, Oracle& oracle, const std::string& tag) {
  int attempt = 0;
  std::optional<absl::Duration> resumed = PollUntil(
      [&] {
        return registry.CreateFirm(absl::StrCat(tag, "-resumed-", attempt++), 50, oracle).ok();
      },
      kResumeWithin);
  ASSERT_TRUE(resumed.has_value())
      << "writes did not resume within " << kResumeWithin << ": " << registry.store().Writable();
  ::testing::Test::RecordProperty("resumed_after_ms",
                                  static_cast<int>(absl::ToInt64Milliseconds(*resumed)));
  EXPECT_TRUE(registry.store().Writable().ok());
  EXPECT_TRUE(registry.Increment(oracle).ok());
  EXPECT_TRUE(registry.CreateFirm(tag + "-after", 50, oracle).ok());
}

// Ends a scenario: the power goes, the registry opens again on what the disk kept, and
// that is checked against what was acknowledged and written.
void ExpectSurvivesPowerLoss(FaultRegistry& registry, Oracle& oracle) {
  registry.fs().CutPower();
  registry.KeepWritten();
  registry.Close();
  const absl::Status restored = registry.fs().RestorePower();
  ASSERT_TRUE(restored.ok()) << restored;
  const absl::Status opened = registry.Open();
  ASSERT_TRUE(opened.ok()) << opened;
  ExpectConsistent(registry.store(), oracle, registry.written());
  EXPECT_TRUE(registry.CreateFirm("after-power-loss", 10, oracle).ok());
}

// A registry with a few acknowledged changes, closed: every run of a sweep starts from
// a copy of it.
class SweepBase {
 public:
  SweepBase() {
    FaultRegistry registry(dir_.path(), std::make_shared<FaultInjectionFileSystem>());
    const absl::Status opened = registry.Open();
    EXPECT_TRUE(opened.ok()) << opened;
    for (int i = 0; i < 3 && opened.ok(); ++i) {
      EXPECT_TRUE(registry.CreateFirm(absl::StrCat("before-", i), 100, oracle_).ok());
    }
    registry.KeepWritten();
    registry.Close();
    seed_ = registry.seed();
    written_ = registry.written();
  }

  // A registry on a copy of the base in `dir`, over `fs`; `oracle` is the base's.
  std::unique_ptr<FaultRegistry> CopyTo(const std::string& dir,
                                        std::shared_ptr<FaultInjectionFileSystem> fs) const {
    std::filesystem::copy(dir_.path(), dir, std::filesystem::copy_options::recursive);
    auto registry = std::make_unique<FaultRegistry>(dir, std::move(fs), seed_);
    registry->SetWritten(written_);
    return registry;
  }
  const Oracle& oracle() const { return oracle_; }

 private:
  sello::test_support::TempDir dir_;
  Oracle oracle_;
  std::string seed_;
  std::map<uint64_t, std::string> written_;
};

// The writes of a sweep's run: a few changes, until one fails.
constexpr int kChangesPerRun = 4;
absl::Status WriteUntilRefused(FaultRegistry& registry, Oracle& oracle) {
  for (int i = 0; i < kChangesPerRun; ++i) {
    absl::Status written = i % 2 == 1
                               ? registry.Increment(oracle)
                               : registry.CreateFirm(absl::StrCat("during-", i), 200, oracle);
    if (!written.ok()) return written;
  }
  return absl::OkStatus();
}

// One run of a sweep: the base registry restarts with the nth operation of `kind` from
// then on failing for want of space (the disk then stays full until freed), and writes
// until a write is refused; then the full state is checked, space comes back, writes
// must resume, and finally the power goes.
void RunWithNthFailing(const SweepBase& base, Operation kind, uint64_t n) {
  sello::test_support::TempDir dir;
  auto fs = std::make_shared<FaultInjectionFileSystem>();
  std::unique_ptr<FaultRegistry> registry = base.CopyTo(dir.path() + "/copy", fs);
  Oracle oracle(base.oracle());
  fs->FailNth(kind, n);
  absl::Status opened = registry->Open();
  if (!opened.ok()) {
    // A restart on a disk too full even to open read-only: a clear refusal, and no
    // damage once there is room.
    EXPECT_EQ(opened.code(), absl::StatusCode::kResourceExhausted) << opened;
    EXPECT_THAT(std::string(opened.message()), HasSubstr(registry->db_path()));
    fs->FreeSpace();
    opened = registry->Open();
    ASSERT_TRUE(opened.ok()) << opened;
  }
  // Restarted read-only, or refused when a write reaches the failing operation.
  absl::Status refused = registry->store().Writable();
  if (refused.ok()) refused = WriteUntilRefused(*registry, oracle);
  EXPECT_TRUE(fs->full()) << "operation " << n << " never came";
  if (!refused.ok()) {
    ExpectRefusedForSpace(refused, registry->db_path());
    ASSERT_NO_FATAL_FAILURE(ExpectReadOnly(*registry, oracle));
  }
  fs->FreeSpace();
  ASSERT_NO_FATAL_FAILURE(ExpectResumes(*registry, oracle, "sweep"));
  ExpectSurvivesPowerLoss(*registry, oracle);
}

// The sweep for `kind`: how many such operations a restart and the writes make (counted
// in a run without failures), then one run with each of them failing in turn. Of the
// restart's, at most kRestartPoints are taken (evenly spread, from a random offset):
// opening writes a few hundred small pieces (MANIFEST, OPTIONS).
constexpr uint64_t kRestartPoints = 10;
void Sweep(Operation kind) {
  const SweepBase base;
  uint64_t at_restart = 0, while_writing = 0;
  {
    sello::test_support::TempDir dir;
    auto fs = std::make_shared<FaultInjectionFileSystem>();
    std::unique_ptr<FaultRegistry> registry = base.CopyTo(dir.path() + "/copy", fs);
    Oracle oracle(base.oracle());
    ASSERT_TRUE(registry->Open().ok());
    at_restart = fs->count(kind);
    ASSERT_TRUE(WriteUntilRefused(*registry, oracle).ok());
    while_writing = fs->count(kind) - at_restart;
  }
  std::vector<uint64_t> points;
  const uint64_t stride = std::max<uint64_t>(1, at_restart / kRestartPoints);
  for (uint64_t n = 1 + std::random_device()() % stride; n <= at_restart; n += stride) {
    points.push_back(n);
  }
  if (at_restart > 0 && points.front() != 1) points.insert(points.begin(), 1);
  for (uint64_t n = at_restart + 1; n <= at_restart + while_writing; ++n) points.push_back(n);
  ::testing::Test::RecordProperty("at_restart", static_cast<int>(at_restart));
  ::testing::Test::RecordProperty("while_writing", static_cast<int>(while_writing));
  ASSERT_FALSE(points.empty());
  for (uint64_t n : points) {
    SCOPED_TRACE(absl::StrCat("operation ", n, " of ", at_restart, " + ", while_writing, " fails"));
    RunWithNthFailing(base, kind, n);
    if (::testing::Test::HasFailure()) break;
  }
}

TEST(FullDiskSweepTest, NoSpaceAtEachWrite) { Sweep(Operation::kWrite); }
TEST(FullDiskSweepTest, NoSpaceAtEachSync) { Sweep(Operation::kSync); }
TEST(FullDiskSweepTest, NoSpaceAtEachRename) { Sweep(Operation::kRename); }

TEST(FullDiskTest, ConcurrentWritersOnAFillingDiskLoseNothingAcknowledged) {
  const uint64_t seed = std::random_device()();
  SCOPED_TRACE(absl::StrCat("seed ", seed));
  std::mt19937_64 random(seed);
  sello::test_support::TempDir dir;
  FaultRegistry registry(dir.path(), std::make_shared<FaultInjectionFileSystem>());
  Oracle oracle;
  const absl::Status opened = registry.Open();
  ASSERT_TRUE(opened.ok()) << opened;
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    // The disk fills in the middle of some write-ahead log record (a torn write).
    registry.fs().SetSpaceBudget(1000 + random() % 20000);
    std::atomic<int> refused = 0;
    std::vector<std::thread> writers;
    writers.reserve(4);
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        for (int i = 0; i < 400; ++i) {
          const absl::Status written =
              i % 4 == 3
                  ? registry.Increment(oracle)
                  : registry.CreateFirm(absl::StrCat("r", round, "-w", w, "-", i), 300, oracle);
          if (!written.ok()) {
            ExpectRefusedForSpace(written, registry.db_path());
            ++refused;
            return;
          }
        }
      });
    }
    for (std::thread& writer : writers) writer.join();
    ASSERT_EQ(refused.load(), 4) << "the disk never filled";
    ASSERT_NO_FATAL_FAILURE(ExpectReadOnly(registry, oracle));
    registry.fs().FreeSpace();
    ASSERT_NO_FATAL_FAILURE(ExpectResumes(registry, oracle, absl::StrCat("round-", round)));
  }
  ExpectSurvivesPowerLoss(registry, oracle);
}

TEST(FullDiskTest, RestartOnAFullDiskServesReadsThenWritesOnceThereIsRoom) {
  sello::test_support::TempDir dir;
  FaultRegistry registry(dir.path(), std::make_shared<FaultInjectionFileSystem>());
  Oracle oracle;
  absl::Status opened = registry.Open();
  ASSERT_TRUE(opened.ok()) << opened;
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(registry.CreateFirm(absl::StrCat("f", i), 100, oracle).ok());
  registry.KeepWritten();
  registry.Close();

  // The disk is full from the first write on: opening for writing fails (a new MANIFEST
  // cannot be written), so the store opens read-only.
  registry.fs().FailNth(Operation::kWrite, 1);
  opened = registry.Open();
  ASSERT_TRUE(opened.ok()) << opened;
  ASSERT_NO_FATAL_FAILURE(ExpectReadOnly(registry, oracle));
  ExpectConsistent(registry.store(), oracle, registry.written());

  registry.fs().FreeSpace();
  ASSERT_NO_FATAL_FAILURE(ExpectResumes(registry, oracle, "restarted"));
  ExpectSurvivesPowerLoss(registry, oracle);
}

TEST(FullDiskTest, ARecoveryThatFailsAgainIsRetried) {
  sello::test_support::TempDir dir;
  FaultRegistry registry(dir.path(), std::make_shared<FaultInjectionFileSystem>());
  Oracle oracle;
  const absl::Status opened = registry.Open();
  ASSERT_TRUE(opened.ok()) << opened;
  ASSERT_TRUE(registry.CreateFirm("first", 100, oracle).ok());
  registry.fs().FailNth(Operation::kSync, 1);
  ExpectRefusedForSpace(registry.CreateFirm("refused", 100, oracle), registry.db_path());
  // Room comes back, but the store's reopen runs out again at its first rename; it
  // serves reads meanwhile and tries again once there is room.
  registry.fs().FailNth(Operation::kRename, 1);
  registry.fs().FreeSpace();
  ASSERT_TRUE(PollUntil([&] { return registry.fs().full(); }, absl::Seconds(5)).has_value());
  ASSERT_NO_FATAL_FAILURE(ExpectReadOnly(registry, oracle));
  registry.fs().FreeSpace();
  ASSERT_NO_FATAL_FAILURE(ExpectResumes(registry, oracle, "retried"));
  ExpectSurvivesPowerLoss(registry, oracle);
}

TEST(FullDiskTest, AFailedLogSyncIsNeverAcknowledgedAndNeverForksTheLog) {
  // The write-ahead log record of the failing write reaches the file whole; only its
  // sync fails. Whether the disk then keeps it (a crash without power loss) or not (a
  // power cut), the log must continue from what is really there.
  for (const bool power_cut : {false, true}) {
    SCOPED_TRACE(power_cut ? "the power goes" : "the process goes");
    sello::test_support::TempDir dir;
    FaultRegistry registry(dir.path(), std::make_shared<FaultInjectionFileSystem>());
    Oracle oracle;
    const absl::Status opened = registry.Open();
    ASSERT_TRUE(opened.ok()) << opened;
    ASSERT_TRUE(registry.CreateFirm("kept", 100, oracle).ok());
    registry.fs().FailNth(Operation::kSync, 1);
    ExpectRefusedForSpace(registry.CreateFirm("unacknowledged", 100, oracle), registry.db_path());
    registry.fs().FreeSpace();
    ASSERT_NO_FATAL_FAILURE(ExpectResumes(registry, oracle, "next"));
    if (power_cut) registry.fs().CutPower();
    registry.KeepWritten();
    registry.Close();
    ASSERT_TRUE(registry.fs().RestorePower().ok());
    ASSERT_TRUE(registry.Open().ok());
    ExpectConsistent(registry.store(), oracle, registry.written());
  }
}

TEST(SpaceLimitTest, WritesBeyondTheLimitAreRefusedAndARestartIsSafe) {
  constexpr uint64_t kLimit = 256 << 10;
  sello::test_support::TempDir dir;
  FaultRegistry registry(dir.path(), std::make_shared<FaultInjectionFileSystem>());
  Oracle oracle;
  absl::Status opened = registry.Open(kLimit);
  ASSERT_TRUE(opened.ok()) << opened;
  absl::Status refused;
  int written = 0;
  for (; written < 1000; ++written) {
    refused = registry.CreateFirm(absl::StrCat("f", written), 4000, oracle);
    if (!refused.ok()) break;
  }
  EXPECT_GT(written, 10);
  ASSERT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_THAT(std::string(refused.message()),
              HasSubstr("data dir " + registry.db_path() + " is full"));
  EXPECT_THAT(std::string(refused.message()), HasSubstr(absl::StrCat(kLimit, " allowed")));
  ASSERT_NO_FATAL_FAILURE(ExpectReadOnly(registry, oracle));

  // A restart with the same limit: still full, still safe.
  registry.KeepWritten();
  registry.Close();
  opened = registry.Open(kLimit);
  ASSERT_TRUE(opened.ok()) << opened;
  ASSERT_NO_FATAL_FAILURE(ExpectReadOnly(registry, oracle));
  ExpectConsistent(registry.store(), oracle, registry.written());

  // The limit raised: writes go on.
  registry.KeepWritten();
  registry.Close();
  opened = registry.Open(4 * kLimit);
  ASSERT_TRUE(opened.ok()) << opened;
  EXPECT_TRUE(registry.CreateFirm("after-the-limit-was-raised", 100, oracle).ok());
  ExpectSurvivesPowerLoss(registry, oracle);
}

}  // namespace
}  // namespace sello::storage::fault_test

// The harness's own failure paths: a daemon that dies at start is reported with its
// log, a child that overruns its deadline is killed rather than waited on forever, and a
// background child is watched, waited for and killed at its deadline.
#include "tests/e2e/daemon_harness.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/time/time.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;

TEST(HarnessSelfTest, StartReportsADaemonThatExitsEarlyWithItsLog) {
  DaemonHarness daemon;
  // A regular file where the data dir should be makes sellod exit at once.
  daemon.WriteFile("data", "not a directory\n");
  const ::testing::AssertionResult started = daemon.Start();
  EXPECT_FALSE(started);
  EXPECT_THAT(started.message(), HasSubstr("sellod exited early with code 1"));
  EXPECT_THAT(started.message(), HasSubstr("data_dir_unusable"));
  EXPECT_FALSE(daemon.running());
}

TEST(HarnessSelfTest, RunProcessKillsAChildThatOverrunsItsDeadline) {
  DaemonHarness scratch;  // only for its temporary directory
  const ProcessResult result = RunProcess(
      {SELLOD_PATH, "--data-dir=" + scratch.root_dir() + "/data", "--listen=127.0.0.1:0"}, {},
      absl::Milliseconds(300));
  EXPECT_EQ(result.exit_code, -1) << result;
  EXPECT_THAT(result.err, HasSubstr("[harness: killed after 300ms]"));
}

TEST(HarnessSelfTest, BackgroundProcessIsWatchedWaitedForAndKilledAtItsDeadline) {
  BackgroundProcess help = StartProcess({SELLO_PATH, "--help"});
  ASSERT_TRUE(help.running()) << help.start_error();
  EXPECT_TRUE(help.WaitForOutput(
      [](const std::string& out) { return out.find("Exit codes:") != std::string::npos; },
      absl::Seconds(10)));
  EXPECT_FALSE(help.WaitForOutput([](const std::string&) { return false; }, absl::Seconds(10)))
      << "a child that exited cannot produce the output any more";
  const ProcessResult helped = help.Wait(absl::Seconds(10));
  EXPECT_EQ(helped.exit_code, 0) << helped;
  EXPECT_FALSE(help.running());

  DaemonHarness scratch;  // only for its temporary directory
  BackgroundProcess daemon = StartProcess(
      {SELLOD_PATH, "--data-dir=" + scratch.root_dir() + "/data", "--listen=127.0.0.1:0"});
  ASSERT_TRUE(daemon.running()) << daemon.start_error();
  const ProcessResult overran = daemon.Wait(absl::Milliseconds(300));
  EXPECT_EQ(overran.exit_code, -1) << overran;
  EXPECT_THAT(overran.err, HasSubstr("[harness: killed after 300ms]"));
}

}  // namespace
}  // namespace sello::e2e

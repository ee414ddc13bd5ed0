// The harness's own failure paths: a daemon that dies at start is reported with its
// log, and a child that overruns its deadline is killed rather than waited on forever.
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

}  // namespace
}  // namespace sello::e2e

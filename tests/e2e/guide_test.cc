// deploy/README.md followed literally. Each shell block the guide marks with
// `<!-- guide_test.cc: NAME -->` is read from the guide itself and run line by line by
// bash, against a daemon started the way the systemd unit starts it (the data dir and
// the checkpoint state under the test's directory). The only changes made to the text:
//  - the guide's paths are mapped into the test's directory (kPaths);
//  - `systemctl stop|start sellod` stop and start that daemon;
//  - a `sellod` that would serve gets `--listen=127.0.0.1:0` (a free port) and is
//    stopped with SIGTERM once it logs `listening`, as an operator's Ctrl-C would;
//  - `sello` gets the daemon's address in SELLO_SERVER.
// So a flag renamed in the daemon but not in the guide, or a step the guide forgets,
// fails here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kGuide[] = TESTDATA_DIR "/../../deploy/README.md";

// The commands of the block marked NAME, continuation lines joined, indentation removed.
std::vector<std::string> GuideBlock(const std::string& name) {
  const std::string guide = ReadWholeFile(kGuide);
  const std::string marker = absl::StrCat("<!-- guide_test.cc: ", name, " -->");
  const size_t at = guide.find(marker);
  if (at == std::string::npos) {
    ADD_FAILURE() << "no block " << marker << " in " << kGuide;
    return {};
  }
  const size_t open = guide.find("```sh\n", at);
  const size_t close = guide.find("```", open + 6);
  if (open == std::string::npos || close == std::string::npos) {
    ADD_FAILURE() << "no ```sh block after " << marker;
    return {};
  }
  std::vector<std::string> commands;
  std::string pending;
  for (absl::string_view line :
       absl::StrSplit(guide.substr(open + 6, close - open - 6), '\n', absl::SkipWhitespace())) {
    line = absl::StripAsciiWhitespace(line);
    if (absl::ConsumeSuffix(&line, "\\")) {
      absl::StrAppend(&pending, line);
      continue;
    }
    absl::StrAppend(&pending, line);
    commands.push_back(std::move(pending));
    pending.clear();
  }
  return commands;
}

class GuideTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // As the unit runs it: the checkpoint state in its own directory.
    fs::create_directories(root() + "/sello-checkpoint");
    daemon_.set_daemon_args({"--checkpoint-state", root() + "/sello-checkpoint/checkpoint.note"});
    ASSERT_TRUE(daemon_.Start());
    ASSERT_TRUE(Org("first"));
  }

  const std::string& root() const { return daemon_.root_dir(); }

  ::testing::AssertionResult Org(const std::string& id) {
    const ProcessResult created = daemon_.RunCliAs(daemon_.admin_token(), "org", "create", "--kind",
                                                   "firm", "--name", id, "--id", id);
    if (created.exit_code == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << created;
  }

  std::string Mapped(const std::string& command) const {
    return absl::StrReplaceAll(command,
                               {{"/var/lib/sello-backups", root() + "/backups"},
                                {"/var/lib/sello-restored", root() + "/restored"},
                                {"/var/lib/sello-checkpoint", root() + "/sello-checkpoint"},
                                {"/var/lib/private/sello", daemon_.data_dir()},
                                {"/var/lib/sello", daemon_.data_dir()},
                                {"/root/", root() + "/"}});
  }

  std::vector<std::string> Environment() const {
    const std::string bin_dirs = absl::StrCat(fs::path(SELLOD_PATH).parent_path().string(), ":",
                                              fs::path(SELLO_PATH).parent_path().string());
    const char* path = std::getenv("PATH");
    return {absl::StrCat("PATH=", bin_dirs, ":", path == nullptr ? "/usr/bin:/bin" : path),
            "SELLO_SERVER=" + daemon_.address(), "XDG_STATE_HOME=" + root() + "/xdg-state"};
  }

  // Runs one command of the guide; returns what it left (exit code 0 for systemctl).
  ProcessResult RunCommand(const std::string& text) {
    const std::string command = Mapped(text);
    if (command == "systemctl stop sellod") {
      ProcessResult stopped;
      stopped.exit_code = daemon_.Stop();
      return stopped;
    }
    if (command == "systemctl start sellod") {
      ProcessResult started;
      started.exit_code = daemon_.Start() ? 0 : 1;
      return started;
    }
    const bool serving_daemon =
        absl::StartsWith(command, "sellod ") && !absl::StrContains(command, "--issue-admin-token");
    if (!serving_daemon) return RunProcess({"/bin/bash", "-c", command}, Environment());
    // `exec`: the signal reaches sellod itself; its log (stderr) is read as it comes.
    BackgroundProcess sellod = StartProcess(
        {"/bin/bash", "-c", absl::StrCat("exec ", command, " --listen=127.0.0.1:0 2>&1")},
        Environment());
    EXPECT_TRUE(sellod.running()) << sellod.start_error();
    if (sellod.WaitForOutput(
            [](const std::string& out) {
              return absl::StrContains(out, "\"event\":\"listening\"");
            },
            absl::Seconds(30))) {
      sellod.Signal(SIGTERM);
    }
    ProcessResult result = sellod.Wait(absl::Seconds(30));
    result.err = result.out + result.err;
    return result;
  }

  // Runs the commands of block NAME until one fails; returns what each left.
  std::vector<ProcessResult> RunBlock(const std::string& name) {
    std::vector<ProcessResult> results;
    for (const std::string& command : GuideBlock(name)) {
      results.push_back(RunCommand(command));
      if (results.back().exit_code != 0) break;
    }
    return results;
  }

  DaemonHarness daemon_;
};

TEST_F(GuideTest, BackupAndRestore) {
  std::vector<ProcessResult> ran = RunBlock("backup");
  ASSERT_EQ(ran.size(), 1u);
  ASSERT_EQ(ran[0].exit_code, 0) << ran[0];
  EXPECT_TRUE(fs::exists(root() + "/backups/registry.id"));
  ASSERT_EQ(daemon_.Stop(), 0);
  ran = RunBlock("restore");
  ASSERT_EQ(ran.size(), 1u);
  EXPECT_EQ(ran[0].exit_code, 0) << ran[0];
  EXPECT_THAT(ran[0].err, HasSubstr("\"event\":\"restored\""));
  EXPECT_EQ(ReadWholeFile(root() + "/restored/log.pub"),
            ReadWholeFile(daemon_.data_dir() + "/log.pub"));
}

TEST_F(GuideTest, RestoringAnOlderBackup) {
  std::vector<ProcessResult> ran = RunBlock("backup");
  ASSERT_EQ(ran.size(), 1u);
  ASSERT_EQ(ran[0].exit_code, 0) << ran[0];
  ASSERT_TRUE(Org("after-the-backup"));
  ASSERT_EQ(daemon_.Stop(), 0);
  // The plain restore refuses, naming the flag the guide's next block adds.
  ran = RunBlock("restore");
  ASSERT_EQ(ran.size(), 1u);
  EXPECT_EQ(ran[0].exit_code, 1) << ran[0];
  EXPECT_THAT(ran[0].err, HasSubstr("run the same command again with --accept-history-rollback"));
  ran = RunBlock("restore-rollback");
  ASSERT_EQ(ran.size(), 1u);
  EXPECT_EQ(ran[0].exit_code, 0) << ran[0];
  EXPECT_THAT(ran[0].err, HasSubstr("THE PUBLIC HISTORY WAS ROLLED BACK"));
}

TEST_F(GuideTest, AdminTokenRecovery) {
  const std::vector<ProcessResult> ran = RunBlock("admin-recovery");
  ASSERT_EQ(ran.size(), GuideBlock("admin-recovery").size());
  for (const ProcessResult& result : ran) EXPECT_EQ(result.exit_code, 0) << result;
  EXPECT_THAT(ran.back().out, HasSubstr("offline recovery"));
}

TEST_F(GuideTest, KeyRotation) {
  const std::string old_key = Trimmed(ReadWholeFile(daemon_.data_dir() + "/log.pub"));
  ASSERT_EQ(daemon_.Stop(), 0);
  std::vector<ProcessResult> ran = RunBlock("rotation-begin");
  ASSERT_EQ(ran.size(), 1u);
  EXPECT_EQ(ran[0].exit_code, 0) << ran[0];
  EXPECT_THAT(ran[0].err, HasSubstr("\"step\":\"begun\""));
  const std::string next_key = Trimmed(ReadWholeFile(daemon_.data_dir() + "/log.next.pub"));
  ASSERT_FALSE(next_key.empty());
  // Within the window the finish is refused and the daemon serves on, as the guide says.
  ran = RunBlock("rotation-finish");
  ASSERT_EQ(ran.size(), 1u);
  EXPECT_EQ(ran[0].exit_code, 0) << ran[0];
  EXPECT_THAT(ran[0].err, HasSubstr("key_rotation_finish_refused"));
  EXPECT_EQ(Trimmed(ReadWholeFile(daemon_.data_dir() + "/log.pub")), old_key);
  // With the window waived (--force-finish-key-rotation, as the guide says), it finishes.
  std::vector<std::string> forced = GuideBlock("rotation-finish");
  ASSERT_EQ(forced.size(), 1u);
  const ProcessResult finished = RunCommand(forced[0] + " --force-finish-key-rotation");
  EXPECT_EQ(finished.exit_code, 0) << finished;
  EXPECT_EQ(Trimmed(ReadWholeFile(daemon_.data_dir() + "/log.pub")), next_key);
}

}  // namespace
}  // namespace sello::e2e

// End-to-end: what deploy/ ships works as shipped. The example configuration starts a
// daemon with the systemd unit's own flags and names every flag sellod has; the unit
// passes systemd's own checks, its hardening included.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::IsEmpty;

const std::string kDeployDir = TESTDATA_DIR "/../../deploy";
const std::string kConfig = kDeployDir + "/sellod.conf";
const std::string kUnit = kDeployDir + "/systemd/sellod.service";

// The words of the unit's ExecStart= (continuation lines joined).
std::vector<std::string> ExecStart() {
  const std::string unit = absl::StrReplaceAll(ReadWholeFile(kUnit), {{"\\\n", " "}});
  for (absl::string_view line : absl::StrSplit(unit, '\n')) {
    if (absl::ConsumePrefix(&line, "ExecStart=")) {
      return absl::StrSplit(line, ' ', absl::SkipWhitespace());
    }
  }
  return {};
}

// The keys of the example configuration, set or shown commented out ("# key = value").
std::set<std::string> ConfigKeys() {
  std::set<std::string> keys;
  const std::regex key(R"(^(# )?([a-z0-9-]+) = )");
  for (absl::string_view line : absl::StrSplit(ReadWholeFile(kConfig), '\n')) {
    std::cmatch match;
    if (std::regex_search(line.begin(), line.end(), match, key)) keys.insert(match[2].str());
  }
  return keys;
}

// The example configuration, with the unit's flags (%d: the directory of the
// credentials, here the one holding the configuration; %S: the state directories' root),
// starts a daemon; the harness gives its own --data-dir and --listen (a loopback port).
TEST(DeployConfigTest, TheUnitsFlagsAndTheExampleConfigurationStartADaemon) {
  DaemonHarness daemon;
  const std::string state_root = daemon.root_dir() + "/state";
  std::filesystem::create_directories(state_root + "/sello-checkpoint");
  const std::vector<std::string> exec = ExecStart();
  ASSERT_FALSE(exec.empty()) << "no ExecStart= in " << kUnit;
  EXPECT_EQ(exec[0], "/usr/local/bin/sellod");
  std::vector<std::string> args;
  bool has_data_dir = false;
  for (size_t i = 1; i < exec.size(); ++i) {
    if (exec[i].rfind("--data-dir=", 0) == 0) {
      has_data_dir = true;
      continue;
    }
    args.push_back(absl::StrReplaceAll(exec[i], {{"%d", kDeployDir}, {"%S", state_root}}));
  }
  EXPECT_TRUE(has_data_dir);
  daemon.set_daemon_args(args);
  ASSERT_TRUE(daemon.Start());
  const ProcessResult health = daemon.RunCli("health");
  EXPECT_EQ(health.exit_code, 0) << health;
  // The checkpoint is kept outside the data dir, where the unit says.
  EXPECT_TRUE(std::filesystem::exists(state_root + "/sello-checkpoint/checkpoint.note"));
}

// "Every option, with its default": each flag is in the example configuration (set or
// commented out), and each key there is a flag (CLI11 would refuse an unknown one only
// once it is uncommented).
TEST(DeployConfigTest, TheExampleConfigurationNamesEveryFlag) {
  const std::set<std::string> flags = SellodFlags();
  ASSERT_GT(flags.size(), 20u);
  const std::set<std::string> keys = ConfigKeys();
  std::vector<std::string> missing, unknown;
  for (const std::string& flag : flags) {
    if (flag != "help" && flag != "config" && !keys.contains(flag)) missing.push_back(flag);
  }
  for (const std::string& key : keys) {
    if (!flags.contains(key)) unknown.push_back(key);
  }
  EXPECT_THAT(missing, IsEmpty()) << "flags missing from " << kConfig;
  EXPECT_THAT(unknown, IsEmpty()) << "keys in " << kConfig << " that are not flags";
}

// systemd's own checks of the unit, with ExecStart= pointing at the sellod just built:
// `verify` (syntax, directives, the binary), and `security`, whose exposure score (0 best,
// 10 worst; the threshold is in tenths) fails above 2.0 if a hardening line goes missing.
TEST(DeployUnitTest, SystemdAcceptsTheHardenedUnit) {
  DaemonHarness scratch;  // only for its temporary directory
  const std::string unit = absl::StrReplaceAll(
      ReadWholeFile(kUnit), {{"ExecStart=/usr/local/bin/sellod", "ExecStart=" SELLOD_PATH}});
  ASSERT_NE(unit.find(SELLOD_PATH), std::string::npos);
  const std::string path = scratch.WriteFile("sellod.service", unit);
  const ProcessResult verified = RunProcess({"/usr/bin/systemd-analyze", "verify", path});
  EXPECT_EQ(verified.exit_code, 0) << verified;
  EXPECT_EQ(verified.err, "") << verified;
  const ProcessResult security = RunProcess(
      {"/usr/bin/systemd-analyze", "security", "--offline=true", "--threshold=20", path});
  EXPECT_EQ(security.exit_code, 0) << security;
}

}  // namespace
}  // namespace sello::e2e

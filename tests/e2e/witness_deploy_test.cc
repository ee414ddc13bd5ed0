// End-to-end: what deploy/ ships for sello-witness works as shipped. The example
// configuration with the systemd unit's own flags starts a witness and names every flag;
// the unit passes systemd's own checks, its hardening included.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "tests/e2e/witness_harness.h"

namespace sello::e2e {
namespace {

using ::testing::IsEmpty;

const std::string kDeployDir = TESTDATA_DIR "/../../deploy";
const std::string kConfig = kDeployDir + "/sello-witness.conf";
const std::string kUnit = kDeployDir + "/systemd/sello-witness.service";

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

TEST(WitnessDeployTest, TheUnitsFlagsAndTheExampleConfigurationStartAWitness) {
  TestLog log;
  log.Append(2);
  WitnessHarness witness;
  const std::vector<std::string> exec = ExecStart();
  ASSERT_FALSE(exec.empty()) << "no ExecStart= in " << kUnit;
  EXPECT_EQ(exec[0], "/usr/local/bin/sello-witness");
  std::vector<std::string> args;
  for (size_t i = 1; i < exec.size(); ++i) {
    if (absl::StartsWith(exec[i], "--data-dir=")) continue;  // the harness gives its own
    args.push_back(absl::StrReplaceAll(exec[i], {{"%d", kDeployDir}}));
  }
  witness.set_args(args);
  // The example names a witness but no log: the operator adds the registry's key.
  ASSERT_TRUE(witness.Start({log.verifier_key()}));
  EXPECT_EQ(witness.Submit(log.Request(0)).status, 200);
}

TEST(WitnessDeployTest, TheExampleConfigurationNamesEveryFlag) {
  const ProcessResult help = RunProcess({SELLO_WITNESS_PATH, "--help"});
  ASSERT_EQ(help.exit_code, 0) << help;
  std::set<std::string> flags;
  const std::regex flag(R"(^\s+--([a-z0-9-]+))");
  for (absl::string_view line : absl::StrSplit(help.out, '\n')) {
    std::cmatch match;
    if (std::regex_search(line.begin(), line.end(), match, flag)) flags.insert(match[1].str());
  }
  ASSERT_GT(flags.size(), 10u);
  std::set<std::string> keys;
  const std::regex key(R"(^(# )?([a-z0-9-]+) = )");
  for (absl::string_view line : absl::StrSplit(ReadWholeFile(kConfig), '\n')) {
    std::cmatch match;
    if (std::regex_search(line.begin(), line.end(), match, key)) keys.insert(match[2].str());
  }
  std::vector<std::string> missing, unknown;
  for (const std::string& f : flags) {
    if (f != "help" && f != "config" && !keys.contains(f)) missing.push_back(f);
  }
  for (const std::string& k : keys) {
    if (!flags.contains(k)) unknown.push_back(k);
  }
  EXPECT_THAT(missing, IsEmpty()) << "flags missing from " << kConfig;
  EXPECT_THAT(unknown, IsEmpty()) << "keys in " << kConfig << " that are not flags";
}

TEST(WitnessDeployTest, SystemdAcceptsTheHardenedUnit) {
  WitnessHarness scratch;  // only for its temporary directory
  const std::string unit = absl::StrReplaceAll(
      ReadWholeFile(kUnit),
      {{"ExecStart=/usr/local/bin/sello-witness", "ExecStart=" SELLO_WITNESS_PATH}});
  ASSERT_NE(unit.find(SELLO_WITNESS_PATH), std::string::npos);
  const std::string path = scratch.root_dir() + "/sello-witness.service";
  std::ofstream(path) << unit;
  const ProcessResult verified = RunProcess({"/usr/bin/systemd-analyze", "verify", path});
  EXPECT_EQ(verified.exit_code, 0) << verified;
  EXPECT_EQ(verified.err, "") << verified;
  const ProcessResult security = RunProcess(
      {"/usr/bin/systemd-analyze", "security", "--offline=true", "--threshold=20", path});
  EXPECT_EQ(security.exit_code, 0) << security;
}

}  // namespace
}  // namespace sello::e2e

// End-to-end: the container image, as far as it can be checked without building one (no
// image registry is reachable from these machines). The Dockerfile's build and install
// steps are deploy/docker/image.sh, and run here: the build configured as the image
// configures it, the install laying out the image's files from the programs built here.
// Its entrypoint and configuration start our sellod, flags given after them winning; its
// volumes are the three state directories, made by the install step; every library the
// programs load comes with the packages it installs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kRoot = TESTDATA_DIR "/../..";
const std::string kDockerfile = kRoot + "/deploy/docker/Dockerfile";
const std::string kImageScript = kRoot + "/deploy/docker/image.sh";
const std::string kUnit = kRoot + "/deploy/systemd/sellod.service";

// The Dockerfile's instructions, in order: (instruction, arguments), continuation lines
// joined and comments dropped.
std::vector<std::pair<std::string, std::string>> Instructions() {
  std::vector<std::pair<std::string, std::string>> instructions;
  std::string pending;
  for (absl::string_view line : absl::StrSplit(ReadWholeFile(kDockerfile), '\n')) {
    const absl::string_view stripped = absl::StripAsciiWhitespace(line);
    if (pending.empty() && (stripped.empty() || absl::StartsWith(stripped, "#"))) continue;
    pending += std::string(stripped);
    if (absl::EndsWith(pending, "\\")) {
      pending.pop_back();
      continue;
    }
    const size_t space = pending.find(' ');
    instructions.emplace_back(pending.substr(0, space),
                              space == std::string::npos ? "" : pending.substr(space + 1));
    pending.clear();
  }
  return instructions;
}

// The arguments of the last `instruction` (e.g. ENTRYPOINT), a JSON array of strings.
std::vector<std::string> JsonArrayOf(const std::string& instruction) {
  std::string arguments;
  for (const auto& [name, value] : Instructions()) {
    if (name == instruction) arguments = value;
  }
  std::vector<std::string> items;
  const std::regex item(R"re("([^"]*)")re");
  for (auto it = std::sregex_iterator(arguments.begin(), arguments.end(), item);
       it != std::sregex_iterator(); ++it) {
    items.push_back((*it)[1]);
  }
  return items;
}

// key -> value (quotes removed) of a TOML configuration, comments skipped.
std::map<std::string, std::string> ConfigValues(const std::string& path) {
  std::map<std::string, std::string> values;
  const std::regex entry(R"re(^([a-z0-9-]+)\s*=\s*"?([^"]*)"?\s*$)re");
  for (absl::string_view line : absl::StrSplit(ReadWholeFile(path), '\n')) {
    std::cmatch match;
    if (std::regex_match(line.begin(), line.end(), match, entry)) values[match[1]] = match[2];
  }
  return values;
}

int Mode(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return -1;
  return static_cast<int>(info.st_mode & 07777);
}

// Every RUN of the Dockerfile is a step of deploy/docker/image.sh, which the tests below run
// (build, install) or check (runtime: its packages against the programs' libraries).
TEST(DockerImageTest, EveryStepOfTheDockerfileIsAStepOfTheImageScript) {
  std::vector<std::string> steps;
  const std::regex step(R"(^bash \S*image\.sh ([a-z-]+)\b)");
  for (const auto& [name, value] : Instructions()) {
    if (name != "RUN") continue;
    std::smatch found;
    ASSERT_TRUE(std::regex_search(value, found, step))
        << "a RUN that is not deploy/docker/image.sh, which CI cannot check: " << value;
    steps.push_back(found[1]);
  }
  EXPECT_THAT(steps, ElementsAre("build", "runtime", "install"));
}

// The build stage's step, as the image runs it but with --dry-run: installs what is missing,
// configures a Release build of sellod and sello, and lists what building them would run.
TEST(DockerImageTest, TheBuildStepConfiguresTheImagesBuildOfBothPrograms) {
  DaemonHarness scratch;  // only for its temporary directory
  const ProcessResult built = RunProcess(
      {"/bin/bash", kImageScript, "build", kRoot, scratch.root_dir() + "/build", "--dry-run"}, {},
      absl::Minutes(5));
  ASSERT_EQ(built.exit_code, 0) << built;
  EXPECT_THAT(built.out, HasSubstr("Linking CXX executable daemon/sellod"));
  EXPECT_THAT(built.out, HasSubstr("Linking CXX executable client/sello"));
  EXPECT_THAT(ReadWholeFile(scratch.root_dir() + "/build/CMakeCache.txt"),
              HasSubstr("CMAKE_BUILD_TYPE:STRING=Release"));
}

// The runtime stage's install step, fed what its COPY --from=build line names (the programs
// built here, the image's configuration from the checkout): the programs, the configuration
// and the declared volumes' directories, private to their owner.
TEST(DockerImageTest, TheInstallStepLaysOutTheImagesFilesAndVolumes) {
  DaemonHarness scratch;
  const std::string files = scratch.root_dir() + "/files";
  const std::string root = scratch.root_dir() + "/root";
  std::filesystem::create_directories(files);
  std::string copy;
  for (const auto& [name, value] : Instructions()) {
    if (name == "COPY" && absl::StartsWith(value, "--from=build ")) copy = value;
  }
  std::vector<std::string> sources = absl::StrSplit(copy, ' ', absl::SkipWhitespace());
  ASSERT_GE(sources.size(), 3u) << copy;
  sources.erase(sources.begin());  // --from=build
  sources.pop_back();              // the destination
  for (const std::string& source : sources) {
    std::string local = source;
    if (source == "/src/build/daemon/sellod") {
      local = SELLOD_PATH;
    } else if (source == "/src/build/client/sello") {
      local = SELLO_PATH;
    } else if (source == "/src/build/witness/sello-witness") {
      local = SELLO_WITNESS_PATH;
    } else {
      ASSERT_TRUE(absl::StartsWith(source, "/src/")) << source;
      local = kRoot + source.substr(4);
    }
    std::filesystem::copy_file(local,
                               files + "/" + std::filesystem::path(source).filename().string());
  }
  const ProcessResult installed = RunProcess({"/bin/bash", kImageScript, "install", files, root});
  ASSERT_EQ(installed.exit_code, 0) << installed;

  EXPECT_EQ(Mode(root + "/usr/local/bin/sellod"), 0755);
  EXPECT_EQ(Mode(root + "/usr/local/bin/sello"), 0755);
  EXPECT_EQ(Mode(root + "/usr/local/bin/sello-witness"), 0755);
  const std::vector<std::string> entrypoint = JsonArrayOf("ENTRYPOINT");
  ASSERT_FALSE(entrypoint.empty());
  EXPECT_EQ(Mode(root + entrypoint[0]), 0755) << entrypoint[0] << " is not installed";
  for (const std::string& argument : entrypoint) {
    if (absl::StartsWith(argument, "--config=")) {
      EXPECT_EQ(Mode(root + argument.substr(9)), 0644) << argument;
    }
  }
  // The volumes: the systemd unit's three state directories, each made by the install.
  std::vector<std::string> state_dirs;
  for (absl::string_view line : absl::StrSplit(ReadWholeFile(kUnit), '\n')) {
    if (absl::ConsumePrefix(&line, "StateDirectory=")) {
      for (absl::string_view dir : absl::StrSplit(line, ' ', absl::SkipWhitespace())) {
        state_dirs.push_back(absl::StrCat("/var/lib/", dir));
      }
    }
  }
  const std::vector<std::string> volumes = JsonArrayOf("VOLUME");
  EXPECT_EQ(volumes, state_dirs);
  EXPECT_THAT(volumes,
              ElementsAre("/var/lib/sello", "/var/lib/sello-checkpoint", "/var/lib/sello-backups"));
  for (const std::string& volume : volumes) {
    EXPECT_EQ(Mode(root + volume), 0700) << volume;
  }
}

// The entrypoint with the image's configuration: every flag and key is one of sellod's,
// the data dir and the checkpoint state lie on their volumes, and flags given after the
// image name win (the harness's own --data-dir and --listen, and --checkpoint-state here):
// CLI11 refused a second --listen when the entrypoint gave the defaults as flags.
TEST(DockerImageTest, TheEntrypointStartsSellodAndFlagsAfterItWin) {
  const std::set<std::string> flags = SellodFlags();
  const std::vector<std::string> entrypoint = JsonArrayOf("ENTRYPOINT");
  ASSERT_GE(entrypoint.size(), 2u);
  EXPECT_EQ(entrypoint[0], "/usr/local/bin/sellod");
  std::vector<std::string> args;
  std::string config;
  for (size_t i = 1; i < entrypoint.size(); ++i) {
    const std::string& argument = entrypoint[i];
    ASSERT_TRUE(absl::StartsWith(argument, "--")) << argument;
    const std::string flag = argument.substr(2, argument.find('=') - 2);
    EXPECT_TRUE(flags.contains(flag)) << argument << " is not a flag of sellod --help";
    if (flag == "config") {
      // Where the install step puts it: deploy/docker/sellod.conf.
      EXPECT_EQ(argument, "--config=/etc/sello/sellod.conf");
      config = kRoot + "/deploy/docker/sellod.conf";
      args.push_back("--config=" + config);
    } else {
      args.push_back(argument);
    }
  }
  ASSERT_FALSE(config.empty()) << "the entrypoint gives no --config";
  const std::map<std::string, std::string> values = ConfigValues(config);
  for (const auto& [key, value] : values) {
    EXPECT_TRUE(flags.contains(key)) << key << " in " << config << " is not a flag";
  }
  const std::vector<std::string> volumes = JsonArrayOf("VOLUME");
  const auto on_a_volume = [&](const std::string& path) {
    for (const std::string& volume : volumes) {
      if (path == volume || absl::StartsWith(path, volume + "/")) return true;
    }
    return false;
  };
  ASSERT_TRUE(values.contains("data-dir"));
  ASSERT_TRUE(values.contains("checkpoint-state"));
  EXPECT_EQ(values.at("data-dir"), "/var/lib/sello");
  EXPECT_TRUE(on_a_volume(values.at("checkpoint-state")));
  EXPECT_FALSE(absl::StartsWith(values.at("checkpoint-state"), values.at("data-dir") + "/"))
      << "the checkpoint state must be outside the data dir";
  EXPECT_EQ(values.at("listen"), "0.0.0.0:7443");

  DaemonHarness daemon;
  const std::string checkpoint = daemon.root_dir() + "/checkpoint-volume/checkpoint.note";
  std::filesystem::create_directories(daemon.root_dir() + "/checkpoint-volume");
  args.push_back("--checkpoint-state=" + checkpoint);
  daemon.set_daemon_args(args);
  ASSERT_TRUE(daemon.Start());
  EXPECT_TRUE(absl::StartsWith(daemon.address(), "127.0.0.1:")) << daemon.address();
  EXPECT_TRUE(std::filesystem::exists(daemon.data_dir() + "/admin.token"));
  EXPECT_TRUE(std::filesystem::exists(checkpoint));
  EXPECT_EQ(daemon.RunCli("health").exit_code, 0);
}

// Every shared library sellod, sello and sello-witness load comes with a package the runtime step installs
// (or one of their dependencies, or Debian's required packages, which every image has).
TEST(DockerImageTest, TheRuntimeStepInstallsEveryLibraryTheProgramsLoad) {
  const ProcessResult checked =
      RunProcess({"/bin/bash", kImageScript, "check-libraries", SELLOD_PATH, SELLO_PATH,
                  SELLO_WITNESS_PATH});
  EXPECT_EQ(checked.exit_code, 0) << checked;
  EXPECT_EQ(checked.err, "") << checked;
}

}  // namespace
}  // namespace sello::e2e

// sellod's configuration keys: an unknown key or section refuses the start, naming the
// file, the line and the nearest known key.
#include "daemon/server/config_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sello::service {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kKnown = {"listen", "data-dir", "checkpoint-state",
                                         "accept-history-rollback", "max-disk-mb"};

TEST(ConfigCheckTest, KnownKeysCommentsAndBlankLinesPass) {
  EXPECT_TRUE(CheckConfigKeys("f.conf",
                              "# comment\n"
                              "; also a comment\n"
                              "\n"
                              "listen = \"127.0.0.1:7443\"\n"
                              "  checkpoint-state=\"/x\"   \n"
                              "\"max-disk-mb\" = 0\n"
                              "accept-history-rollback\n"
                              "[default]\n"
                              "data-dir = \"/d\"\n",
                              kKnown)
                  .ok());
}

TEST(ConfigCheckTest, TableOfRefusals) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"listen = \"a\"\ncheckpoint-sate = \"/x\"\n",
       "f.conf:2: unknown key 'checkpoint-sate'; did you mean 'checkpoint-state'?"},
      {"checkpoint_state = \"/x\"\n",
       "f.conf:1: unknown key 'checkpoint_state'; did you mean "
       "'checkpoint-state'?"},
      {"lisen = 1\n", "did you mean 'listen'?"},
      {"\n[server]\nlisten = \"a\"\n", "f.conf:2: unknown section [server]"},
      {"[[server]]\n", "f.conf:1: unknown section [server]"},
      {"server.listen = \"a\"\n", "f.conf:1: unknown key 'server.listen' (under section [server])"},
      {"[default\n", "f.conf:1: a section header without its closing ']'"},
      {"max-disk-mbb\n", "did you mean 'max-disk-mb'?"},
  };
  for (const Case& c : cases) {
    const absl::Status status = CheckConfigKeys("f.conf", c.text, kKnown);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.expected)) << c.text;
  }
}

TEST(ConfigCheckTest, NearestKeyIsTheFewestEdits) {
  EXPECT_EQ(NearestKey("checkpoint-sate", kKnown), "checkpoint-state");
  EXPECT_EQ(NearestKey("datadir", kKnown), "data-dir");
  EXPECT_EQ(NearestKey("accept-rollback", kKnown), "accept-history-rollback");
}

}  // namespace
}  // namespace sello::service

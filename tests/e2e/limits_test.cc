// End-to-end: sellod's own limits on requests — an oversized message or header set is
// refused with RESOURCE_EXHAUSTED naming the limit, nothing is written, and the daemon
// keeps serving.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kExitUnavailable = 6;  // UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_.set_daemon_args({"--max-message-kb", "64", "--max-metadata-kb", "4"});
    ASSERT_TRUE(daemon_.Start());
    admin_ = daemon_.admin_token();
  }
  DaemonHarness daemon_;
  std::string admin_;
};

TEST_F(LimitsTest, AnOversizedRequestIsRefusedNamingTheLimit) {
  const ProcessResult refused = daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm", "--id",
                                                 "huge", "--name", std::string(70 << 10, 'x'));
  EXPECT_EQ(refused.exit_code, kExitUnavailable) << refused.err.substr(0, 500);
  EXPECT_THAT(refused.err, HasSubstr("RESOURCE_EXHAUSTED"));
  EXPECT_THAT(refused.err, HasSubstr("65536"));
  const ProcessResult listed = daemon_.RunCli("org", "list");
  EXPECT_EQ(listed.exit_code, 0) << listed;
  EXPECT_THAT(listed.out, Not(HasSubstr("huge")));
}

TEST_F(LimitsTest, OversizedHeadersAreRefused) {
  const ProcessResult refused = daemon_.RunCliAs(std::string(5 << 10, 't'), "token", "whoami");
  EXPECT_EQ(refused.exit_code, kExitUnavailable) << refused;
  EXPECT_THAT(refused.err, HasSubstr("RESOURCE_EXHAUSTED: received initial metadata size exceeds "
                                     "limit"));
  // The daemon is unharmed.
  const ProcessResult whoami = daemon_.RunCliAs(admin_, "token", "whoami");
  EXPECT_EQ(whoami.exit_code, 0) << whoami;
}

}  // namespace
}  // namespace sello::e2e

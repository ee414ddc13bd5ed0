// End-to-end: sellod's own limits on requests — an oversized message or header set is
// refused with RESOURCE_EXHAUSTED naming the flag, logged and counted, nothing is written,
// and the daemon keeps serving; a connection that never finishes its handshake is closed.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kExitUnavailable = 6;  // UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_.set_daemon_args(
        {"--max-message-kb", "64", "--max-metadata-kb", "4", "--handshake-timeout", "0.5"});
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
  EXPECT_THAT(refused.err, HasSubstr("exceeds --max-message-kb"));
  const ProcessResult listed = daemon_.RunCli("org", "list");
  EXPECT_EQ(listed.exit_code, 0) << listed;
  EXPECT_THAT(listed.out, Not(HasSubstr("huge")));
}

TEST_F(LimitsTest, OversizedHeadersAreRefused) {
  const ProcessResult refused = daemon_.RunCliAs(std::string(5 << 10, 't'), "token", "whoami");
  EXPECT_EQ(refused.exit_code, kExitUnavailable) << refused;
  EXPECT_THAT(refused.err, HasSubstr("RESOURCE_EXHAUSTED: request headers of "));
  EXPECT_THAT(refused.err, HasSubstr("bytes exceed --max-metadata-kb (4096 bytes"));
  // The daemon is unharmed.
  const ProcessResult whoami = daemon_.RunCliAs(admin_, "token", "whoami");
  EXPECT_EQ(whoami.exit_code, 0) << whoami;
}

TEST_F(LimitsTest, AConnectionThatNeverSpeaksIsClosedAfterTheHandshakeTimeout) {
  const std::string& address = daemon_.address();
  const size_t colon = address.rfind(':');
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  ASSERT_EQ(::inet_pton(AF_INET, address.substr(0, colon).c_str(), &peer.sin_addr), 1);
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)), 0);
  // Says nothing; the daemon sends its HTTP/2 settings, then hangs up (end of file) once
  // the 0.5 s handshake is over.
  const absl::Time start = absl::Now();
  ssize_t got = 1;
  while (got > 0 && absl::Now() - start < absl::Seconds(10)) {
    pollfd wait{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&wait, 1, /*timeout ms=*/1'000) != 1) continue;
    char buffer[4096];
    got = ::read(fd, buffer, sizeof(buffer));
  }
  EXPECT_LE(got, 0) << "still open after 10 s";
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(400));
  ::close(fd);
  // Well-behaved clients are unaffected.
  EXPECT_EQ(daemon_.RunCli("org", "list").exit_code, 0);
}

// gRPC refuses an oversized request inside its transport, where no access log or metric
// sees it; sellod refuses it itself: the caller, the access log and the metrics all learn
// which flag. Under the default access log (every failure) and under "all", for a
// synchronous method, a callback-API read (VerifySeal) and a callback-API write
// (SubmitInspection).
TEST(OversizedRequestTest, RefusalsNameTheFlagAndAreLoggedAndCounted) {
  for (const std::vector<std::string>& call_log :
       {std::vector<std::string>{}, std::vector<std::string>{"--call-log", "all"}}) {
    DaemonHarness daemon;
    std::vector<std::string> args = {"--max-message-kb", "64",         "--max-metadata-kb", "4",
                                     "--metrics-listen", "127.0.0.1:0"};
    args.insert(args.end(), call_log.begin(), call_log.end());
    daemon.set_daemon_args(args);
    ASSERT_TRUE(daemon.Start());
    const std::string admin = daemon.admin_token();
    const std::string big(70 << 10, 'x');
    const std::string inspection = daemon.WriteFile(
        "inspection.json",
        absl::StrCat(R"({"siteId": "s", "standardId": "CSCS", "inspector": ")", big, R"("})"));
    const struct {
      std::vector<std::string> args;
      std::string method;
      std::string flag;
    } cases[] = {
        {{"--token", admin, "org", "create", "--kind", "firm", "--id", "huge", "--name", big},
         "/sello.v1.OrganisationService/CreateOrganisation",
         "exceeds --max-message-kb (65536 bytes)"},
        {{"seal", "verify", big},
         "/sello.v1.SealService/VerifySeal",
         "exceeds --max-message-kb (65536 bytes)"},
        {{"--token", admin, "inspect", "submit", inspection},
         "/sello.v1.InspectionService/SubmitInspection",
         "exceeds --max-message-kb (65536 bytes)"},
        {{"--token", std::string(5 << 10, 't'), "token", "whoami"},
         "/sello.v1.TokenService/WhoAmI",
         "exceed --max-metadata-kb (4096 bytes"},
    };
    for (const auto& [cli, method, flag] : cases) {
      const ProcessResult refused = daemon.RunCliArgs(cli);
      EXPECT_EQ(refused.exit_code, kExitUnavailable) << method << "\n" << refused.err;
      EXPECT_THAT(refused.err, HasSubstr(flag)) << method;
      const std::vector<std::string> lines =
          LinesWith(daemon.log(), {R"("event":"call")", "\"method\":\"" + method + "\"",
                                   R"("code":"RESOURCE_EXHAUSTED")", flag});
      EXPECT_EQ(lines.size(), 1u) << method << "\n" << daemon.log();
      EXPECT_THAT(daemon.Metrics(), HasSubstr("sello_calls_total{method=\"" + method +
                                              "\",code=\"RESOURCE_EXHAUSTED\"} 1\n"))
          << method;
    }
    // Nothing was written.
    EXPECT_EQ(daemon.RunCliAs(admin, "org", "show", "huge").exit_code, 3);
  }
}

}  // namespace
}  // namespace sello::e2e

namespace sello::e2e {
namespace {

// The per-request bounds are the operator's: a list is cut into pages of at most
// --max-page-size (the CLI follows them all), and a verification of more codes than
// --max-codes-per-verification is refused naming the flag.
TEST(RequestLimitsTest, PageAndBatchBoundsAreTheOperators) {
  DaemonHarness daemon;
  daemon.set_daemon_args({"--max-page-size", "2", "--max-codes-per-verification", "3"});
  ASSERT_TRUE(daemon.Start());
  const std::string admin = daemon.admin_token();
  for (int i = 0; i < 5; ++i) {
    const std::string id = "firm-" + std::to_string(i);
    ASSERT_EQ(daemon.RunCliAs(admin, "org", "create", "--kind", "firm", "--id", id, "--name", id)
                  .exit_code,
              0);
  }
  const ProcessResult listed = daemon.RunCli("org", "list");
  ASSERT_EQ(listed.exit_code, 0) << listed;
  for (int i = 0; i < 5; ++i) EXPECT_THAT(listed.out, HasSubstr("firm-" + std::to_string(i)));

  const ProcessResult three = daemon.RunCli("seal", "verify", "A", "B", "C");
  EXPECT_EQ(three.exit_code, 3) << three;  // answered: each code malformed
  const ProcessResult four = daemon.RunCli("seal", "verify", "A", "B", "C", "D");
  EXPECT_EQ(four.exit_code, 5) << four;
  EXPECT_THAT(four.err, HasSubstr("codes: at most 3 per call, got 4"));
  EXPECT_THAT(four.err, HasSubstr("--max-codes-per-verification"));
}

}  // namespace
}  // namespace sello::e2e

// End-to-end: sellod with a small --max-disk-mb, filled by an administrator's standards.
// Once the store's data reaches the limit, every write gets RESOURCE_EXHAUSTED naming
// the data dir (exit code 6), the health service reports "sello.write" NOT_SERVING while
// the service as a whole stays SERVING, reads and `sello audit verify` go on, a restart
// while full is safe, and a restart with a higher limit writes again.
//
// Writes resuming *without* a restart once room comes back are tested in-process
// (tests/unit/storage/full_disk_test.cc, ExpectResumes): here the daemon's disk cannot be
// filled and freed from outside (a small tmpfs needs root), and a reached --max-disk-mb
// is a setting that only a restart changes.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

constexpr int kExitUnavailable = 6;  // UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED
constexpr char kWriteService[] = "sello.write";

// What the health service says of `service` ("" for the whole server).
HealthCheckResponse::ServingStatus Health(const DaemonHarness& daemon, const std::string& service) {
  auto channel = grpc::CreateChannel(daemon.address(), grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  const grpc::Status status = health->Check(&context, request, &response);
  EXPECT_TRUE(status.ok()) << service << ": " << status.error_message();
  return status.ok() ? response.status() : HealthCheckResponse::UNKNOWN;
}

// Waits (bounded) until `service` reports `wanted`: sellod looks at the store every half
// second.
bool AwaitHealth(const DaemonHarness& daemon, const std::string& service,
                 HealthCheckResponse::ServingStatus wanted) {
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (Health(daemon, service) != wanted) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return true;
}

// A draft standard of about 780 KB that does not compress: one stage of 200 BOOLEAN
// criteria with 3,900-letter descriptions (the most a request may carry is 1 MiB).
std::string FillerStandard(const std::string& id) {
  uint64_t state = std::hash<std::string>()(id) | 1;
  std::vector<std::string> criteria;
  for (int i = 1; i <= 200; ++i) {
    std::string description(3900, ' ');
    for (char& c : description) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      c = static_cast<char>('a' + state % 26);
    }
    criteria.push_back(absl::StrCat("{\"id\": \"C", i, "\", \"name\": \"Criterion ", i,
                                    "\", \"kind\": \"BOOLEAN\", \"description\": \"", description,
                                    "\"}"));
  }
  return absl::StrCat("{\"standardId\": \"", id, "\", \"version\": 1, \"title\": \"Filler ", id,
                      "\", \"sealValidityDays\": 365, \"stages\": [{\"id\": \"all\", \"name\": "
                      "\"All\", \"criteria\": [",
                      absl::StrJoin(criteria, ", "), "]}]}");
}

TEST(FullDiskDaemonTest, AFullStoreRefusesWritesKeepsReadingAndSaysSoInHealth) {
  DaemonHarness daemon;
  daemon.set_daemon_args({"--max-disk-mb", "1"});
  ASSERT_TRUE(daemon.Start());
  const std::string admin = daemon.admin_token();
  EXPECT_EQ(Health(daemon, kWriteService), HealthCheckResponse::SERVING);

  // Standards until the store is full: the second one takes it past 1 MiB.
  std::vector<std::string> pushed;
  ProcessResult refused;
  for (const std::string id : {"FILLA", "FILLB", "FILLC", "FILLD"}) {
    const std::string file = daemon.WriteFile(id + ".json", FillerStandard(id));
    ProcessResult result = daemon.RunCliAs(admin, "standard", "push", file);
    if (result.exit_code != 0) {
      refused = result;
      break;
    }
    pushed.push_back(id);
  }
  ASSERT_GE(pushed.size(), 1u);
  ASSERT_LT(pushed.size(), 4u) << "the limit was never reached";
  EXPECT_EQ(refused.exit_code, kExitUnavailable) << refused;
  EXPECT_THAT(refused.err, HasSubstr("RESOURCE_EXHAUSTED"));
  EXPECT_THAT(refused.err, HasSubstr("data dir " + daemon.data_dir() + "/db is full"));

  // Health: writes NOT_SERVING, the server SERVING; the log says why.
  EXPECT_TRUE(AwaitHealth(daemon, kWriteService, HealthCheckResponse::NOT_SERVING));
  EXPECT_EQ(Health(daemon, ""), HealthCheckResponse::SERVING);
  EXPECT_TRUE(daemon.WaitForLog("\"event\":\"store_read_only\"", 1, absl::Seconds(5)))
      << daemon.log();

  // Every write is refused the same way, never accepted.
  const ProcessResult firm =
      daemon.RunCliAs(admin, "org", "create", "--kind", "firm", "--name", "Late", "--id", "late");
  EXPECT_EQ(firm.exit_code, kExitUnavailable) << firm;
  EXPECT_THAT(firm.err, HasSubstr("is full"));
  EXPECT_EQ(daemon.RunCliAs(admin, "org", "show", "late").exit_code, 3)
      << "a refused write left a trace";

  // Reads and proofs go on.
  const std::string key = daemon.data_dir() + "/log.pub";
  auto expect_reads = [&] {
    for (const std::string& id : pushed) {
      const ProcessResult shown = daemon.RunCliAs(admin, "standard", "show", id + "@1");
      EXPECT_EQ(shown.exit_code, 0) << shown;
    }
    const ProcessResult orgs = daemon.RunCli("org", "list");
    EXPECT_EQ(orgs.exit_code, 0) << orgs;
    const ProcessResult audited = daemon.RunCli("audit", "--log-key-file", key, "verify", "--state",
                                                daemon.root_dir() + "/audit.json");
    EXPECT_EQ(audited.exit_code, 0) << audited;
  };
  expect_reads();

  // A restart while full is safe: same data, still read-only, reads go on.
  ASSERT_TRUE(daemon.Restart());
  EXPECT_EQ(Health(daemon, kWriteService), HealthCheckResponse::NOT_SERVING);
  expect_reads();
  EXPECT_EQ(
      daemon.RunCliAs(admin, "org", "create", "--kind", "firm", "--name", "Late", "--id", "late")
          .exit_code,
      kExitUnavailable);

  // Room again (a higher limit): writes go on where they stopped.
  ASSERT_EQ(daemon.Stop(SIGTERM), 0);
  daemon.set_daemon_args({"--max-disk-mb", "64"});
  ASSERT_TRUE(daemon.Start());
  EXPECT_EQ(Health(daemon, kWriteService), HealthCheckResponse::SERVING);
  const ProcessResult created =
      daemon.RunCliAs(admin, "org", "create", "--kind", "firm", "--name", "Late", "--id", "late");
  EXPECT_EQ(created.exit_code, 0) << created;
  expect_reads();
}

}  // namespace
}  // namespace sello::e2e

// End-to-end: sellod with a small --max-disk-mb, filled by an administrator's standards
// and a certifier's seals. A write that would take the store past the limit is refused
// whole, before it is written, naming the flag, and smaller ones go on: the limit holds.
// Once the store's data is at or over the limit (here: the limit lowered under it), every
// write gets RESOURCE_EXHAUSTED naming the data dir (exit code 6), the health service
// reports "sello.write" NOT_SERVING while the service as a whole stays SERVING (`sello
// health --service` says so), reads and `sello audit verify` go on, a restart while full
// is safe, and a restart with a higher limit writes again.
//
// Writes resuming *without* a restart once room comes back are tested in-process
// (tests/unit/storage/full_disk_test.cc, ExpectResumes): here the daemon's disk cannot be
// filled and freed from outside (a small tmpfs needs root), and a reached --max-disk-mb
// is a setting that only a restart changes.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/e2e/certification_fixture.h"
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
  // Under a 2 MiB limit, standards until one would not fit: it is refused whole before it
  // is written (the store is not full, smaller writes go on).
  DaemonHarness daemon;
  daemon.set_daemon_args({"--max-disk-mb", "2"});
  ASSERT_TRUE(daemon.Start());
  const std::string admin = daemon.admin_token();
  EXPECT_EQ(Health(daemon, kWriteService), HealthCheckResponse::SERVING);
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
  ASSERT_GE(pushed.size(), 2u) << refused;
  ASSERT_LT(pushed.size(), 4u) << "the limit was never reached";
  EXPECT_EQ(refused.exit_code, kExitUnavailable) << refused;
  EXPECT_THAT(refused.err, HasSubstr("RESOURCE_EXHAUSTED"));
  EXPECT_THAT(refused.err,
              HasSubstr("data dir " + daemon.data_dir() + "/db: this write needs about "));
  EXPECT_THAT(refused.err, HasSubstr("(--max-disk-mb)"));
  EXPECT_EQ(Health(daemon, kWriteService), HealthCheckResponse::SERVING);
  ASSERT_EQ(
      daemon.RunCliAs(admin, "org", "create", "--kind", "firm", "--name", "Small", "--id", "small")
          .exit_code,
      0);

  // The limit lowered below what the store holds (1 MiB): the store is full, every write is
  // refused the same way.
  ASSERT_EQ(daemon.Stop(SIGTERM), 0);
  daemon.set_daemon_args({"--max-disk-mb", "1"});
  ASSERT_TRUE(daemon.Start());

  // Health: writes NOT_SERVING, the server SERVING; the log says why.
  EXPECT_TRUE(AwaitHealth(daemon, kWriteService, HealthCheckResponse::NOT_SERVING));
  EXPECT_EQ(Health(daemon, ""), HealthCheckResponse::SERVING);
  // `sello health` asks about either; an unknown service is not found.
  const ProcessResult writes = daemon.RunCli("health", "--service", kWriteService);
  EXPECT_EQ(writes.exit_code, kExitUnavailable) << writes;
  EXPECT_THAT(writes.err, HasSubstr("sello.write at " + daemon.address() +
                                    " is up but not serving (NOT_SERVING)"));
  const ProcessResult whole = daemon.RunCli("health");
  EXPECT_EQ(whole.exit_code, 0) << whole;
  const ProcessResult unknown = daemon.RunCli("health", "--service", "sello.nothing");
  EXPECT_EQ(unknown.exit_code, 3) << unknown;
  EXPECT_THAT(unknown.err, HasSubstr("no health service \"sello.nothing\""));
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
  const ProcessResult serving = daemon.RunCli("health", "--service", kWriteService);
  EXPECT_EQ(serving.exit_code, 0) << serving;
  EXPECT_EQ(serving.out, "SERVING sello.write " + daemon.address() + "\n");
  const ProcessResult created =
      daemon.RunCliAs(admin, "org", "create", "--kind", "firm", "--name", "Late", "--id", "late");
  EXPECT_EQ(created.exit_code, 0) << created;
  expect_reads();
}

}  // namespace
}  // namespace sello::e2e

namespace sello::e2e {
namespace {

// The bytes of the store's tables and write-ahead log (what --max-disk-mb bounds).
uint64_t StoreBytes(const std::string& db) {
  uint64_t bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(db)) {
    const std::string name = entry.path().filename().string();
    if (absl::EndsWith(name, ".sst") || absl::EndsWith(name, ".log")) bytes += entry.file_size();
  }
  return bytes;
}

// A store with a 2 MiB cap and a certifier sealing a lot of 20,000 boxes, 10,000 a call
// (each call about 1.2 MB). The cap used to be checked only before each write, so that one
// write could take the store far past it.
class DiskCapTest : public CertificationTest {
 protected:
  void SetUp() override {
    daemon_.set_daemon_args({"--max-disk-mb", "2", "--metrics-listen", "127.0.0.1:0"});
    ASSERT_NO_FATAL_FAILURE(CertificationTest::SetUp());
  }
};

// Admission estimates the write's size and refuses it whole, before it is written: the
// store stays under the cap, says which flag, counts the refusal, and smaller writes go on
// (the store is not full: health keeps sello.write SERVING).
TEST_F(DiskCapTest, ATwoMegabyteCapHoldsUnderATenThousandSealWrite) {
  const std::string lot = CreateLot(firm_, "calbuco", 20'000);
  ASSERT_FALSE(lot.empty());
  ASSERT_TRUE(Succeeded(Submit(certifier_, InspectionFile().OfLot(lot))));
  const std::string db = daemon_.data_dir() + "/db";
  ASSERT_LT(StoreBytes(db), uint64_t{1} << 20) << "the setup alone nearly fills the store";
  ASSERT_EQ(Issued(certifier_, lot, 10'000).size(), 10'000u);
  ASSERT_LT(StoreBytes(db), uint64_t{2} << 20);

  const ProcessResult refused = IssueSeals(certifier_, lot, 10'000);
  EXPECT_EQ(refused.exit_code, kExitUnavailable) << refused;
  EXPECT_THAT(refused.err, HasSubstr("RESOURCE_EXHAUSTED"));
  EXPECT_THAT(refused.err, HasSubstr("more than the space limit (--max-disk-mb) leaves"));
  EXPECT_THAT(refused.err, HasSubstr("Nothing was written"));
  EXPECT_LE(StoreBytes(db), uint64_t{2} << 20);
  EXPECT_EQ(ShowLot(lot).seals_issued(), 10'000u);
  const std::string metrics = daemon_.Metrics();
  EXPECT_THAT(metrics, HasSubstr("\nsello_rocksdb_writes_refused_for_space_total 1\n"));
  EXPECT_THAT(metrics, HasSubstr("\nsello_rocksdb_data_limit_bytes 2097152\n"));
  EXPECT_EQ(Health(daemon_, kWriteService), HealthCheckResponse::SERVING);

  // What fits goes on.
  EXPECT_EQ(Issued(certifier_, lot, 1'000).size(), 1'000u);
  EXPECT_EQ(ShowLot(lot).seals_issued(), 11'000u);
  EXPECT_LE(StoreBytes(db), uint64_t{2} << 20);
}

}  // namespace
}  // namespace sello::e2e

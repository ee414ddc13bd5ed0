// End-to-end crash safety, in the spirit of RocksDB's db_crashtest.py: writers submit
// inspections concurrently while the daemon is killed with SIGKILL at random moments
// and restarted, again and again. An oracle outside the data dir (this process) keeps
// every acknowledged write and every write whose outcome it never heard. After the
// last restart: every acknowledged inspection is there and unchanged, nothing unknown
// appeared, the event sequence has no gap, and every checkpoint handed out is
// consistent with the tree after (sello audit verify, run after each restart).
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "sello/v1/inspection.grpc.pb.h"
#include "sello/v1/log.grpc.pb.h"
#include "tests/e2e/certification_fixture.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

constexpr int kWriters = 4;

// 40 kills in ctest; SELLO_CRASH_KILLS asks for more (tests/e2e/crash.sh).
int Kills() {
  const char* kills = std::getenv("SELLO_CRASH_KILLS");
  int n = 0;
  return kills != nullptr && absl::SimpleAtoi(kills, &n) && n > 0 ? n : 40;
}

// What the writers were told, and what they never heard back about.
struct Oracle {
  std::mutex mu;
  std::map<std::string, Inspection> acknowledged;  // by request id
  std::set<std::string> unknown;                   // request ids without an answer
};

class CrashTest : public CertificationTest {
 protected:
  // An inspection request for `site`, as the certifier writes it.
  Inspection Template(const std::string& site) {
    Inspection inspection;
    const auto parsed = google::protobuf::util::JsonStringToMessage(
        ToJson(InspectionFile().AtSite(site), absl::Now()), &inspection);
    EXPECT_TRUE(parsed.ok()) << parsed.ToString();
    return inspection;
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& token, absl::Duration timeout) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + token);
    context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    context->set_wait_for_ready(true);  // across a restart
    return context;
  }

  // `sello audit verify`: the newest checkpoint extends every one seen before.
  void Audit() {
    const ProcessResult audited =
        daemon_.RunCli("audit", "--log-key-file", daemon_.data_dir() + "/log.pub", "verify",
                       "--state", daemon_.root_dir() + "/audit-state.json");
    EXPECT_EQ(audited.exit_code, 0) << audited;
  }
};

TEST_F(CrashTest, AcknowledgedWritesSurviveRepeatedKills) {
  const std::string address = daemon_.address();
  // Reconnect quickly after each restart (the default backoff grows to two minutes).
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
  auto inspections = v1::InspectionService::NewStub(channel);
  const Inspection calbuco = Template("calbuco"), hornopiren = Template("hornopiren");
  Oracle oracle;
  std::atomic<bool> stop = false;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop; ++i) {
        v1::SubmitInspectionRequest request;
        *request.mutable_inspection() = i % 2 == 0 ? calbuco : hornopiren;
        const std::string id = absl::StrCat("crash-", w, "-", i);
        request.mutable_inspection()->set_request_id(id);
        Inspection response;
        const grpc::Status status = inspections->SubmitInspection(
            Context(certifier_, absl::Seconds(10)).get(), request, &response);
        std::lock_guard<std::mutex> lock(oracle.mu);
        if (status.ok()) {
          oracle.acknowledged[id] = response;
        } else {
          oracle.unknown.insert(id);
        }
      }
    });
  }

  std::mt19937 random(20261126);
  const int kills = Kills();
  for (int kill = 0; kill < kills; ++kill) {
    // Writes go on for a random while (50 to 300 ms), then the power goes.
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + random() % 250));
    ASSERT_EQ(daemon_.Stop(SIGKILL), 128 + SIGKILL);
    ASSERT_TRUE(daemon_.Start(address));
    Audit();
  }
  stop = true;
  for (auto& writer : writers) writer.join();
  // And a clean restart at the same address.
  ASSERT_EQ(daemon_.Stop(SIGTERM), 0);
  ASSERT_TRUE(daemon_.Start(address));
  Audit();

  // Every acknowledged inspection is there, unchanged.
  ASSERT_GT(oracle.acknowledged.size(), 100u);
  for (const auto& [id, acknowledged] : oracle.acknowledged) {
    v1::GetInspectionRequest request;
    request.set_inspection_id(acknowledged.id());
    Inspection stored;
    const grpc::Status status =
        inspections->GetInspection(Context(admin_, absl::Seconds(10)).get(), request, &stored);
    ASSERT_TRUE(status.ok()) << id << ": " << status.error_message();
    EXPECT_EQ(stored.SerializeAsString(), acknowledged.SerializeAsString()) << id;
  }
  // Nothing appeared that the writers did not send; an unanswered write is either wholly
  // there (found by its request id, once) or absent.
  v1::ListInspectionsRequest list;
  list.set_certifier_id("cert-austral");
  list.set_page_size(1000);
  std::map<std::string, int> seen;
  do {
    v1::ListInspectionsResponse page;
    const grpc::Status status =
        inspections->ListInspections(Context(admin_, absl::Seconds(10)).get(), list, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const Inspection& inspection : page.inspections()) ++seen[inspection.request_id()];
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  for (const auto& [id, count] : seen) {
    EXPECT_EQ(count, 1) << id;
    EXPECT_TRUE(oracle.acknowledged.count(id) || oracle.unknown.count(id)) << "unknown " << id;
  }
  for (const auto& [id, acknowledged] : oracle.acknowledged) EXPECT_TRUE(seen.count(id)) << id;

  // The event sequence has no gap.
  auto log = v1::LogService::NewStub(channel);
  v1::ListEventsRequest events;
  events.set_from_seq(1);
  events.set_page_size(1000);
  uint64_t expected = 1;
  do {
    v1::ListEventsResponse page;
    const grpc::Status status =
        log->ListEvents(Context(admin_, absl::Seconds(10)).get(), events, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const auto& event : page.events()) ASSERT_EQ(event.seq(), expected++);
    events.set_from_seq(page.next_seq());
  } while (events.from_seq() != 0);
  RecordProperty("acknowledged", static_cast<int>(oracle.acknowledged.size()));
  RecordProperty("unanswered", static_cast<int>(oracle.unknown.size()));
  std::cout << "crash test: " << kills << " kills, " << oracle.acknowledged.size()
            << " acknowledged writes all present, " << oracle.unknown.size() << " unanswered, "
            << expected - 1 << " events without a gap\n";
}

}  // namespace
}  // namespace sello::e2e

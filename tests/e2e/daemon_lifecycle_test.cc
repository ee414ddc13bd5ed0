// End-to-end: running sellod as an operator does. First start, restart, SIGTERM and
// SIGINT, a second daemon on the same data dir, an unusable data dir, the bootstrap
// ADMIN token, and the health and reflection services that generic tools rely on.
#include <gmock/gmock.h>
#include <google/protobuf/struct.pb.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "sello/v1/organisation.pb.h"
#include "sello/v1/standard.pb.h"
#include "sello/v1/token.pb.h"
#include "tests/e2e/daemon_harness.h"

namespace sello::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kV1[] = TESTDATA_DIR "/tst_v1.json";

int CountOccurrences(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

using DaemonLifecycleTest = SessionTest;

TEST_F(DaemonLifecycleTest, RestartKeepsOrganisationsSitesTokensAndStandards) {
  ASSERT_EQ(daemon_
                .RunCliAs(admin_, "org", "create", "--kind", "firm", "--name", "Salmones Sur",
                          "--id", "salmones-sur", "--member")
                .exit_code,
            0);
  ASSERT_EQ(daemon_
                .RunCliAs(admin_, "site", "create", "--firm", "salmones-sur", "--type", "plant",
                          "--name", "Planta Calbuco", "--region", "Los Lagos",
                          "--registration-code", "PL-1001", "--id", "calbuco")
                .exit_code,
            0);
  const std::string firm = IssueToken("salmones-sur", "firm");
  ASSERT_FALSE(firm.empty());
  const std::string revoked = IssueToken("salmones-sur", "firm");
  ASSERT_FALSE(revoked.empty());
  const std::string revoked_id =
      ParseJson<v1::WhoAmIResponse>(daemon_.RunCliAs(revoked, "-o", "json", "token", "whoami").out)
          .token()
          .id();
  ASSERT_EQ(daemon_.RunCliAs(admin_, "token", "revoke", revoked_id).exit_code, 0);
  ASSERT_EQ(daemon_.RunCliAs(admin_, "standard", "push", kV1).exit_code, 0);
  ASSERT_EQ(daemon_.RunCliAs(admin_, "standard", "publish", "TST@1").exit_code, 0);

  ASSERT_TRUE(daemon_.Restart());
  EXPECT_EQ(daemon_.admin_token(), admin_) << "a restart must not replace admin.token";
  EXPECT_EQ(CountOccurrences(daemon_.log(), "\"store_opened\""), 2) << daemon_.log();
  EXPECT_EQ(CountOccurrences(daemon_.log(), "\"bootstrap_admin_token_written\""), 1)
      << daemon_.log();

  ProcessResult org = daemon_.RunCli("-o", "json", "org", "show", "salmones-sur");
  ASSERT_EQ(org.exit_code, 0) << org;
  EXPECT_TRUE(ParseJson<v1::Organisation>(org.out).member());
  ProcessResult site = daemon_.RunCliAs(firm, "site", "show", "calbuco");
  EXPECT_EQ(site.exit_code, 0) << "the firm's token survives the restart\n" << site;
  EXPECT_THAT(site.out, HasSubstr("Planta Calbuco"));
  ProcessResult still_revoked = daemon_.RunCliAs(revoked, "site", "list");
  EXPECT_EQ(still_revoked.exit_code, 4) << still_revoked;
  ProcessResult standard = daemon_.RunCli("-o", "json", "standard", "show", "TST");
  ASSERT_EQ(standard.exit_code, 0) << standard;
  const v1::StandardVersion version = ParseJson<v1::StandardVersion>(standard.out);
  EXPECT_EQ(version.status(), v1::StandardVersion::PUBLISHED);
  EXPECT_EQ(version.stages(0).criteria_size(), 3);
  ProcessResult tokens = daemon_.RunCliAs(admin_, "-o", "json", "token", "list");
  ASSERT_EQ(tokens.exit_code, 0) << tokens;
  EXPECT_EQ(ParseJson<v1::ListTokensResponse>(tokens.out).tokens_size(), 3);

  // New writes go on after the restart.
  ProcessResult more = daemon_.RunCliAs(admin_, "org", "create", "--kind", "regulator", "--name",
                                        "Sernapesca", "--id", "sernapesca");
  EXPECT_EQ(more.exit_code, 0) << more;
}

TEST_F(DaemonLifecycleTest, SigtermStopsCleanlyAndTheStoreReopens) {
  ASSERT_EQ(daemon_
                .RunCliAs(admin_, "org", "create", "--kind", "firm", "--name", "Salmones Sur",
                          "--id", "salmones-sur")
                .exit_code,
            0);
  const std::string address = daemon_.address();
  EXPECT_EQ(daemon_.Stop(SIGTERM), 0) << daemon_.log();
  const std::string log = daemon_.log();
  EXPECT_THAT(log, HasSubstr("\"event\":\"shutting_down\""));
  EXPECT_THAT(log, HasSubstr("\"event\":\"stopped\""));
  EXPECT_LT(log.find("\"shutting_down\""), log.find("\"stopped\""));
  // Nothing is serving any more: the CLI reports the daemon unavailable.
  ProcessResult down = RunSello("--server", address, "org", "list");
  EXPECT_EQ(down.exit_code, 6) << down;
  EXPECT_THAT(down.err, HasSubstr("UNAVAILABLE"));

  ASSERT_TRUE(daemon_.Start());
  ProcessResult org = daemon_.RunCli("org", "show", "salmones-sur");
  EXPECT_EQ(org.exit_code, 0) << org;
  // SIGINT is as clean as SIGTERM.
  EXPECT_EQ(daemon_.Stop(SIGINT), 0) << daemon_.log();
  EXPECT_EQ(CountOccurrences(daemon_.log(), "\"event\":\"stopped\""), 2) << daemon_.log();
  ASSERT_TRUE(daemon_.Start());
  EXPECT_EQ(daemon_.RunCli("org", "show", "salmones-sur").exit_code, 0);
}

TEST_F(DaemonLifecycleTest, SecondDaemonOnTheSameDataDirRefuses) {
  ProcessResult second =
      RunProcess({SELLOD_PATH, "--data-dir=" + daemon_.data_dir(), "--listen=127.0.0.1:0"}, {},
                 absl::Seconds(20));
  EXPECT_EQ(second.exit_code, 1) << second;
  EXPECT_THAT(second.err, HasSubstr(daemon_.data_dir()));
  EXPECT_THAT(second.err, HasSubstr(absl::StrCat("is already in use by another sellod (pid ",
                                                 daemon_.pid(), ")")));
  EXPECT_THAT(second.err, HasSubstr("\"event\":\"data_dir_locked\""));
  // The first daemon is unharmed.
  ProcessResult health = daemon_.RunCli("health", "--wait", "5");
  EXPECT_EQ(health.exit_code, 0) << health;
  EXPECT_THAT(health.out, HasSubstr("SERVING"));
  EXPECT_EQ(daemon_.RunCliAs(admin_, "token", "whoami").exit_code, 0);
}

TEST(DaemonDataDir, RegularFileIsRefusedWithAClearMessage) {
  DaemonHarness scratch;  // only for its temporary directory
  const std::string file = scratch.WriteFile("not-a-dir", "I am a file\n");
  ProcessResult refused = RunProcess({SELLOD_PATH, "--data-dir=" + file, "--listen=127.0.0.1:0"},
                                     {}, absl::Seconds(20));
  EXPECT_EQ(refused.exit_code, 1) << refused;
  EXPECT_THAT(refused.err, HasSubstr("\"message\":\"data dir " + file));
  EXPECT_THAT(absl::AsciiStrToLower(refused.err), HasSubstr("not a directory"));
  EXPECT_THAT(refused.err, HasSubstr("\"event\":\"data_dir_unusable\""));
  // The file is left as it was.
  EXPECT_TRUE(std::filesystem::is_regular_file(file));
}

// Structured logs: every line sellod writes is one JSON object with a time, a level and
// an event, whether it comes from us, from gRPC or from a failure; calls are logged with
// their principal, method, code and duration.
TEST_F(DaemonLifecycleTest, EveryLogLineIsOneJsonObject) {
  ASSERT_EQ(daemon_.Stop(), 0);
  daemon_.set_daemon_args({"--call-log", "all"});
  ASSERT_TRUE(daemon_.Start());
  EXPECT_EQ(daemon_.RunCliAs(admin_, "token", "whoami").exit_code, 0);
  EXPECT_NE(daemon_.RunCliAs("not-a-token", "token", "whoami").exit_code, 0);
  EXPECT_NE(daemon_.RunCli("seal", "verify", "NOT-A-CODE").exit_code, -1);
  // A second daemon on the same address fails (no SO_REUSEPORT sharing); gRPC's own
  // complaint about the port comes out as one of our lines.
  const ProcessResult taken =
      RunProcess({SELLOD_PATH, "--data-dir=" + daemon_.root_dir() + "/second",
                  "--listen=" + daemon_.address()});
  EXPECT_EQ(taken.exit_code, 1) << taken;
  EXPECT_THAT(taken.err, HasSubstr("\"event\":\"grpc\"")) << taken;
  ASSERT_EQ(daemon_.Stop(), 0);
  // Starts that fail log their reasons the same way: a bad flag, a bad combination.
  const ProcessResult bad_flag = RunProcess(
      {SELLOD_PATH, "--data-dir=" + daemon_.data_dir(), "--listen=127.0.0.1:0", "--max-threads=0"});
  EXPECT_EQ(bad_flag.exit_code, 2) << bad_flag;
  EXPECT_THAT(bad_flag.err, HasSubstr("--max-threads"));
  const ProcessResult bad_tls = RunProcess({SELLOD_PATH, "--data-dir=" + daemon_.data_dir(),
                                            "--listen=127.0.0.1:0", "--tls-cert=/dev/null"});
  EXPECT_EQ(bad_tls.exit_code, 2) << bad_tls;

  int calls = 0;
  for (const std::string& text : {daemon_.log(), taken.err, bad_flag.err, bad_tls.err}) {
    for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
      google::protobuf::Struct object;
      const auto parsed = google::protobuf::util::JsonStringToMessage(std::string(line), &object);
      ASSERT_TRUE(parsed.ok()) << parsed.ToString() << ": " << line;
      for (const char* member : {"time", "level", "event"}) {
        EXPECT_TRUE(object.fields().contains(member)) << member << " missing: " << line;
      }
      if (object.fields().at("event").string_value() == "call") {
        ++calls;
        for (const char* member : {"method", "code", "duration_ms"}) {
          EXPECT_TRUE(object.fields().contains(member)) << member << " missing: " << line;
        }
      }
    }
  }
  EXPECT_GE(calls, 3);
}

TEST_F(DaemonLifecycleTest, AdminTokenIsPrivateAndStoredOnlyAsAHash) {
  const std::string path = daemon_.data_dir() + "/admin.token";
  struct stat info;
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), admin_ + "\n") << "one line: the secret";
  EXPECT_GE(admin_.size(), 43u) << "256 random bits take at least 43 base64 characters";
  EXPECT_THAT(daemon_.log(), HasSubstr("\"event\":\"bootstrap_admin_token_written\""));
  EXPECT_THAT(daemon_.log(), Not(HasSubstr(admin_)));

  ProcessResult whoami = daemon_.RunCliAs(admin_, "-o", "json", "token", "whoami");
  ASSERT_EQ(whoami.exit_code, 0) << whoami;
  EXPECT_EQ(ParseJson<v1::WhoAmIResponse>(whoami.out).token().role(), v1::ADMIN);
  // Issue and use a second secret so that the store holds more than one token.
  ProcessResult created = daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm", "--name",
                                           "Fjord Foods", "--id", "fjord-foods");
  ASSERT_EQ(created.exit_code, 0) << created;
  const std::string firm = IssueToken("fjord-foods", "firm");
  ASSERT_FALSE(firm.empty());
  ASSERT_EQ(daemon_.RunCliAs(firm, "token", "whoami").exit_code, 0);

  // Stop so that everything is flushed to the files, then look at every byte.
  ASSERT_EQ(daemon_.Stop(SIGTERM), 0);
  const std::string db = daemon_.data_dir() + "/db";
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(db)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    std::ifstream file(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << file.rdbuf();
    EXPECT_THAT(bytes.str(), Not(HasSubstr(admin_))) << entry.path();
    EXPECT_THAT(bytes.str(), Not(HasSubstr(firm))) << entry.path();
  }
  EXPECT_GT(files, 0) << "no files under " << db;
}

// Sends one ServerReflectionRequest{list_services: "*"} over a generic stub (Debian
// ships no reflection stubs) and returns the raw response bytes, which hold the
// service names as plain strings.
std::string ListServicesByReflection(const std::string& address) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue queue;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  auto call = stub.PrepareCall(
      &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &queue);
  // Field 7 (list_services), wire type 2, length 1, "*".
  const std::string request("\x3a\x01*", 3);
  grpc::Slice slice(request);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  grpc::Status status;
  bool all_ok = true;
  auto step = [&](auto start) {
    void* tag = nullptr;
    bool ok = false;
    start();
    all_ok = queue.Next(&tag, &ok) && ok && all_ok;
  };
  step([&] { call->StartCall(reinterpret_cast<void*>(1)); });
  step([&] { call->Write(request_buffer, reinterpret_cast<void*>(2)); });
  step([&] { call->Read(&response_buffer, reinterpret_cast<void*>(3)); });
  step([&] { call->WritesDone(reinterpret_cast<void*>(4)); });
  step([&] { call->Finish(&status, reinterpret_cast<void*>(5)); });
  queue.Shutdown();
  EXPECT_TRUE(all_ok);
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  if (!response_buffer.Dump(&slices).ok()) return "";
  std::string response;
  for (const grpc::Slice& s : slices) {
    response.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return response;
}

TEST_F(DaemonLifecycleTest, HealthAndReflectionServeGenericTools) {
  ProcessResult health = daemon_.RunCli("health");
  EXPECT_EQ(health.exit_code, 0) << health;
  EXPECT_THAT(health.out, HasSubstr("SERVING"));

  const std::string services = ListServicesByReflection(daemon_.address());
  EXPECT_THAT(services, HasSubstr("sello.v1.OrganisationService"));
  EXPECT_THAT(services, HasSubstr("sello.v1.StandardService"));
  EXPECT_THAT(services, HasSubstr("sello.v1.TokenService"));
  EXPECT_THAT(services, HasSubstr("grpc.health.v1.Health"));
}

}  // namespace
}  // namespace sello::e2e

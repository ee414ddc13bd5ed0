// End-to-end: sellod's HTTP front (--http-listen) over real HTTP, with libcurl as the
// client: the Connect protocol's unary calls (POST JSON and proto, GET for public reads),
// every error path, CORS, the access log's client address, the rate limit, and clients
// that send too much, too long, broken bytes or one byte at a time.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sello/v1/organisation.pb.h"
#include "sello/v1/seal.pb.h"
#include "sello/v1/standard.pb.h"
#include "tests/e2e/certification_fixture.h"
#include "tests/e2e/daemon_harness.h"
#include "tests/e2e/http_client.h"

namespace sello::e2e {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kVerify[] = "/sello.v1.SealService/VerifySeal";
constexpr char kJson[] = "Content-Type: application/json";

// sellod's flags for an HTTP front on a free loopback port, the bound address written
// to ROOT/http-address, and every call in the access log.
std::vector<std::string> HttpFlags(const DaemonHarness& daemon,
                                   std::vector<std::string> extra = {}) {
  std::vector<std::string> flags = {"--http-listen=127.0.0.1:0",
                                    "--http-address-file=" + daemon.root_dir() + "/http-address",
                                    "--call-log=all"};
  flags.insert(flags.end(), extra.begin(), extra.end());
  return flags;
}

std::string HttpAddress(const DaemonHarness& daemon) {
  return Trimmed(ReadWholeFile(daemon.root_dir() + "/http-address"));
}

template <typename Message>
Message FromJson(const std::string& json) {
  Message message;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return message;
}

// The Connect error body's code and message.
std::string ErrorCode(const HttpReply& reply) {
  std::smatch match;
  const std::regex code(R"re("code":"([a-z_]+)")re");
  return std::regex_search(reply.body, match, code) ? match[1].str() : "(none)";
}

// A daemon with an HTTP front, and the ADMIN token.
class HttpTest : public ::testing::Test {
 protected:
  void StartDaemon(std::vector<std::string> extra = {}) {
    daemon_.set_daemon_args(HttpFlags(daemon_, std::move(extra)));
    ASSERT_TRUE(daemon_.Start());
    admin_ = daemon_.admin_token();
    base_ = "http://" + HttpAddress(daemon_);
  }
  HttpReply Post(const std::string& path, const std::string& body,
                 std::vector<std::string> headers = {kJson}) {
    return Fetch("POST", base_ + path, headers, body);
  }

  DaemonHarness daemon_;
  std::string admin_;
  std::string base_;
};

// The certification fixture with an HTTP front: a lot graded PREMIUM and sealed.
class HttpSealTest : public CertificationTest {
 protected:
  HttpSealTest() { daemon_.set_daemon_args(HttpFlags(daemon_)); }
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CertificationTest::SetUp());
    base_ = "http://" + HttpAddress(daemon_);
    const std::string lot = CreateLot(firm_, "calbuco", 5);
    ASSERT_EQ(Submitted(certifier_, InspectionFile().OfLot(lot)).grade(), v1::PREMIUM);
    codes_ = Issued(certifier_, lot, 2);
    ASSERT_EQ(codes_.size(), 2u);
  }
  std::string base_;
  std::vector<std::string> codes_;
};

TEST_F(HttpSealTest, VerifySealOverPostAndGetAnswersAsGrpcDoes) {
  const ProcessResult cli = Verify({codes_[0], codes_[1]});
  ASSERT_EQ(cli.exit_code, 0) << cli;
  const auto expected = ParseJson<v1::VerifySealResponse>(cli.out);
  const std::string request =
      absl::StrCat(R"({"codes":[")", codes_[0], R"(",")", codes_[1], R"("]})");

  // POST, proto3 JSON.
  const HttpReply posted = Fetch("POST", base_ + kVerify, {kJson}, request);
  ASSERT_EQ(posted.status, 200) << posted;
  EXPECT_EQ(posted.Header("content-type"), "application/json");
  EXPECT_EQ(posted.Header("cache-control"), "no-store");
  const auto answer = FromJson<v1::VerifySealResponse>(posted.body);
  ASSERT_EQ(answer.verdicts_size(), 2);
  EXPECT_EQ(answer.verdicts(0).seal().code(), expected.verdicts(0).seal().code());
  EXPECT_EQ(answer.verdicts(0).seal().status(), v1::Seal::VALID);
  EXPECT_EQ(answer.verdicts(1).seal().grade(), v1::PREMIUM);
  EXPECT_THAT(posted.body, HasSubstr(R"("status":"VALID")"));  // enums by name

  // POST, binary protobuf.
  v1::VerifySealRequest binary;
  binary.add_codes(codes_[0]);
  const HttpReply proto = Fetch("POST", base_ + kVerify, {"Content-Type: application/proto"},
                                binary.SerializeAsString());
  ASSERT_EQ(proto.status, 200) << proto;
  EXPECT_EQ(proto.Header("content-type"), "application/proto");
  v1::VerifySealResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(proto.body));
  EXPECT_EQ(parsed.verdicts(0).seal().code(), expected.verdicts(0).seal().code());

  // GET, a link anyone can share: JSON in the query, cacheable.
  const HttpReply got =
      Fetch("GET", absl::StrCat(base_, kVerify, "?encoding=json&message=", PercentEncode(request)));
  ASSERT_EQ(got.status, 200) << got;
  EXPECT_EQ(got.Header("cache-control"), "public, max-age=10");
  EXPECT_THAT(got.Header("vary"), HasSubstr("Authorization"));
  EXPECT_EQ(FromJson<v1::VerifySealResponse>(got.body).verdicts_size(), 2);

  // GET with base64 (URL-safe, unpadded) binary protobuf.
  std::string encoded;
  absl::WebSafeBase64Escape(binary.SerializeAsString(), &encoded);
  const HttpReply base64 = Fetch(
      "GET", absl::StrCat(base_, kVerify, "?connect=v1&encoding=proto&base64=1&message=", encoded));
  ASSERT_EQ(base64.status, 200) << base64;
  ASSERT_TRUE(parsed.ParseFromString(base64.body));
  EXPECT_EQ(parsed.verdicts(0).seal().code(), expected.verdicts(0).seal().code());

  // A gzipped answer when asked (and worth it: a shipment's worth of codes).
  std::string shipment = R"({"codes":[)";
  for (int i = 0; i < 20; ++i)
    absl::StrAppend(&shipment, i > 0 ? "," : "", "\"", codes_[i % 2], "\"");
  shipment += "]}";
  const HttpReply gzipped =
      Fetch("POST", base_ + kVerify, {kJson, "Accept-Encoding: gzip"}, shipment);
  ASSERT_EQ(gzipped.status, 200) << gzipped;
  EXPECT_EQ(gzipped.Header("content-encoding"), "gzip");
  EXPECT_EQ(gzipped.body.substr(0, 2), std::string("\x1f\x8b"));

  // Every answer carries the security headers.
  for (const HttpReply* reply : {&posted, &got}) {
    EXPECT_EQ(reply->Header("x-content-type-options"), "nosniff");
    EXPECT_THAT(reply->Header("content-security-policy"), HasSubstr("default-src 'none'"));
    EXPECT_EQ(reply->Header("referrer-policy"), "no-referrer");
  }

  // A mistyped code is the seal's answer (MALFORMED), not a failed call.
  const HttpReply mistyped =
      Fetch("POST", base_ + kVerify, {kJson},
            absl::StrCat(R"({"codes":[")", Mistyped(codes_[0], 6), R"("]})"));
  ASSERT_EQ(mistyped.status, 200) << mistyped;
  EXPECT_THAT(mistyped.body, Not(HasSubstr(codes_[0])));
}

TEST_F(HttpTest, EveryErrorPathAnswersAsTheConnectProtocolSays) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  // Unknown method, unknown service, another package: 404.
  for (const std::string path : {"/sello.v1.SealService/Nope", "/sello.v1.NoService/VerifySeal",
                                 "/grpc.health.v1.Health/Check", "/elsewhere"}) {
    const HttpReply reply = Post(path, "{}");
    EXPECT_EQ(reply.status, 404) << path << "\n" << reply;
    EXPECT_EQ(reply.Header("content-type"), "application/json") << path;
  }
  // Wrong content type: 415, saying what is accepted.
  const HttpReply text = Post(kVerify, R"({"codes":["X"]})", {"Content-Type: text/plain"});
  EXPECT_EQ(text.status, 415) << text;
  EXPECT_EQ(text.Header("accept-post"), "application/json, application/proto");
  EXPECT_EQ(Post(kVerify, "{}", {}).status, 415);
  // Malformed JSON, a wrong type, an unknown field: invalid_argument naming the problem.
  const HttpReply broken = Post(kVerify, R"({"codes": ["A",)");
  EXPECT_EQ(broken.status, 400) << broken;
  EXPECT_EQ(ErrorCode(broken), "invalid_argument");
  const HttpReply wrong_type = Post(kVerify, R"({"codes": 5})");
  EXPECT_EQ(wrong_type.status, 400) << wrong_type;
  EXPECT_THAT(wrong_type.body, HasSubstr("codes"));
  const HttpReply unknown = Post(kVerify, R"({"cods": ["A"]})");
  EXPECT_EQ(unknown.status, 400) << unknown;
  EXPECT_THAT(unknown.body, HasSubstr("cods"));
  // The service's own validation comes through unchanged.
  const HttpReply empty = Post(kVerify, "{}");
  EXPECT_EQ(empty.status, 400) << empty;
  EXPECT_EQ(ErrorCode(empty), "invalid_argument");
  EXPECT_THAT(empty.body, HasSubstr("codes"));
  // JSON that is not UTF-8.
  const HttpReply latin1 = Post(kVerify, "{\"codes\": [\"\xe9t\xe9\"]}");
  EXPECT_EQ(latin1.status, 400) << latin1;
  EXPECT_THAT(latin1.body, HasSubstr("not UTF-8"));
  // A call that needs a token, without one: 401; with a bad one: 401; a wrong role: 403.
  const std::string create = "/sello.v1.OrganisationService/CreateOrganisation";
  const std::string org = R"({"organisation":{"name":"X","kind":"FIRM","country":"CL"}})";
  const HttpReply anonymous = Post(create, org);
  EXPECT_EQ(anonymous.status, 401) << anonymous;
  EXPECT_EQ(ErrorCode(anonymous), "unauthenticated");
  const HttpReply forged = Post(create, org, {kJson, "Authorization: Bearer not-a-token"});
  EXPECT_EQ(forged.status, 401) << forged;
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm", "--name",
                                         "Salmones Sur", "--id", "salmones-sur")));
  const std::string firm = Trimmed(
      daemon_.RunCliAs(admin_, "token", "create", "--org", "salmones-sur", "--role", "firm").out);
  const HttpReply denied = Post(create, org, {kJson, "Authorization: Bearer " + firm});
  EXPECT_EQ(denied.status, 403) << denied;
  EXPECT_EQ(ErrorCode(denied), "permission_denied");
  // GET of a call with side effects: 405 saying POST; a streaming call: 501.
  const HttpReply get_write = Fetch("GET", base_ + create + "?encoding=json&message={}");
  EXPECT_EQ(get_write.status, 405) << get_write;
  EXPECT_EQ(get_write.Header("allow"), "POST, OPTIONS");
  EXPECT_EQ(Fetch("PUT", base_ + kVerify, {kJson}, "{}").status, 405);
  const HttpReply watch = Post("/sello.v1.LogService/WatchEvents", "{}");
  EXPECT_EQ(watch.status, 501) << watch;
  EXPECT_EQ(ErrorCode(watch), "unimplemented");
  // GET without an encoding, with an unknown one, or bad base64.
  EXPECT_EQ(Fetch("GET", base_ + kVerify + "?message=%7B%7D").status, 400);
  EXPECT_EQ(Fetch("GET", base_ + kVerify + "?encoding=xml&message=x").status, 415);
  EXPECT_EQ(Fetch("GET", base_ + kVerify + "?encoding=proto&base64=1&message=%21%21").status, 400);
  // Unsupported compression: unimplemented, listing what is; a gzip bomb: 413.
  const HttpReply brotli = Post(kVerify, "{}", {kJson, "Content-Encoding: br"});
  EXPECT_EQ(brotli.status, 501) << brotli;
  EXPECT_THAT(brotli.body, HasSubstr("gzip"));
  // A bad timeout header; a wrong protocol version.
  EXPECT_EQ(Post(kVerify, R"({"codes":["X"]})", {kJson, "Connect-Timeout-Ms: soon"}).status, 400);
  EXPECT_EQ(Post(kVerify, R"({"codes":["X"]})", {kJson, "Connect-Protocol-Version: 2"}).status,
            400);
  // Nothing of this changed the registry: one event (the bootstrap) plus the firm and token.
  const HttpReply checkpoint =
      Fetch("GET", base_ + "/sello.v1.LogService/GetCheckpoint?encoding=json");
  EXPECT_EQ(checkpoint.status, 200) << checkpoint;
}

TEST_F(HttpTest, HostileRequestsGetAClearRefusalAndEveryoneElseIsServed) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon({"--max-message-kb=64", "--http-request-timeout=1"}));
  const std::string address = HttpAddress(daemon_);
  // A 10 KB path: 414. Broken percent-encoding, a decoded NUL, non-UTF-8 bytes: 400.
  EXPECT_EQ(Fetch("GET", base_ + "/" + std::string(10'000, 'a')).status, 414);
  EXPECT_EQ(Fetch("GET", base_ + kVerify + "?encoding=json&message=%7").status, 400);
  EXPECT_EQ(Fetch("GET", base_ + "/seal/%zz").status, 400);
  EXPECT_EQ(Fetch("GET", base_ + "/seal/a%00b").status, 400);
  const HttpReply latin1 = Fetch("GET", base_ + "/seal/%E9t%E9");
  EXPECT_EQ(latin1.status, 400) << latin1;
  EXPECT_THAT(latin1.body, HasSubstr("UTF-8"));
  // A body over --max-message-kb: 413 before it is read.
  const HttpReply huge = Post(kVerify, std::string(100 << 10, ' '));
  EXPECT_EQ(huge.status, 413) << huge;
  EXPECT_EQ(ErrorCode(huge), "resource_exhausted");
  // A gzip body that inflates past the limit (1 MiB of zeros, about 1 KiB on the wire).
  const HttpReply bomb =
      Post(kVerify, Gzip(std::string(1 << 20, '0')), {kJson, "Content-Encoding: gzip"});
  EXPECT_EQ(bomb.status, 413) << bomb;
  // A gzip body that is fine.
  const HttpReply small = Post(kVerify, Gzip(R"({"codes":["CSCS-0000-0000-0000-0"]})"),
                               {kJson, "Content-Encoding: gzip"});
  EXPECT_EQ(small.status, 200) << small;
  // Headers far over --max-metadata-kb: 431, or the connection closed.
  const HttpReply headers = Fetch("GET", base_ + "/sello.v1.LogService/GetCheckpoint?encoding=json",
                                  {"X-Filler: " + std::string(20'000, 'x')});
  EXPECT_TRUE(headers.status == 431 || headers.status == 0) << headers;
  // A request line no HTTP/1.1 parser should accept.
  // A request line no HTTP/1.1 parser should accept: 400 or the connection closed at
  // once (RawExchange returns at the close, or after 10 s).
  const absl::Time sent = absl::Now();
  const std::string garbled = RawExchange(address, "GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(garbled.empty() || absl::StartsWith(garbled, "HTTP/1.1 400")) << garbled;
  EXPECT_LT(absl::Now() - sent, absl::Seconds(5));

  // A client that sends one byte at a time: closed after --http-request-timeout (1 s),
  // while another client is served meanwhile.
  const size_t colon = address.rfind(':');
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  inet_pton(AF_INET, address.substr(0, colon).c_str(), &peer.sin_addr);
  const int slow = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(::connect(slow, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)), 0);
  const std::string trickle = "GET /sello.v1.LogService/GetCheckpoint?encoding=json HTTP/1.1\r\n";
  const absl::Time began = absl::Now();
  bool closed = false;
  for (size_t i = 0; i < trickle.size() && !closed && absl::Now() - began < absl::Seconds(15);
       ++i) {
    if (::send(slow, &trickle[i], 1, MSG_NOSIGNAL) != 1) {
      closed = true;
      break;
    }
    // Waits a quarter second for the server to close the connection (readable: EOF).
    pollfd entry = {.fd = slow, .events = POLLIN, .revents = 0};
    if (::poll(&entry, 1, 250) > 0) {
      char byte;
      closed = ::recv(slow, &byte, 1, 0) <= 0;
    }
    if (i == 2) {
      const HttpReply meanwhile =
          Fetch("GET", base_ + "/sello.v1.LogService/GetCheckpoint?encoding=json");
      EXPECT_EQ(meanwhile.status, 200) << meanwhile;
    }
  }
  ::close(slow);
  EXPECT_TRUE(closed) << "a client trickling bytes kept its connection";
  EXPECT_LT(absl::Now() - began, absl::Seconds(10));
  EXPECT_EQ(Fetch("GET", base_ + "/sello.v1.LogService/GetCheckpoint?encoding=json").status, 200);
}

TEST_F(HttpTest, CorsAnswersAnyOriginForPublicCallsAndOnlyTheConfiguredOnesWithAToken) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon({"--http-cors-origins=https://app.example.org"}));
  const std::string list = "/sello.v1.TokenService/ListTokens";
  // A public call from any page.
  const HttpReply preflight =
      Fetch("OPTIONS", base_ + kVerify,
            {"Origin: https://shop.example.com", "Access-Control-Request-Method: POST",
             "Access-Control-Request-Headers: content-type"});
  EXPECT_EQ(preflight.status, 204) << preflight;
  EXPECT_EQ(preflight.Header("access-control-allow-origin"), "*");
  EXPECT_THAT(preflight.Header("access-control-allow-methods"), HasSubstr("GET"));
  const HttpReply call =
      Post(kVerify, R"({"codes":["X"]})", {kJson, "Origin: https://shop.example.com"});
  EXPECT_EQ(call.Header("access-control-allow-origin"), "*") << call;
  EXPECT_EQ(call.Header("access-control-allow-credentials"), "");
  // With a token: the configured origin only.
  const HttpReply allowed =
      Fetch("OPTIONS", base_ + list,
            {"Origin: https://app.example.org", "Access-Control-Request-Method: POST",
             "Access-Control-Request-Headers: authorization, content-type"});
  EXPECT_EQ(allowed.status, 204) << allowed;
  EXPECT_EQ(allowed.Header("access-control-allow-origin"), "https://app.example.org");
  EXPECT_THAT(allowed.Header("access-control-allow-headers"), HasSubstr("Authorization"));
  EXPECT_THAT(allowed.Header("vary"), HasSubstr("Origin"));
  const HttpReply other =
      Fetch("OPTIONS", base_ + list,
            {"Origin: https://evil.example.net", "Access-Control-Request-Method: POST",
             "Access-Control-Request-Headers: authorization"});
  EXPECT_EQ(other.status, 403) << other;
  EXPECT_EQ(other.Header("access-control-allow-origin"), "");
  // The call itself from the other origin is refused before it reaches the registry.
  const HttpReply refused = Post(
      list, "{}", {kJson, "Origin: https://evil.example.net", "Authorization: Bearer " + admin_});
  EXPECT_EQ(refused.status, 403) << refused;
  EXPECT_THAT(refused.body, HasSubstr("--http-cors-origins"));
  EXPECT_FALSE(daemon_.WaitForLog("TokenService/ListTokens", 1, absl::ZeroDuration()));
  const HttpReply served = Post(
      list, "{}", {kJson, "Origin: https://app.example.org", "Authorization: Bearer " + admin_});
  EXPECT_EQ(served.status, 200) << served;
  EXPECT_EQ(served.Header("access-control-allow-origin"), "https://app.example.org");
  // A public call made with a token counts as a token call.
  const HttpReply public_with_token =
      Fetch("OPTIONS", base_ + kVerify,
            {"Origin: https://shop.example.com", "Access-Control-Request-Method: POST",
             "Access-Control-Request-Headers: authorization"});
  EXPECT_EQ(public_with_token.status, 403) << public_with_token;
}

TEST_F(HttpTest, WritesGoThroughTheServicesAndTheLogNamesTheHttpClient) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const HttpReply created = Post(
      "/sello.v1.OrganisationService/CreateOrganisation",
      R"({"organisationId":"fjord-foods","organisation":{"name":"Fjord Foods","kind":"FIRM","country":"NO"}})",
      {kJson, "Authorization: Bearer " + admin_});
  ASSERT_EQ(created.status, 200) << created;
  EXPECT_EQ(FromJson<v1::Organisation>(created.body).id(), "fjord-foods");
  // The same record through gRPC; the access log names the HTTP client, not "inproc".
  const ProcessResult shown = daemon_.RunCli("-o", "json", "org", "show", "fjord-foods");
  EXPECT_EQ(shown.exit_code, 0) << shown;
  ASSERT_TRUE(daemon_.WaitForLog("CreateOrganisation", 1, absl::Seconds(5)));
  const std::string log = daemon_.log();
  EXPECT_THAT(
      log, HasSubstr(R"("method":"/sello.v1.OrganisationService/CreateOrganisation","code":"OK")"));
  EXPECT_THAT(log, HasSubstr(R"("peer":"http:ipv4:127.0.0.1:)"));
  EXPECT_THAT(log, Not(HasSubstr(R"("peer":"inproc")")));
  // A gRPC client that sends the HTTP front's address metadata is not believed.
  auto channel = grpc::CreateChannel(daemon_.address(), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.AddMetadata("sello-http-client-address", "ipv4:198.51.100.66:1");
  v1::VerifySealRequest request;
  request.add_codes("CSCS-0000-0000-0000-0");
  grpc::Slice slice(request.SerializeAsString());
  grpc::ByteBuffer sent(&slice, 1);
  grpc::ByteBuffer received;
  grpc::CompletionQueue queue;
  auto call = stub.PrepareUnaryCall(&context, kVerify, sent, &queue);
  call->StartCall();
  grpc::Status status;
  call->Finish(&received, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  ASSERT_TRUE(queue.Next(&tag, &ok));
  EXPECT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(daemon_.WaitForLog("SealService/VerifySeal", 1, absl::Seconds(5)));
  EXPECT_THAT(daemon_.log(), Not(HasSubstr("198.51.100.66")));
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  // A keep-alive HTTP client stays connected after its answer; the daemon still stops
  // cleanly (exit 0, and under the sanitizers nothing leaked).
  const std::string address = HttpAddress(daemon_);
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1))));
  inet_pton(AF_INET, "127.0.0.1", &peer.sin_addr);
  const int kept = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(::connect(kept, reinterpret_cast<sockaddr*>(&peer), sizeof(peer)), 0);
  const std::string get =
      "GET /sello.v1.LogService/GetCheckpoint?encoding=json HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::send(kept, get.data(), get.size(), MSG_NOSIGNAL), static_cast<ssize_t>(get.size()));
  pollfd entry = {.fd = kept, .events = POLLIN, .revents = 0};
  ASSERT_EQ(::poll(&entry, 1, 10'000), 1);
  char answer[64] = {};
  ASSERT_GT(::recv(kept, answer, sizeof(answer) - 1, 0), 0);
  EXPECT_THAT(answer, HasSubstr("HTTP/1.1 200"));
  EXPECT_EQ(daemon_.Stop(SIGTERM), 0) << daemon_.log();
  ::close(kept);
}

TEST_F(HttpTest, TheRateLimitRefusesAFloodButNotATokenHolder) {
  // One request per 10 s after a burst of 3: nothing refills during the test.
  ASSERT_NO_FATAL_FAILURE(StartDaemon(
      {"--http-rate-limit=0.1", "--http-rate-burst=3", "--metrics-listen=127.0.0.1:0"}));
  ASSERT_TRUE(Succeeded(daemon_.RunCliAs(admin_, "org", "create", "--kind", "firm", "--name",
                                         "Salmones Sur", "--id", "salmones-sur")));
  const std::string firm = Trimmed(
      daemon_.RunCliAs(admin_, "token", "create", "--org", "salmones-sur", "--role", "firm").out);
  const std::string whoami = "/sello.v1.TokenService/WhoAmI";
  const auto as = [](const std::string& token) {
    return std::vector<std::string>{kJson, "Authorization: Bearer " + token};
  };
  // The admin's token works once: from then on it is never counted.
  ASSERT_EQ(Post(whoami, "{}", as(admin_)).status, 200);

  // An anonymous flood from this address: the burst, then 429 with Retry-After.
  const std::string checkpoint = base_ + "/sello.v1.LogService/GetCheckpoint?encoding=json";
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Fetch("GET", checkpoint).status, 200) << i;
  const HttpReply refused = Fetch("GET", checkpoint);
  EXPECT_EQ(refused.status, 429) << refused;
  EXPECT_EQ(ErrorCode(refused), "resource_exhausted");
  EXPECT_THAT(refused.Header("retry-after"), ::testing::MatchesRegex("[1-9][0-9]*"));

  // A token holder's first call from the flooded address is served (a bucket of its own).
  EXPECT_EQ(Post(whoami, "{}", as(firm)).status, 200);
  // Made-up tokens share that bucket and soon get 429 too.
  int made_up_refused = 0;
  for (int i = 0; i < 4; ++i) {
    const long status = Post(whoami, "{}", as("made-up")).status;
    EXPECT_TRUE(status == 401 || status == 429) << status;
    made_up_refused += status == 429 ? 1 : 0;
  }
  EXPECT_GE(made_up_refused, 2);
  // The token holders are served all along.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(Post(whoami, "{}", as(admin_)).status, 200) << i;
    EXPECT_EQ(Post(whoami, "{}", as(firm)).status, 200) << i;
  }
  EXPECT_EQ(Fetch("GET", checkpoint).status, 429);
  // Counted in the metrics.
  ASSERT_TRUE(daemon_.WaitForLog("metrics_listening", 1, absl::Seconds(5)));
  std::smatch match;
  const std::string log = daemon_.log();
  ASSERT_TRUE(std::regex_search(
      log, match, std::regex(R"re("event":"metrics_listening","address":"([^"]+)")re")));
  const HttpReply metrics = Fetch("GET", "http://" + match[1].str() + "/metrics");
  EXPECT_THAT(metrics.body, HasSubstr("sello_http_rate_limited_total "));
  EXPECT_THAT(metrics.body, Not(HasSubstr("sello_http_rate_limited_total 0\n")));
  EXPECT_THAT(metrics.body, HasSubstr(R"(sello_http_responses_total{status="429"})"));
}

TEST_F(HttpTest, TheTransportRulesAreGrpcs) {
  // Plaintext HTTP off loopback is refused at start, as for gRPC.
  const ProcessResult refused = RunProcess({SELLOD_PATH, "--data-dir=" + daemon_.root_dir() + "/x",
                                            "--listen=127.0.0.1:0", "--http-listen=0.0.0.0:0"});
  EXPECT_EQ(refused.exit_code, 2) << refused;
  EXPECT_THAT(refused.err, HasSubstr("refusing plaintext HTTP on 0.0.0.0:0"));

  // With --tls-cert and --tls-key the HTTP front speaks TLS too (and sends HSTS).
  const auto openssl = [](std::vector<std::string> args) {
    args.insert(args.begin(), "/usr/bin/openssl");
    const ProcessResult result = RunProcess(args);
    EXPECT_EQ(result.exit_code, 0) << result;
  };
  const std::string dir = daemon_.root_dir();
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
           "-keyout", dir + "/ca.key", "-out", dir + "/ca.pem", "-days", "2", "-subj", "/CN=ca"});
  openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
           dir + "/server.key", "-out", dir + "/server.csr", "-subj", "/CN=server"});
  daemon_.WriteFile("server.ext", "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl({"x509", "-req", "-in", dir + "/server.csr", "-CA", dir + "/ca.pem", "-CAkey",
           dir + "/ca.key", "-CAcreateserial", "-out", dir + "/server.pem", "-days", "2",
           "-extfile", dir + "/server.ext"});
  ASSERT_FALSE(HasFailure());
  daemon_.set_client_tls({dir + "/ca.pem", "", "", ""});
  ASSERT_NO_FATAL_FAILURE(
      StartDaemon({"--tls-cert", dir + "/server.pem", "--tls-key", dir + "/server.key"}));
  const std::string https = "https://" + HttpAddress(daemon_);
  const HttpReply secure = Fetch("GET", https + "/sello.v1.LogService/GetCheckpoint?encoding=json",
                                 {}, "", dir + "/ca.pem");
  EXPECT_EQ(secure.status, 200) << secure;
  EXPECT_EQ(secure.Header("strict-transport-security"), "max-age=31536000");
  // Plaintext to the TLS port gets no answer.
  EXPECT_NE(Fetch("GET", base_ + "/sello.v1.LogService/GetCheckpoint?encoding=json").status, 200);
}

}  // namespace
}  // namespace sello::e2e

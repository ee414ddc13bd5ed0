// The Connect API's decisions that need no service: which method a path names, which
// verbs and content types it takes, CORS, and which RPCs GET serves.
#include "daemon/http/connect_api.h"

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "daemon/domain/access_policy.h"
#include "sello/v1/log.grpc.pb.h"
#include "sello/v1/seal.pb.h"

namespace sello::http {
namespace {

using ::testing::HasSubstr;

ConnectApi::Options ApiOptions() {
  ConnectApi::Options options;
  for (const auto& rule : domain::AccessTable()) {
    if (rule.is_public) options.public_methods.insert(std::string(rule.method));
  }
  options.cors_origins = {"https://app.example.org"};
  options.max_message_bytes = 4096;
  return options;
}

HttpRequest Request(std::string method, std::string target,
                    std::vector<std::pair<std::string, std::string>> headers = {},
                    std::string body = "") {
  HttpRequest request;
  request.method = std::move(method);
  request.target = *ParseRequestTarget(target);
  for (auto& [name, value] : headers) request.headers[name] = value;
  request.body = std::move(body);
  request.client_address = "ipv4:192.0.2.1:1000";
  return request;
}

// The answer Prepare gives at once (a failed test when it would call the service).
HttpResponse Refusal(const ConnectApi& api, const HttpRequest& request) {
  auto prepared = api.Prepare(request);
  if (auto* response = std::get_if<HttpResponse>(&prepared)) return *response;
  ADD_FAILURE() << request.method << " " << request.target.path << " would be called";
  return HttpResponse();
}

TEST(ConnectApiTest, PublicReadsAndOnlyThemAreServedByGet) {
  // Every public unary read carries `idempotency_level = NO_SIDE_EFFECTS` in its proto,
  // and no other method does: GET (cacheable, linkable) is for what anyone may read.
  for (const auto& rule : domain::AccessTable()) {
    absl::string_view name = rule.method;
    name.remove_prefix(1);
    const size_t slash = name.find('/');
    const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
        std::string(name.substr(0, slash)));
    ASSERT_NE(service, nullptr) << rule.method;
    const auto* method = service->FindMethodByName(std::string(name.substr(slash + 1)));
    ASSERT_NE(method, nullptr) << rule.method;
    const bool marked =
        method->options().idempotency_level() == google::protobuf::MethodOptions::NO_SIDE_EFFECTS;
    const bool public_read = rule.is_public && !method->server_streaming();
    EXPECT_EQ(marked, public_read) << rule.method;
  }
}

TEST(ConnectApiTest, RoutesByTheProtosAndRefusesWhatItCannotServe) {
  const ConnectApi api(ApiOptions(), nullptr, nullptr);
  const std::pair<std::string, std::string> json = {"content-type", "application/json"};
  // A request that would go to the service.
  auto prepared = api.Prepare(
      Request("POST", "/sello.v1.SealService/VerifySeal", {json}, R"({"codes":["A"]})"));
  ASSERT_TRUE(std::holds_alternative<ConnectApi::Call>(prepared));
  const auto& call = std::get<ConnectApi::Call>(prepared);
  EXPECT_EQ(call.call.method, "/sello.v1.SealService/VerifySeal");
  EXPECT_EQ(call.call.client_address, "ipv4:192.0.2.1:1000");
  EXPECT_FALSE(call.cacheable);  // a POST

  struct Case {
    HttpRequest request;
    int status;
    const char* says;
  };
  const std::vector<Case> cases = {
      {Request("POST", "/sello.v1.SealService/Nope", {json}, "{}"), 404, "no such method"},
      {Request("POST", "/sello.v1.SealService", {json}, "{}"), 404, "no such method"},
      {Request("POST", "/sello.internal.X/Y", {json}, "{}"), 404, "no such method"},
      {Request("POST", "/sello.v1.SealService/VerifySeal", {{"content-type", "text/plain"}}, "{}"),
       415, "application/json"},
      {Request("DELETE", "/sello.v1.SealService/VerifySeal", {json}, "{}"), 405, "POST"},
      {Request("GET", "/sello.v1.SealService/IssueSeals?encoding=json"), 405, "POST only"},
      {Request("POST", "/sello.v1.LogService/WatchEvents", {json}, "{}"), 501, "streaming"},
      {Request("POST", "/sello.v1.SealService/VerifySeal", {json}, R"({"codes": true})"), 400,
       "codes"},
      {Request("POST", "/sello.v1.SealService/VerifySeal", {json}, std::string(5000, ' ')), 413,
       "--max-message-kb"},
      {Request("POST", "/sello.v1.SealService/VerifySeal", {json, {"authorization", "Bearer \x01"}},
               "{}"),
       401, "Bearer"},
      {Request("POST", "/sello.v1.TokenService/ListTokens",
               {json, {"origin", "https://evil.example"}, {"authorization", "Bearer x"}}, "{}"),
       403, "--http-cors-origins"},
      {Request("GET", "/sello.v1.SealService/VerifySeal?message={}"), 400, "encoding"},
  };
  for (const Case& c : cases) {
    const HttpResponse response = Refusal(api, c.request);
    EXPECT_EQ(response.status, c.status) << c.request.method << " " << c.request.target.path << "\n"
                                         << response.body;
    EXPECT_THAT(response.body, HasSubstr(c.says)) << c.request.target.path;
    ASSERT_NE(response.Header("Content-Type"), nullptr);
    EXPECT_EQ(*response.Header("Content-Type"), "application/json");
  }
}

TEST(ConnectApiTest, GetOfAPublicReadIsCacheableUnlessMadeWithAToken) {
  const ConnectApi api(ApiOptions(), nullptr, nullptr);
  const std::string target =
      "/sello.v1.LogService/GetCheckpoint?connect=v1&encoding=json&message=%7B%7D";
  auto anonymous = api.Prepare(Request("GET", target));
  ASSERT_TRUE(std::holds_alternative<ConnectApi::Call>(anonymous));
  EXPECT_TRUE(std::get<ConnectApi::Call>(anonymous).cacheable);
  auto with_token = api.Prepare(Request("GET", target, {{"authorization", "Bearer abc"}}));
  ASSERT_TRUE(std::holds_alternative<ConnectApi::Call>(with_token));
  EXPECT_FALSE(std::get<ConnectApi::Call>(with_token).cacheable);
  EXPECT_EQ(std::get<ConnectApi::Call>(with_token).call.authorization, "Bearer abc");
  // The answer: public caching for the anonymous one, CORS for any origin.
  auto from_page = api.Prepare(Request("GET", target, {{"origin", "https://shop.example"}}));
  const auto& call = std::get<ConnectApi::Call>(from_page);
  const HttpResponse answer = api.Answer(call, grpc::Status::OK, "");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(*answer.Header("Cache-Control"), "public, max-age=10");
  EXPECT_EQ(*answer.Header("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(answer.body, "{}");
  const HttpResponse failed =
      api.Answer(call, grpc::Status(grpc::StatusCode::NOT_FOUND, "no seal <b>"), "");
  EXPECT_EQ(failed.status, 404);
  EXPECT_EQ(*failed.Header("Cache-Control"), "no-store");
  EXPECT_EQ(failed.body, R"({"code":"not_found","message":"no seal \u003cb\u003e"})");
}

TEST(ConnectApiTest, PreflightsAnswerByOriginAndToken) {
  const ConnectApi api(ApiOptions(), nullptr, nullptr);
  const auto preflight = [&](const char* path, const char* origin, const char* headers) {
    return Refusal(api, Request("OPTIONS", path,
                                {{"origin", origin},
                                 {"access-control-request-method", "POST"},
                                 {"access-control-request-headers", headers}}));
  };
  HttpResponse open =
      preflight("/sello.v1.SealService/VerifySeal", "https://a.example", "content-type");
  EXPECT_EQ(open.status, 204);
  EXPECT_EQ(*open.Header("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(*open.Header("Access-Control-Allow-Methods"), "GET, POST");
  HttpResponse configured = preflight("/sello.v1.TokenService/ListTokens",
                                      "https://app.example.org", "authorization,content-type");
  EXPECT_EQ(configured.status, 204);
  EXPECT_EQ(*configured.Header("Access-Control-Allow-Origin"), "https://app.example.org");
  EXPECT_EQ(*configured.Header("Access-Control-Allow-Methods"), "POST");
  EXPECT_EQ(
      preflight("/sello.v1.TokenService/ListTokens", "https://a.example", "authorization").status,
      403);
  // A token-needing method is refused to unknown origins even without the header (the
  // call itself would need one).
  EXPECT_EQ(
      preflight("/sello.v1.TokenService/ListTokens", "https://a.example", "content-type").status,
      403);
  EXPECT_EQ(
      preflight("/sello.v1.SealService/VerifySeal", "https://a.example", "authorization").status,
      403);
}

}  // namespace
}  // namespace sello::http

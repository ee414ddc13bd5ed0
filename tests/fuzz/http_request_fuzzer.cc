// Fuzz target: sellod's HTTP front as far as it goes without a service — the request
// target's parsing (percent-encoding, UTF-8, the query), the router, and the Connect API's
// reading of a request (method lookup in the descriptors, verbs, content types, CORS,
// gzip, base64, and the JSON or binary decoding of every request type of the API), and the
// public pages' GS1 Digital Link path and language choice. The
// input is "METHOD TARGET\n", header lines "name: value\n", a blank line, then the body.
// Properties: nothing crashes; every refusal is a Connect JSON error whose status the
// protocol allows; a request accepted for the service carries a binary message that
// parses as the method's request type.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "daemon/domain/access_policy.h"
#include "daemon/domain/digital_link.h"
#include "daemon/http/connect_api.h"
#include "daemon/http/page_text.h"
#include "daemon/http/request_target.h"
#include "daemon/http/router.h"
#include "tests/fuzz/fuzz_check.h"

namespace sello::fuzz {
namespace {

// What the server itself bounds before the handlers see a request.
constexpr size_t kMaxTarget = 8 << 10;

struct World {
  World() {
    http::ConnectApi::Options options;
    for (const auto& rule : domain::AccessTable()) {
      if (rule.is_public) options.public_methods.insert(std::string(rule.method));
    }
    options.cors_origins = {"https://app.example.org"};
    options.max_message_bytes = 64 << 10;
    api = std::make_unique<http::ConnectApi>(std::move(options), nullptr, nullptr);
    router.HandlePrefix("/sello.v1.", api.get());
  }
  std::unique_ptr<http::ConnectApi> api;
  http::Router router;
};

void CheckRefusal(const http::HttpResponse& response) {
  SELLO_FUZZ_CHECK(response.status == 204 || (response.status >= 400 && response.status < 600),
                   std::to_string(response.status));
  if (response.status == 204) return;
  const std::string* type = response.Header("Content-Type");
  SELLO_FUZZ_CHECK(type != nullptr && *type == "application/json", response.body);
  SELLO_FUZZ_CHECK(absl::StartsWith(response.body, "{\"code\":\""), response.body);
  SELLO_FUZZ_CHECK(http::IsUtf8(response.body), response.body);
  SELLO_FUZZ_CHECK(response.body.find('<') == std::string::npos, response.body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World();
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t line_end = input.find('\n');
  absl::string_view line = input.substr(0, line_end);
  input = line_end == absl::string_view::npos ? absl::string_view() : input.substr(line_end + 1);
  const size_t space = line.find(' ');
  if (space == absl::string_view::npos) return 0;
  http::HttpRequest request;
  request.method = std::string(line.substr(0, space));
  const absl::string_view raw_target = line.substr(space + 1);
  if (raw_target.size() > kMaxTarget) return 0;
  while (!input.empty()) {
    const size_t end = input.find('\n');
    const absl::string_view header = input.substr(0, end);
    input = end == absl::string_view::npos ? absl::string_view() : input.substr(end + 1);
    if (header.empty()) break;
    const size_t colon = header.find(':');
    if (colon == absl::string_view::npos) continue;
    request.headers[absl::AsciiStrToLower(header.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(header.substr(colon + 1)));
  }
  request.body = std::string(input);
  request.client_address = "ipv4:192.0.2.1:4000";

  absl::StatusOr<http::RequestTarget> target = http::ParseRequestTarget(raw_target);
  if (!target.ok()) {
    SELLO_FUZZ_CHECK(target.status().code() == absl::StatusCode::kInvalidArgument,
                     target.status().ToString());
    return 0;
  }
  SELLO_FUZZ_CHECK(http::IsUtf8(target->path), target->path);
  for (const auto& [name, value] : target->query) {
    SELLO_FUZZ_CHECK(http::IsUtf8(name) && http::IsUtf8(value), name);
  }
  // The public pages' readings of a request: the GS1 Digital Link path and the language.
  if (absl::StatusOr<domain::DigitalLink> link = domain::ParseDigitalLinkPath(target->raw_path);
      link.ok()) {
    SELLO_FUZZ_CHECK(link->gtin.size() == 14 && domain::CheckGtin(link->gtin).ok(), link->gtin);
    SELLO_FUZZ_CHECK(!link->serial.empty() && link->serial.size() <= 20, link->serial);
    SELLO_FUZZ_CHECK(link->lot.size() <= 20, link->lot);
  } else {
    SELLO_FUZZ_CHECK(link.status().code() == absl::StatusCode::kInvalidArgument,
                     link.status().ToString());
  }
  const std::string* accept_language = request.Header("accept-language");
  (void)http::ChooseLang("", accept_language == nullptr ? "" : *accept_language);
  request.target = *std::move(target);
  http::HttpHandler* handler = world->router.Find(request.target.path);
  if (handler == nullptr) return 0;
  auto prepared = world->api->Prepare(request);
  if (auto* response = std::get_if<http::HttpResponse>(&prepared)) {
    CheckRefusal(*response);
    return 0;
  }
  const auto& call = std::get<http::ConnectApi::Call>(prepared);
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(
          call.method->input_type());
  std::unique_ptr<google::protobuf::Message> message(prototype->New());
  SELLO_FUZZ_CHECK(message->ParseFromString(call.call.request), call.call.method);
  // The answer path: the request's own bytes read back as an answer of the output type
  // must never crash the JSON writer either.
  const http::HttpResponse answer = world->api->Answer(call, grpc::Status::OK, call.call.request);
  SELLO_FUZZ_CHECK(answer.status == 200 || answer.status == 500, std::to_string(answer.status));
  return 0;
}

}  // namespace sello::fuzz

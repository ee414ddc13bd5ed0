#include "daemon/http/connect_api.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sello::http {
namespace {

using google::protobuf::MethodDescriptor;

constexpr absl::string_view kAcceptPost = "application/json, application/proto";
// Headers a browser may send on a call (besides the CORS-safelisted ones).
constexpr absl::string_view kAllowHeaders =
    "Content-Type, Connect-Protocol-Version, Connect-Timeout-Ms";
constexpr absl::string_view kAllowHeadersWithToken =
    "Authorization, Content-Type, Connect-Protocol-Version, Connect-Timeout-Ms";
// Browsers may keep a preflight's answer this long (seconds; Chromium caps it at 7200).
constexpr absl::string_view kPreflightMaxAge = "7200";
// Answers smaller than this are not worth compressing.
constexpr size_t kMinGzipBytes = 1024;
// Longest Authorization header passed on (the services refuse secrets over 256 bytes).
constexpr size_t kMaxAuthorizationBytes = 1024;

absl::StatusCode CodeOf(const grpc::Status& status) {
  return static_cast<absl::StatusCode>(status.error_code());
}

bool ListHas(const std::string* list, absl::string_view item) {
  if (list == nullptr) return false;
  for (absl::string_view entry : absl::StrSplit(*list, ',')) {
    if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(entry), item)) return true;
  }
  return false;
}

void AddVary(HttpResponse& response, absl::string_view what) {
  const std::string* vary = response.Header("Vary");
  if (vary == nullptr) {
    response.SetHeader("Vary", what);
  } else if (!ListHas(vary, what)) {
    response.SetHeader("Vary", absl::StrCat(*vary, ", ", what));
  }
}

}  // namespace

HttpResponse ConnectError(absl::StatusCode code, absl::string_view message, int http_status) {
  HttpResponse response;
  response.status = http_status != 0 ? http_status : HttpStatusOf(code);
  response.body = ConnectErrorBody(code, message);
  response.SetHeader("Content-Type", "application/json");
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

ConnectApi::ConnectApi(Options options, InProcessCaller* caller, RateLimiter* limiter)
    : options_(std::move(options)), caller_(caller), limiter_(limiter) {}

std::optional<std::vector<std::pair<std::string, std::string>>> ConnectApi::CorsHeaders(
    const HttpRequest& request, bool public_method, bool with_token) const {
  std::vector<std::pair<std::string, std::string>> headers;
  const std::string* origin = request.Header("origin");
  if (origin == nullptr) return headers;  // not a cross-origin call from a browser
  if (public_method && !with_token) {
    headers.emplace_back("Access-Control-Allow-Origin", "*");
  } else if (std::find(options_.cors_origins.begin(), options_.cors_origins.end(), *origin) !=
             options_.cors_origins.end()) {
    headers.emplace_back("Access-Control-Allow-Origin", *origin);
    headers.emplace_back("Vary", "Origin");
  } else {
    return std::nullopt;
  }
  headers.emplace_back("Access-Control-Expose-Headers", "Retry-After");
  return headers;
}

HttpResponse ConnectApi::Preflight(const HttpRequest& request, const MethodDescriptor& method,
                                   bool public_method, bool get_allowed) const {
  const std::string allow = get_allowed ? "GET, POST, OPTIONS" : "POST, OPTIONS";
  HttpResponse response;
  response.status = 204;
  response.SetHeader("Allow", allow);
  const std::string* origin = request.Header("origin");
  const std::string* wanted = request.Header("access-control-request-method");
  if (origin == nullptr || wanted == nullptr) return response;  // a plain OPTIONS
  const std::string full_name = absl::StrCat(method.service()->full_name(), "/", method.name());
  if (*wanted != "POST" && !(get_allowed && *wanted == "GET")) {
    return ConnectError(absl::StatusCode::kPermissionDenied,
                        absl::StrCat(full_name, " is not called with ", *wanted, " (", allow, ")"));
  }
  const bool with_token =
      ListHas(request.Header("access-control-request-headers"), "authorization");
  std::optional<std::vector<std::pair<std::string, std::string>>> cors =
      CorsHeaders(request, public_method, with_token);
  if (!cors.has_value()) {
    return ConnectError(absl::StatusCode::kPermissionDenied,
                        absl::StrCat("origin ", *origin, " may not call ", full_name,
                                     public_method ? " with a token" : "",
                                     ": it is not one of the registry's --http-cors-origins"));
  }
  for (const auto& [name, value] : *cors) {
    if (name == "Vary") {
      AddVary(response, value);
    } else if (name != "Access-Control-Expose-Headers") {
      response.SetHeader(name, value);
    }
  }
  response.SetHeader("Access-Control-Allow-Methods", get_allowed ? "GET, POST" : "POST");
  response.SetHeader("Access-Control-Allow-Headers",
                     with_token ? kAllowHeadersWithToken : kAllowHeaders);
  response.SetHeader("Access-Control-Max-Age", kPreflightMaxAge);
  return response;
}

namespace {

// The method of the API's package that a Connect procedure ("sello.v1.SealService/VerifySeal")
// names, or null.
const MethodDescriptor* FindApiMethod(absl::string_view procedure) {
  const size_t slash = procedure.rfind('/');
  const google::protobuf::ServiceDescriptor* service =
      slash == absl::string_view::npos
          ? nullptr
          : google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
                std::string(procedure.substr(0, slash)));
  return service == nullptr || service->file()->package() != kApiPackage
             ? nullptr
             : service->FindMethodByName(std::string(procedure.substr(slash + 1)));
}

// `response` with the call's CORS headers.
HttpResponse WithCors(const ConnectApi::Call& call, HttpResponse response) {
  for (const auto& [name, value] : call.cors_headers) {
    if (name == "Vary") {
      AddVary(response, value);
    } else {
      response.SetHeader(name, value);
    }
  }
  return response;
}

// A request's message as sent, and how it is compressed ("" for not).
struct Payload {
  std::string message;
  std::string compression;
};

// A GET's message, from its query (Connect: encoding, message, base64, compression,
// connect); its codec into `codec`.
std::variant<Payload, HttpResponse> ReadGetPayload(const HttpRequest& request, Codec* codec) {
  Payload payload;
  const std::string* encoding = request.target.Query("encoding");
  if (encoding == nullptr) {
    return ConnectError(absl::StatusCode::kInvalidArgument,
                        "query parameter 'encoding' is required (json or proto)");
  }
  const std::optional<Codec> named = CodecNamed(*encoding);
  if (!named.has_value()) {
    return ConnectError(absl::StatusCode::kInvalidArgument,
                        absl::StrCat("encoding: '", *encoding, "' is not json or proto"), 415);
  }
  *codec = *named;
  if (const std::string* version = request.target.Query("connect");
      version != nullptr && *version != "v1") {
    return ConnectError(absl::StatusCode::kInvalidArgument,
                        "query parameter 'connect': only v1 is served");
  }
  if (const std::string* message = request.target.Query("message"); message != nullptr) {
    if (const std::string* base64 = request.target.Query("base64");
        base64 != nullptr && *base64 == "1") {
      std::string unpadded(absl::StripSuffix(absl::StripSuffix(*message, "="), "="));
      if (!absl::WebSafeBase64Unescape(unpadded, &payload.message)) {
        return ConnectError(absl::StatusCode::kInvalidArgument,
                            "message: not URL-safe base64 (RFC 4648 §5)");
      }
    } else {
      payload.message = *message;
    }
  }
  if (const std::string* given = request.target.Query("compression"); given != nullptr) {
    payload.compression = *given;
  }
  return payload;
}

// A POST's message, its body (Content-Type, Connect-Protocol-Version, Content-Encoding);
// its codec into `codec`.
std::variant<Payload, HttpResponse> ReadPostPayload(const HttpRequest& request, Codec* codec) {
  Payload payload;
  const std::string* content_type = request.Header("content-type");
  const std::optional<Codec> named =
      content_type == nullptr ? std::nullopt : UnaryCodecOf(*content_type);
  if (!named.has_value()) {
    HttpResponse refused = ConnectError(
        absl::StatusCode::kInvalidArgument,
        absl::StrCat("Content-Type ", content_type == nullptr ? "(none)" : *content_type,
                     ": send application/json (proto3 JSON) or application/proto"),
        415);
    refused.SetHeader("Accept-Post", kAcceptPost);
    return refused;
  }
  *codec = *named;
  if (const std::string* version = request.Header("connect-protocol-version");
      version != nullptr && *version != "1") {
    return ConnectError(absl::StatusCode::kInvalidArgument,
                        "Connect-Protocol-Version: only 1 is served");
  }
  if (const std::string* given = request.Header("content-encoding"); given != nullptr) {
    payload.compression = absl::AsciiStrToLower(*given);
  }
  payload.message = request.body;
  return payload;
}

// The refusal of a call that is not a POST or an allowed GET (nor a preflight), or of a
// streaming method (gRPC only); nullopt when `verb` may call the method.
std::optional<HttpResponse> RefuseVerb(absl::string_view procedure, const std::string& verb,
                                       bool streaming, bool get_allowed) {
  if (streaming) {
    return ConnectError(absl::StatusCode::kUnimplemented,
                        absl::StrCat(procedure,
                                     " is a streaming call, served over gRPC only (`sello watch`); "
                                     "over HTTP, page through ListEvents"));
  }
  const bool is_get = verb == "GET" || verb == "HEAD";
  if (verb == "POST" || (is_get && get_allowed)) return std::nullopt;
  HttpResponse refused = ConnectError(
      absl::StatusCode::kUnimplemented,
      is_get ? absl::StrCat(procedure,
                            " is called with POST only (it changes the registry or "
                            "needs a token)")
             : absl::StrCat(procedure, " is called with ", get_allowed ? "GET or " : "", "POST"),
      405);
  refused.SetHeader("Allow", get_allowed ? "GET, POST, OPTIONS" : "POST, OPTIONS");
  return refused;
}

}  // namespace

std::optional<HttpResponse> ConnectApi::CheckCaller(const HttpRequest& request,
                                                    absl::string_view procedure, bool public_method,
                                                    Call& call) const {
  const std::string* authorization = request.Header("authorization");
  const bool with_token = authorization != nullptr;
  if (with_token) {
    if (authorization->size() > kMaxAuthorizationBytes ||
        !std::all_of(authorization->begin(), authorization->end(),
                     [](char c) { return c >= 0x20 && c < 0x7F; })) {
      return ConnectError(absl::StatusCode::kUnauthenticated,
                          "Authorization header must be 'Bearer <token>'");
    }
    call.call.authorization = *authorization;
  }
  std::optional<std::vector<std::pair<std::string, std::string>>> cors =
      CorsHeaders(request, public_method, with_token);
  if (!cors.has_value()) {
    return ConnectError(absl::StatusCode::kPermissionDenied,
                        absl::StrCat("origin ", *request.Header("origin"), " may not call ",
                                     procedure, public_method ? " with a token" : "",
                                     ": it is not one of the registry's --http-cors-origins"));
  }
  call.cors_headers = *std::move(cors);
  return std::nullopt;
}

std::optional<HttpResponse> ConnectApi::DecodeMessage(std::string message,
                                                      absl::string_view compression,
                                                      Call& call) const {
  if (!IsSupportedCompression(compression)) {
    return ConnectError(
        absl::StatusCode::kUnimplemented,
        absl::StrCat("compression '", compression, "': supported are ", kSupportedCompressions));
  }
  if (compression == "gzip" && !message.empty()) {
    absl::StatusOr<std::string> plain = Gunzip(message, options_.max_message_bytes);
    if (!plain.ok()) {
      return ConnectError(plain.status().code(), plain.status().message(),
                          plain.status().code() == absl::StatusCode::kResourceExhausted ? 413 : 0);
    }
    message = *std::move(plain);
  }
  if (message.size() > options_.max_message_bytes) {
    return ConnectError(absl::StatusCode::kResourceExhausted,
                        absl::StrCat("request: larger than the registry's limit of ",
                                     options_.max_message_bytes, " bytes (--max-message-kb)"),
                        413);
  }
  absl::StatusOr<std::string> binary =
      codec_.ToBinary(*call.method->input_type(), call.codec, message);
  if (!binary.ok()) return ConnectError(binary.status().code(), binary.status().message());
  call.call.request = *std::move(binary);
  return std::nullopt;
}

std::variant<ConnectApi::Call, HttpResponse> ConnectApi::Prepare(const HttpRequest& request) const {
  // The path is "/" Procedure-Name: "/sello.v1.SealService/VerifySeal".
  absl::string_view procedure = request.target.path;
  absl::ConsumePrefix(&procedure, "/");
  const MethodDescriptor* method = FindApiMethod(procedure);
  if (method == nullptr) {
    return ConnectError(absl::StatusCode::kUnimplemented,
                        absl::StrCat("no such method: ", procedure,
                                     " (the API's methods are /sello.v1.SERVICE/METHOD, as in "
                                     "proto/sello/v1/)"),
                        404);
  }
  Call call;
  call.method = method;
  call.call.method = absl::StrCat("/", method->service()->full_name(), "/", method->name());
  const bool public_method = options_.public_methods.contains(call.call.method);
  const bool streaming = method->client_streaming() || method->server_streaming();
  const bool get_allowed = !streaming && method->options().idempotency_level() ==
                                             google::protobuf::MethodOptions::NO_SIDE_EFFECTS;
  const std::string& verb = request.method;
  if (verb == "OPTIONS") return Preflight(request, *method, public_method, get_allowed);
  const bool is_get = verb == "GET" || verb == "HEAD";
  if (std::optional<HttpResponse> refused = RefuseVerb(procedure, verb, streaming, get_allowed);
      refused.has_value()) {
    return *std::move(refused);
  }
  if (std::optional<HttpResponse> refused = CheckCaller(request, procedure, public_method, call);
      refused.has_value()) {
    return *std::move(refused);
  }
  std::variant<Payload, HttpResponse> payload =
      is_get ? ReadGetPayload(request, &call.codec) : ReadPostPayload(request, &call.codec);
  if (HttpResponse* refused = std::get_if<HttpResponse>(&payload); refused != nullptr) {
    return WithCors(call, std::move(*refused));
  }
  Payload& read = std::get<Payload>(payload);
  if (std::optional<HttpResponse> refused =
          DecodeMessage(std::move(read.message), read.compression, call);
      refused.has_value()) {
    return WithCors(call, *std::move(refused));
  }
  if (const std::string* timeout = request.Header("connect-timeout-ms"); timeout != nullptr) {
    absl::StatusOr<absl::Duration> duration = ParseConnectTimeout(*timeout);
    if (!duration.ok()) {
      return WithCors(call, ConnectError(duration.status().code(), duration.status().message()));
    }
    call.call.deadline = absl::Now() + *duration;
  }
  call.call.client_address = request.client_address;
  const std::string* accept_encoding = request.Header("accept-encoding");
  call.gzip = accept_encoding != nullptr && AcceptsGzip(*accept_encoding);
  call.cacheable = is_get && public_method && request.Header("authorization") == nullptr;
  return call;
}

HttpResponse ConnectApi::Answer(const Call& call, const grpc::Status& status,
                                const std::string& response) const {
  HttpResponse answer;
  if (status.ok()) {
    absl::StatusOr<std::string> body =
        codec_.FromBinary(*call.method->output_type(), call.codec, response);
    if (body.ok()) {
      answer.status = 200;
      answer.body = *std::move(body);
      answer.SetHeader("Content-Type", ContentTypeOf(call.codec));
      answer.SetHeader("Cache-Control",
                       call.cacheable ? absl::StrCat("public, max-age=",
                                                     absl::ToInt64Seconds(options_.cache_max_age))
                                      : "no-store");
      if (call.cacheable) AddVary(answer, "Authorization");
    } else {
      answer = ConnectError(body.status().code(), body.status().message());
    }
  } else {
    answer = ConnectError(CodeOf(status), status.error_message());
    // gRPC's own limits (writes in flight, message size): worth a retry after a moment.
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      answer.SetHeader("Retry-After", "1");
    }
  }
  for (const auto& [name, value] : call.cors_headers) {
    if (name == "Vary") {
      AddVary(answer, value);
    } else {
      answer.SetHeader(name, value);
    }
  }
  AddVary(answer, "Accept-Encoding");
  if (call.gzip && answer.body.size() >= kMinGzipBytes) {
    answer.body = Gzip(answer.body);
    answer.SetHeader("Content-Encoding", "gzip");
  }
  return answer;
}

void ConnectApi::Handle(const HttpRequest& request, Respond respond) {
  std::variant<Call, HttpResponse> prepared = Prepare(request);
  if (auto* response = std::get_if<HttpResponse>(&prepared)) {
    respond(*std::move(response));
    return;
  }
  auto call = std::make_shared<Call>(std::get<Call>(std::move(prepared)));
  // The request's bytes go to the service; the call keeps what the answer needs.
  InProcessCaller::Call to_send = std::move(call->call);
  call->call.authorization = to_send.authorization;
  caller_->Start(std::move(to_send), [this, call, respond = std::move(respond)](
                                         const grpc::Status& status, std::string response) {
    if (limiter_ != nullptr && !call->call.authorization.empty()) {
      if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
        limiter_->ForgetToken(call->call.authorization);
      } else {
        limiter_->RememberGoodToken(call->call.authorization);
      }
    }
    respond(Answer(*call, status, response));
  });
}

}  // namespace sello::http

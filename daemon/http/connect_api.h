// The HTTP JSON API: every unary RPC of the `sello.v1` services at
// POST /sello.v1.SERVICE/METHOD, following the Connect protocol's unary rules
// (connectrpc.com/docs/protocol), and by GET for the RPCs marked
// `option idempotency_level = NO_SIDE_EFFECTS` in the protos. Methods are found in the
// generated descriptor pool and served by calling the gRPC services in process
// (in_process_caller.h): this layer holds no business logic, and a new RPC is on the web
// without new code here.
//
// CORS: the public calls (by the access table) answer any origin when made without a
// token; a call with a token, or to a method that needs one, answers only the origins
// configured (--http-cors-origins). No cookies are read or set anywhere.
#ifndef SELLO_DAEMON_HTTP_CONNECT_API_H_
#define SELLO_DAEMON_HTTP_CONNECT_API_H_

#include <string>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "daemon/http/connect_protocol.h"
#include "daemon/http/http_exchange.h"
#include "daemon/http/in_process_caller.h"
#include "daemon/http/rate_limiter.h"

namespace google::protobuf {
class MethodDescriptor;
}

namespace sello::http {

// The package whose services the API serves.
inline constexpr absl::string_view kApiPackage = "sello.v1";

class ConnectApi : public HttpHandler {
 public:
  struct Options {
    // Full method names callable without a token ("/sello.v1.SealService/VerifySeal").
    absl::flat_hash_set<std::string> public_methods;
    // Origins ("https://app.example.org") allowed to make calls with a token.
    std::vector<std::string> cors_origins;
    // How long shared caches and browsers may keep a public GET's answer.
    absl::Duration cache_max_age = absl::Seconds(10);
    // The largest request (also once decompressed), as --max-message-kb.
    size_t max_message_bytes = 1 << 20;
  };
  // `caller` may be null for Prepare() alone (the fuzz target); `limiter` may be null.
  ConnectApi(Options options, InProcessCaller* caller, RateLimiter* limiter);

  void Handle(const HttpRequest& request, Respond respond) override;

  // A request read and checked, ready to be sent to the service.
  struct Call {
    const google::protobuf::MethodDescriptor* method = nullptr;
    InProcessCaller::Call call;
    Codec codec = Codec::kJson;  // of the answer
    bool gzip = false;           // the client accepts a gzipped answer
    bool cacheable = false;      // a public GET without a token
    std::vector<std::pair<std::string, std::string>> cors_headers;
  };
  // What `request` asks for: a call to make, or the answer to give at once (an unknown
  // method, a wrong content type, malformed JSON, a CORS preflight, ...).
  std::variant<Call, HttpResponse> Prepare(const HttpRequest& request) const;

  // The answer to a finished call.
  HttpResponse Answer(const Call& call, const grpc::Status& status,
                      const std::string& response) const;

 private:
  // The CORS headers for `request` to `method` (public or not); nullopt when the request
  // comes from an origin that may not make it.
  std::optional<std::vector<std::pair<std::string, std::string>>> CorsHeaders(
      const HttpRequest& request, bool public_method, bool with_token) const;
  // Prepare's steps. The caller's token (the Authorization header, passed on as it is)
  // and CORS headers into `call`; an answer when the header is malformed or the origin
  // may not make this call.
  std::optional<HttpResponse> CheckCaller(const HttpRequest& request, absl::string_view procedure,
                                          bool public_method, Call& call) const;
  // The request `message` (compressed by `compression`, "" for none) decompressed within
  // the size limit and decoded by `call.codec` into `call.call.request`; an answer when it
  // cannot be.
  std::optional<HttpResponse> DecodeMessage(std::string message, absl::string_view compression,
                                            Call& call) const;
  HttpResponse Preflight(const HttpRequest& request,
                         const google::protobuf::MethodDescriptor& method, bool public_method,
                         bool get_allowed) const;

  const Options options_;
  InProcessCaller* const caller_;
  RateLimiter* const limiter_;
  const MessageCodec codec_;
};

// A Connect error response: the JSON error body and the status the protocol assigns to
// `code`, or `http_status` when given (413, 414, 415, ...; the body still says the code).
HttpResponse ConnectError(absl::StatusCode code, absl::string_view message, int http_status = 0);

}  // namespace sello::http

#endif  // SELLO_DAEMON_HTTP_CONNECT_API_H_

// One HTTP request as sellod's HTTP front (http_server.h) hands it to a handler, and the
// response the handler gives back. Handlers never see libmicrohttpd: the Connect API
// (connect_api.h) and the public pages are written against these types only.
#ifndef SELLO_DAEMON_HTTP_HTTP_EXCHANGE_H_
#define SELLO_DAEMON_HTTP_HTTP_EXCHANGE_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "daemon/http/request_target.h"

namespace sello::http {

struct HttpRequest {
  std::string method;    // "GET", "POST", "OPTIONS", ...
  RequestTarget target;  // the path and query, percent-decoded and checked
  // Header names in lower case; a repeated header's values joined with ", ".
  absl::flat_hash_map<std::string, std::string> headers;
  std::string body;  // at most the server's body limit, already read whole
  // The client, as gRPC names peers ("ipv4:203.0.113.7:51234", "ipv6:[2001:db8::1]:443"):
  // the TCP peer, or the address a trusted reverse proxy forwarded.
  std::string client_address;
  bool tls = false;

  // The header's value, or nullptr when absent. `name` in lower case.
  const std::string* Header(absl::string_view name) const {
    const auto found = headers.find(name);
    return found == headers.end() ? nullptr : &found->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Adds or replaces a header (names compared without regard to case).
  void SetHeader(absl::string_view name, absl::string_view value);
  // The header's value, or nullptr.
  const std::string* Header(absl::string_view name) const;
};

// Gives the response; call it exactly once, from any thread, now or later.
using Respond = std::function<void(HttpResponse)>;

// Serves one route (see router.h). The server adds the headers every response carries
// (nosniff, Content-Security-Policy unless the handler set one, Referrer-Policy, ...).
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Answers `request`, which stays valid until `respond` has been called.
  virtual void Handle(const HttpRequest& request, Respond respond) = 0;
};

}  // namespace sello::http

#endif  // SELLO_DAEMON_HTTP_HTTP_EXCHANGE_H_

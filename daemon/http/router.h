// Which handler serves which path on sellod's HTTP front: exact paths ("/") and path
// prefixes ("/sello.v1.", "/seal/"), the longest prefix winning. Built once at start,
// then read-only (and so safe to share between the server's threads).
#ifndef SELLO_DAEMON_HTTP_ROUTER_H_
#define SELLO_DAEMON_HTTP_ROUTER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "daemon/http/http_exchange.h"

namespace sello::http {

class Router {
 public:
  // `handler` (not owned; it must outlive the server) serves exactly `path`.
  void Handle(std::string path, HttpHandler* handler);
  // `handler` serves every path that starts with `prefix`, unless an exact path or a
  // longer prefix matches.
  void HandlePrefix(std::string prefix, HttpHandler* handler);

  // The handler for the decoded `path`, or nullptr (HTTP 404).
  HttpHandler* Find(absl::string_view path) const;

 private:
  absl::flat_hash_map<std::string, HttpHandler*> exact_;
  std::vector<std::pair<std::string, HttpHandler*>> prefixes_;  // longest first
};

}  // namespace sello::http

#endif  // SELLO_DAEMON_HTTP_ROUTER_H_

// A small HTTP client for the end-to-end tests of sellod's HTTP front (libcurl), and a
// raw socket for what libcurl will not send (broken bytes, a trickle).
#ifndef SELLO_TESTS_E2E_HTTP_CLIENT_H_
#define SELLO_TESTS_E2E_HTTP_CLIENT_H_

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace sello::e2e {

struct HttpReply {
  long status = 0;                             // 0: no answer (connection refused or closed)
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string error;  // libcurl's, when status is 0

  // The header's value, or "" when absent.
  std::string Header(const std::string& name) const {
    const auto found = headers.find(name);
    return found == headers.end() ? "" : found->second;
  }
};
std::ostream& operator<<(std::ostream& os, const HttpReply& reply);

// Sends `method` to `url` with `headers` ("Name: value") and, for a non-empty `body`, that
// body. Never follows redirects; never compresses or decompresses on its own. An https
// URL is checked against the CA in `ca_file` (PEM).
HttpReply Fetch(const std::string& method, const std::string& url,
                const std::vector<std::string>& headers = {}, const std::string& body = "",
                const std::string& ca_file = "");

// Sends `bytes` on a new TCP connection to `address` (HOST:PORT), then reads until the
// server closes or `timeout` passes; returns what it read.
std::string RawExchange(const std::string& address, const std::string& bytes,
                        absl::Duration timeout = absl::Seconds(10));

// `data` gzip-compressed (RFC 1952).
std::string Gzip(const std::string& data);

// Percent-encodes every byte outside RFC 3986's unreserved set.
std::string PercentEncode(const std::string& text);

}  // namespace sello::e2e

#endif  // SELLO_TESTS_E2E_HTTP_CLIENT_H_

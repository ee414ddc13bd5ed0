// HTTP(S) requests through libcurl, for the plain-HTTP protocols around the registry
// (a witness's add-checkpoint and evidence). One request per call, no redirects, a
// deadline, a bound on the answer's size, and TLS verified against the system's CAs or
// a given CA file.
#ifndef SELLO_CLIENT_HTTP_CLIENT_H_
#define SELLO_CLIENT_HTTP_CLIENT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sello::client {

struct HttpClientOptions {
  // PEM file of the CA to trust for https:// (empty: the system's).
  std::string ca_file;
  absl::Duration timeout = absl::Seconds(30);
  // Answers larger than this fail with RESOURCE_EXHAUSTED.
  size_t max_response_bytes = 16 << 20;
};

struct HttpResponse {
  long status = 0;
  std::string content_type;
  std::string body;
};

// GET `url` (POST `body` with `content_type` when `method` is "POST"). Any HTTP status is
// a response; UNAVAILABLE when no answer came (connection refused, TLS failure, timeout
// (DEADLINE_EXCEEDED)), INVALID_ARGUMENT for a URL that is not http:// or https://.
absl::StatusOr<HttpResponse> HttpRequestOnce(const HttpClientOptions& options,
                                             absl::string_view method, const std::string& url,
                                             absl::string_view body = "",
                                             absl::string_view content_type = "text/plain");

}  // namespace sello::client

#endif  // SELLO_CLIENT_HTTP_CLIENT_H_

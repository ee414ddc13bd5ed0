// The request target of an HTTP request ("/seal/CSCS-7KQ2?lang=es"), parsed strictly:
// percent-encoding must be well formed (RFC 3986 §2.1), the decoded path and query must
// be UTF-8 without control characters, so that no handler ever sees bytes a browser
// could not have meant.
#ifndef SELLO_DAEMON_HTTP_REQUEST_TARGET_H_
#define SELLO_DAEMON_HTTP_REQUEST_TARGET_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sello::http {

struct RequestTarget {
  std::string path;  // percent-decoded; starts with '/'
  // The path as sent, before percent-decoding (checked as `path` is): for handlers whose
  // standard decodes segment by segment (GS1 Digital Link: an encoded '/' in a lot).
  std::string raw_path;
  // Query parameters in order, names and values percent-decoded, '+' read as a space
  // (application/x-www-form-urlencoded, as HTML forms and Connect clients send them).
  std::vector<std::pair<std::string, std::string>> query;

  // The first value of query parameter `name`, or nullptr.
  const std::string* Query(absl::string_view name) const;
};

// Parses an origin-form target ("/path?query"; no fragment). INVALID_ARGUMENT naming
// the problem: not starting with '/', a '%' not followed by two hex digits, a decoded
// NUL or other control character in the path, bytes that are not UTF-8, more than
// `max_query_parameters` parameters. (The length of the target is the server's to
// bound before it gets here.)
absl::StatusOr<RequestTarget> ParseRequestTarget(absl::string_view raw,
                                                 size_t max_query_parameters = 64);

// Whether `text` is well-formed UTF-8 (no overlong forms, no surrogates, at most
// U+10FFFF). On failure `*bad_offset` (if given) is the byte where it stops being so.
bool IsUtf8(absl::string_view text, size_t* bad_offset = nullptr);

}  // namespace sello::http

#endif  // SELLO_DAEMON_HTTP_REQUEST_TARGET_H_

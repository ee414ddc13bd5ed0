// The parts of the Connect protocol (connectrpc.com/docs/protocol, "Connect Protocol
// Reference") that need no server: codecs and content types, error codes and their HTTP
// statuses, the JSON error body, timeouts, compression, and the conversion between a
// request's wire form (proto3 JSON or binary) and protobuf's binary form, driven by the
// generated descriptors so that every message of the API is covered without code of its
// own.
#ifndef SELLO_DAEMON_HTTP_CONNECT_PROTOCOL_H_
#define SELLO_DAEMON_HTTP_CONNECT_PROTOCOL_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace google::protobuf {
class Descriptor;
namespace util {
class TypeResolver;
}
}  // namespace google::protobuf

namespace sello::http {

enum class Codec { kJson, kProto };

// The codec of a unary request's Content-Type: "application/json" (charset utf-8 or
// none) or "application/proto"; nullopt for anything else (HTTP 415).
std::optional<Codec> UnaryCodecOf(absl::string_view content_type);
// The codec a GET request names in `encoding=`: "json" or "proto".
std::optional<Codec> CodecNamed(absl::string_view name);
absl::string_view ContentTypeOf(Codec codec);

// The Connect name of a code ("invalid_argument", "canceled") and the HTTP status the
// protocol assigns to it (§ Error Codes: 400, 401, 403, 404, 409, 429, 499, 500, 501,
// 503, 504).
absl::string_view ConnectCodeName(absl::StatusCode code);
int HttpStatusOf(absl::StatusCode code);

// The Connect error body: {"code":"not_found","message":"..."} (message omitted when
// empty).
std::string ConnectErrorBody(absl::StatusCode code, absl::string_view message);

// `text` as a JSON string literal. Bytes that are not UTF-8 become U+FFFD, and '<', '>'
// and '&' are escaped too, so that no JSON we send can be read as markup.
std::string JsonString(absl::string_view text);

// The Connect-Timeout-Ms header: a positive integer of at most 10 digits.
absl::StatusOr<absl::Duration> ParseConnectTimeout(absl::string_view value);

// Compression ("identity" and "gzip"; the protocol's others are answered unimplemented).
inline constexpr absl::string_view kSupportedCompressions = "gzip, identity";
bool IsSupportedCompression(absl::string_view name);
// Whether an Accept-Encoding value accepts gzip (q=0 refuses it).
bool AcceptsGzip(absl::string_view accept_encoding);
// Decompresses gzip `data`; RESOURCE_EXHAUSTED when it would exceed `max_size` (a
// decompression bomb), INVALID_ARGUMENT when it is not gzip.
absl::StatusOr<std::string> Gunzip(absl::string_view data, size_t max_size);
std::string Gzip(absl::string_view data);

// Converts messages between their HTTP form and protobuf's binary form, for any message
// type of the generated descriptor pool. Thread-safe.
class MessageCodec {
 public:
  MessageCodec();
  ~MessageCodec();

  // A request body (or GET message) of `type` in `codec` → binary. INVALID_ARGUMENT
  // naming the field and the problem (proto3 JSON mapping: unknown fields are refused).
  absl::StatusOr<std::string> ToBinary(const google::protobuf::Descriptor& type, Codec codec,
                                       absl::string_view body) const;
  // A binary message of `type` → `codec` (JSON: the proto3 mapping, lowerCamelCase names,
  // enums by name, fields at their default omitted).
  absl::StatusOr<std::string> FromBinary(const google::protobuf::Descriptor& type, Codec codec,
                                         absl::string_view binary) const;

 private:
  std::unique_ptr<google::protobuf::util::TypeResolver> resolver_;
};

}  // namespace sello::http

#endif  // SELLO_DAEMON_HTTP_CONNECT_PROTOCOL_H_

#include "daemon/http/connect_protocol.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>
#include <zlib.h>

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "daemon/http/request_target.h"

namespace sello::http {
namespace {

constexpr absl::string_view kTypeUrlPrefix = "type.googleapis.com";

std::string TypeUrl(const google::protobuf::Descriptor& type) {
  return absl::StrCat(kTypeUrlPrefix, "/", type.full_name());
}

// protobuf's JSON parser reports "INVALID_ARGUMENT:<problem>"-style text with the
// offending input after a newline; keep the first line, without a code prefix.
std::string JsonProblem(absl::string_view message) {
  absl::string_view first = message.substr(0, message.find('\n'));
  absl::ConsumePrefix(&first, "INVALID_ARGUMENT:");
  return std::string(absl::StripAsciiWhitespace(first));
}

}  // namespace

std::optional<Codec> UnaryCodecOf(absl::string_view content_type) {
  std::vector<absl::string_view> parts = absl::StrSplit(content_type, ';');
  const std::string type = absl::AsciiStrToLower(absl::StripAsciiWhitespace(parts[0]));
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string parameter = absl::AsciiStrToLower(absl::StripAsciiWhitespace(parts[i]));
    if (parameter.empty()) continue;
    // JSON is UTF-8 (RFC 8259 §8.1); another charset would be misread.
    if (absl::StartsWith(parameter, "charset=") && parameter != "charset=utf-8" &&
        parameter != "charset=\"utf-8\"") {
      return std::nullopt;
    }
  }
  if (type == "application/json") return Codec::kJson;
  if (type == "application/proto") return Codec::kProto;
  return std::nullopt;
}

std::optional<Codec> CodecNamed(absl::string_view name) {
  if (name == "json") return Codec::kJson;
  if (name == "proto") return Codec::kProto;
  return std::nullopt;
}

absl::string_view ContentTypeOf(Codec codec) {
  return codec == Codec::kJson ? "application/json" : "application/proto";
}

absl::string_view ConnectCodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return "ok";
    case absl::StatusCode::kCancelled:
      return "canceled";
    case absl::StatusCode::kUnknown:
      return "unknown";
    case absl::StatusCode::kInvalidArgument:
      return "invalid_argument";
    case absl::StatusCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case absl::StatusCode::kNotFound:
      return "not_found";
    case absl::StatusCode::kAlreadyExists:
      return "already_exists";
    case absl::StatusCode::kPermissionDenied:
      return "permission_denied";
    case absl::StatusCode::kResourceExhausted:
      return "resource_exhausted";
    case absl::StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case absl::StatusCode::kAborted:
      return "aborted";
    case absl::StatusCode::kOutOfRange:
      return "out_of_range";
    case absl::StatusCode::kUnimplemented:
      return "unimplemented";
    case absl::StatusCode::kInternal:
      return "internal";
    case absl::StatusCode::kUnavailable:
      return "unavailable";
    case absl::StatusCode::kDataLoss:
      return "data_loss";
    case absl::StatusCode::kUnauthenticated:
      return "unauthenticated";
    default:
      return "unknown";
  }
}

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    default:  // unknown, internal, data_loss
      return 500;
  }
}

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  out.reserve(text.size() + 2);
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      // Copy one well-formed UTF-8 sequence, or write U+FFFD for a bad byte.
      const size_t length = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
      if (i + length <= text.size() && IsUtf8(text.substr(i, length))) {
        out.append(text.data() + i, length);
        i += length;
      } else {
        out.append("\\ufffd");
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '<':
      case '>':
      case '&':
        absl::StrAppendFormat(&out, "\\u%04x", c);
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
  return out;
}

std::string ConnectErrorBody(absl::StatusCode code, absl::string_view message) {
  std::string body = absl::StrCat("{\"code\":\"", ConnectCodeName(code), "\"");
  if (!message.empty()) absl::StrAppend(&body, ",\"message\":", JsonString(message));
  body.push_back('}');
  return body;
}

absl::StatusOr<absl::Duration> ParseConnectTimeout(absl::string_view value) {
  uint64_t ms = 0;
  if (value.empty() || value.size() > 10 ||
      !std::all_of(value.begin(), value.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(value, &ms) || ms == 0) {
    return absl::InvalidArgumentError(
        "Connect-Timeout-Ms: must be a positive integer of at most 10 digits");
  }
  return absl::Milliseconds(ms);
}

bool IsSupportedCompression(absl::string_view name) {
  return name.empty() || name == "identity" || name == "gzip";
}

bool AcceptsGzip(absl::string_view accept_encoding) {
  for (absl::string_view item : absl::StrSplit(accept_encoding, ',')) {
    std::vector<absl::string_view> parts = absl::StrSplit(item, ';');
    const std::string coding = absl::AsciiStrToLower(absl::StripAsciiWhitespace(parts[0]));
    if (coding != "gzip" && coding != "*") continue;
    bool refused = false;
    for (size_t i = 1; i < parts.size(); ++i) {
      absl::string_view parameter = absl::StripAsciiWhitespace(parts[i]);
      double q = 1;
      if (absl::ConsumePrefix(&parameter, "q=") && absl::SimpleAtod(parameter, &q) && q <= 0) {
        refused = true;
      }
    }
    return !refused;
  }
  return false;
}

absl::StatusOr<std::string> Gunzip(absl::string_view data, size_t max_size) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    return absl::InternalError("gzip: cannot initialise zlib");
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[16384];
  int result = Z_OK;
  while (result != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    result = inflate(&stream, Z_NO_FLUSH);
    if (result != Z_OK && result != Z_STREAM_END) {
      inflateEnd(&stream);
      return absl::InvalidArgumentError("request body: not valid gzip data");
    }
    const size_t produced = sizeof(buffer) - stream.avail_out;
    if (out.size() + produced > max_size) {
      inflateEnd(&stream);
      return absl::ResourceExhaustedError(
          absl::StrCat("request body: more than ", max_size, " bytes once decompressed"));
    }
    out.append(buffer, produced);
    if (result == Z_OK && produced == 0 && stream.avail_in == 0) {
      inflateEnd(&stream);
      return absl::InvalidArgumentError("request body: gzip data ends early");
    }
  }
  inflateEnd(&stream);
  return out;
}

std::string Gzip(absl::string_view data) {
  z_stream stream{};
  deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

MessageCodec::MessageCodec()
    : resolver_(google::protobuf::util::NewTypeResolverForDescriptorPool(
          std::string(kTypeUrlPrefix), google::protobuf::DescriptorPool::generated_pool())) {}

MessageCodec::~MessageCodec() = default;

absl::StatusOr<std::string> MessageCodec::ToBinary(const google::protobuf::Descriptor& type,
                                                   Codec codec, absl::string_view body) const {
  if (codec == Codec::kProto) {
    const google::protobuf::Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(&type);
    if (prototype == nullptr) {
      return absl::InternalError(absl::StrCat("no message type ", type.full_name()));
    }
    std::unique_ptr<google::protobuf::Message> message(prototype->New());
    if (!message->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
      return absl::InvalidArgumentError(
          absl::StrCat("request: not a binary ", type.full_name(), " (application/proto)"));
    }
    return std::string(body);
  }
  // No message at all (a GET without `message=`, an empty body) is the empty message.
  if (body.empty()) return std::string();
  size_t bad = 0;
  if (!IsUtf8(body, &bad)) {
    return absl::InvalidArgumentError(absl::StrCat("request: JSON is not UTF-8 (byte ", bad, ")"));
  }
  std::string binary;
  const auto status = google::protobuf::util::JsonToBinaryString(resolver_.get(), TypeUrl(type),
                                                                 std::string(body), &binary);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("request: ", JsonProblem(std::string(status.message()))));
  }
  return binary;
}

absl::StatusOr<std::string> MessageCodec::FromBinary(const google::protobuf::Descriptor& type,
                                                     Codec codec, absl::string_view binary) const {
  if (codec == Codec::kProto) return std::string(binary);
  std::string json;
  const auto status = google::protobuf::util::BinaryToJsonString(resolver_.get(), TypeUrl(type),
                                                                 std::string(binary), &json);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("response: cannot write JSON: ", std::string(status.message())));
  }
  return json;
}

}  // namespace sello::http

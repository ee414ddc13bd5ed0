#include "daemon/http/request_target.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace sello::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `text` (RFC 3986 §2.1); with `plus_is_space`, '+' means ' ' (HTML
// forms). `what` names the part for the error.
absl::StatusOr<std::string> PercentDecode(absl::string_view text, bool plus_is_space,
                                          absl::string_view what) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const int high = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, ": '%' at byte ", i, " is not followed by two hex digits"));
      }
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  size_t bad = 0;
  if (!IsUtf8(out, &bad)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": not UTF-8 once percent-decoded (byte ", bad, ")"));
  }
  return out;
}

}  // namespace

const std::string* RequestTarget::Query(absl::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return &value;
  }
  return nullptr;
}

bool IsUtf8(absl::string_view text, size_t* bad_offset) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = bytes[i];
    size_t length = 0;
    uint32_t code = 0;
    uint32_t minimum = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      length = 2, code = c & 0x1F, minimum = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, code = c & 0x0F, minimum = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, code = c & 0x07, minimum = 0x10000;
    } else {
      if (bad_offset != nullptr) *bad_offset = i;
      return false;
    }
    if (i + length > n) {
      if (bad_offset != nullptr) *bad_offset = i;
      return false;
    }
    for (size_t k = 1; k < length; ++k) {
      if ((bytes[i + k] & 0xC0) != 0x80) {
        if (bad_offset != nullptr) *bad_offset = i;
        return false;
      }
      code = (code << 6) | (bytes[i + k] & 0x3F);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      if (bad_offset != nullptr) *bad_offset = i;
      return false;
    }
    i += length;
  }
  return true;
}

absl::StatusOr<RequestTarget> ParseRequestTarget(absl::string_view raw,
                                                 size_t max_query_parameters) {
  if (raw.empty() || raw[0] != '/') {
    return absl::InvalidArgumentError("request target: must start with '/'");
  }
  const size_t hash = raw.find('#');
  if (hash != absl::string_view::npos) {
    return absl::InvalidArgumentError("request target: a fragment ('#') is never sent");
  }
  const size_t question = raw.find('?');
  const absl::string_view raw_path = raw.substr(0, question);
  RequestTarget target;
  absl::StatusOr<std::string> path = PercentDecode(raw_path, /*plus_is_space=*/false, "path");
  if (!path.ok()) return path.status();
  for (const unsigned char c : *path) {
    if (c < 0x20 || c == 0x7F) {
      return absl::InvalidArgumentError("path: holds a control character");
    }
  }
  target.path = *std::move(path);
  target.raw_path = std::string(raw_path);
  if (question == absl::string_view::npos) return target;
  absl::string_view query = raw.substr(question + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const absl::string_view pair = query.substr(0, amp);
    query = amp == absl::string_view::npos ? absl::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    if (target.query.size() == max_query_parameters) {
      return absl::InvalidArgumentError(
          absl::StrCat("query: more than ", max_query_parameters, " parameters"));
    }
    const size_t equals = pair.find('=');
    absl::StatusOr<std::string> name =
        PercentDecode(pair.substr(0, equals), /*plus_is_space=*/true, "query parameter name");
    if (!name.ok()) return name.status();
    absl::StatusOr<std::string> value =
        equals == absl::string_view::npos
            ? std::string()
            : PercentDecode(pair.substr(equals + 1), /*plus_is_space=*/true,
                            absl::StrCat("query parameter '", *name, "'"));
    if (!value.ok()) return value.status();
    target.query.emplace_back(*std::move(name), *std::move(value));
  }
  return target;
}

}  // namespace sello::http

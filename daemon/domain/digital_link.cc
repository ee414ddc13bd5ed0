#include "daemon/domain/digital_link.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sello::domain {
namespace {

// GS1 General Specifications, figure 7.11-1: character set 82.
bool IsCset82(unsigned char c) {
  if (absl::ascii_isalnum(c)) return true;
  switch (c) {
    case '!':
    case '"':
    case '%':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case '-':
    case '.':
    case '/':
    case ':':
    case ';':
    case '<':
    case '=':
    case '>':
    case '?':
    case '_':
      return true;
    default:
      return false;
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 §2.1, one path segment.
absl::StatusOr<std::string> DecodeSegment(absl::string_view segment, absl::string_view what) {
  std::string out;
  out.reserve(segment.size());
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] != '%') {
      out.push_back(segment[i]);
      continue;
    }
    const bool whole = i + 2 < segment.size();
    const int high = whole ? HexValue(segment[i + 1]) : -1;
    const int low = whole ? HexValue(segment[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": '%' not followed by two hexadecimal digits"));
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

absl::Status CheckValue(absl::string_view value, absl::string_view what) {
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(what, ": empty"));
  if (value.size() > kDigitalLinkMaxValueLength) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": longer than ", kDigitalLinkMaxValueLength, " characters"));
  }
  for (const unsigned char c : value) {
    if (!IsCset82(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": holds a character outside GS1's character set 82"));
    }
  }
  return absl::OkStatus();
}

void AppendEncoded(absl::string_view value, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out->push_back(static_cast<char>(c));
    } else {
      out->push_back('%');
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xF]);
    }
  }
}

}  // namespace

absl::Status CheckGtin(absl::string_view gtin) {
  if (gtin.size() != 8 && gtin.size() != 12 && gtin.size() != 13 && gtin.size() != 14) {
    return absl::InvalidArgumentError("gtin: must be 8, 12, 13 or 14 digits");
  }
  for (const char c : gtin) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError("gtin: must be digits only");
    }
  }
  // GS1 General Specifications §7.9.1: weights 3, 1, 3, ... from the digit before the
  // check digit, leftwards; the check digit brings the sum to a multiple of 10.
  int sum = 0;
  int weight = 3;
  for (size_t i = gtin.size() - 1; i-- > 0;) {
    sum += (gtin[i] - '0') * weight;
    weight = 4 - weight;
  }
  const int expected = (10 - sum % 10) % 10;
  if (gtin.back() - '0' != expected) {
    return absl::InvalidArgumentError(absl::StrCat("gtin: check digit ", gtin.back() - '0',
                                                   " does not match (expected ", expected,
                                                   "): mistyped?"));
  }
  return absl::OkStatus();
}

absl::StatusOr<DigitalLink> ParseDigitalLinkPath(absl::string_view raw_path) {
  const size_t start = raw_path.find("/01/");
  if (start == absl::string_view::npos) {
    return absl::InvalidArgumentError("path: no GTIN (AI 01)");
  }
  std::vector<absl::string_view> segments = absl::StrSplit(raw_path.substr(start + 1), '/');
  if (!segments.empty() && segments.back().empty()) segments.pop_back();  // a trailing '/'
  DigitalLink link;
  bool have_serial = false;
  if (segments.size() % 2 != 0) {
    return absl::InvalidArgumentError("path: an application identifier without its value");
  }
  // Key qualifiers of AI 01 in the order the standard fixes: 22, 10, 21. Sello's seals use
  // 10 (optional) and 21 (required).
  int last_rank = 0;
  for (size_t i = 0; i < segments.size(); i += 2) {
    const absl::string_view ai = segments[i];
    int rank = 0;
    std::string name;
    if (ai == "01") {
      rank = 1, name = "gtin (AI 01)";
    } else if (ai == "10") {
      rank = 2, name = "lot (AI 10)";
    } else if (ai == "21") {
      rank = 3, name = "serial (AI 21)";
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("path: application identifier '", ai.substr(0, 8),
                       "' is not one a seal's link uses (01, 10, 21)"));
    }
    if (rank <= last_rank || (i == 0) != (rank == 1)) {
      return absl::InvalidArgumentError("path: application identifiers out of order (01, 10, 21)");
    }
    last_rank = rank;
    absl::StatusOr<std::string> value = DecodeSegment(segments[i + 1], name);
    if (!value.ok()) return value.status();
    if (rank == 1) {
      if (absl::Status status = CheckGtin(*value); !status.ok()) return status;
      link.gtin = std::string(14 - value->size(), '0') + *value;
      continue;
    }
    if (absl::Status status = CheckValue(*value, name); !status.ok()) return status;
    if (rank == 2) {
      link.lot = *std::move(value);
    } else {
      link.serial = *std::move(value);
      have_serial = true;
    }
  }
  if (!have_serial) return absl::InvalidArgumentError("path: no serial (AI 21): the seal code");
  return link;
}

absl::StatusOr<std::string> SealCodeAsSerial(absl::string_view code) {
  std::string serial;
  for (const char c : code) {
    if (c == '-' || c == ' ') continue;
    serial.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  if (absl::Status status = CheckValue(serial, "code as serial (AI 21)"); !status.ok()) {
    return status;
  }
  return serial;
}

absl::StatusOr<std::string> SealDigitalLink(absl::string_view base_url, absl::string_view gtin,
                                            absl::string_view lot, absl::string_view code) {
  if (absl::Status status = CheckGtin(gtin); !status.ok()) return status;
  absl::StatusOr<std::string> serial = SealCodeAsSerial(code);
  if (!serial.ok()) return serial.status();
  if (!lot.empty()) {
    if (absl::Status status = CheckValue(lot, "lot (AI 10)"); !status.ok()) return status;
  }
  while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
  std::string uri = absl::StrCat(base_url, "/01/", std::string(14 - gtin.size(), '0'), gtin);
  if (!lot.empty()) {
    uri += "/10/";
    AppendEncoded(lot, &uri);
  }
  uri += "/21/";
  AppendEncoded(*serial, &uri);
  return uri;
}

}  // namespace sello::domain

#include "daemon/http/http_exchange.h"

#include "absl/strings/match.h"

namespace sello::http {

void HttpResponse::SetHeader(absl::string_view name, absl::string_view value) {
  for (auto& [key, existing] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) {
      existing = std::string(value);
      return;
    }
  }
  headers.emplace_back(std::string(name), std::string(value));
}

const std::string* HttpResponse::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

}  // namespace sello::http

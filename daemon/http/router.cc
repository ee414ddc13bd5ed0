#include "daemon/http/router.h"

#include <algorithm>

#include "absl/strings/match.h"

namespace sello::http {

void Router::Handle(std::string path, HttpHandler* handler) { exact_[std::move(path)] = handler; }

void Router::HandlePrefix(std::string prefix, HttpHandler* handler) {
  prefixes_.emplace_back(std::move(prefix), handler);
  std::stable_sort(prefixes_.begin(), prefixes_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

HttpHandler* Router::Find(absl::string_view path) const {
  if (const auto found = exact_.find(path); found != exact_.end()) return found->second;
  for (const auto& [prefix, handler] : prefixes_) {
    if (absl::StartsWith(path, prefix)) return handler;
  }
  return nullptr;
}

}  // namespace sello::http

#include "daemon/server/admission.h"

#include "absl/strings/str_cat.h"

namespace sello::service {

absl::StatusOr<Admission::Ticket> Admission::Admit(std::atomic<int>* count, int limit,
                                                   const char* what, const char* flag) {
  // Optimistic: take the slot, give it back if that went over.
  const int before = count->fetch_add(1, std::memory_order_relaxed);
  if (before >= limit) {
    count->fetch_sub(1, std::memory_order_relaxed);
    return absl::ResourceExhaustedError(absl::StrCat("the registry is busy: ", limit, " ", what,
                                                     " (limit ", flag, "); retry with backoff"));
  }
  return Ticket(count);
}

absl::StatusOr<Admission::WatchTicket> Admission::AdmitWatch(absl::string_view token_id,
                                                             absl::string_view address) {
  const bool anonymous = token_id.empty();
  std::string key =
      anonymous ? absl::StrCat("address:", address) : absl::StrCat("token:", token_id);
  const auto busy = [](int limit, absl::string_view what, absl::string_view flag) {
    return absl::ResourceExhaustedError(absl::StrCat("the registry is busy: ", limit, " ", what,
                                                     " (limit ", flag, "); retry with backoff"));
  };
  absl::MutexLock lock(&watch_mu_);
  if (watches_ >= limits_.max_watches) {
    return busy(limits_.max_watches, "watches open", "--max-watches");
  }
  const auto found = watches_by_key_.find(key);
  const int mine = found == watches_by_key_.end() ? 0 : found->second;
  if (anonymous) {
    if (anonymous_watches_ >= limits_.max_anonymous_watches) {
      return busy(limits_.max_anonymous_watches,
                  "watches open without a token; the rest are kept for token holders",
                  "--max-anonymous-watches");
    }
    if (mine >= limits_.max_watches_per_address) {
      return busy(limits_.max_watches_per_address, "watches open without a token from this address",
                  "--max-watches-per-address");
    }
    ++anonymous_watches_;
  } else if (mine >= limits_.max_watches_per_principal) {
    return busy(limits_.max_watches_per_principal, "watches open with this token",
                "--max-watches-per-principal");
  }
  ++watches_by_key_[key];
  ++watches_;
  return WatchTicket(this, std::move(key));
}

void Admission::ReleaseWatch(const std::string& key) {
  absl::MutexLock lock(&watch_mu_);
  --watches_;
  if (key.rfind("address:", 0) == 0) --anonymous_watches_;
  auto found = watches_by_key_.find(key);
  if (found != watches_by_key_.end() && --found->second <= 0) watches_by_key_.erase(found);
}

std::string PeerHost(absl::string_view peer) {
  for (absl::string_view scheme : {"ipv4:", "ipv6:"}) {
    if (peer.substr(0, scheme.size()) != scheme) continue;
    absl::string_view rest = peer.substr(scheme.size());
    const size_t colon = rest.rfind(':');
    if (colon != absl::string_view::npos) rest = rest.substr(0, colon);
    if (rest.size() >= 2 && rest.front() == '[' && rest.back() == ']') {
      rest = rest.substr(1, rest.size() - 2);
    }
    return std::string(rest);
  }
  return std::string(peer);
}

}  // namespace sello::service

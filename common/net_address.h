// Network addresses as the daemon and the client see them: whether a HOST:PORT stays on
// this machine (plaintext is only allowed there).
#ifndef SELLO_COMMON_NET_ADDRESS_H_
#define SELLO_COMMON_NET_ADDRESS_H_

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace sello {

// The host part of "HOST:PORT", "[IPv6]:PORT", or a gRPC target such as
// "ipv4:127.0.0.1:7443" / "dns:///host:port" (scheme and authority dropped).
inline absl::string_view HostOf(absl::string_view address) {
  for (absl::string_view scheme : {"dns:///", "dns:", "ipv4:", "ipv6:"}) {
    if (absl::StartsWith(address, scheme)) {
      address.remove_prefix(scheme.size());
      break;
    }
  }
  if (absl::StartsWith(address, "[")) {
    const size_t end = address.find(']');
    return end == absl::string_view::npos ? address : address.substr(1, end - 1);
  }
  const size_t colon = address.rfind(':');
  return colon == absl::string_view::npos ? address : address.substr(0, colon);
}

// True for localhost, 127.0.0.0/8 and ::1: traffic that never leaves the machine.
inline bool IsLoopbackAddress(absl::string_view address) {
  const absl::string_view host = HostOf(address);
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

}  // namespace sello

#endif  // SELLO_COMMON_NET_ADDRESS_H_

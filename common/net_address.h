// Network addresses as the daemon and the client see them: whether a HOST:PORT stays on
// this machine (plaintext is only allowed there).
#ifndef SELLO_COMMON_NET_ADDRESS_H_
#define SELLO_COMMON_NET_ADDRESS_H_

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace sello {

// The host part of "HOST:PORT", "[IPv6]:PORT", or a gRPC target such as
// "ipv4:127.0.0.1:7443" / "dns:///host:port" (scheme dropped). A "dns://AUTHORITY/"
// target keeps its authority, so that it is never taken for a plain host name.
inline absl::string_view HostOf(absl::string_view address) {
  for (absl::string_view scheme : {"dns:///", "ipv4:", "ipv6:"}) {
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

// True for localhost, 127.0.0.0/8, ::1 and Unix-domain sockets: traffic that never
// leaves the machine. Only a single literal address (parsed with inet_pton) or the name
// "localhost" counts: "127.example.org" is a DNS name that can point anywhere, and a gRPC
// address list ("ipv4:127.0.0.1:1,10.0.0.5:1") may reach any of its members.
inline bool IsLoopbackAddress(absl::string_view address) {
  if (absl::StartsWith(address, "unix:")) return true;
  if (absl::StrContains(address, ',')) return false;
  const std::string host(HostOf(address));
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace sello

#endif  // SELLO_COMMON_NET_ADDRESS_H_

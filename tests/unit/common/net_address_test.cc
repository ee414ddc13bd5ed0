#include "common/net_address.h"

#include <gtest/gtest.h>

namespace sello {
namespace {

TEST(NetAddressTest, LoopbackAddressesStayOnTheMachine) {
  for (const char* address :
       {"127.0.0.1:7443", "127.1.2.3:1", "localhost:7443", "[::1]:7443", "ipv4:127.0.0.1:80",
        "dns:///localhost:7443", "ipv6:[::1]:7443", "unix:/run/sello/sellod.sock"}) {
    EXPECT_TRUE(IsLoopbackAddress(address)) << address;
  }
  for (const char* address :
       {"0.0.0.0:7443", "10.0.0.1:7443", "registry.example.org:443", "[2001:db8::1]:7443",
        "[::]:7443", "128.0.0.1:1", "localhost.example.org:1",
        // Names that only look like loopback resolve anywhere.
        "127.attacker.example:7443", "127.0.0.1.nip.io:7443", "dns:///127.attacker.example:7443",
        // Another resolver may say what "localhost" is.
        "dns://8.8.8.8/localhost:7443",
        // An address list may reach any of its members.
        "ipv4:127.0.0.1:1,10.0.0.5:1", "ipv4:10.0.0.5:1,127.0.0.1:1",
        // Not an address at all.
        "127.0.0.1.5:1", "", ":7443"}) {
    EXPECT_FALSE(IsLoopbackAddress(address)) << address;
  }
}

TEST(NetAddressTest, HostOfDropsPortSchemeAndBrackets) {
  EXPECT_EQ(HostOf("registry.example.org:443"), "registry.example.org");
  EXPECT_EQ(HostOf("[2001:db8::1]:7443"), "2001:db8::1");
  EXPECT_EQ(HostOf("dns:///registry.example.org:443"), "registry.example.org");
  EXPECT_EQ(HostOf("localhost"), "localhost");
  EXPECT_EQ(HostOf("dns://8.8.8.8/localhost:443"), "dns://8.8.8.8/localhost");
}

}  // namespace
}  // namespace sello

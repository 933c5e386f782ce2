// An IP address in its one binary form, from the kernel's socket address through the matchers to
// the output: 16 bytes, IPv4 as an IPv4-mapped IPv6 address (::ffff:a.b.c.d). Text exists only
// at the edges: rules and recorded events are parsed into it, JSON and terminal text print it.
// Header-only and dependency-free, so every stage can use it.
#pragma once

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

struct IpAddress {
  std::array<uint8_t, 16> bytes{};

  // From the 4 bytes of an in_addr / the 16 bytes of an in6_addr, in network order.
  static IpAddress FromV4(const void* network_order) {
    IpAddress a;
    a.bytes[10] = 0xff;
    a.bytes[11] = 0xff;
    std::memcpy(&a.bytes[12], network_order, 4);
    return a;
  }
  static IpAddress FromV6(const void* network_order) {
    IpAddress a;
    std::memcpy(a.bytes.data(), network_order, 16);
    return a;
  }
  bool is_v4() const {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::equal(std::begin(kMapped), std::end(kMapped), bytes.begin());
  }
  bool operator==(const IpAddress&) const = default;
};

// Dotted IPv4 or RFC 5952 IPv6 text.
inline std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  const std::string s(text);
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) return IpAddress::FromV4(&v4);
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) return IpAddress::FromV6(&v6);
  return std::nullopt;
}

// The text form: dotted for a mapped IPv4 address, RFC 5952 otherwise.
inline std::string IpAddressText(const IpAddress& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.is_v4())
    inet_ntop(AF_INET, &a.bytes[12], buf, sizeof buf);
  else
    inet_ntop(AF_INET6, a.bytes.data(), buf, sizeof buf);
  return buf;
}

}  // namespace vigil

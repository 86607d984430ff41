#pragma once
// The client's address for rate limits and quotas. Behind a balancer every request comes
// from the balancer; its `X-Forwarded-For` names the client, but anyone can send that field,
// so it is believed only from a proxy the operator named (`--trusted-proxy CIDR`).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "switchboard/http/request.hpp"

namespace switchboard::app {

/// A network, `10.0.0.0/8`, `::1/128` or a single address (all its bits).
struct Cidr {
  boost::asio::ip::address network;
  unsigned prefix = 0;
  /// nullopt when `text` is not one.
  static std::optional<Cidr> parse(std::string_view text);
  bool contains(const boost::asio::ip::address& address) const;
};

class TrustedProxies {
 public:
  TrustedProxies() = default;
  explicit TrustedProxies(std::vector<Cidr> networks) : networks_(std::move(networks)) {}
  bool trusts(std::string_view address) const;
  /// The client of `request`: its peer when that is not a trusted proxy; else the nearest
  /// address of X-Forwarded-For (read right to left) that is not a trusted proxy, the
  /// leftmost when all are; the peer when the field is absent or an entry is not an address.
  std::string client_of(const http::Request& request) const;

 private:
  std::vector<Cidr> networks_;
};

}  // namespace switchboard::app

#include "client_address.hpp"

#include <charconv>

namespace switchboard::app {

namespace ip = boost::asio::ip;

namespace {

// An address, IPv4-mapped IPv6 ones as IPv4.
std::optional<ip::address> address_of(std::string_view text) {
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  }
  return a;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  auto network = address_of(text.substr(0, slash));
  if (!network) return std::nullopt;
  unsigned bits = network->is_v4() ? 32 : 128;
  unsigned prefix = bits;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (ec != std::errc() || end != digits.data() + digits.size() || prefix > bits) {
      return std::nullopt;
    }
  }
  return Cidr{*network, prefix};
}

bool Cidr::contains(const ip::address& address) const {
  if (address.is_v4() != network.is_v4()) return false;
  auto compare = [this](const auto& a, const auto& b) {
    unsigned left = prefix;
    for (std::size_t i = 0; i < a.size() && left > 0; ++i) {
      unsigned take = left >= 8 ? 8 : left;
      unsigned mask = (0xFFu << (8 - take)) & 0xFFu;
      if ((a[i] & mask) != (b[i] & mask)) return false;
      left -= take;
    }
    return true;
  };
  if (address.is_v4()) return compare(address.to_v4().to_bytes(), network.to_v4().to_bytes());
  return compare(address.to_v6().to_bytes(), network.to_v6().to_bytes());
}

bool TrustedProxies::trusts(std::string_view text) const {
  if (networks_.empty()) return false;
  auto address = address_of(text);
  if (!address) return false;
  for (const auto& n : networks_) {
    if (n.contains(*address)) return true;
  }
  return false;
}

std::string TrustedProxies::client_of(const http::Request& request) const {
  const auto& peer = request.remote_address;
  if (!trusts(peer)) return peer;
  std::string_view field = request.header("X-Forwarded-For");
  if (trim(field).empty()) return peer;
  std::string leftmost;
  while (!field.empty()) {
    auto comma = field.rfind(',');
    auto entry = trim(comma == std::string_view::npos ? field : field.substr(comma + 1));
    field = comma == std::string_view::npos ? std::string_view() : field.substr(0, comma);
    auto address = address_of(entry);
    if (!address) return peer;  // not an address: believe nothing of it
    leftmost = address->to_string();
    if (!trusts(leftmost)) return leftmost;
  }
  return leftmost;
}

}  // namespace switchboard::app

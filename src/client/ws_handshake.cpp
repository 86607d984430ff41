#include "client/ws_handshake.hpp"

#include "switchboard/client/error.hpp"
#include "switchboard/ws/handshake.hpp"

#include <algorithm>
#include <cctype>

namespace switchboard::client::detail {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// True when the comma-separated `list` holds `token` (case-insensitive).
bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    auto comma = list.find(',');
    if (iequals(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t n = (std::uint8_t(bytes[i]) << 16) | (std::uint8_t(bytes[i + 1]) << 8) |
                      std::uint8_t(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += alphabet[(n >> shift) & 63];
  }
  if (auto left = bytes.size() - i; left > 0) {
    std::uint32_t n = std::uint8_t(bytes[i]) << 16;
    if (left == 2) n |= std::uint8_t(bytes[i + 1]) << 8;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += left == 2 ? alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string make_key(const std::array<std::uint8_t, 16>& nonce) {
  return base64_encode({reinterpret_cast<const char*>(nonce.data()), nonce.size()});
}

std::string make_upgrade_request(std::string_view host_header, std::string_view target,
                                 std::string_view key,
                                 const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out;
  out.append("GET ").append(target).append(" HTTP/1.1\r\nHost: ").append(host_header);
  out.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
  out.append(key).append("\r\nSec-WebSocket-Version: 13\r\n");
  for (const auto& [name, value] : headers) out.append(name).append(": ").append(value) += "\r\n";
  out += "\r\n";
  return out;
}

boost::system::error_code check_upgrade_response(std::string_view head, std::string_view key) {
  auto eol = head.find("\r\n");
  if (eol == std::string_view::npos) return Error::HandshakeFailed;
  auto status_line = head.substr(0, eol);
  // "HTTP/1.1 101 Switching Protocols"
  if (!status_line.starts_with("HTTP/1.1 101") && !status_line.starts_with("HTTP/1.0 101"))
    return Error::HandshakeFailed;
  bool upgrade = false, connection = false;
  std::string_view accept;
  bool has_accept = false;
  head.remove_prefix(eol + 2);
  while (!head.empty()) {
    eol = head.find("\r\n");
    auto line = head.substr(0, eol);
    head.remove_prefix(eol == std::string_view::npos ? head.size() : eol + 2);
    if (line.empty()) break;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return Error::HandshakeFailed;
    auto name = line.substr(0, colon);
    auto value = trim(line.substr(colon + 1));
    if (iequals(name, "Upgrade")) upgrade = has_token(value, "websocket");
    if (iequals(name, "Connection")) connection = has_token(value, "Upgrade");
    if (iequals(name, "Sec-WebSocket-Accept")) accept = value, has_accept = true;
  }
  if (!upgrade || !connection || !has_accept) return Error::HandshakeFailed;
  if (accept != ws::accept_key(key)) return Error::BadAcceptKey;
  return {};
}

}  // namespace switchboard::client::detail

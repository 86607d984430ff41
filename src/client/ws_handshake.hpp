#pragma once
// The client side of the WebSocket opening handshake (RFC 6455 §4.1), sans-I/O.

#include <boost/system/error_code.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::client::detail {

/// Base64 of `bytes` (RFC 4648, with padding).
std::string base64_encode(std::string_view bytes);

/// A Sec-WebSocket-Key: base64 of the 16 random bytes `nonce` (§4.1 item 7).
std::string make_key(const std::array<std::uint8_t, 16>& nonce);

/// The GET request head that asks `host_header` to upgrade `target`, ending with the blank
/// line. `headers` are added as given (name, value).
std::string make_upgrade_request(std::string_view host_header, std::string_view target,
                                 std::string_view key,
                                 const std::vector<std::pair<std::string, std::string>>& headers);

/// Checks a response head (status line and headers, up to and including the blank line):
/// status 101, `Upgrade: websocket`, `Connection: Upgrade`, and `Sec-WebSocket-Accept` derived
/// from `key` (§4.1 items 1-4 of the client's checks). Errors: Error::HandshakeFailed,
/// Error::BadAcceptKey. Never throws on bad input.
boost::system::error_code check_upgrade_response(std::string_view head, std::string_view key);

}  // namespace switchboard::client::detail

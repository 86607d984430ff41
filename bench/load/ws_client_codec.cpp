#include "ws_client_codec.hpp"

#include "switchboard/ws/frame.hpp"
#include "switchboard/ws/handshake.hpp"

namespace switchboard::bench {
namespace {

// Every connection may use the same key: the server only checks that it is 16 bytes of base64.
constexpr std::string_view key = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455 §1.3

const std::string& expected_accept() {
  static const std::string accept = ws::accept_key(key);
  return accept;
}

}  // namespace

WsClientCodec::WsClientCodec(std::size_t max_message)
    : decoder_({.max_message_size = max_message, .role = ws::Role::Client}) {}

void WsClientCodec::append_handshake(std::string& out, std::string_view host,
                                     std::string_view path) {
  out += "GET ";
  out += path;
  out += " HTTP/1.1\r\nHost: ";
  out += host;
  out += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ";
  out += key;
  out += "\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

HandshakeState WsClientCodec::check_handshake(std::string_view response, std::size_t& consumed) {
  const auto end = response.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    return response.size() > 16384 ? HandshakeState::Refused : HandshakeState::Incomplete;
  }
  const std::string_view head = response.substr(0, end + 4);
  consumed = head.size();
  if (!head.starts_with("HTTP/1.1 101")) return HandshakeState::Refused;
  // The accept value is base64 of a SHA-1: finding it anywhere in the head is enough.
  return head.find(expected_accept()) != std::string_view::npos ? HandshakeState::Accepted
                                                                : HandshakeState::Refused;
}

void WsClientCodec::append_frame(std::string& out, ws::Opcode opcode, std::string_view payload,
                                 std::uint32_t mask_seed) {
  ws::FrameHeader header{.opcode = opcode, .masked = true};
  for (int i = 0; i < 4; ++i) header.mask[i] = static_cast<std::uint8_t>(mask_seed >> (8 * i));
  ws::append_frame(out, header, payload);
}

}  // namespace switchboard::bench

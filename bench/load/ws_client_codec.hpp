#pragma once
/// The client side of RFC 6455, sans-I/O: the opening handshake request and its answer, masked
/// frames out, decoded messages in. Bytes in, bytes and events out; no sockets.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "switchboard/ws/message_decoder.hpp"

namespace switchboard::bench {

/// How far the server's answer to the opening handshake has arrived.
enum class HandshakeState : std::uint8_t { Incomplete, Accepted, Refused };

/// One WebSocket client connection's protocol state. Not thread-safe.
class WsClientCodec {
 public:
  /// `max_message` bounds a received message (close 1009 beyond it, as a server would).
  explicit WsClientCodec(std::size_t max_message = 16 << 20);

  /// Appends the upgrade request for `path` on `host` ("127.0.0.1:8000") to `out`.
  static void append_handshake(std::string& out, std::string_view host, std::string_view path);

  /// Looks at the response bytes received so far. Accepted: a 101 with the right
  /// Sec-WebSocket-Accept; `consumed` is the size of the head (what follows is frames).
  static HandshakeState check_handshake(std::string_view response, std::size_t& consumed);

  /// Appends one masked frame carrying `payload` (RFC 6455 §5.3); `mask_seed` varies the key.
  static void append_frame(std::string& out, ws::Opcode opcode, std::string_view payload,
                           std::uint32_t mask_seed);

  /// Decodes frames: see ws::MessageDecoder::feed (Role::Client, no compression).
  std::size_t feed(std::span<const std::uint8_t> in, ws::Event& event) {
    return decoder_.feed(in, event);
  }

 private:
  ws::MessageDecoder decoder_;
};

}  // namespace switchboard::bench

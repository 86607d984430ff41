// The WebSocket base framing protocol (RFC 6455 §5.2): header encoding, decoding and masking.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace switchboard::ws {

/// Frame opcodes (RFC 6455 §5.2). Other values are reserved; the enum can still hold them.
enum class Opcode : uint8_t {
  Continuation = 0x0,  ///< The next fragment of a message.
  Text = 0x1,          ///< The first frame of a text (UTF-8) message.
  Binary = 0x2,        ///< The first frame of a binary message.
  Close = 0x8,         ///< The closing handshake (code and reason).
  Ping = 0x9,          ///< A keep-alive probe; the peer answers Pong with the same payload.
  Pong = 0xA,          ///< The answer to a Ping (or an unsolicited heartbeat).
};

/// True for Close, Ping, Pong and the reserved control opcodes 0xB-0xF (RFC 6455 §5.5).
constexpr bool is_control(Opcode opcode) {
  return (static_cast<uint8_t>(opcode) & 0x8) != 0;
}

/// True for the reserved opcodes 3-7 and 0xB-0xF (RFC 6455 §5.2).
constexpr bool is_reserved(Opcode opcode) {
  auto v = static_cast<uint8_t>(opcode);
  return (v >= 0x3 && v <= 0x7) || v >= 0xB;
}

/// A decoded or to-be-encoded frame header.
struct FrameHeader {
  bool fin = true;    ///< The last frame of its message.
  bool rsv1 = false;  ///< "Per-message compressed" with permessage-deflate (RFC 7692 §6).
  bool rsv2 = false;  ///< Reserved: an error unless an extension gives it a meaning.
  bool rsv3 = false;  ///< Reserved: an error unless an extension gives it a meaning.
  Opcode opcode = Opcode::Text;   ///< What the frame carries.
  bool masked = false;            ///< The payload is masked with `mask` (client to server).
  std::array<uint8_t, 4> mask{};  ///< The masking key, when masked.
  uint64_t payload_length = 0;    ///< The payload's length in bytes.
};

/// The longest header: 2 bytes, 8 bytes of extended length, 4 bytes of mask.
inline constexpr size_t max_frame_header_size = 14;

/// Largest payload length a frame may carry (the 64-bit length's top bit must be 0).
inline constexpr uint64_t max_frame_payload_length = (uint64_t{1} << 63) - 1;

/// Writes `header` into `out` using the minimal length encoding (7-bit, 16-bit or 64-bit),
/// followed by the mask key when `header.masked`. Returns the number of bytes written.
/// Precondition: `header.payload_length <= max_frame_payload_length`.
size_t encode_frame_header(const FrameHeader& header,
                           std::span<uint8_t, max_frame_header_size> out);

/// Size of the header whose first two bytes are `byte0`, `byte1` (2 to 14).
constexpr size_t frame_header_size(uint8_t /*byte0*/, uint8_t byte1) {
  size_t size = 2 + ((byte1 & 0x80) ? 4 : 0);
  uint8_t len7 = byte1 & 0x7F;
  return size + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
}

/// Decodes a header from the start of `in`. Returns its size once complete, or 0 when more
/// bytes are needed (`ec` clear) or the length is malformed (`ec` set to
/// `Error::NonMinimalLength` or `Error::LengthTooLarge`). Opcode, RSV and mask rules are the
/// caller's (they depend on state and negotiation); never throws.
size_t decode_frame_header(std::span<const uint8_t> in, FrameHeader& out, std::error_code& ec);

/// XORs `data` with `key` in place (RFC 6455 §5.3), eight bytes at a time. `offset` is the
/// position of `data[0]` within the frame payload, so a payload can be unmasked chunk by chunk.
void apply_mask(std::span<uint8_t> data, const std::array<uint8_t, 4>& key, uint64_t offset);

/// Appends one frame to `out`: the header (payload_length taken from `payload`) and the
/// payload, masked with `header.mask` when `header.masked` (the client side, RFC 6455 §5.3).
void append_frame(std::string& out, FrameHeader header, std::string_view payload);

}  // namespace switchboard::ws

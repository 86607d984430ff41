#pragma once

// Engine.IO v4 packets, sans-I/O: encode into a caller's buffer, decode from bytes.
//
//   std::string frame;
//   engineio::append_text_packet(frame, engineio::PacketType::Message, R"(2["hi"])");
//   // frame == "42[\"hi\"]": send it as one WebSocket text frame or one payload part.

#include <switchboard/engineio/error.hpp>

#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace switchboard::engineio {

/// Engine.IO v4 packet types; each value is the packet's wire digit.
enum class PacketType : std::uint8_t {
  Open = 0,     ///< The server's handshake answer (OpenInfo as JSON).
  Close = 1,    ///< Either side ends the session.
  Ping = 2,     ///< The server's heartbeat (or `2probe`, the client's upgrade probe).
  Pong = 3,     ///< The answer to a ping (`3probe` answers the probe).
  Message = 4,  ///< Application data (text, or binary when Packet::binary).
  Upgrade = 5,  ///< The client switches the session to the probed WebSocket.
  Noop = 6,     ///< Nothing: answers a pending poll during an upgrade.
};

/// One Engine.IO packet. A `binary` packet is always a `Message` whose `data` holds raw bytes;
/// otherwise `data` is the text after the type digit (`2probe` → Ping, "probe").
struct Packet {
  PacketType type = PacketType::Message;  ///< What the packet is.
  std::string data;                       ///< Its text after the digit, or its raw bytes.
  bool binary = false;                    ///< A binary Message (`data` holds bytes).

  friend bool operator==(const Packet&, const Packet&) = default;
};

/// The wire digit of `type` ('0'..'6').
constexpr char type_digit(PacketType type) noexcept {
  return static_cast<char>('0' + static_cast<int>(type));
}

/// Appends the text form `<digit><data>`: a WebSocket text frame or a polling payload part.
/// On polling, `data` must not contain '\x1e' (Socket.IO's JSON escapes it).
void append_text_packet(std::string& out, PacketType type, std::string_view data);

/// Appends `b` + base64(`bytes`): a binary message as the polling transport carries it.
void append_base64_packet(std::string& out, std::string_view bytes);

/// Appends `packet` as the polling transport writes it: the text form, or `b` + base64 when
/// `packet.binary`.
void append_polling_packet(std::string& out, const Packet& packet);

/// Appends the payload of one WebSocket frame: the text form, or the raw bytes when
/// `packet.binary` (the caller sends those as a binary frame; v4 has no type prefix there).
void append_websocket_packet(std::string& out, const Packet& packet);

/// Decodes one text-encoded packet: `<digit><data>`, or `b<base64>` (a binary message).
/// Errors (never throws on bad input): DecodeError::EmptyPacket, UnknownPacketType,
/// InvalidBase64.
boost::system::result<Packet> decode_packet(std::string_view text);

/// Decodes the payload of one WebSocket message: a binary frame is a binary message as is; a
/// text frame is decoded by `decode_packet`.
boost::system::result<Packet> decode_websocket_frame(std::string_view payload, bool binary_frame);

/// What the open packet announces (PROTOCOL.md §1 item 5). `sid` and `upgrades` are borrowed.
struct OpenInfo {
  std::string_view sid;                             ///< The session id.
  std::span<const std::string_view> upgrades;       ///< {"websocket"} for polling, {} for WebSocket
  std::chrono::milliseconds ping_interval{25'000};  ///< pingInterval
  std::chrono::milliseconds ping_timeout{20'000};   ///< pingTimeout

  std::uint64_t max_payload = 1'000'000;  ///< bytes
};

/// Appends the open packet's JSON, exactly
/// `{"sid":..,"upgrades":[..],"pingInterval":N,"pingTimeout":N,"maxPayload":N}` in this order.
void append_open_json(std::string& out, const OpenInfo& info);

/// Makes the open packet: type `Open`, data = `append_open_json(info)`.
Packet make_open_packet(const OpenInfo& info);

}  // namespace switchboard::engineio

#pragma once

// Socket.IO v5 packets and how binary data rides in them.
//
// Boost.JSON has no binary type, so a packet carries its binary buffers beside the JSON, exactly
// as the wire does: `attachments[i]` is a buffer and the JSON holds the placeholder
// `{"_placeholder":true,"num":i}` where it belongs, at any depth. `Packet::attach` does both
// steps, so sending a file reads:
//
//   socketio::Packet packet{.type = socketio::PacketType::Event};
//   packet.data = boost::json::array{"upload", packet.attach(std::move(bytes))};
//
// and a decoded packet gives its buffers back with `resolve`:
//
//   if (const std::string* file = packet.resolve(packet.data.as_array()[1])) save(*file);

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::socketio {

/// Socket.IO v5 packet types; each value is the packet's wire digit.
enum class PacketType : std::uint8_t {
  Connect = 0,       ///< Join a namespace (client), or its acceptance with the sid (server).
  Disconnect = 1,    ///< Leave a namespace.
  Event = 2,         ///< An event with JSON arguments.
  Ack = 3,           ///< The answer to an event that asked for one.
  ConnectError = 4,  ///< The namespace refused the client.
  BinaryEvent = 5,   ///< An event with binary attachments following.
  BinaryAck = 6,     ///< An ack with binary attachments following.

};

/// True for `Event` and `BinaryEvent`.
constexpr bool is_event(PacketType type) noexcept {
  return type == PacketType::Event || type == PacketType::BinaryEvent;
}
/// True for `Ack` and `BinaryAck`.
constexpr bool is_ack(PacketType type) noexcept {
  return type == PacketType::Ack || type == PacketType::BinaryAck;
}
/// True for the types followed by binary attachments (`BinaryEvent`, `BinaryAck`).
constexpr bool is_binary(PacketType type) noexcept {
  return type == PacketType::BinaryEvent || type == PacketType::BinaryAck;
}

/// One Socket.IO packet, with its binary attachments.
struct Packet {
  /// The type. The encoder writes `Event`/`Ack` as their binary twins when `attachments` is not
  /// empty (and the reverse), so users may always say `Event`/`Ack`; decoded packets keep the
  /// wire type.
  PacketType type = PacketType::Event;
  /// The namespace, starting with '/'.
  std::string nsp = "/";
  /// The ack id: on an EVENT, the id the peer should acknowledge; on an ACK, the id answered.
  std::optional<std::uint64_t> id;
  /// The payload; null means "no payload" (a top-level `null` is never a valid payload).
  /// Binary buffers appear as placeholders referring to `attachments`.
  boost::json::value data;
  /// Binary buffers, in placeholder order; only on EVENT/ACK packets.
  std::vector<std::string> attachments;

  /// Appends `bytes` to `attachments` and returns the placeholder to put in `data` for it.
  boost::json::value attach(std::string bytes);

  /// The attachment that `value` stands for, or nullptr when `value` is not a placeholder with
  /// an index into `attachments`. The pointer lives as long as this packet's attachments.
  const std::string* resolve(const boost::json::value& value) const noexcept;

  friend bool operator==(const Packet&, const Packet&) = default;
};

/// Replaces each placeholder in `data` that refers to one of `attachments` with the binary
/// value (socketio::binary) carrying that buffer: a decoded packet's payload made into values
/// that keep their bytes. Other values are left as they are.
void inline_attachments(boost::json::value& data, const std::vector<std::string>& attachments);
void inline_attachments(boost::json::array& data, const std::vector<std::string>& attachments);

/// The reverse, before encoding: replaces each binary value in `data` with a placeholder and
/// appends its bytes to `attachments`, depth first (the order the reference parser numbers
/// them).
void extract_binaries(boost::json::value& data, std::vector<std::string>& attachments);

/// Makes the placeholder `{"_placeholder":true,"num":num}`.
boost::json::value make_placeholder(std::size_t num);

/// The index of `value` if it is a placeholder: an object whose `_placeholder` is `true` and
/// whose `num` is a non-negative integer; nullopt otherwise.
std::optional<std::size_t> placeholder_index(const boost::json::value& value) noexcept;

/// True for the event names reserved by Socket.IO (`connect`, `connect_error`, `disconnect`,
/// `disconnecting`, `newListener`, `removeListener`); neither side may emit them.
bool is_reserved_event(std::string_view name) noexcept;

}  // namespace switchboard::socketio

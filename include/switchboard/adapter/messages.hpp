#pragma once
/// The messages of @socket.io/redis-adapter 8.x (classic) and of socket.io-adapter's
/// ClusterAdapter (the sharded adapter), encoded and decoded exactly as the Node peers do.
/// docs/cluster-wire-format.md is the specification. Decoders never throw.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>

#include "switchboard/adapter/wire_value.hpp"
#include "switchboard/socketio/packet.hpp"

namespace switchboard::adapter {

/// `opts` of a broadcast or a remote operation: `{rooms, except, flags}`. Flags are kept as
/// the sender wrote them (`volatile`, `compress`, `local`, `timeout`, ...).
struct BroadcastOptions {
  std::vector<std::string> rooms;   ///< Only sockets in one of these (none: every socket).
  std::vector<std::string> except;  ///< Never sockets in one of these.
  boost::json::object flags;        ///< The sender's flags, as written.

  /// `flags.timeout` in ms, when present.
  std::optional<std::int64_t> timeout() const;
  /// Field by field.
  friend bool operator==(const BroadcastOptions&, const BroadcastOptions&) = default;
};
/// `{rooms: [...], except: [...], flags: {...}}`; `with_flags` false leaves flags out (classic
/// requests carry no flags).
boost::json::object to_json(const BroadcastOptions& opts, bool with_flags = true);
/// Reads `{rooms?, except?, flags?}`; numbers in the room lists become their decimal text.
boost::system::result<BroadcastOptions> broadcast_options_from(const boost::json::value& v);

/// The packet object `{type, data, nsp[, id]}` with the packet's binaries as the WireValue's.
/// An event keeps type 2 even with binaries (the Node receiver re-encodes it). The sharded
/// adapter's packets carry no `nsp` (the message has it): `with_nsp` false.
WireValue packet_to_wire(const socketio::Packet& packet, bool with_nsp = true);
/// Reads a packet object; a missing `nsp` means "/", as the Node adapter assumes.
boost::system::result<socketio::Packet> packet_from_wire(const boost::json::value& v,
                                                         std::vector<std::string> attachments);

/// The classic broadcast `[uid, packet, opts]` (msgpack).
struct BroadcastMessage {
  std::string uid;          ///< The publishing node.
  socketio::Packet packet;  ///< What to deliver.
  BroadcastOptions opts;    ///< To whom.
};
/// The msgpack bytes of `message`, as the Node adapter publishes them.
std::string encode_broadcast(const BroadcastMessage& message);
/// Reads a classic broadcast; Error::MalformedMessage (and the msgpack errors) on bad bytes.
boost::system::result<BroadcastMessage> decode_broadcast(std::string_view bytes);

/// Classic request and response types (`RequestType` of lib/index.ts).
enum class RequestType : std::uint8_t {
  Sockets = 0,               ///< The ids of the sockets in some rooms.
  AllRooms = 1,              ///< Every room of the namespace.
  RemoteJoin = 2,            ///< Make sockets join rooms.
  RemoteLeave = 3,           ///< Make sockets leave rooms.
  RemoteDisconnect = 4,      ///< Disconnect sockets.
  RemoteFetch = 5,           ///< Describe sockets (fetchSockets).
  ServerSideEmit = 6,        ///< A server-side event, maybe answered.
  Broadcast = 7,             ///< A broadcast whose clients answer (with ack).
  BroadcastClientCount = 8,  ///< How many clients got a broadcast with ack.
  BroadcastAck = 9,          ///< One client's answer to a broadcast with ack.
};

/// A classic request or response: an object, JSON or msgpack. Responses to SOCKETS,
/// ALL_ROOMS and REMOTE_FETCH have no `type`; they are matched by `requestId`.
struct ClassicMessage {
  boost::json::object fields;            ///< The message's fields, binaries as placeholders.
  std::vector<std::string> attachments;  ///< The binaries' bytes, by placeholder number.

  /// `type`, or nullopt when absent or not a known RequestType.
  std::optional<RequestType> type() const;
  /// `uid`: empty when absent or not a string.
  std::string_view uid() const;
  /// `requestId`: empty when absent or not a string.
  std::string_view request_id() const;
};
/// Encodes as the reference does: msgpack for BROADCAST (7) and BROADCAST_ACK (9), JSON for
/// the rest.
std::string encode_classic(const ClassicMessage& message);
/// Decodes either encoding, told apart by a leading `{`.
boost::system::result<ClassicMessage> decode_classic(std::string_view bytes);

/// The sharded adapter's ClusterMessage / ClusterResponse types (socket.io-adapter).
enum class MessageType : std::uint8_t {
  InitialHeartbeat = 1,    ///< A node has started (socket.io-adapter's first heartbeat).
  Heartbeat,               ///< A node is still alive (socket.io-adapter's heartbeat).
  Broadcast,               ///< Deliver a packet (maybe asking for acks).
  SocketsJoin,             ///< Make sockets join rooms.
  SocketsLeave,            ///< Make sockets leave rooms.
  DisconnectSockets,       ///< Disconnect sockets.
  FetchSockets,            ///< Describe sockets.
  FetchSocketsResponse,    ///< The answer to FetchSockets.
  ServerSideEmit,          ///< A server-side event, maybe answered.
  ServerSideEmitResponse,  ///< The answer to a ServerSideEmit.
  BroadcastClientCount,    ///< How many clients got a broadcast with ack.
  BroadcastAck,            ///< One client's answer to a broadcast with ack.
  AdapterClose,            ///< A node leaves.
};

/// `{uid, nsp, type, data}`; `data` holds the message's binaries, if any.
struct ClusterMessage {
  std::string uid;                            ///< The sending node.
  std::string nsp = "/";                      ///< The namespace.
  MessageType type = MessageType::Broadcast;  ///< What it asks or answers.
  WireValue data;                             ///< Its payload, per type.
};
/// JSON, or msgpack when a type that may carry binary (BROADCAST, BROADCAST_ACK,
/// FETCH_SOCKETS_RESPONSE, SERVER_SIDE_EMIT, SERVER_SIDE_EMIT_RESPONSE) does.
std::string encode_cluster(const ClusterMessage& message);
/// Reads either encoding; Error::MalformedMessage (and the msgpack errors) on bad bytes.
boost::system::result<ClusterMessage> decode_cluster(std::string_view bytes);

}  // namespace switchboard::adapter

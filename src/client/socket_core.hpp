#pragma once
// The Socket.IO v5 client state of one namespace, sans-I/O: packets to send, and what a
// received packet means. Remembers the session (`pid`) and the last offset for connection
// state recovery (PROTOCOL.md §7).

#include <switchboard/socketio/args.hpp>
#include <switchboard/socketio/packet.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace switchboard::client::detail {

/// The namespace accepted us.
struct ConnectedIn {
  std::string sid;
  bool recovered = false;  ///< the server restored our previous session (same pid)
};
/// The namespace refused us (CONNECT_ERROR).
struct RefusedIn {
  std::string message;
  boost::json::value data;
};
/// An event from the server; `id` set when it asks for an ack.
struct EventIn {
  std::string name;
  socketio::Args args;
  std::optional<std::uint64_t> id;
};
/// The answer to one of our events.
struct AckIn {
  std::uint64_t id = 0;
  socketio::Args args;
};
/// The server made us leave the namespace.
struct DisconnectIn {};
/// A packet that breaks the protocol (the connection should be closed).
struct InvalidIn {};

/// What a received packet means.
using Incoming = std::variant<ConnectedIn, RefusedIn, EventIn, AckIn, DisconnectIn, InvalidIn>;

/// One namespace's client state. Not thread-safe.
class SocketCore {
 public:
  /// A socket for namespace `nsp` (starts with '/').
  explicit SocketCore(std::string nsp) : nsp_(std::move(nsp)) {}

  /// The CONNECT packet: `auth`, preceded by `pid` and `offset` when a session is known.
  socketio::Packet connect_packet(const boost::json::object& auth) const;

  /// An EVENT `[name, ...args]`, asking for ack `id` when set.
  socketio::Packet event_packet(std::string_view name, socketio::Args args,
                                std::optional<std::uint64_t> id) const;

  /// An ACK answering the server's event `id`.
  socketio::Packet ack_packet(std::uint64_t id, socketio::Args args) const;

  /// A DISCONNECT (we leave the namespace).
  socketio::Packet disconnect_packet() const;

  /// A fresh ack id (a counter; unique per socket).
  std::uint64_t next_ack_id() { return next_id_++; }

  /// Interprets a packet addressed to this namespace, updating the connection state, the
  /// pid and the last offset.
  Incoming receive(socketio::Packet packet);

  /// The transport closed: no longer connected (pid and offset are kept for recovery).
  void transport_closed() { connected_ = false; }

  /// We left the namespace on purpose: forget the session (nothing to recover).
  void left();

  bool connected() const { return connected_; }
  const std::string& nsp() const { return nsp_; }
  const std::string& id() const { return sid_; }
  bool recovered() const { return recovered_; }
  const std::optional<std::string>& pid() const { return pid_; }
  const std::optional<std::string>& last_offset() const { return offset_; }

 private:
  std::string nsp_;
  std::string sid_;
  bool connected_ = false;
  bool recovered_ = false;
  std::optional<std::string> pid_;
  std::optional<std::string> offset_;
  std::uint64_t next_id_ = 0;
};

}  // namespace switchboard::client::detail

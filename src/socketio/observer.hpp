#pragma once
// Private: what the server tells an observer of its sockets (the Admin UI's instrumentation,
// src/socketio/admin*.cpp). Set once, before the runtime runs (ServerCore::observer).

#include <memory>
#include <string>
#include <string_view>

#include "switchboard/engineio/server.hpp"
#include "switchboard/socketio/socket.hpp"

namespace switchboard::socketio::detail {

/// Every call is made on the shard of the connection it is about, and must not throw.
class Observer {
 public:
  virtual ~Observer() = default;
  /// An Engine.IO connection began / ended under Socket.IO (once each).
  virtual void client_opened(const engineio::SocketPtr& conn) noexcept = 0;
  virtual void client_closed(engineio::Socket& conn, std::string_view reason) noexcept = 0;
  /// Messages of a connection, in and out, and their bytes (Socket.IO's, not Engine.IO's
  /// heartbeats).
  virtual void packet_in(std::size_t bytes) noexcept = 0;
  virtual void packet_out(std::size_t bytes) noexcept = 0;
  /// A socket joined its namespace (before the namespace's connection handler runs).
  virtual void socket_connected(Socket& socket) noexcept = 0;
  /// A socket left (its rooms already left), before its disconnect handler runs.
  virtual void socket_disconnected(Socket& socket, std::string_view reason) noexcept = 0;
  /// A socket joined or left a room other than its own.
  virtual void room_joined(Socket& socket, const std::string& room) noexcept = 0;
  virtual void room_left(Socket& socket, const std::string& room) noexcept = 0;
  /// With `events`: every event a socket received, and every one sent to it (direct emits
  /// and broadcasts; broadcasts then keep their arguments, as for on_any_outgoing).
  virtual void event_received(Socket& socket, const Event& event) noexcept = 0;
  virtual void event_sent(Socket& socket, const Event& event) noexcept = 0;
  bool events = false;
};

}  // namespace switchboard::socketio::detail

#pragma once
/// Why a socket left its namespace (the reference's `DisconnectReason`).

#include <optional>
#include <ostream>
#include <string_view>

namespace switchboard::socketio {

/// Why a socket left its namespace, as on_disconnecting / on_disconnect report it. to_string()
/// gives the reference's words ("ping timeout", ...), which the JS server's handlers see.
enum class DisconnectReason {
  /// The connection failed (a write or read error on its transport).
  TransportError,
  /// The client closed the connection (or its polling requests stopped).
  TransportClose,
  /// The Engine.IO connection was closed by the server (`socket->conn()->close()`).
  ForcedClose,
  /// The client stopped answering pings.
  PingTimeout,
  /// The client sent something that breaks the protocol; its connection was closed.
  ParseError,
  /// The server is shutting down.
  ServerShuttingDown,
  /// The server closed the connection under every namespace (a packet for a namespace the
  /// client never joined: "invalid state" in switchboard 1.x).
  ForcedServerClose,
  /// The server disconnected the socket (`socket->disconnect()`, disconnect_sockets()).
  ServerNamespaceDisconnect,
  /// The client left the namespace (`socket.disconnect()` on the client).
  ClientNamespaceDisconnect,
  /// A handler of this socket threw (switchboard's own; ServerOptions::on_handler_error).
  ServerError,
};

/// The reference's words for `reason` ("server namespace disconnect", ...).
std::string_view to_string(DisconnectReason reason) noexcept;

/// The reason named by `text` (the words to_string() gives), or nullopt.
std::optional<DisconnectReason> disconnect_reason_from(std::string_view text) noexcept;

/// True when a client that left for `reason` may get its session back (connection state
/// recovery): it did not choose to leave, nor did the server send it away.
bool recoverable(DisconnectReason reason) noexcept;

/// Writes to_string(reason).
inline std::ostream& operator<<(std::ostream& out, DisconnectReason reason) {
  return out << to_string(reason);
}

}  // namespace switchboard::socketio

#pragma once

// Errors of the client layer: why a connection, a handshake or an acknowledgement failed.

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace switchboard::client {

/// Why a client operation failed. Never thrown for network or peer input; reported as values.
enum class Error : int {
  Timeout = 1,      ///< no answer in time (connect, handshake, ack)
  Disconnected,     ///< the socket left the namespace before the answer came
  BadUrl,           ///< the URL is not `ws://`, `http://` (or `https`/`wss`) with a host
  HandshakeFailed,  ///< the WebSocket upgrade was refused or its answer is malformed
  BadAcceptKey,     ///< `Sec-WebSocket-Accept` does not match the key we sent
  HttpStatus,       ///< a polling request was answered with a status other than 200
  ProtocolError,    ///< the server broke Engine.IO / Socket.IO framing
  ConnectRefused,   ///< the namespace refused us (CONNECT_ERROR)
  Closed,           ///< the connection is closed
};

/// The category of `Error` (name "switchboard.client").
const boost::system::error_category& error_category() noexcept;

/// Makes an error code of the "switchboard.client" category.
boost::system::error_code make_error_code(Error e) noexcept;

}  // namespace switchboard::client

namespace boost::system {
template <>
struct is_error_code_enum<switchboard::client::Error> : std::true_type {};
}  // namespace boost::system

#pragma once
/// The client side of Socket.IO v5 over an Engine.IO v4 WebSocket, sans-I/O and reduced to what
/// the benchmark needs: open, CONNECT to the main namespace, ping/pong, and events carrying one
/// string argument.

#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::bench {

/// What one text message from the server is.
enum class SioInput : std::uint8_t {
  Open,       ///< Engine.IO open packet "0{...}": answer with sio_connect.
  Connected,  ///< "40{"sid":...}": the main namespace accepted us.
  Ping,       ///< Engine.IO ping "2": answer with sio_pong.
  Event,      ///< 42["name","arg"]: `name` and `arg` are set (views into the message).
  Other,      ///< Something valid the benchmark does not use (noop, other packets).
  Invalid,    ///< Not what a Socket.IO server may send here.
};

/// A classified server message.
struct SioMessage {
  SioInput kind = SioInput::Invalid;
  std::string_view name;
  std::string_view arg;
};

/// The handshake path for the main namespace over the WebSocket transport.
inline constexpr std::string_view sio_path = "/socket.io/?EIO=4&transport=websocket";
/// Engine.IO message + Socket.IO CONNECT to "/" without auth.
inline constexpr std::string_view sio_connect = "40";
/// Engine.IO pong.
inline constexpr std::string_view sio_pong = "3";

/// Classifies one text message. The argument must be a JSON string without escapes (the
/// benchmark's payloads are); one with escapes, or any other shape of event, is Invalid. Never
/// throws.
SioMessage parse_sio_message(std::string_view text);

/// Appends 42["<name>","<arg>"]; `name` and `arg` must need no JSON escaping.
void append_sio_event(std::string& out, std::string_view name, std::string_view arg);

}  // namespace switchboard::bench

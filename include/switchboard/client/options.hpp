#pragma once

// Options of the Socket.IO client: plain structs with the JS client's defaults.
//
//   client::Client io(context, "https://chat.example:3000",
//                     {.transports = {client::Transport::WebSocket}, .reconnection = false});

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::client {

/// An Engine.IO transport.
enum class Transport {
  Polling,    ///< HTTP long polling (GET to receive, POST to send).
  WebSocket,  ///< One WebSocket connection.
};

/// TLS for https:// and wss:// URLs.
struct TlsOptions {
  /// Verify the server's certificate chain and that it names the URL's host. On by default;
  /// turning it off accepts any server (tests only).
  bool verify_peer = true;
  /// PEM file of the trusted certificate authorities; empty: the system's default store.
  std::string ca_file;
};

/// How a `Client` connects and reconnects.
struct ClientOptions {
  /// The first is tried first; with {Polling, WebSocket} (the default, as the JS client) the
  /// session opens on long polling and upgrades to WebSocket when the server offers it.
  std::vector<Transport> transports{Transport::Polling, Transport::WebSocket};
  /// The Engine.IO path on the server.
  std::string path = "/socket.io/";
  /// Extra query parameters of every Engine.IO request (not URL-encoded here).
  std::vector<std::pair<std::string, std::string>> query;
  /// Extra HTTP headers of every Engine.IO request.
  std::vector<std::pair<std::string, std::string>> headers;
  /// Reconnect after an involuntary disconnection.
  bool reconnection = true;
  /// Attempts before giving up; nullopt for no limit.
  std::optional<unsigned> reconnection_attempts;
  /// The first delay; doubled at each attempt up to `reconnection_delay_max`.
  std::chrono::milliseconds reconnection_delay{1'000};
  /// The longest delay between two attempts (before jitter).
  std::chrono::milliseconds reconnection_delay_max{5'000};

  /// Jitter: each delay is moved by up to this fraction of itself.
  double randomization_factor = 0.5;
  /// Time to open the Engine.IO session (handshake), per attempt.
  std::chrono::milliseconds timeout{20'000};
  /// The largest WebSocket message or polling response accepted, in bytes.
  std::size_t max_message_size = 16 * 1024 * 1024;
  /// For https:// and wss:// URLs.
  TlsOptions tls;
};

/// How one namespace's `Socket` connects.
struct SocketOptions {
  /// The CONNECT payload (`auth` in the JS client); sent on every (re)connection.
  boost::json::object auth;
};

}  // namespace switchboard::client

#pragma once
/// The server side of the Socket.IO Admin UI (`@socket.io/admin-ui`): the `/admin` namespace
/// that the reference's `instrument(io, options)` serves, so that the UI, unchanged, can watch
/// and act on a switchboard server (docs/admin-ui.md). Link switchboard::socketio_admin.
///
///     socketio::Server io(runtime);
///     socketio::instrument(io, {.auth = socketio::AdminBasicAuth{
///                                   .username = "admin",
///                                   .password_hash = "$2b$10$..."}});  // bcrypt

#include <chrono>
#include <optional>
#include <string>

#include "switchboard/socketio/server.hpp"

namespace switchboard::socketio {

/// The reference's `auth: {type: "basic", username, password}`: `password_hash` is a bcrypt
/// hash ($2a$, $2b$ or $2y$), never the password itself.
struct AdminBasicAuth {
  std::string username = "admin";  ///< The name the UI logs in with.
  std::string password_hash;       ///< The bcrypt hash of its password.
};

/// The reference's `mode`: in production only aggregated statistics are sent (server_stats),
/// no notification per socket, room or event.
enum class AdminMode { Development, Production };

/// Options of instrument(), with the reference's defaults.
struct AdminOptions {
  /// The namespace the UI connects to.
  std::string namespace_name = "/admin";
  /// Basic authentication; without it `no_auth` must be set (the reference's `auth: false`):
  /// anyone reaching the server could then watch it and disconnect its clients.
  std::optional<AdminBasicAuth> auth;
  /// Accept the UI without authentication; without `auth` or this, instrument() throws
  /// std::invalid_argument.
  bool no_auth = false;
  /// No command from the UI is accepted (emit, join, leave, disconnect).
  bool readonly = false;
  /// Names this server in the UI; empty: the host name (with `#pid` when a cluster adapter is
  /// set, so that the nodes of one machine differ).
  std::string server_id;
  /// Development (every notification) or Production (statistics only).
  AdminMode mode = AdminMode::Development;

  /// How often server_stats is sent (the reference: every 2 s).
  std::chrono::milliseconds stats_interval{2000};
  /// Login attempts waiting for their bcrypt check, at most; more are refused at once with
  /// "invalid credentials" (each check runs on one thread of its own, one at a time).
  std::size_t max_pending_logins = 8;
};

/// Serves the Admin UI's namespace on `server`: authentication (a session id is handed out, as
/// the reference does, so a reconnecting UI need not send the password again), `config`,
/// `server_stats`, `all_sockets`, the notifications of sockets, rooms and events, and the UI's
/// commands. Call once, before the runtime runs; the server keeps what it needs. Throws
/// std::invalid_argument for options the reference refuses (no `auth` and no `no_auth`, or a
/// password hash that is not bcrypt) and std::logic_error when called twice.
void instrument(Server& server, AdminOptions options);

}  // namespace switchboard::socketio

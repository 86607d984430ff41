#pragma once
// The chat service's command line: `switchboard serve [options]`.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rate_limits.hpp"
#include "switchboard/log/level.hpp"

namespace switchboard::app {

/// Everything the service can be told; every field has the default `make run` uses.
struct Config {
  std::string address = "0.0.0.0";
  std::uint16_t port = 8000;
  /// 0: one shard per hardware thread.
  unsigned shards = 0;
  /// SQLite database folder.
  std::string data = "data";
  /// The built web UI (web/dist).
  std::string web = "web/dist";
  std::string tls_cert;
  std::string tls_key;
  /// Rooms that may exist at most (new names beyond it are refused).
  std::size_t max_rooms = 1000;
  /// Rooms without messages that nobody joined, watched or posted to for this long are
  /// removed (0: never).
  std::uint32_t room_idle_seconds = 600;
  /// Messages (and typing notices and renames) per name and per client address, and rooms
  /// created per client address, over every transport and across reconnections.
  RateLimits::Options limits;
  /// Cap on the history database's size in bytes (0: only the disk's); past it, posting
  /// fails as with a full disk (503).
  std::uint64_t max_db_bytes = 0;
  /// How long a long poll is held before 204.
  std::uint32_t poll_timeout_ms = 25000;
  /// `redis://HOST[:PORT]`: run as one node of a cluster on this Redis: the chat's fan-out
  /// spans the nodes (the /chat namespace's Redis adapter) and the history lives in Redis
  /// instead of SQLite (empty: one process, SQLite in `data`).
  std::string redis_url;
  /// With `redis_url`: each room keeps at least this many of its newest messages.
  std::uint64_t history_max_per_room = 100'000;
  /// Origins allowed besides the page's own (CORS and WebSocket Origin checks).
  std::vector<std::string> allowed_origins;
  /// With redis_url: where the other nodes reach this one over plain HTTP, to relay requests
  /// for its Engine.IO sessions (no sticky sessions); empty: 127.0.0.1:PORT, or ADDRESS:PORT
  /// when listening on one address.
  std::string advertise;
  /// With redis_url: each node's presence lists live this long in Redis after its last
  /// heartbeat (heartbeats every third of it), so a dead node's people are gone from every
  /// node within ttl + ttl / 3. Advanced (tests shorten it).
  std::uint32_t presence_ttl_ms = 10000;
  /// Socket.IO connection state recovery (always on): a client that lost its connection for
  /// up to this long gets back its id, rooms and the packets it missed, on any node with
  /// --redis (kept in Redis), on its own node without.
  std::uint32_t recovery_seconds = 120;
  /// Packets kept for recovery (per namespace: in Redis with --redis, per shard without).
  std::size_t recovery_max_packets = 10000;
  /// Proxies (CIDR) whose X-Forwarded-For names the client (rate limits, quotas); from
  /// any other peer the field is ignored.
  std::vector<std::string> trusted_proxies;
  /// Serve GET /metrics in the Prometheus text format (docs/metrics.md).
  bool metrics = true;
  /// The Socket.IO Admin UI (docs/admin-ui.md): on when a bcrypt hash of the password is set;
  /// the UI's namespace is /admin and its page /admin/.
  std::string admin_password_hash;
  std::string admin_user = "admin";
  /// The UI's built files (@socket.io/admin-ui's ui/dist); empty: looked for in node_modules
  /// beside the web UI's folder (<web>/../../node_modules/...), then in ./node_modules.
  std::string admin_ui;
  /// "production": only statistics, no notification per socket, room or event.
  bool admin_production = false;
  /// The UI may only watch: no emit, join, leave or disconnect.
  bool admin_readonly = false;
  /// The log's threshold and format (docs/logging.md); records go to stderr.
  log::Level log_level = log::Level::Info;
  log::Format log_format = log::Format::Text;
  /// One info record per HTTP request (the access log).
  bool access_log = true;
};

/// Parses `serve` and its options; on --help or an error prints usage and returns nullopt with
/// `exit_code` set (0 for --help, 2 for errors).
std::optional<Config> parse_command_line(int argc, char** argv, int& exit_code);

/// Where the other nodes reach a node listening on `config.address` and `port`: "host:port",
/// 127.0.0.1 for a wildcard address.
std::string advertised_address(const Config& config, std::uint16_t port);

}  // namespace switchboard::app

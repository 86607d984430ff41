#pragma once
/// The Redis adapter: a socketio::Adapter that joins a cluster of Node.js socket.io servers
/// using @socket.io/redis-adapter 8.x (classic or sharded format), through one RedisCluster
/// per namespace and process, on shard 0 (the other shards post to it).
///
///     socketio::ServerOptions options;
///     options.adapter = adapter::redis_adapter({.redis = *adapter::parse_redis_url(url),
///                                               .cluster = {.requests_timeout = 2s}});
///     socketio::Server io(runtime, options);

#include <functional>
#include <memory>
#include <mutex>

#include "switchboard/adapter/redis_cluster.hpp"
#include "switchboard/socketio/adapter.hpp"

namespace switchboard::adapter {

/// What redis_adapter() needs.
struct RedisAdapterOptions {
  /// Where Redis is and how to reach it (parse_redis_url() makes one from a URL).
  RedisOptions redis;
  /// The cluster protocol: channel prefix, format (classic or sharded), request timeout.
  ClusterOptions cluster;
  /// With the server's connection_state_recovery on: keep the sessions and the recoverable
  /// packets in Redis, so that a client recovers on any node, after its node died or every
  /// node restarted (docs/decisions/014). False: each process recovers only its own clients.
  bool recovery = true;
};

/// One namespace's adapter over Redis, made by redis_adapter() for the server. Its link lives
/// on shard 0; every call may be made from any shard (it posts itself there), and the
/// answers come back as socketio::Adapter says. Redis being away never throws: requests fail
/// with ClusterError after the request timeout, and broadcasts are lost while it is away.
class RedisAdapter final : public socketio::Adapter {
 public:
  /// Made by the factory for `host`'s namespace; connects later, on shard 0.
  RedisAdapter(socketio::AdapterHost& host, RedisAdapterOptions options);
  /// Closes the link; only once the runtime has stopped (the server outlives its run).
  ~RedisAdapter() override;

  /// The socketio::Adapter interface (socketio/adapter.hpp), relayed to the other nodes
  /// through Redis in @socket.io/redis-adapter's format.
  void broadcast(const socketio::Target& target, std::string_view event,
                 const socketio::Args& args) override;
  void broadcast_with_ack(const socketio::Target& target, std::string_view event,
                          const socketio::Args& args, std::function<void(std::size_t)> on_nodes,
                          std::function<void(std::size_t)> on_count,
                          std::function<void(socketio::Args)> on_ack) override;
  void fetch_sockets(
      const socketio::Target& target,
      std::function<void(socketio::ClusterError, std::vector<socketio::SocketInfo>)> done) override;
  void add_sockets(const socketio::Target& target, const std::vector<std::string>& rooms) override;
  void del_sockets(const socketio::Target& target, const std::vector<std::string>& rooms) override;
  void disconnect_sockets(const socketio::Target& target, bool close) override;
  void server_side_emit(std::string_view event, const socketio::Args& args) override;
  void server_side_emit_with_ack(
      std::string_view event, const socketio::Args& args, std::chrono::milliseconds timeout,
      std::function<void(socketio::ClusterError, std::vector<boost::json::value>)> done) override;
  void server_count(std::function<void(std::size_t)> done) override;
  void room_created(const std::string& room) override;
  void room_deleted(const std::string& room) override;
  void close() override;
  bool keep_sessions(const socketio::RecoveryLimits& limits) override;
  void broadcast_logged(const socketio::Target& target, std::string_view event,
                        const socketio::Args& args) override;
  void persist_session(const socketio::SessionState& session,
                       socketio::SessionChange change) override;
  void restore_session(const std::string& pid,
                       std::function<void(std::optional<socketio::SessionState>)> done) override;
  void missed_packets(
      const std::string& after,
      std::function<void(std::optional<std::vector<socketio::MissedPacket>>, std::string horizon)>
          done) override;

  /// The Redis link's health as last seen (refreshed every 100 ms). Thread-safe.
  RedisHealth health() const;
  /// health().ok(): connected and subscribed.
  std::optional<bool> healthy() const override { return health().ok(); }
  /// Runs `fn` once (on shard 0) when the link is first connected and subscribed; at once
  /// (still on shard 0) when it already was. Thread-safe.
  void on_ready(std::function<void()> fn);

  /// The link's state on shard 0 (public only for the implementation's helpers).
  struct State;

 private:
  void run(std::function<void(State&)> fn);
  std::shared_ptr<State> state_;
};

/// The factory for socketio::ServerOptions::adapter; `made` (optional) gets each namespace's
/// adapter as it is made.
socketio::AdapterFactory redis_adapter(RedisAdapterOptions options,
                                       std::function<void(RedisAdapter&)> made = {});

}  // namespace switchboard::adapter

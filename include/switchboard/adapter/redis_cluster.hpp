#pragma once
/// One cluster member's link for one namespace: a RedisClient, a ClusterCore and the timer of
/// its requests, on one io_context. The Socket.IO integration keeps one per namespace and
/// process (never one per shard: Node peers count subscriptions to learn the server count),
/// on the shard that owns it, and posts to it from the others.
///
///   adapter::RedisCluster cluster(shard.context(), {.redis = *parse_redis_url(url)},
///                                 [&](adapter::Inbound in) { ... },
///                                 [&](std::string_view room) { return has_local_socket_in(room);
///                                 });
///   cluster.start();
///   cluster.core().broadcast(packet, opts);
///   cluster.server_side_emit_with_ack(args, [](auto ec, auto answers) { ... });

#include <functional>
#include <memory>
#include <string>

#include "switchboard/adapter/cluster_core.hpp"
#include "switchboard/adapter/redis_client.hpp"

namespace boost::asio {
class io_context;
}

namespace switchboard::adapter {

/// What a RedisCluster needs.
struct RedisClusterOptions {
  /// Where Redis is.
  RedisOptions redis;
  /// The cluster protocol (prefix, format, request timeout).
  ClusterOptions cluster;
  /// The namespace this link carries.
  std::string nsp = "/";
};

/// One namespace's cluster link on one io_context; every call on that io_context's thread,
/// where every callback runs too.
class RedisCluster final : private Bus {
 public:
  /// `on_inbound` gets what received messages ask of the local node (never monostate);
  /// `has_room` tells whether a local socket is in a room. Both run on the io_context's thread.
  RedisCluster(boost::asio::io_context& context, RedisClusterOptions options,
               std::function<void(Inbound)> on_inbound, HasRoom has_room);
  /// Closes the link (as close()).
  ~RedisCluster();
  RedisCluster(const RedisCluster&) = delete;
  RedisCluster& operator=(const RedisCluster&) = delete;

  /// Subscribes and connects; the link keeps reconnecting until close().
  void start();
  /// Fails what waits with Error::Closed and closes the connections.
  void close();

  /// Channels, encodings and replies. Its operations that need no server count may be called
  /// directly (broadcast, add_sockets, del_sockets, disconnect_sockets, server_side_emit,
  /// reply_*); the others go through the methods below.
  ClusterCore& core() { return core_; }
  /// The Redis link's state now.
  const RedisHealth& health() const { return redis_.health(); }
  /// The command connection, for the recovery store's commands.
  RedisClient& redis() { return redis_; }

  /// The number of nodes (this one included), or Error::RedisUnavailable.
  void server_count(std::function<void(boost::system::result<std::size_t>)> done);
  /// The other nodes' sockets. Without Redis: Error::RedisUnavailable after the request timeout.
  void fetch_sockets(const BroadcastOptions& opts, Collect done);
  /// The other nodes' answers to a server-side event, waiting `timeout` (0: the requests
  /// timeout). Same errors.
  void server_side_emit_with_ack(const WireValue& args, Collect done,
                                 std::chrono::milliseconds timeout = {});
  /// A broadcast with acknowledgements; the counts and answers of the other nodes.
  void broadcast_with_ack(const socketio::Packet& packet, const BroadcastOptions& opts,
                          AckHandlers handlers);

  /// Sharded mode: a local room appeared (subscribes to its channel if public).
  void room_created(std::string_view room, bool is_socket_id);
  /// Sharded mode: a local room disappeared (unsubscribes from its channel if public).
  void room_deleted(std::string_view room, bool is_socket_id);

 private:
  void publish(const std::string& channel, std::string payload) override;
  void with_count(std::function<void(std::optional<std::size_t>)> then);
  void arm();

  RedisClient redis_;
  ClusterCore core_;
  std::function<void(Inbound)> on_inbound_;
  HasRoom has_room_;
  struct Timer;
  std::unique_ptr<Timer> timer_;
  std::shared_ptr<bool> alive_;
};

}  // namespace switchboard::adapter

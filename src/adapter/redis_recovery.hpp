#pragma once
// Private: connection state recovery kept in Redis for one namespace (docs/decisions/014),
// the shell around recovery_store.hpp. Lives on the shard that owns the namespace's
// RedisCluster and is called only there.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/steady_timer.hpp>

#include "switchboard/adapter/recovery_store.hpp"
#include "switchboard/adapter/redis_cluster.hpp"

namespace switchboard::adapter::detail {

class RedisRecovery : public std::enable_shared_from_this<RedisRecovery> {
 public:
  RedisRecovery(socketio::AdapterHost& host, const ClusterOptions& options,
                socketio::RecoveryLimits limits);

  /// Starts refreshing the sessions of connected sockets on `cluster`'s connection.
  void start(boost::asio::io_context& context, RedisCluster& cluster);
  void stop();

  /// Appends and publishes a recoverable emit; without Redis it is delivered here only,
  /// without an offset.
  void broadcast(const socketio::Target& target, std::string_view event, socketio::Args args);
  /// Delivers a received recoverable packet with its offset; false when `m` is not one.
  bool deliver(inbound::Broadcast& m);
  void persist(const socketio::SessionState& session, socketio::SessionChange change);
  void restore(const std::string& pid,
               std::function<void(std::optional<socketio::SessionState>)> done);
  void missed(
      const std::string& after,
      std::function<void(std::optional<std::vector<socketio::MissedPacket>>, std::string)> done);

 private:
  /// A connected socket's session as last written (or to be written again).
  struct Kept {
    std::string key;
    std::string owner;
    std::string session;
    std::string start;
    bool written = true;
  };
  void write(const std::string& pid, const Kept& kept, const char* mode);
  /// Writes again, soon, the sessions whose write Redis did not take (it was away): a socket
  /// admitted or moved between rooms meanwhile is recoverable once Redis is back.
  void retry_soon();
  void refresh();
  void eval(const char* script, std::vector<std::string> keys, std::vector<std::string> args,
            RedisClient::ReplyHandler handler = {});

  socketio::AdapterHost& host_;
  ClusterOptions options_;
  socketio::RecoveryLimits limits_;
  RecoveryKeys keys_;
  RedisCluster* cluster_ = nullptr;
  std::unique_ptr<boost::asio::steady_timer> timer_;
  std::unique_ptr<boost::asio::steady_timer> retry_timer_;
  bool retrying_ = false;
  bool stopped_ = false;
  /// Sessions of this node's connected sockets, by pid: refreshed until they leave.
  std::unordered_map<std::string, Kept> live_;
};

}  // namespace switchboard::adapter::detail

#pragma once
/// A Redis client for the cluster adapter, driven by one io_context (a shard's event loop):
/// commands with callbacks on one connection, Pub/Sub (channels, patterns, shard channels) on
/// a second, as every Redis adapter does. Both reconnect with back-off after any loss and the
/// subscriber subscribes again; `health()` tells whether it is subscribed and receiving.
/// RESP is read and written by hiredis' sans-I/O reader and formatter
/// (docs/decisions/007-redis-adapter.md says why not its async API).
///
///   adapter::RedisClient redis(shard.context(), {.port = 6379});
///   redis.on_message([](std::string_view channel, std::string_view payload) { ... });
///   redis.subscribe(adapter::Subscription::Pattern, "socket.io#/#*");
///   redis.start();
///   redis.publish("socket.io#/#", bytes);

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/result.hpp>

namespace boost::asio {
class io_context;
}

namespace switchboard::adapter {

/// Where Redis is, who to be there, and how patiently to reconnect.
struct RedisOptions {
  /// The server's host name or address.
  std::string host = "127.0.0.1";
  /// The server's TCP port.
  std::uint16_t port = 6379;
  /// Sent with AUTH on every connection before anything else when `password` is set
  /// (`AUTH password`, or `AUTH username password` for a Redis 6 ACL user). A refusal is a
  /// failed connection: retried with back-off, the reply kept as RedisHealth::last_error.
  std::string username;
  /// The password for AUTH; empty sends no AUTH.
  std::string password;
  /// SELECTed on every connection when not 0. Pub/Sub ignores it: channels are global to the
  /// server, so nodes in different databases still share broadcasts (as with Node's clients);
  /// what it separates is the keys (connection state recovery, the chat's history).
  unsigned database = 0;
  /// The first wait between reconnection attempts, doubling up to reconnect_max.
  std::chrono::milliseconds reconnect_min{100};
  /// The longest wait between reconnection attempts.
  std::chrono::milliseconds reconnect_max{2000};
  /// A connection attempt that takes longer fails.
  std::chrono::milliseconds connect_timeout{2000};
  /// The subscriber sends PING this often; no answer within the same time means the
  /// connection is dead (a half-open TCP connection never says so) and it reconnects.
  std::chrono::milliseconds health_check_interval{5000};
};

/// Reads `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` (port 6379, database 0 when absent;
/// USER and PASSWORD percent-decoded; an IPv6 HOST in brackets), as redis-cli and Node's
/// `redis` client read it. Anything else (another scheme, a bad port or database) is an error.
boost::system::result<RedisOptions> parse_redis_url(std::string_view url);

/// One RESP reply.
struct RedisReply {
  /// The RESP types: bulk string, simple string, integer, nil, error, array.
  enum class Type : std::uint8_t { String, Status, Integer, Nil, Error, Array };
  /// Which of the fields below holds the reply.
  Type type = Type::Nil;
  /// The text of a String, Status or Error.
  std::string str;
  /// The value of an Integer.
  std::int64_t integer = 0;
  /// The elements of an Array.
  std::vector<RedisReply> elements;
};

/// The kinds of Pub/Sub subscription.
enum class Subscription : std::uint8_t {
  Channel,  ///< SUBSCRIBE
  Pattern,  ///< PSUBSCRIBE
  Shard,    ///< SSUBSCRIBE (Redis >= 7)
};

/// What a user (or a readiness probe) can read about the client.
struct RedisHealth {
  /// The command connection is up.
  bool connected = false;
  /// The subscriber connection is up and Redis confirmed every subscription on it.
  bool subscribed = false;
  /// Messages received since start.
  std::uint64_t messages = 0;
  /// When the last message came (steady clock).
  std::chrono::steady_clock::time_point last_message{};
  /// Connections made after a loss (either connection).
  std::uint64_t reconnects = 0;
  /// The last connection error or error reply, empty if none.
  std::string last_error;

  /// Connected, subscribed, hence receiving whatever is published.
  bool ok() const { return connected && subscribed; }
};

/// The client. Every method must be called on the io_context's thread; callbacks run there.
class RedisClient {
 public:
  /// Gets a command's reply, or why there is none (Error::RedisUnavailable, Error::Closed).
  using ReplyHandler = std::function<void(boost::system::result<RedisReply>)>;
  /// `pattern` is empty except for PSUBSCRIBE messages.
  using MessageHandler = std::function<void(std::string_view channel, std::string_view payload,
                                            std::string_view pattern)>;

  /// A client on `context` (which must outlive it); it connects on start().
  RedisClient(boost::asio::io_context& context, RedisOptions options);
  /// Closes the connections; pending callbacks get Error::Closed.
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  /// Connects both connections (and keeps reconnecting until close()).
  void start();
  /// Closes both connections for good; pending callbacks get Error::Closed.
  void close();

  /// Sends a command. While the command connection is down the handler gets
  /// Error::RedisUnavailable at once; a connection lost before the answer gives the same.
  /// An error reply is a RedisReply of type Error (and is kept as last_error).
  void command(std::vector<std::string> args, ReplyHandler handler = {});
  /// PUBLISH, as command(): while Redis is away the message is lost (the handler says so).
  void publish(std::string_view channel, std::string_view payload, ReplyHandler handler = {});
  /// SPUBLISH (sharded Pub/Sub, Redis >= 7), as publish().
  void spublish(std::string_view channel, std::string_view payload, ReplyHandler handler = {});

  /// Adds a subscription, kept across reconnections. Subscribing twice to one name is one
  /// subscription.
  void subscribe(Subscription kind, std::string name);
  /// Drops a subscription (nothing when there is none).
  void unsubscribe(Subscription kind, const std::string& name);
  /// Receives every message of every subscription.
  void on_message(MessageHandler handler);
  /// Runs each time the subscriber has (again) every subscription confirmed.
  void on_subscribed(std::function<void()> handler);

  /// The link's state now (a reference into the client: copy it to keep it).
  const RedisHealth& health() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace switchboard::adapter

#pragma once
/// The decisions of a Redis adapter for one namespace, sans-I/O: which channel and encoding
/// each operation takes (classic @socket.io/redis-adapter or the sharded adapter), what a
/// received message asks of the local node, which requests still wait for answers and when
/// they time out. The shell gives it a Bus to publish on, the server count (from
/// `server_count_command()`), the time, and every message of `subscriptions()`.
///
///   ClusterCore core({.mode = ClusterMode::Classic}, "/", uid, bus);
///   core.broadcast(packet, {.rooms = {"room1"}});         // -> PUBLISH socket.io#/#room1#
///   auto inbound = core.on_message(channel, payload, has_room);
///   if (auto* b = std::get_if<inbound::Broadcast>(&inbound)) deliver_locally(b->packet, b->opts);

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/json/array.hpp>

#include "switchboard/adapter/channels.hpp"
#include "switchboard/adapter/messages.hpp"
#include "switchboard/adapter/pending_requests.hpp"
#include "switchboard/adapter/redis_client.hpp"

namespace switchboard::adapter {

/// The two wire formats of @socket.io/redis-adapter 8.x.
enum class ClusterMode : std::uint8_t {
  Classic,  ///< createAdapter: PUBLISH / PSUBSCRIBE, requests on their own channels
  Sharded,  ///< createShardedAdapter: SPUBLISH / SSUBSCRIBE, ClusterMessages, "dynamic" mode
};

/// The cluster protocol's settings, which every node of a cluster must share.
struct ClusterOptions {
  /// Which wire format the cluster speaks.
  ClusterMode mode = ClusterMode::Classic;
  /// The channel prefix (`key` classic, `channelPrefix` sharded).
  std::string key = "socket.io";
  /// How long fetch_sockets and server_side_emit_with_ack wait (`requestsTimeout`).
  std::chrono::milliseconds requests_timeout{5000};
};

/// Where the bytes go: PUBLISH in classic mode, SPUBLISH in sharded mode.
class Bus {
 public:
  /// Publishes `payload` on `channel`; a failure is the shell's to report (the core never
  /// learns of it).
  virtual void publish(const std::string& channel, std::string payload) = 0;

 protected:
  ~Bus() = default;
};

/// Who asked, to address the answer.
struct Requester {
  std::string uid;         ///< The asking node's uid (its response channel).
  std::string request_id;  ///< The request's id, echoed in the answer.
};

/// What a received message asks of the local node.
namespace inbound {
/// Deliver `packet` to the local sockets that `opts` selects.
struct Broadcast {
  socketio::Packet packet;  ///< The packet to deliver.
  BroadcastOptions opts;    ///< Which sockets: rooms, exceptions, flags.
  /// The publisher's uid (a recoverable packet's ends with kRecoverableUidSuffix).
  std::string uid;
};
/// The same, counting the clients (reply_client_count) and forwarding each client's answer
/// (reply_broadcast_ack).
struct BroadcastWithAck {
  socketio::Packet packet;  ///< The packet to deliver (its ack id is the core's).
  BroadcastOptions opts;    ///< Which sockets.
  Requester requester;      ///< Where the counts and answers go.
};
/// Make the selected sockets join `rooms`.
struct SocketsJoin {
  BroadcastOptions opts;           ///< Which sockets.
  std::vector<std::string> rooms;  ///< The rooms to join.
};
/// Make the selected sockets leave `rooms`.
struct SocketsLeave {
  BroadcastOptions opts;           ///< Which sockets.
  std::vector<std::string> rooms;  ///< The rooms to leave.
};
/// Disconnect the selected sockets (`close`: close the underlying connection too).
struct DisconnectSockets {
  BroadcastOptions opts;  ///< Which sockets.
  bool close = false;     ///< Close their Engine.IO connections too.
};
/// Answer with the selected sockets (reply_fetch_sockets).
struct FetchSockets {
  BroadcastOptions opts;  ///< Which sockets.
  Requester requester;    ///< Where the answer goes.
};
/// A server-side event `[event, ...args]`; answer with reply_server_side_emit when
/// `requester` is set.
struct ServerSideEmit {
  WireValue args;                      ///< `[event, ...args]`.
  std::optional<Requester> requester;  ///< Set when the sender waits for answers.
};
/// Classic SOCKETS (0): answer with reply_sockets.
struct Sockets {
  std::vector<std::string> rooms;  ///< Which rooms (none: every socket).
  Requester requester;             ///< Where the answer goes.
};
/// Classic ALL_ROOMS (1): answer with reply_all_rooms.
struct AllRooms {
  Requester requester;  ///< Where the answer goes.
};

}  // namespace inbound

/// monostate: nothing to do (own message, other namespace, unknown room, a response, noise).
using Inbound = std::variant<std::monostate, inbound::Broadcast, inbound::BroadcastWithAck,
                             inbound::SocketsJoin, inbound::SocketsLeave,
                             inbound::DisconnectSockets, inbound::FetchSockets,
                             inbound::ServerSideEmit, inbound::Sockets, inbound::AllRooms>;

/// Tells whether the local node has a socket in `room`.
using HasRoom = std::function<bool(std::string_view room)>;

/// One namespace's side of the cluster protocol, sans-I/O and not thread-safe: the shell
/// (RedisCluster) calls it on one thread and feeds it the bus's messages and the time.
class ClusterCore {
 public:
  /// `uid` is this node's id on the bus (classic: 6 characters, sharded: 16 hex digits, see
  /// make_uid). `make_request_id` defaults to random ids.
  ClusterCore(ClusterOptions options, std::string nsp, std::string uid, Bus& bus,
              std::function<std::string()> make_request_id = {});

  /// A random node id in the reference's form for `mode`.
  static std::string make_uid(ClusterMode mode);

  /// This node's id on the bus.
  const std::string& uid() const { return uid_; }
  /// The channel names of this namespace.
  const Channels& channels() const { return channels_; }
  /// The wire format it speaks.
  ClusterMode mode() const { return options_.mode; }
  /// What to subscribe to, once per process (the sharded room channels come on top).
  std::vector<std::pair<Subscription, std::string>> subscriptions() const;
  /// Sharded mode: the channel to subscribe to while the node holds public `room`, if any.
  std::optional<std::string> room_subscription(std::string_view room, bool is_socket_id) const;
  /// PUBSUB NUMSUB (classic) or SHARDNUMSUB (sharded) of the channel every node holds once.
  std::vector<std::string> server_count_command() const;
  /// The count in a reply to server_count_command(), or nullopt.
  static std::optional<std::size_t> server_count_from(const RedisReply& reply);

  // What the local node starts. None of these deliver locally: the caller does that.

  /// Publishes `packet` to the other nodes' sockets that `opts` selects.
  void broadcast(const socketio::Packet& packet, const BroadcastOptions& opts);
  /// Publishes `packet` asking for acks: `handlers` get each node's client count and each
  /// client's answer, until the requests timeout.
  void broadcast_with_ack(const socketio::Packet& packet, const BroadcastOptions& opts,
                          TimePoint now, AckHandlers handlers);
  /// Makes the other nodes' selected sockets join `rooms`.
  void add_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms);
  /// Makes the other nodes' selected sockets leave `rooms`.
  void del_sockets(const BroadcastOptions& opts, const std::vector<std::string>& rooms);
  /// Disconnects the other nodes' selected sockets (`close`: their connections too).
  void disconnect_sockets(const BroadcastOptions& opts, bool close);
  /// `server_count` includes this node; the others' sockets come back (each a
  /// `{id, handshake, rooms, data}` object). Without a server count (Redis away) nothing is
  /// sent and `done` gets Error::RedisUnavailable when the request times out.
  void fetch_sockets(const BroadcastOptions& opts, std::optional<std::size_t> server_count,
                     TimePoint now, Collect done);
  /// Sends `[event, ...args]` to the other nodes' server-side handlers, no answer wanted.
  void server_side_emit(const WireValue& args);
  /// The other nodes' answers (the first argument of each callback); as fetch_sockets. Waits
  /// `timeout` (Node's `io.timeout(ms).serverSideEmit`), or `requests_timeout` when it is 0.
  void server_side_emit_with_ack(const WireValue& args, std::optional<std::size_t> server_count,
                                 TimePoint now, Collect done,
                                 std::chrono::milliseconds timeout = {});

  /// A message from the bus; answers to this node's requests are consumed here.
  Inbound on_message(std::string_view channel, std::string_view payload, const HasRoom& has_room);

  // The local node's answers to the requests on_message() returned, each published to `to`.

  /// Answers inbound::FetchSockets with this node's selected sockets.
  void reply_fetch_sockets(const Requester& to, boost::json::array sockets);
  /// Answers inbound::ServerSideEmit with this node's handler's answer.
  void reply_server_side_emit(const Requester& to, WireValue answer);
  /// Answers inbound::BroadcastWithAck with how many local clients got the packet.
  void reply_client_count(const Requester& to, std::size_t count);
  /// Forwards one local client's ack to an inbound::BroadcastWithAck.
  void reply_broadcast_ack(const Requester& to, WireValue answer);
  /// Answers inbound::Sockets with the selected local socket ids.
  void reply_sockets(const Requester& to, const std::vector<std::string>& ids);
  /// Answers inbound::AllRooms with the local rooms.
  void reply_all_rooms(const Requester& to, const std::vector<std::string>& rooms);

  /// Times out what is due; call at next_deadline().
  void expire(TimePoint now) { pending_.expire(now); }
  /// When the earliest waiting request times out, or nullopt when none waits.
  std::optional<TimePoint> next_deadline() const { return pending_.next_deadline(); }
  /// Fails every waiting request with `ec` (on close).
  void fail_all(boost::system::error_code ec) { pending_.fail_all(ec); }
  /// The requests waiting for answers.
  const PendingRequests& pending() const { return pending_; }

 private:
  Inbound on_classic_broadcast(std::string_view room, std::string_view payload,
                               const HasRoom& has_room);
  Inbound on_classic_request(std::string_view payload);
  void on_classic_response(std::string_view payload);
  Inbound on_sharded(std::string_view channel, std::string_view payload);
  void on_sharded_response(ClusterMessage message);
  void publish_classic(const std::string& channel, const ClassicMessage& message);
  void publish_cluster(MessageType type, WireValue data, const std::string* to = nullptr);
  void remote(MessageType sharded, RequestType classic, const BroadcastOptions& opts,
              boost::json::object extra);
  std::string request_id();
  bool wait(std::optional<std::size_t> server_count, TimePoint deadline, const std::string& id,
            Collect done);

  ClusterOptions options_;
  std::string nsp_;
  std::string uid_;
  Bus& bus_;
  std::function<std::string()> make_request_id_;
  Channels channels_;
  PendingRequests pending_;
};

}  // namespace switchboard::adapter

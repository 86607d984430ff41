#pragma once
// The chat service: one set of rooms reachable over Socket.IO (/chat), plain WebSocket
// (ws/chat/<room>/), SSE, long polling and HTTP. A message is stored once (durably) and then
// published to every transport, in commit order, with the same id everywhere. Every fan-out
// is the /chat namespace's room index (chat_members.hpp), which --redis spans across nodes.

#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "chat_members.hpp"
#include "client_address.hpp"
#include "cluster_limits.hpp"
#include "config.hpp"
#include "history.hpp"
#include "presence.hpp"
#include "rate_limits.hpp"
#include "room_activity.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/socketio/server.hpp"
#include "switchboard/sse/stream.hpp"
#include "switchboard/ws/connection.hpp"
#include "switchboard/ws/endpoint.hpp"
#include "users.hpp"

namespace switchboard::adapter {
class RedisAdapter;
}

namespace switchboard::app {

class ChatService {
 public:
  ChatService(net::Runtime& runtime, http::Server& http, History& history, const Config& config);
  ChatService(const ChatService&) = delete;
  ChatService& operator=(const ChatService&) = delete;
  /// Runs `fn` once the service takes part in its cluster (with --redis, on shard 0 once every
  /// namespace's adapter has subscribed, the node directory has announced this node, so that
  /// other nodes find its sessions, and the history answers; at once without). Call before
  /// the runtime runs.
  void when_ready(std::function<void()> fn);
  /// Adds the Socket.IO server's gauges (sockets and rooms per namespace) to `registry`.
  void add_metrics(metrics::Registry& registry) { io_.add_metrics(registry); }

 private:
  /// What one shard keeps; touched only on that shard.
  struct Local {
    std::unordered_set<std::string> known_rooms;
    /// Rooms being looked up (or created: key suffix '+'), with who waits for the answer:
    /// concurrent requests for one new room share one look-up and one room-creation token.
    std::unordered_map<std::string, std::vector<std::function<void(Error)>>> resolving;
  };

  // chat_service.cpp: storing and publishing.
  Local& local();
  /// Makes sure the room exists (cached per shard); `then(error)` on the calling shard. A
  /// missing room is created when `create` (limited per client `address`: `Limited`), else
  /// `NotFound`.
  void with_room(const std::string& room, bool create, const std::string& address,
                 std::function<void(Error)> then);
  /// Forgets that `room` exists, on every shard (it was deleted).
  void forget_room(const std::string& room);
  /// Takes a token of `who` (Author::key) and `address` (every message, typing notice and
  /// rename does): `then` gets a `Limited` failure when either is out, on the calling shard.
  /// With --redis the buckets are the cluster's (cluster_limits.hpp).
  void rate_limit(const Author& who, const std::string& address, std::function<void(Error)> then);
  /// Takes a room-creation / registration token of `address`; `then(wait)` on the calling
  /// shard (shard 0 from another thread), nullopt when allowed.
  void take_room(const std::string& address, ClusterLimits::Done then);
  void take_user(const std::string& address, ClusterLimits::Done then);
  /// Stores (creating the room if needed) and publishes `text` (already validated) after the
  /// rate limit; `done` runs on the calling shard once committed.
  void post_message(const std::string& room, Author author, const std::string& text,
                    const std::string& address, std::function<void(Error, ChatMessage)> done);
  void append(const std::string& room, const Author& author, const std::string& text, bool retry,
              std::function<void(Error, ChatMessage)> done);
  /// Tells every Socket.IO client that `room` was created or removed ("room" event).
  void announce_room(const std::string& room, bool exists);
  /// Sends a committed message to every transport of every shard (from any thread), and with
  /// --redis of every node: one broadcast to the room of /chat, whose members are the
  /// Socket.IO sockets, plain WebSockets, SSE streams and held polls of the room.
  void publish(const ChatMessage& message);
  void on_presence(const std::string& room, Presence::Online online);
  /// With --redis: presence lists in Redis, kept alive by heartbeats (cluster_presence.hpp).
  void setup_cluster_presence();
  /// Removes the rooms without messages that nobody used for `room_idle_seconds`, then
  /// arms itself again (shard 0).
  void sweep_idle_rooms();

  // sio_chat.cpp
  struct SioMember;
  void setup_socketio();
  /// `member` is now called `now`: presence, a "rename" to its rooms, and the ack.
  void renamed(socketio::Socket& socket, SioMember& member, const Author& now, socketio::Ack ack);
  // ws_chat.cpp
  struct WsMember;
  void setup_websocket();
  void accept_websocket(http::Exchange ex, const ws::ServerOptions& options,
                        std::shared_ptr<WsMember> member);
  // admin_ui.cpp: the Socket.IO Admin UI (--admin-password-hash), before setup_http().
  void setup_admin();
  // http_api.cpp
  void setup_http();
  /// Answers 403 and returns true when the request's Origin is refused (origin_policy.hpp).
  bool refuse_foreign_origin(http::Exchange& ex);
  /// Posts `text` by `author` and answers 201 {"message"} (or the failure).
  void respond_posted(http::Exchange ex, const std::string& room, const Author& author,
                      const std::string& text);
  void open_events(http::Exchange ex, const std::string& room);
  void replay_events(const std::shared_ptr<SseSubscriber>& sub, net::Shard* shard);
  void hold_poll(http::Exchange ex, const std::string& room, std::uint64_t after);
  void answer_poll(PollWaiter& waiter, const std::vector<ChatMessage>& messages);
  /// With --redis over plain HTTP, the node directory's first announcement (shard 0): whether
  /// it is in Redis, and what waits for it.
  struct Announcement {
    bool done = false;
    std::function<void()> then;
  };
  /// The namespace's options: with --redis, its cluster adapter and the node directory.
  static socketio::ServerOptions sio_options(net::Runtime& runtime, http::Server& http,
                                             History& history, const Config& config,
                                             std::vector<adapter::RedisAdapter*>& made,
                                             std::shared_ptr<Announcement>& announcement);

  net::Runtime& runtime_;
  http::Server& http_;
  History& history_;
  Config config_;
  /// Whose X-Forwarded-For names the client (--trusted-proxy).
  TrustedProxies proxies_;
  /// With --redis, each namespace's adapter as it is made (before io_: it fills this).
  std::vector<adapter::RedisAdapter*> adapters_;
  /// Null without a node directory (no --redis, or TLS); made by sio_options, before io_.
  std::shared_ptr<Announcement> announcement_;
  socketio::Server io_;
  /// /chat: its rooms, named after the chat's rooms, are every transport's fan-out.
  socketio::Namespace chat_;
  /// How each kind of non-Socket.IO member frames a message (once per message).
  std::shared_ptr<const socketio::Transport> ws_transport_;
  std::shared_ptr<const socketio::Transport> sse_transport_;
  std::shared_ptr<const socketio::Transport> poll_transport_;
  Presence presence_;
  Users users_;
  RateLimits limits_;
  /// With --redis: the limits in Redis (limits_ decides while Redis is away).
  std::unique_ptr<ClusterLimits> cluster_limits_;
  RoomActivity activity_;
  /// False when the history publishes each append to the cluster and the fan-out delivers
  /// it (kFanOutDeliversHistoryPublishes): then an append is not also delivered locally.
  const bool deliver_own_appends_;
  std::unique_ptr<net::Timer> sweep_timer_;  // shard 0
  std::vector<std::unique_ptr<Local>> locals_;
};

/// Posts fn to `shard` (runs it at once when already there).
void on_shard(net::Shard& shard, std::function<void()> fn);

}  // namespace switchboard::app

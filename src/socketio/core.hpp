#pragma once
// Private: the shared state behind Server, Namespace, Socket and BroadcastOperator.

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "socketio/observer.hpp"
#include "socketio/recovery.hpp"
#include "switchboard/engineio/server.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/socketio/adapter.hpp"
#include "switchboard/socketio/namespace.hpp"
#include "switchboard/socketio/parser.hpp"
#include "switchboard/socketio/room_member.hpp"
#include "switchboard/socketio/server.hpp"

namespace switchboard::socketio::detail {

class ServerCore;

/// What a reconnecting client gets back: found on its old shard, replayed on its new one.
struct Restore {
  Session session;
  /// What the client has of each origin's broadcasts.
  std::vector<std::uint64_t> clock;
  /// Direct emits it missed.
  std::vector<PacketsPtr> directs;
  /// Kept by the adapter (Adapter::keep_sessions): the missed packets come from it, after
  /// `after` (the client's offset, or the session's start).
  bool from_adapter = false;
  std::string after;
};

/// A broadcast as the room members see it: its event and arguments, and each transport's frame
/// of it, made the first time a shard meets a member of that transport (so once per broadcast
/// and transport, whatever the number of shards and members). Shared by every shard.
class MemberFrames {
 public:
  MemberFrames(std::string event, Args args, bool is_volatile)
      : event_(std::move(event)), args_(std::move(args)), is_volatile_(is_volatile) {}
  /// The frame of `transport` (null: it does not carry the event, or its frame() threw).
  std::shared_ptr<const Frame> get(NamespaceCore& nsp, const Transport& transport);
  bool is_volatile() const { return is_volatile_; }

 private:
  std::string event_;
  Args args_;
  bool is_volatile_;
  std::mutex mutex_;
  std::vector<std::pair<const Transport*, std::shared_ptr<const Frame>>> frames_;
};

/// Handlers of a namespace; a dynamic namespace shares its parent's.
struct NamespaceHandlers {
  std::vector<Middleware> middlewares;
  std::function<void(const SocketPtr&)> on_connection;
};

class NamespaceCore final : public std::enable_shared_from_this<NamespaceCore>, public AdapterHost {
 public:
  /// `cluster`: get an adapter from ServerOptions::adapter (every namespace that holds sockets:
  /// static ones and dynamic parents' children; not a parent, which only lends its handlers).
  NamespaceCore(ServerCore& server, std::string name, std::shared_ptr<NamespaceHandlers> handlers,
                bool cluster = true);
  ~NamespaceCore();

  /// The cluster adapter (null: no cluster), made with the namespace by ServerOptions::adapter.
  Adapter* adapter() { return adapter_.get(); }
  /// Stops the adapter (the server is going away).
  void close_adapter();

  // AdapterHost: the local half of the cluster's operations (src/socketio/adapter_host.cpp).
  const std::string& nsp_name() const override { return name; }
  net::Runtime& runtime() override;
  void local_broadcast(const Target& target, std::string_view event, Args args) override;
  void local_broadcast_with_ack(const Target& target, std::string_view event, Args args,
                                std::function<void(std::size_t)> on_count,
                                std::function<void(Args)> on_ack) override;
  void local_fetch(const Target& target,
                   std::function<void(std::vector<SocketInfo>)> done) override;
  void local_join(const Target& target, std::vector<std::string> rooms) override;
  void local_leave(const Target& target, std::vector<std::string> rooms) override;
  void local_disconnect(const Target& target, bool close) override;
  void server_side(std::string event, Args args,
                   std::function<void(boost::json::value)> reply) override;
  void local_broadcast_logged(const Target& target, std::string_view event, Args args,
                              std::string offset) override;

  /// The sockets and rooms of one shard, and with connection state recovery its log of
  /// packets and the sessions of its sockets that left.
  struct Local {
    /// Keyed by a view of the socket's own id. A socket's own room is found here: it has no
    /// entry in `rooms`.
    std::unordered_map<std::string_view, std::shared_ptr<Socket>> sockets;
    std::unordered_map<std::string, std::unordered_set<Socket*>> rooms;
    std::unique_ptr<PacketLog> log;
    std::uint64_t broadcasts = 0;
    std::uint64_t directs = 0;
    /// Room members that are not sockets (room_member.hpp), with their rooms, and each room's
    /// members (src/socketio/room_members.cpp).
    std::unordered_map<const Member*, std::pair<std::shared_ptr<Member>, std::set<std::string>>>
        members;
    std::unordered_map<std::string, std::unordered_set<Member*>> member_rooms;
    /// With the adapter's recovery: the offset of the last packet this shard delivered, and
    /// the sockets of this shard being recovered (by id).
    std::string last_offset;
    StreamOffset last_id;
    std::unordered_map<std::string, AdapterReplay> replays;
  };

  Local& local(unsigned shard) { return *locals_.at(shard); }
  Local& local();
  /// Calls fn for each socket of this shard that the selection picks, once each.
  void for_each_selected(unsigned shard, const std::set<std::string>& rooms,
                         const std::set<std::string>& except,
                         const std::function<void(Socket&)>& fn);
  void add_to_room(Socket& socket, const std::string& room);
  /// Puts a member of the calling shard in `room` / takes it out of every room.
  void join_member(std::shared_ptr<Member> member, const std::string& room);
  void leave_member(const Member& member);
  /// What the members of every shard share of a broadcast; null when there are no members.
  std::shared_ptr<MemberFrames> member_frames(std::string_view event, const Args& args,
                                              bool is_volatile);
  /// Hands a broadcast to the selected members of `shard`.
  void deliver_members(unsigned shard, const Selection& selection, MemberFrames& frames);
  void remove_from_room(Socket& socket, const std::string& room);
  std::uint64_t next_ack_id() { return next_ack_.fetch_add(1); }

  /// True when connection state recovery is on.
  bool recovery() const;
  /// True when the adapter keeps the sessions and packets (recovery across a cluster).
  bool adapter_recovery() const { return adapter_recovery_; }
  /// With the adapter's recovery: a socket's rooms changed (written to the adapter).
  void session_changed(Socket& socket);
  /// The session of a connected socket as the adapter keeps it.
  SessionState session_of(Socket& socket, std::string start);
  /// Emits to every selected socket of every shard, encoded once (and compressed once, when
  /// `compress` and permessage-deflate is on). With recovery on, a
  /// non-volatile broadcast gets an offset and each shard logs it.
  void broadcast(std::shared_ptr<const Selection> selection, std::string_view event, Args args,
                 bool is_volatile, bool compress);
  /// A direct emit with recovery on: logged on the socket's shard, with an offset.
  net::SendResult emit_logged(Socket& socket, std::string_view event, Args args);
  /// Keeps what a socket that left involuntarily needs to come back (on its shard).
  void persist(Socket& socket, DisconnectReason reason);
  /// Takes the session named by `pid`, unless unknown or expired. Thread-safe.
  std::optional<Session> take_session(const std::string& pid);
  /// On the shard the session left from: works out what its client missed there; nullopt
  /// when that cannot be told any more.
  std::optional<Restore> restore(Session session, const std::optional<OffsetKey>& offset);

  /// Sockets with an outgoing catch-all listener, so broadcasts keep their arguments for them.
  std::atomic<int> outgoing_listeners{0};
  /// True when broadcasts keep their arguments (for outgoing listeners or the observer).
  bool keeps_outgoing() const;

  ServerCore& server;
  const std::string name;
  std::shared_ptr<NamespaceHandlers> handlers;

 private:
  void deliver(unsigned shard, const std::shared_ptr<const Selection>& selection,
               const PacketsPtr& packets, const std::shared_ptr<const Event>& event,
               bool is_volatile, std::optional<OffsetKey> key);

  void deliver_logged(unsigned shard, const std::shared_ptr<const Selection>& selection,
                      const PacketsPtr& packets, const std::shared_ptr<const Event>& event,
                      StreamOffset offset);

  std::vector<std::unique_ptr<Local>> locals_;
  bool adapter_recovery_ = false;
  std::atomic<std::uint64_t> next_ack_{0};
  /// Broadcasts emitted off the shards: numbered and posted under one lock, so that every
  /// shard logs them in the order of their numbers.
  std::mutex external_mutex_;
  std::uint64_t external_broadcasts_ = 0;
  /// Sessions of sockets that left, from every shard (touched only on connects and
  /// disconnects).
  std::mutex sessions_mutex_;
  std::unique_ptr<SessionStore> sessions_;
  /// The adapter, and for it how many shards hold each room (room_created / room_deleted).
  std::unique_ptr<Adapter> adapter_;
  std::mutex rooms_mutex_;
  std::unordered_map<std::string, unsigned> shard_rooms_;
  void note_room(const std::string& room, bool created);
  /// Room members on every shard (broadcasts skip the members' work while there are none).
  std::atomic<std::size_t> members_{0};
};

/// One Engine.IO connection and the namespaces it joined. It is its session's listener: the
/// session holds it until it has ended (and while one of its calls runs), so it is reached
/// with no std::function or weak_ptr lock per message.
class Client final : public engineio::SocketListener, public std::enable_shared_from_this<Client> {
 public:
  Client(ServerCore& server, engineio::SocketPtr engine);
  void start();
  engineio::Socket& engine() { return *engine_; }
  const engineio::SocketPtr& engine_ptr() const { return engine_; }
  net::SendResult send(std::string_view text, std::vector<std::string> attachments,
                       bool is_volatile);
  net::SendResult send_prepared(const std::shared_ptr<const engineio::PreparedPackets>& packets,
                                bool is_volatile);
  /// A socket left its namespace.
  void forget(const std::string& nsp);
  void close() { engine_->close(); }
  /// Leaves every namespace ("server namespace disconnect"), then closes the connection.
  void disconnect_all();

  // engineio::SocketListener
  void on_engine_message(std::string_view data, bool binary) override;
  void on_engine_close(std::string_view reason) override;

 private:
  void on_message(std::string_view data, bool binary);
  void handle(Packet packet);
  void connect(Packet packet);
  /// Looks for the session a reconnecting client names (on its owner shard), then connects.
  void recover(const std::shared_ptr<NamespaceCore>& nsp, boost::json::object auth,
               std::string pid);
  void open_socket(const std::shared_ptr<NamespaceCore>& nsp, boost::json::object auth,
                   std::optional<Restore> restore);
  void admit(const std::shared_ptr<NamespaceCore>& nsp, const SocketPtr& socket, std::size_t next,
             std::shared_ptr<Restore> restore);
  /// recover() and admit() when the adapter keeps the sessions (src/socketio/state_recovery.cpp).
  void recover_from_adapter(const std::shared_ptr<NamespaceCore>& nsp, boost::json::object auth,
                            std::string pid);
  void admit_from_adapter(const std::shared_ptr<NamespaceCore>& nsp, const SocketPtr& socket,
                          std::shared_ptr<Restore> restore);
  void finish_recovery(const std::shared_ptr<NamespaceCore>& nsp, const SocketPtr& socket,
                       std::shared_ptr<Restore> restore,
                       std::optional<std::vector<MissedPacket>> missed, std::string horizon);
  /// Sends CONNECT (with its pid) for a socket let in.
  void send_connect(const std::string& nsp, const Socket& socket);
  void refuse(const std::string& nsp, const ConnectError& error);
  void on_close(DisconnectReason reason);
  /// Ends the connection because the peer broke the protocol.
  void fail(DisconnectReason reason);

  ServerCore& server_;
  engineio::SocketPtr engine_;
  Decoder decoder_;
  /// The namespaces joined (a client joins a few: short vectors, no hash buckets).
  std::vector<std::pair<std::string, SocketPtr>> sockets_;
  /// Namespace lists few clients need, allocated at first use.
  struct Lists {
    /// Namespaces joined once and left since (late packets for them are ignored).
    std::vector<std::string> left;
    /// Namespaces whose CONNECT waits for a session from another shard.
    std::vector<std::string> recovering;
  };
  Lists& lists() {
    if (!lists_) lists_ = std::make_unique<Lists>();
    return *lists_;
  }
  bool has_left(std::string_view nsp) const {
    return lists_ && std::find(lists_->left.begin(), lists_->left.end(), nsp) != lists_->left.end();
  }
  bool is_recovering(std::string_view nsp) const {
    return lists_ && std::find(lists_->recovering.begin(), lists_->recovering.end(), nsp) !=
                         lists_->recovering.end();
  }
  std::unique_ptr<Lists> lists_;
  SocketPtr* find_socket(std::string_view nsp);
  /// Removes the socket of `nsp`; false when there was none.
  bool drop_socket(std::string_view nsp);
  /// Armed until the client joins a namespace (then freed).
  std::unique_ptr<net::Timer> connect_timer_;
};

class ServerCore {
 public:
  ServerCore(net::Runtime& runtime, ServerOptions options);

  /// Reports user code that threw: counts it and hands it to options.on_handler_error (or
  /// stderr). Never throws.
  void report(const HandlerError& error) noexcept;
  std::atomic<std::uint64_t> handler_errors{0};

  std::shared_ptr<NamespaceCore> get_or_create(const std::string& name);
  /// The namespace for a CONNECT, created from a matching parent when dynamic; null if none.
  std::shared_ptr<NamespaceCore> find_for_connect(const std::string& name,
                                                  const boost::json::object& auth);
  /// `by_name`: the parent of a regex, which also makes the children that Server::of(name) asks
  /// for (as Node's `io.of("/dyn-1")` does); a function parent needs a client's auth.
  std::shared_ptr<NamespaceCore> add_parent(
      std::function<bool(const std::string&, const boost::json::object&)> accept,
      bool by_name = false);
  /// Drops every namespace's handlers: they often capture their own Namespace, a cycle that
  /// would otherwise outlive the server.
  void clear_handlers();
  /// Stops every namespace's cluster adapter.
  void close_adapters();

  net::Runtime& runtime;
  ServerOptions options;
  engineio::Server engine;
  /// Handlers of events from other servers of a cluster (server_side_emit).
  std::unordered_map<std::string, std::function<void(Event&)>> server_side_handlers;
  /// Hears connections, sockets, rooms and events (observer.hpp); set before the runtime runs.
  std::shared_ptr<Observer> observer;
  /// Every namespace (not the parents of dynamic ones).
  std::vector<std::shared_ptr<NamespaceCore>> namespaces();

 private:
  struct Parent {
    std::function<bool(const std::string&, const boost::json::object&)> accept;
    std::shared_ptr<NamespaceCore> nsp;
    bool by_name = false;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<NamespaceCore>> namespaces_;
  std::vector<Parent> parents_;
};

/// The server's side of a Socket, for the code of this layer that is not Client or
/// NamespaceCore (which are its friends).
struct SocketAccess {
  static std::shared_ptr<Client> client(const Socket& s) { return s.client(); }
  static void register_ack(Socket& s, std::uint64_t id, AckCallback callback,
                           std::chrono::milliseconds timeout) {
    s.register_ack(id, std::move(callback), timeout);
  }
  static void disconnect_with(Socket& s, DisconnectReason reason) { s.disconnect_with(reason); }
  static void notify_outgoing(Socket& s, const Event& event) { s.notify_outgoing(event); }
};

/// Reports user code that threw (see run_user).
void user_failed(NamespaceCore& nsp, Socket* socket, std::string_view where,
                 std::string_view what) noexcept;

/// Runs user code `fn` for `socket` (null when it ran for none) in namespace `nsp`. An
/// exception it throws stops here: it is reported (ServerCore::report), and `socket`, if still
/// connected, leaves with reason "server error". True when `fn` returned normally.
template <class F>
bool run_user(NamespaceCore& nsp, Socket* socket, std::string_view where, F&& fn) noexcept {
  try {
    std::forward<F>(fn)();
    return true;
  } catch (const std::exception& e) {
    user_failed(nsp, socket, where, e.what());
  } catch (...) {
    user_failed(nsp, socket, where, "unknown exception");
  }
  return false;
}

/// 15 random bytes as 20 URL-safe characters.
std::string random_id();
/// Encodes an EVENT for `nsp` into Engine.IO messages (text, then each attachment).
std::vector<std::pair<bool, std::string>> encode_event_messages(const std::string& nsp,
                                                                std::string_view event, Args args,
                                                                std::optional<std::uint64_t> id);

}  // namespace switchboard::socketio::detail

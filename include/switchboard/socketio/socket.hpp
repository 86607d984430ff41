#pragma once
/// A client's connection to one namespace (the reference's `Socket`).

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "switchboard/http/request.hpp"
#include "switchboard/net/send_result.hpp"
#include "switchboard/socketio/args.hpp"
#include "switchboard/socketio/broadcast_operator.hpp"
#include "switchboard/socketio/disconnect_reason.hpp"

namespace switchboard::net {
class Shard;
}
namespace switchboard::engineio {
class Socket;
}

namespace switchboard::socketio {

class Namespace;
class Socket;
/// How the server hands a socket to on_connection and middlewares (see Socket on holding one).
using SocketPtr = std::shared_ptr<Socket>;

namespace detail {
class Client;
class NamespaceCore;
struct SocketAccess;
}  // namespace detail

/// What the client sent when it connected.
struct Handshake {
  /// The Engine.IO handshake request, one copy shared by the connection's namespaces.
  std::shared_ptr<const http::Request> request;
  /// The CONNECT packet's payload (`auth` on the client), an empty object when none.
  boost::json::object auth;
  /// When the client asked to join the namespace.
  std::chrono::system_clock::time_point time;

  /// The handshake request's headers.
  const http::Headers& headers() const { return request->headers; }
  /// The raw query string of the Engine.IO handshake.
  const std::string& query() const { return request->query; }
  /// The client's IP address (the peer of the handshake request).
  const std::string& address() const { return request->remote_address; }
  /// True when the handshake came over TLS.
  bool secure() const { return request->tls; }
  /// The handshake request's target (path and query).
  const std::string& url() const { return request->target; }
  /// The decoded value of a query parameter.
  std::optional<std::string> query_param(std::string_view name) const {
    return request->query_param(name);
  }
};

/// One received event.
struct Event {
  /// The event's name.
  std::string name;
  /// Its arguments (the client's callback, if any, is not among them: see ack).
  Args args;
  /// Answers the client when it asked for an ack (once; may be kept and called later, on
  /// the socket's shard).
  Ack ack;

  /// Argument `i` as a T, or nullopt when absent or of another type; never throws:
  /// `if (auto text = e.arg<std::string>(0)) ...` (see value_as for the types).
  template <class T>
  std::optional<T> arg(std::size_t i) const {
    return args.get<T>(i);
  }
  /// The member `key` of argument `i` (an object) as a T, or nullopt:
  /// `e.arg<std::string>(0, "text")`.
  template <class T>
  std::optional<T> arg(std::size_t i, std::string_view key) const {
    return args.get<T>(i, key);
  }
};

/// Why an emit with ack got no answer ("operation has timed out", "socket has been
/// disconnected"), or nullopt on success.
using AckError = std::optional<std::string>;
/// Gets a client's answer to emit_with_ack: (nullopt, its arguments) or (the error, {}).
using AckCallback = std::function<void(AckError, Args)>;

/// A client's connection to one namespace. It lives on its shard (shard()): every member
/// function is to be called there, in one of its handlers or in a function posted to that
/// shard, except emit_with_ack(), which posts itself there from any other thread. emit(),
/// join(), leave() and disconnect() called elsewhere throw std::logic_error.
///
/// Holding a socket (docs/library.md, "Holding a socket"): its own handlers get it as a
/// `Socket&`, valid during the call, and capture nothing of it:
///
///     io.on_connection([](const socketio::SocketPtr& socket) {
///       socket->on("chat", [](socketio::Socket& s, socketio::Event& e) {
///         s.broadcast().emit("chat", e.args[0]);
///       });
///     });
///
/// To reach it after the call (an answer that comes later, a timer, another socket's handler),
/// keep `std::weak_ptr<Socket>` and lock it on the socket's shard, or keep its id() and emit
/// with `nsp().to(id)`. A SocketPtr captured in the socket's own handlers makes a cycle; the
/// socket drops its handlers when it leaves, which breaks it, but a raw `Socket*` kept
/// anywhere else dangles once it has gone.
class Socket : public std::enable_shared_from_this<Socket> {
 public:
  /// Handles one event; `socket` is the socket that received it (valid during the call).
  using EventHandler = std::function<void(Socket& socket, Event& event)>;
  /// Sees every incoming (on_any) or outgoing (on_any_outgoing) event of `socket`.
  using AnyHandler = std::function<void(Socket& socket, const Event& event)>;
  /// Runs when `socket` leaves its namespace, with why.
  using DisconnectHandler = std::function<void(Socket& socket, DisconnectReason reason)>;
  /// The older handler forms, without the socket (kept for source compatibility).
  using PlainEventHandler = std::function<void(Event&)>;
  using PlainAnyHandler = std::function<void(const Event&)>;
  using ReasonHandler = std::function<void(std::string_view reason)>;

  /// Made by the server when a client asks to join a namespace; not for user code.
  Socket(std::shared_ptr<detail::Client> client, std::shared_ptr<detail::NamespaceCore> nsp,
         std::string id, Handshake handshake);
  /// Runs where the last reference goes (normally its shard, once it has left).
  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  /// The socket id (20 characters; not the Engine.IO session id).
  const std::string& id() const { return id_; }
  /// What the client sent when it connected (its request, its `auth`).
  const Handshake& handshake() const { return handshake_; }
  /// The namespace the socket is in (`nsp().name()` is "/", "/chat", ...).
  Namespace nsp() const;
  /// The shard the socket lives on (every call to it is made there).
  net::Shard& shard();
  /// True from the connection handler on, until the socket leaves.
  bool connected() const { return connected_; }
  /// True when this connection restored an earlier session (connection state recovery).
  bool recovered() const { return recovered_; }
  /// Application data (`socket.data`), visible to fetch_sockets().
  boost::json::value data;
  /// python-socketio's session: replaces `data`.
  void save_session(boost::json::value session) { data = std::move(session); }
  /// python-socketio's session: `data`.
  const boost::json::value& get_session() const { return data; }

  /// Registers the handler of an event (one per name; a later one replaces it).
  void on(std::string event, EventHandler handler);
  /// The same, for a handler that does not take the socket.
  void on(std::string event, PlainEventHandler handler);
  /// Runs for every incoming event before its handler (one; a later one replaces it).
  void on_any(AnyHandler handler);
  /// The same, for a handler that does not take the socket.
  void on_any(PlainAnyHandler handler);
  /// Runs for every event sent to this client, broadcasts included.
  void on_any_outgoing(AnyHandler handler);
  /// The same, for a handler that does not take the socket.
  void on_any_outgoing(PlainAnyHandler handler);
  /// Runs when the socket is about to leave (its rooms are still there).
  void on_disconnecting(DisconnectHandler handler);
  /// The same, with the reason's words (to_string(reason)).
  void on_disconnecting(ReasonHandler handler);
  /// Runs once the socket has left (its rooms and pending acks are gone).
  void on_disconnect(DisconnectHandler handler);
  /// The same, with the reason's words (to_string(reason)).
  void on_disconnect(ReasonHandler handler);

  /// Emits an event to this client: emit("chat", "hi", 42, Binary{bytes}). Dropped (and
  /// reported so) once the socket has left.
  template <class... T>
  net::SendResult emit(std::string_view event, T&&... values) {
    return emit_args(event, Args::of(std::forward<T>(values)...));
  }
  /// emit() with prepared arguments.
  net::SendResult emit_args(std::string_view event, Args args);
  /// Emits and waits for the client's ack: the last argument is the callback,
  /// `emit_with_ack("sum", 1, 2, [](socketio::AckError error, socketio::Args reply) {...})`.
  /// The callback runs once, on the socket's shard: with the answer, or an error when the
  /// socket leaves first (or at once when it has left). For a timeout, use the form below.
  template <class... T>
  requires(sizeof...(T) >= 1 &&
           !detail::IsArgsCall<T...>::value) void emit_with_ack(std::string_view event,
                                                                T&&... values_then_callback) {
    auto all = std::forward_as_tuple(std::forward<T>(values_then_callback)...);
    constexpr auto n = sizeof...(T) - 1;
    AckCallback callback(std::move(std::get<n>(all)));
    emit_with_ack(event, detail::args_of(all, std::make_index_sequence<n>()), std::move(callback));
  }
  /// Emits `args` and waits for the client's ack; `callback` gets the answer, or an error
  /// after `timeout` (none when zero) or when the socket leaves first. The callback runs on
  /// the socket's shard; called from another thread, the emit is posted there.
  void emit_with_ack(std::string_view event, Args args, AckCallback callback,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

  /// Joins `room` (no effect when already in it).
  void join(const std::string& room);
  /// Leaves `room` (no effect when not in it).
  void leave(const std::string& room);
  /// The rooms the socket is in (its own id included; a copy).
  std::set<std::string> rooms() const;
  /// True when the socket is in `room` (its own id is a room it is in unless it left it).
  bool in_room(std::string_view room) const;

  /// Every other socket of the namespace in `room` (as in the reference, not this one).
  BroadcastOperator to(std::string room) const;
  /// Same as to().
  BroadcastOperator in(std::string room) const { return to(std::move(room)); }
  /// Every socket of the namespace but those in `room`.
  BroadcastOperator except(std::string room) const;
  /// Every other socket of the namespace.
  BroadcastOperator broadcast() const;

  /// Leaves the namespace (DisconnectReason::ServerNamespaceDisconnect); `close` also ends
  /// the connection and every other namespace of the client. Nothing once it has left.
  void disconnect(bool close = false);
  /// The Engine.IO connection under this socket (the reference's `socket.conn`), shared by
  /// every namespace of the client; null once it is gone. Closing it drops every namespace
  /// ("forced close", which connection state recovery can recover).
  std::shared_ptr<engineio::Socket> conn() const;

 private:
  // The server's side of a socket: reachable from src/socketio only.
  friend class detail::Client;
  friend class detail::NamespaceCore;
  friend struct detail::SocketAccess;

  /// Throws std::logic_error naming `what` when called off the socket's shard.
  void require_shard(const char* what) const;
  void dispatch(Event event);
  void deliver_ack(std::uint64_t id, Args args);
  void mark_connected(bool recovered);
  void finish(DisconnectReason reason);
  /// Leaves the namespace with `reason`, telling the client (a DISCONNECT packet); nothing
  /// when not connected or already leaving.
  void disconnect_with(DisconnectReason reason);
  net::SendResult send_packet_text(std::string_view text, std::vector<std::string> attachments,
                                   bool is_volatile = false);
  void register_ack(std::uint64_t id, AckCallback callback, std::chrono::milliseconds timeout);
  std::shared_ptr<detail::Client> client() const { return client_.lock(); }
  void notify_outgoing(const Event& event);
  /// Drops every handler: they may hold the socket (a cycle) and are not to run again.
  void drop_handlers();
  // Connection state recovery: the private session id, and the first and last logged packet
  // sent to this socket (positions in its shard's log).
  const std::string& pid() const {
    static const std::string none;
    return recovery_ ? recovery_->pid : none;
  }
  void set_pid(std::string pid) { recovery().pid = std::move(pid); }
  void note_logged(std::uint64_t position) {
    auto& r = recovery();
    if (!r.first_logged) r.first_logged = position;
    r.last_logged = position;
  }
  std::optional<std::uint64_t> first_logged() const {
    return recovery_ ? recovery_->first_logged : std::nullopt;
  }
  std::optional<std::uint64_t> last_logged() const {
    return recovery_ ? recovery_->last_logged : std::nullopt;
  }
  net::SendResult send_messages(std::vector<std::pair<bool, std::string>> messages);

  struct PendingAck {
    AckCallback callback;
    std::shared_ptr<void> timer;
  };

  std::weak_ptr<detail::Client> client_;
  net::Shard& shard_;
  std::shared_ptr<detail::NamespaceCore> nsp_;
  std::string id_;
  Handshake handshake_;
  /// The rooms joined, apart from the socket's own: that one costs no entry here or in the
  /// namespace's room index (it is found through the namespace's socket map). Transparent, so
  /// in_room() looks up a view without making a string.
  std::unique_ptr<std::set<std::string, std::less<>>> rooms_;
  /// The rooms joined, allocated at the first join (most sockets stay in their own only).
  std::set<std::string, std::less<>>& joined() {
    if (!rooms_) rooms_ = std::make_unique<std::set<std::string, std::less<>>>();
    return *rooms_;
  }
  /// Event handlers by name: a socket has a few, and a short vector costs no hash buckets.
  std::vector<std::pair<std::string, EventHandler>> handlers_;
  // What few sockets use is allocated when first needed (an idle socket keeps three null
  // pointers): the catch-all and disconnect listeners, the acks it waits for, and connection
  // state recovery's session id and log positions.
  struct Listeners {
    AnyHandler any;
    AnyHandler any_outgoing;
    DisconnectHandler on_disconnecting;
    DisconnectHandler on_disconnect;
  };
  struct Recovery {
    std::string pid;
    std::optional<std::uint64_t> first_logged;
    std::optional<std::uint64_t> last_logged;
  };
  Listeners& listeners() {
    if (!listeners_) listeners_ = std::make_unique<Listeners>();
    return *listeners_;
  }
  Recovery& recovery() {
    if (!recovery_) recovery_ = std::make_unique<Recovery>();
    return *recovery_;
  }
  std::unique_ptr<Listeners> listeners_;
  std::unique_ptr<std::unordered_map<std::uint64_t, PendingAck>> acks_;
  std::unique_ptr<Recovery> recovery_;
  bool connected_ = false;
  bool recovered_ = false;
  bool in_own_room_ = true;
  bool leaving_ = false;
};

}  // namespace switchboard::socketio

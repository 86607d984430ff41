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
#include <vector>

#include <boost/json/object.hpp>

#include "switchboard/http/request.hpp"
#include "switchboard/net/send_result.hpp"
#include "switchboard/socketio/args.hpp"
#include "switchboard/socketio/broadcast_operator.hpp"

namespace switchboard::net {
class Shard;
}
namespace switchboard::engineio {
class Socket;
}

namespace switchboard::socketio {

class Namespace;
class Socket;
using SocketPtr = std::shared_ptr<Socket>;

namespace detail {
class Client;
class NamespaceCore;
}  // namespace detail

/// What the client sent when it connected.
struct Handshake {
  /// The Engine.IO handshake request, one copy shared by the connection's namespaces.
  std::shared_ptr<const http::Request> request;
  /// The CONNECT packet's payload (`auth` on the client), an empty object when none.
  boost::json::object auth;
  std::chrono::system_clock::time_point time;

  const http::Headers& headers() const { return request->headers; }
  /// The raw query string of the Engine.IO handshake.
  const std::string& query() const { return request->query; }
  const std::string& address() const { return request->remote_address; }
  bool secure() const { return request->tls; }
  const std::string& url() const { return request->target; }
  /// The decoded value of a query parameter.
  std::optional<std::string> query_param(std::string_view name) const {
    return request->query_param(name);
  }
};

/// One received event.
struct Event {
  std::string name;
  Args args;
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
using AckCallback = std::function<void(AckError, Args)>;

/// A socket lives on its shard; every call must be made there (shard()).
class Socket : public std::enable_shared_from_this<Socket> {
 public:
  using EventHandler = std::function<void(Event&)>;
  using AnyHandler = std::function<void(const Event&)>;
  using ReasonHandler = std::function<void(std::string_view reason)>;

  Socket(std::shared_ptr<detail::Client> client, std::shared_ptr<detail::NamespaceCore> nsp,
         std::string id, Handshake handshake);
  ~Socket();

  /// The socket id (20 characters; not the Engine.IO session id).
  const std::string& id() const { return id_; }
  const Handshake& handshake() const { return handshake_; }
  /// The namespace's name ("/", "/chat").
  const std::string& nsp() const;
  net::Shard& shard();
  bool connected() const { return connected_; }
  /// True when this connection restored an earlier session (connection state recovery).
  bool recovered() const { return recovered_; }
  /// Application data (`socket.data`), visible to fetch_sockets().
  boost::json::value data;
  /// python-socketio's session: data kept with the socket.
  void save_session(boost::json::value session) { data = std::move(session); }
  const boost::json::value& get_session() const { return data; }

  /// Registers the handler of an event (one per name; a later one replaces it).
  void on(std::string event, EventHandler handler);
  /// Runs for every incoming event before its handler.
  void on_any(AnyHandler handler);
  /// Runs for every outgoing event.
  void on_any_outgoing(AnyHandler handler);
  /// Runs when the socket is about to leave (its rooms are still there).
  void on_disconnecting(ReasonHandler handler);
  void on_disconnect(ReasonHandler handler);

  /// Emits an event to this client: emit("chat", "hi", 42, Binary{bytes}).
  template <class... T>
  net::SendResult emit(std::string_view event, T&&... values) {
    return emit_args(event, Args::of(std::forward<T>(values)...));
  }
  net::SendResult emit_args(std::string_view event, Args args);
  /// Emits and waits for the client's ack; `callback` gets the answer, or an error after
  /// `timeout` (none when zero) or on disconnection.
  void emit_with_ack(std::string_view event, Args args, AckCallback callback,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

  void join(const std::string& room);
  void leave(const std::string& room);
  /// The rooms the socket is in (its own id included; a copy).
  std::set<std::string> rooms() const;
  /// True when the socket is in `room` (its own id is a room it is in unless it left it).
  bool in_room(std::string_view room) const;

  /// Every other socket of the namespace in `room` (as in the reference, not this one).
  BroadcastOperator to(std::string room) const;
  BroadcastOperator in(std::string room) const { return to(std::move(room)); }
  BroadcastOperator except(std::string room) const;
  /// Every other socket of the namespace.
  BroadcastOperator broadcast() const;

  /// Leaves the namespace ("server namespace disconnect"); `close` also ends the connection.
  void disconnect(bool close = false);
  /// The Engine.IO connection under this socket (the reference's `socket.conn`), shared by
  /// every namespace of the client; null once it is gone. Closing it drops every namespace
  /// ("forced close", which connection state recovery can recover).
  std::shared_ptr<engineio::Socket> conn() const;

  // Used by the server.
  void dispatch(Event event);
  void deliver_ack(std::uint64_t id, Args args);
  void mark_connected(bool recovered);
  void finish(std::string_view reason);
  /// Leaves the namespace with `reason`, telling the client (a DISCONNECT packet); nothing
  /// when not connected or already leaving.
  void disconnect_with(std::string_view reason);
  net::SendResult send_packet_text(std::string text, std::vector<std::string> attachments,
                                   bool is_volatile = false);
  void register_ack(std::uint64_t id, AckCallback callback, std::chrono::milliseconds timeout);
  std::shared_ptr<detail::Client> client() const { return client_.lock(); }
  void notify_outgoing(const Event& event);
  // Connection state recovery: the private session id, and the first and last logged packet
  // sent to this socket (positions in its shard's log).
  const std::string& pid() const { return pid_; }
  void set_pid(std::string pid) { pid_ = std::move(pid); }
  void note_logged(std::uint64_t position) {
    if (!first_logged_) first_logged_ = position;
    last_logged_ = position;
  }
  std::optional<std::uint64_t> first_logged() const { return first_logged_; }
  std::optional<std::uint64_t> last_logged() const { return last_logged_; }

 private:
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
  std::set<std::string, std::less<>> rooms_;
  /// Event handlers by name: a socket has a few, and a short vector costs no hash buckets.
  std::vector<std::pair<std::string, EventHandler>> handlers_;
  AnyHandler any_;
  AnyHandler any_outgoing_;
  ReasonHandler on_disconnecting_;
  ReasonHandler on_disconnect_;
  std::unordered_map<std::uint64_t, PendingAck> acks_;
  std::string pid_;
  std::optional<std::uint64_t> first_logged_;
  std::optional<std::uint64_t> last_logged_;
  bool connected_ = false;
  bool recovered_ = false;
  bool in_own_room_ = true;
  bool leaving_ = false;
};

}  // namespace switchboard::socketio

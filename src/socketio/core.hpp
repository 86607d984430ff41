#pragma once
// Private: the shared state behind Server, Namespace, Socket and BroadcastOperator.

#include <atomic>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio/steady_timer.hpp>

#include "switchboard/engineio/server.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/socketio/namespace.hpp"
#include "switchboard/socketio/parser.hpp"
#include "switchboard/socketio/server.hpp"

namespace switchboard::socketio::detail {

class ServerCore;

/// Handlers of a namespace; a dynamic namespace shares its parent's.
struct NamespaceHandlers {
  std::vector<Middleware> middlewares;
  std::function<void(const SocketPtr&)> on_connection;
};

class NamespaceCore : public std::enable_shared_from_this<NamespaceCore> {
 public:
  NamespaceCore(ServerCore& server, std::string name, std::shared_ptr<NamespaceHandlers> handlers);

  /// The sockets and rooms of one shard.
  struct Local {
    std::unordered_map<std::string, std::shared_ptr<Socket>> sockets;
    std::unordered_map<std::string, std::unordered_set<Socket*>> rooms;
  };

  Local& local(unsigned shard) { return *locals_.at(shard); }
  Local& local();
  /// Calls fn for each socket of this shard that the selection picks, once each.
  void for_each_selected(unsigned shard, const std::set<std::string>& rooms,
                         const std::set<std::string>& except,
                         const std::function<void(Socket&)>& fn);
  void add_to_room(Socket& socket, const std::string& room);
  void remove_from_room(Socket& socket, const std::string& room);
  std::uint64_t next_ack_id() { return next_ack_.fetch_add(1); }

  ServerCore& server;
  const std::string name;
  std::shared_ptr<NamespaceHandlers> handlers;

 private:
  std::vector<std::unique_ptr<Local>> locals_;
  std::atomic<std::uint64_t> next_ack_{0};
};

/// One Engine.IO connection and the namespaces it joined.
class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(ServerCore& server, engineio::SocketPtr engine);
  void start();
  engineio::Socket& engine() { return *engine_; }
  net::SendResult send(std::string text, std::vector<std::string> attachments, bool is_volatile);
  void send_prepared(const std::shared_ptr<const engineio::PreparedPackets>& packets,
                     bool is_volatile);
  /// A socket left its namespace.
  void forget(const std::string& nsp);
  void close() { engine_->close(); }

 private:
  void on_message(engineio::Packet message);
  void handle(Packet packet);
  void connect(Packet packet);
  void admit(const std::shared_ptr<NamespaceCore>& nsp, const SocketPtr& socket, std::size_t next);
  void refuse(const std::string& nsp, const ConnectError& error);
  void on_close(std::string_view reason);
  /// Ends the connection because the peer broke the protocol.
  void fail(std::string_view reason);

  ServerCore& server_;
  engineio::SocketPtr engine_;
  Decoder decoder_;
  std::unordered_map<std::string, SocketPtr> sockets_;
  /// Namespaces joined once and left since (late packets for them are ignored).
  std::unordered_set<std::string> left_;
  boost::asio::steady_timer connect_timer_;
};

class ServerCore {
 public:
  ServerCore(net::Runtime& runtime, ServerOptions options);

  std::shared_ptr<NamespaceCore> get_or_create(const std::string& name);
  /// The namespace for a CONNECT, created from a matching parent when dynamic; null if none.
  std::shared_ptr<NamespaceCore> find_for_connect(const std::string& name,
                                                  const boost::json::object& auth);
  std::shared_ptr<NamespaceCore> add_parent(
      std::function<bool(const std::string&, const boost::json::object&)> accept);
  /// Drops every namespace's handlers: they often capture their own Namespace, a cycle that
  /// would otherwise outlive the server.
  void clear_handlers();

  net::Runtime& runtime;
  ServerOptions options;
  engineio::Server engine;

 private:
  struct Parent {
    std::function<bool(const std::string&, const boost::json::object&)> accept;
    std::shared_ptr<NamespaceCore> nsp;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<NamespaceCore>> namespaces_;
  std::vector<Parent> parents_;
};

/// 15 random bytes as 20 URL-safe characters.
std::string random_id();
/// Encodes an EVENT for `nsp` into Engine.IO messages (text, then each attachment).
std::vector<std::pair<bool, std::string>> encode_event_messages(const std::string& nsp,
                                                                std::string_view event, Args args,
                                                                std::optional<std::uint64_t> id);

}  // namespace switchboard::socketio::detail

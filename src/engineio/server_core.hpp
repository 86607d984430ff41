#pragma once
// Private: what every shard's part of an Engine.IO server shares.

#include <unordered_map>

#include "engineio/session.hpp"
#include "switchboard/engineio/server.hpp"

namespace switchboard::engineio::detail {

class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(net::Runtime& runtime, ServerOptions options);

  /// The HTTP handler for every request on the path.
  void handle(http::Exchange exchange);
  /// Sessions of the calling shard.
  std::unordered_map<std::string_view, std::shared_ptr<Session>>& local();
  void remove(const Session& session);
  /// Decorates an answer with the CORS headers the request's origin earns.
  void decorate(const http::Request& request, http::Response& response) const;

  net::Runtime& runtime;
  ServerOptions options;
  std::function<void(const SocketPtr&)> on_connection;

 private:
  struct Local {
    /// Keyed by a view of the session's own sid (no copy of it).
    std::unordered_map<std::string_view, std::shared_ptr<Session>> sessions;
    bool hooked = false;
  };

  bool origin_allowed(const http::Request& request) const;
  void refuse(http::Exchange& exchange, Error error);
  void handshake(http::Exchange& exchange, bool websocket);
  void polling(http::Exchange& exchange, const std::string& sid, unsigned owner);
  void upgrade(http::Exchange& exchange, const std::string& sid, unsigned owner);
  void hook_shutdown(net::Shard& shard);
  ws::ServerOptions websocket_options() const;

  std::vector<std::unique_ptr<Local>> locals_;
  std::atomic<std::uint64_t> next_waiter_{1};
};

}  // namespace switchboard::engineio::detail

#pragma once
// Private: what every shard's part of an Engine.IO server shares.

#include <atomic>
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

  /// Runs a user's handler for `session`; an exception it throws is counted, reported
  /// (options.on_handler_error, or stderr) and closes that session ("server error"), unless
  /// it is already closed. Never throws.
  template <class F>
  void run_handler(Session& session, std::string_view handler, F&& fn) noexcept {
    try {
      std::forward<F>(fn)();
    } catch (const std::exception& e) {
      handler_failed(session, handler, e.what());
    } catch (...) {
      handler_failed(session, handler, "unknown exception");
    }
  }
  void handler_failed(Session& session, std::string_view handler, std::string_view what) noexcept;

  net::Runtime& runtime;
  ServerOptions options;
  std::function<void(const SocketPtr&)> on_connection;
  std::atomic<std::uint64_t> handler_errors{0};

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

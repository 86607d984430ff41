#pragma once
// Private: what every shard's part of an Engine.IO server shares.

#include <atomic>
#include <chrono>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

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
  /// A client closed its polling session with no GET waiting (on the session's shard). A GET it
  /// sent together with the close may reach the shard after it, through another shard: that
  /// one GET, within a second, gets the noop it would have had instead of "Session ID unknown".
  void owe_noop(const std::string& sid);
  /// True (once) when a noop is owed to a GET for `sid` on this shard.
  bool take_owed_noop(std::string_view sid);
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
    /// Sids closed by their client with no GET waiting, and until when a GET gets a noop.
    std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> owed_noops;
    bool hooked = false;
  };

  bool origin_allowed(const http::Request& request) const;
  void refuse(http::Exchange& exchange, Error error);
  void handshake(http::Exchange& exchange, bool websocket);
  void polling(http::Exchange& exchange, const std::string& sid, unsigned owner);
  void upgrade(http::Exchange& exchange, const std::string& sid, unsigned owner);
  /// Relays a request for node `node`'s session to that node (options.nodes).
  void forward(http::Exchange& exchange, std::string node);
  void hook_shutdown(net::Shard& shard);
  ws::ServerOptions websocket_options() const;

  std::vector<std::unique_ptr<Local>> locals_;
  std::atomic<std::uint64_t> next_waiter_{1};
};

}  // namespace switchboard::engineio::detail

#pragma once
// Private: the Admin UI's instrumentation (include/switchboard/socketio/admin.hpp), an
// observer of the server (observer.hpp) that reports to the admin namespace.

#include <atomic>
#include <map>
#include <tuple>

#include "socketio/admin_auth.hpp"
#include "socketio/core.hpp"
#include "switchboard/socketio/admin.hpp"

namespace switchboard::socketio::detail {

class Admin final : public Observer, public std::enable_shared_from_this<Admin> {
 public:
  Admin(ServerCore& server, AdminOptions options);
  /// Sets up the admin namespace (its middleware, handlers and statistics).
  void start();

  void client_opened(const engineio::SocketPtr& conn) noexcept override;
  void client_closed(engineio::Socket& conn, std::string_view reason) noexcept override;
  void packet_in(std::size_t bytes) noexcept override;
  void packet_out(std::size_t bytes) noexcept override;
  void socket_connected(Socket& socket) noexcept override;
  void socket_disconnected(Socket& socket, std::string_view reason) noexcept override;
  void room_joined(Socket& socket, const std::string& room) noexcept override;
  void room_left(Socket& socket, const std::string& room) noexcept override;
  void event_received(Socket& socket, const Event& event) noexcept override;
  void event_sent(Socket& socket, const Event& event) noexcept override;

  /// The reference's aggregated events: (second in ms, type, subType) -> count.
  using Counts = std::map<std::tuple<std::int64_t, std::string, std::string>, std::uint64_t>;

 private:
  /// What the admin keeps per shard, touched on that shard only.
  struct Local {
    /// Engine.IO connections under Socket.IO (clientsCount, pollingClientsCount).
    std::unordered_map<const engineio::Socket*, std::weak_ptr<engineio::Socket>> conns;
    /// Connected sockets and the transport last reported for each (socket_updated).
    std::unordered_map<const Socket*, std::pair<std::weak_ptr<Socket>, std::string>> sockets;
    /// Session ids to hand to admin sockets once connected.
    std::unordered_map<const Socket*, std::pair<std::weak_ptr<Socket>, std::string>> sessions;
    /// Packets and bytes of the current second, then everything counted since the last stats.
    std::int64_t second = 0;
    std::uint64_t packets_in = 0, bytes_in = 0, packets_out = 0, bytes_out = 0;
    Counts counts;
    void flush();
    /// Moves to the current second (flushing the last one's packets and bytes) and counts a
    /// packet of `bytes` into `packets` and `total`.
    void count_packet(std::uint64_t& packets, std::uint64_t& total, std::size_t bytes);
  };
  /// The calling shard's (null off the shards), a socket's or a connection's.
  Local* local();
  Local& local(Socket& socket);
  Local& local(engineio::Socket& conn);

  void authenticate(const SocketPtr& socket, std::function<void(std::optional<ConnectError>)> next);
  void on_admin(const SocketPtr& socket);
  void register_commands(Socket& socket);
  void send_all_sockets(const SocketPtr& socket);
  void tick();
  /// Emits to the admin namespace, when anyone may hear it.
  void notify(std::string_view event, Args args);
  bool verbose(const Socket& socket) const;
  std::shared_ptr<NamespaceCore> find(const std::string& name);

  ServerCore& server_;
  const AdminOptions options_;
  const bool development_;
  std::shared_ptr<NamespaceCore> admin_;
  std::vector<std::unique_ptr<Local>> locals_;
  std::unique_ptr<PasswordChecker> checker_;
  AdminSessions sessions_;
  std::atomic<int> admins_{0};
  std::string server_id_;
  std::string hostname_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace switchboard::socketio::detail

#pragma once
// The Socket.IO client's shared state: the Engine.IO session, the sockets by namespace, the
// packet decoder and reconnection. Lives on one executor.

#include "client/engine.hpp"
#include "client/pending_acks.hpp"
#include "client/reconnect_core.hpp"
#include "client/socket_core.hpp"
#include "client/url.hpp"

#include "switchboard/client/client.hpp"
#include "switchboard/socketio/parser.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>

namespace switchboard::client::detail {

/// The state behind a public Socket.
struct SocketState {
  std::weak_ptr<ClientImpl> client;
  boost::asio::any_io_executor executor;
  SocketCore core;
  SocketOptions options;
  bool wanted = false;  // connect() was called and not undone
  std::map<std::string, Socket::Handler, std::less<>> handlers;
  Socket::Handler any;
  std::function<void()> on_connect;
  std::function<void(const std::string&)> on_disconnect;
  std::function<void(const ConnectError&)> on_connect_error;
  std::vector<socketio::Packet> buffer;  // emitted while disconnected
  PendingAcks acks;
  /// One timer for the acks' earliest deadline (made on first use), and where it is set.
  std::unique_ptr<boost::asio::steady_timer> ack_timer;
  std::optional<PendingAcks::Clock::time_point> ack_timer_at;
};

/// Behind the public Client.
class ClientImpl : public std::enable_shared_from_this<ClientImpl> {
 public:
  ClientImpl(boost::asio::any_io_executor executor, Url url, ClientOptions options);

  std::shared_ptr<Socket> socket(std::string nsp, SocketOptions options);

  /// A socket wants to join: send its CONNECT now, or open the connection.
  void socket_connect(Socket& socket);
  /// A socket left; closes the connection when none wants it any more.
  void socket_left();
  /// Encodes and sends `packet` and its attachments: the transport's answer, or nullopt when
  /// not open.
  std::optional<net::SendResult> send_packet(const socketio::Packet& packet);
  bool open() const { return engine_open_; }

  void close();
  /// close(), after forgetting every handler: the owner is going away, nothing may run.
  void shutdown();
  void drop();
  std::optional<Transport> transport() const;

  boost::asio::any_io_executor executor() const { return executor_; }

  std::function<void(unsigned)> on_reconnect_attempt;
  std::function<void(unsigned)> on_reconnect;
  std::function<void()> on_reconnect_failed;

 private:
  void open_engine();
  void on_engine_open();
  void on_engine_message(engineio::Packet packet);
  void on_engine_close(const std::string& reason);
  void wait_to_reconnect();
  bool any_socket_wanted() const;

  boost::asio::any_io_executor executor_;
  Url url_;
  ClientOptions options_;
  std::map<std::string, std::shared_ptr<Socket>> sockets_;
  std::shared_ptr<Engine> engine_;
  bool engine_open_ = false;
  socketio::Decoder decoder_;
  ReconnectCore reconnect_;
  boost::asio::steady_timer reconnect_timer_;
  bool closing_ = false;
  std::mt19937 random_;
};

}  // namespace switchboard::client::detail

#include "switchboard/client/client.hpp"

#include "client/client_impl.hpp"
#include "client/stream.hpp"

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <stdexcept>

namespace switchboard::client {
namespace detail {

namespace asio = boost::asio;
using boost::system::error_code;

ClientImpl::ClientImpl(asio::any_io_executor executor, Url url, ClientOptions options)
    : executor_(executor),
      url_(std::move(url)),
      options_(std::move(options)),
      reconnect_({.reconnection = options_.reconnection,
                  .attempts = options_.reconnection_attempts,
                  .delay = options_.reconnection_delay,
                  .delay_max = options_.reconnection_delay_max,
                  .randomization_factor = options_.randomization_factor}),
      reconnect_timer_(executor),
      random_(std::random_device{}()) {}

std::shared_ptr<Socket> ClientImpl::socket(std::string nsp, SocketOptions options) {
  if (nsp.empty() || nsp.front() != '/') nsp.insert(0, "/");
  auto& slot = sockets_[nsp];
  if (!slot) slot.reset(new Socket(weak_from_this(), nsp, std::move(options)));
  return slot;
}

void ClientImpl::socket_connect(Socket& socket) {
  bool open_now = reconnect_.want_connection();
  if (engine_open_) return socket.handle_open();
  if (open_now && !engine_) open_engine();
}

void ClientImpl::socket_left() {
  if (!closing_ && !any_socket_wanted()) close();
}

bool ClientImpl::any_socket_wanted() const {
  for (const auto& [nsp, socket] : sockets_)
    if (socket->wants_connection()) return true;
  return false;
}

void ClientImpl::open_engine() {
  reconnect_.opening();
  auto weak = weak_from_this();
  engine_ =
      std::make_shared<Engine>(executor_, url_, options_,
                               EngineHandlers{.on_open =
                                                  [weak] {
                                                    if (auto self = weak.lock())
                                                      self->on_engine_open();
                                                  },
                                              .on_message =
                                                  [weak](engineio::Packet packet) {
                                                    if (auto self = weak.lock())
                                                      self->on_engine_message(std::move(packet));
                                                  },
                                              .on_close =
                                                  [weak](std::string reason) {
                                                    if (auto self = weak.lock())
                                                      self->on_engine_close(reason);
                                                  }});
  engine_->open();
}

void ClientImpl::on_engine_open() {
  engine_open_ = true;
  decoder_.reset();
  auto attempts = reconnect_.opened();
  if (attempts && on_reconnect) on_reconnect(*attempts);
  auto sockets = sockets_;  // a handler may add sockets
  for (auto& [nsp, socket] : sockets) {
    if (!engine_open_) return;
    if (socket->wants_connection()) socket->handle_open();
  }
}

void ClientImpl::on_engine_message(engineio::Packet packet) {
  auto step = packet.binary ? decoder_.feed_binary(std::move(packet.data))
                            : decoder_.feed_text(packet.data);
  if (!step) {
    if (auto engine = engine_) engine->drop();
    return;
  }
  if (!*step) return;  // attachments pending
  auto it = sockets_.find((*step)->nsp);
  if (it == sockets_.end()) return;
  auto socket = it->second;  // keep it alive through its handlers
  socket->handle_packet(std::move(**step));
}

void ClientImpl::on_engine_close(const std::string& reason) {
  bool was_open = engine_open_;
  engine_open_ = false;
  engine_.reset();
  reconnect_.engine_closed();
  auto sockets = sockets_;
  for (auto& [nsp, socket] : sockets) {
    if (was_open) {
      socket->handle_close(reason);
    } else if (socket->wants_connection()) {
      socket->handle_connect_failure(reason);
    }
  }
  auto random = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  switch (reconnect_.after_close(any_socket_wanted(), ReconnectCore::Clock::now(), random)) {
    case ReconnectCore::AfterClose::Wait:
      wait_to_reconnect();
      break;
    case ReconnectCore::AfterClose::GiveUp:
      if (on_reconnect_failed) on_reconnect_failed();
      break;
    case ReconnectCore::AfterClose::Nothing:
      break;
  }
}

void ClientImpl::wait_to_reconnect() {
  reconnect_timer_.expires_at(reconnect_.next_attempt());
  reconnect_timer_.async_wait([weak = weak_from_this()](error_code ec) {
    auto self = weak.lock();
    if (!self || ec) return;
    auto attempt = self->reconnect_.attempt(ReconnectCore::Clock::now());
    if (!attempt) return;
    if (self->on_reconnect_attempt) self->on_reconnect_attempt(*attempt);
    // The handler may have closed the client.
    if (self->reconnect_.state() == ReconnectCore::State::Connecting && !self->engine_) {
      self->open_engine();
    }
  });
}

std::optional<net::SendResult> ClientImpl::send_packet(const socketio::Packet& packet) {
  // A local owner: a failing send closes the engine, and on_engine_close drops engine_.
  auto engine = engine_;
  if (!engine_open_ || !engine) return std::nullopt;
  std::string text;
  socketio::encode(text, packet);
  auto result = engine->send(std::move(text), false);
  for (const auto& attachment : packet.attachments)
    result = std::max(result, engine->send(attachment, true));
  return result;
}

void ClientImpl::close() {
  if (closing_) return;
  closing_ = true;  // the sockets' disconnect() calls back into socket_left()
  reconnect_.close();
  reconnect_timer_.cancel();
  auto sockets = sockets_;
  for (auto& [nsp, socket] : sockets)
    if (socket->connected()) socket->disconnect();
  if (auto engine = std::exchange(engine_, nullptr)) engine->close();
  engine_open_ = false;
  closing_ = false;
}

void ClientImpl::shutdown() {
  on_reconnect_attempt = nullptr;
  on_reconnect = nullptr;
  on_reconnect_failed = nullptr;
  for (auto& [nsp, socket] : sockets_) socket->forget_handlers();
  close();
}

void ClientImpl::drop() {
  if (auto engine = engine_) engine->drop();
}

std::optional<Transport> ClientImpl::transport() const {
  if (!engine_open_ || !engine_) return std::nullopt;
  return engine_->transport();
}

}  // namespace detail

Client::Client(boost::asio::io_context& io, std::string_view url, ClientOptions options) {
  auto parsed = detail::parse_url(url);
  if (!parsed) throw std::invalid_argument("switchboard::client::Client: bad URL");
  if (parsed->secure) parsed->tls = detail::make_tls_context(options.tls);
  impl_ = std::make_shared<detail::ClientImpl>(io.get_executor(), std::move(*parsed),
                                               std::move(options));
}

Client::~Client() {
  if (impl_) impl_->shutdown();
}

std::shared_ptr<Socket> Client::socket(std::string nsp, SocketOptions options) {
  return impl_->socket(std::move(nsp), std::move(options));
}

void Client::close() {
  impl_->close();
}
void Client::drop_transport() {
  impl_->drop();
}
std::optional<Transport> Client::transport() const {
  return impl_->transport();
}

void Client::on_reconnect_attempt(std::function<void(unsigned)> handler) {
  impl_->on_reconnect_attempt = std::move(handler);
}
void Client::on_reconnect(std::function<void(unsigned)> handler) {
  impl_->on_reconnect = std::move(handler);
}
void Client::on_reconnect_failed(std::function<void()> handler) {
  impl_->on_reconnect_failed = std::move(handler);
}

}  // namespace switchboard::client

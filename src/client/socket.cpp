#include "switchboard/client/socket.hpp"

#include "client/client_impl.hpp"

#include <boost/asio/post.hpp>

namespace switchboard::client {

namespace asio = boost::asio;
using boost::system::error_code;
using detail::PendingAcks;

namespace {

// Sets the socket's one ack timer for the earliest deadline, when that moved.
void arm_ack_timer(detail::SocketState& s, std::weak_ptr<Socket> weak) {
  auto next = s.acks.next_deadline();
  if (next == s.ack_timer_at) return;
  s.ack_timer_at = next;
  if (!next) {
    if (s.ack_timer) s.ack_timer->cancel();
    return;
  }
  if (!s.ack_timer) s.ack_timer = std::make_unique<asio::steady_timer>(s.executor);
  s.ack_timer->expires_at(*next);
  s.ack_timer->async_wait([weak, state = &s](error_code ec) {
    auto self = weak.lock();  // keeps `state` alive too
    if (ec || !self) return;
    state->ack_timer_at.reset();
    auto expired = state->acks.expire(PendingAcks::Clock::now());
    arm_ack_timer(*state, weak);
    for (auto& callback : expired) callback(make_error_code(Error::Timeout));
  });
}

}  // namespace

Socket::Socket(std::weak_ptr<detail::ClientImpl> client, std::string nsp, SocketOptions options)
    : state_(new detail::SocketState{.client = client,
                                     .executor = client.lock()->executor(),
                                     .core = detail::SocketCore(std::move(nsp)),
                                     .options = std::move(options)}) {}

Socket::~Socket() = default;

void Socket::on(std::string event, Handler handler) {
  state_->handlers[std::move(event)] = std::move(handler);
}
void Socket::on_any(Handler handler) {
  state_->any = std::move(handler);
}
void Socket::on_connect(std::function<void()> handler) {
  state_->on_connect = std::move(handler);
}
void Socket::on_disconnect(std::function<void(const std::string&)> handler) {
  state_->on_disconnect = std::move(handler);
}
void Socket::on_connect_error(std::function<void(const ConnectError&)> handler) {
  state_->on_connect_error = std::move(handler);
}

bool Socket::connected() const {
  return state_->core.connected();
}
const std::string& Socket::id() const {
  return state_->core.id();
}
bool Socket::recovered() const {
  return state_->core.recovered();
}
const std::string& Socket::nsp() const {
  return state_->core.nsp();
}
void Socket::set_auth(boost::json::object auth) {
  state_->options.auth = std::move(auth);
}
bool Socket::wants_connection() const {
  return state_->wanted;
}

void Socket::connect() {
  if (state_->core.connected()) return;
  state_->wanted = true;
  if (auto client = state_->client.lock()) client->socket_connect(*this);
}

void Socket::disconnect() {
  auto& s = *state_;
  bool was_connected = s.core.connected();
  s.wanted = false;
  auto client = s.client.lock();
  if (was_connected && client) client->send_packet(s.core.disconnect_packet());
  s.core.left();
  s.buffer.clear();
  if (was_connected) {
    fail_acks(Error::Disconnected);
    if (s.on_disconnect) s.on_disconnect("io client disconnect");
  }
  if (client) client->socket_left();
}

net::SendResult Socket::emit_args(std::string_view event, Args args) {
  auto& s = *state_;
  auto packet = s.core.event_packet(event, std::move(args), std::nullopt);
  if (s.core.connected()) {
    if (auto client = s.client.lock())
      if (auto result = client->send_packet(packet)) return *result;
  }
  if (s.buffer.size() >= max_buffered) return net::SendResult::Dropped;
  s.buffer.push_back(std::move(packet));
  return net::SendResult::Buffered;
}

void Socket::emit_with_ack(std::string_view event, Args args,
                           std::function<void(AckResult)> callback,
                           std::chrono::milliseconds timeout) {
  auto& s = *state_;
  auto id = s.core.next_ack_id();
  s.acks.add(id, std::move(callback), timeout, PendingAcks::Clock::now());
  arm_ack_timer(s, weak_from_this());
  auto packet = s.core.event_packet(event, std::move(args), id);
  if (s.core.connected()) {
    if (auto client = s.client.lock(); client && client->send_packet(packet)) return;
  }
  if (s.buffer.size() < max_buffered) {
    s.buffer.push_back(std::move(packet));
  } else {
    auto refused = s.acks.answer(id);
    arm_ack_timer(s, weak_from_this());
    if (refused) refused(make_error_code(Error::Closed));
  }
}

std::future<AckResult> Socket::emit_with_ack(std::string_view event, Args args,
                                             std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<AckResult>>();
  auto future = promise->get_future();
  asio::post(state_->executor, [self = shared_from_this(), event = std::string(event),
                                args = std::move(args), promise, timeout]() mutable {
    self->emit_with_ack(
        event, std::move(args), [promise](AckResult r) { promise->set_value(std::move(r)); },
        timeout);
  });
  return future;
}

void Socket::handle_open() {
  auto& s = *state_;
  if (auto client = s.client.lock()) client->send_packet(s.core.connect_packet(s.options.auth));
}

void Socket::handle_packet(socketio::Packet packet) {
  auto& s = *state_;
  auto incoming = s.core.receive(std::move(packet));
  if (auto* connected = std::get_if<detail::ConnectedIn>(&incoming)) {
    (void)connected;
    auto client = s.client.lock();
    auto buffered = std::exchange(s.buffer, {});
    for (const auto& p : buffered)
      if (client) client->send_packet(p);
    if (s.on_connect) s.on_connect();
  } else if (auto* refused = std::get_if<detail::RefusedIn>(&incoming)) {
    s.wanted = false;
    if (s.on_connect_error)
      s.on_connect_error({.message = refused->message, .data = refused->data});
  } else if (auto* event = std::get_if<detail::EventIn>(&incoming)) {
    dispatch(*event);
  } else if (auto* ack = std::get_if<detail::AckIn>(&incoming)) {
    auto answered = s.acks.answer(ack->id);
    arm_ack_timer(s, weak_from_this());
    if (answered) answered(std::move(ack->args));
  } else if (std::holds_alternative<detail::DisconnectIn>(incoming)) {
    s.wanted = false;
    fail_acks(Error::Disconnected);
    if (s.on_disconnect) s.on_disconnect("io server disconnect");
    if (auto client = s.client.lock()) client->socket_left();
  } else if (auto client = s.client.lock()) {
    client->drop();  // InvalidIn: the server broke the protocol
  }
}

void Socket::dispatch(detail::EventIn& in) {
  auto& s = *state_;
  Event event{.name = std::move(in.name), .args = std::move(in.args)};
  if (in.id) {
    event.ack = Ack([weak = weak_from_this(), id = *in.id](Args args) {
      auto self = weak.lock();
      if (!self || !self->connected()) return;
      if (auto client = self->state_->client.lock())
        client->send_packet(self->state_->core.ack_packet(id, std::move(args)));
    });
  }
  auto self = shared_from_this();
  if (s.any) s.any(event);
  if (auto it = s.handlers.find(event.name); it != s.handlers.end()) it->second(event);
}

void Socket::handle_close(const std::string& reason) {
  auto& s = *state_;
  if (!s.core.connected()) return;
  s.core.transport_closed();
  fail_acks(Error::Disconnected);
  if (s.on_disconnect) s.on_disconnect(reason);
}

void Socket::handle_connect_failure(const std::string& message) {
  if (state_->on_connect_error) state_->on_connect_error({.message = message, .transport = true});
}

void Socket::forget_handlers() {
  auto& s = *state_;
  s.handlers.clear();
  s.any = nullptr;
  s.on_connect = nullptr;
  s.on_disconnect = nullptr;
  s.on_connect_error = nullptr;
  s.acks.take_all();
  arm_ack_timer(s, weak_from_this());
}

void Socket::fail_acks(Error error) {
  auto waiting = state_->acks.take_all();
  arm_ack_timer(*state_, weak_from_this());
  for (auto& callback : waiting) callback(make_error_code(error));
}

}  // namespace switchboard::client

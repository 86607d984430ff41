#include "client/engine.hpp"

#include "switchboard/engineio/payload.hpp"

#include <algorithm>

namespace switchboard::client::detail {

namespace asio = boost::asio;
using boost::system::error_code;

Engine::Engine(asio::any_io_executor executor, Url base, const ClientOptions& options,
               EngineHandlers handlers)
    : executor_(executor),
      base_(std::move(base)),
      options_(options),
      handlers_(std::move(handlers)),
      transport_(options.transports.empty() ? Transport::WebSocket : options.transports.front()),
      heartbeat_(executor),
      open_timer_(executor) {}

std::string Engine::target(Transport transport) const {
  std::string t = options_.path;
  t += t.find('?') == std::string::npos ? '?' : '&';
  t += "EIO=4&transport=";
  t += transport == Transport::Polling ? "polling" : "websocket";
  if (opened_) t += "&sid=" + core_.params().sid;
  for (const auto& [name, value] : options_.query) t += "&" + name + "=" + value;
  return t;
}

void Engine::open() {
  open_timer_.expires_after(options_.timeout);
  open_timer_.async_wait([weak = weak_from_this()](error_code ec) {
    if (auto self = weak.lock(); self && !ec && !self->opened_) self->fail("timeout");
  });
  if (transport_ == Transport::WebSocket) {
    open_websocket();
  } else {
    poll();
  }
}

// A WebSocket to the server: the live transport when `ws_` is empty (WebSocket first),
// otherwise the upgrade probe.
void Engine::open_websocket() {
  bool probe = opened_;
  auto weak = weak_from_this();
  // The handlers tell the live socket from the probe by address, known once it exists.
  auto id = std::make_shared<WsConnection*>(nullptr);
  WsHandlers handlers{
      .on_open =
          [weak, id](error_code ec) {
            auto self = weak.lock();
            if (!self || self->closed_) return;
            if (*id == self->probe_.get()) {
              if (ec) return void(self->probe_.reset());  // keep polling
              self->probe_->send("2probe", false);
            } else if (ec) {
              self->fail("transport error");
            }
          },
      .on_message =
          [weak, id](std::string payload, bool binary) {
            auto self = weak.lock();
            if (!self || self->closed_) return;
            if (*id == self->probe_.get()) {
              if (payload == "3probe" && !binary) {
                self->pausing_ = true;
                return self->maybe_finish_upgrade();
              }
              self->probe_->close();  // anything else: the probe failed (§5 item 27)
              self->probe_.reset();
              return;
            }
            auto packet = engineio::decode_websocket_frame(payload, binary);
            if (!packet) return self->fail("parse error");
            self->handle(*packet);
            self->flush();
          },
      .on_close =
          [weak, id](error_code ec, ws::CloseCode) {
            auto self = weak.lock();
            if (!self || self->closed_) return;
            if (*id == self->probe_.get()) {
              self->probe_.reset();
              if (self->pausing_) {
                self->pausing_ = false;
                if (!self->get_) self->poll();
                self->flush();
              }
              return;
            }
            if (*id == self->ws_.get()) self->fail(ec ? "transport error" : "transport close");
          }};
  auto conn =
      std::make_shared<WsConnection>(executor_, std::move(handlers),
                                     WsSettings{.headers = options_.headers,
                                                .handshake_timeout = options_.timeout,
                                                .max_message_size = options_.max_message_size});
  *id = conn.get();
  (probe ? probe_ : ws_) = conn;
  Url url = base_;
  url.target = target(Transport::WebSocket);
  conn->connect(url);
}

void Engine::poll() {
  Url url = base_;
  HttpRequest request{.target = target(Transport::Polling),
                      .headers = options_.headers,
                      .timeout = opened_ ? core_.params().ping_interval +
                                               core_.params().ping_timeout + std::chrono::seconds(5)
                                         : options_.timeout,
                      .max_body = options_.max_message_size};
  get_ = send_http(executor_, url, std::move(request),
                   [weak = weak_from_this()](error_code ec, std::string body) {
                     if (auto self = weak.lock()) self->on_poll_answer(ec, body);
                   });
}

void Engine::on_poll_answer(error_code ec, const std::string& body) {
  get_.reset();
  if (closed_) return;
  if (ec) return fail("transport error");
  auto packets = engineio::decode_payload(body, {.max_bytes = options_.max_message_size});
  if (!packets) return fail("parse error");
  auto self = shared_from_this();  // a handler may drop the last owner
  for (const auto& packet : *packets) {
    handle(packet);
    if (closed_) return;
  }
  if (transport_ != Transport::Polling) return;
  if (pausing_) return maybe_finish_upgrade();
  poll();
  flush();
}

void Engine::handle(const engineio::Packet& packet) {
  bool was_open = opened_;
  auto step = core_.receive(packet, Clock::now());
  if (step.opened && !was_open) {
    opened_ = true;
    open_timer_.cancel();
    arm_heartbeat();
    if (handlers_.on_open) handlers_.on_open();
    if (closed_) return;
    if (transport_ == Transport::Polling && core_.can_upgrade() &&
        std::find(options_.transports.begin(), options_.transports.end(), Transport::WebSocket) !=
            options_.transports.end())
      open_websocket();
  } else if (packet.type == engineio::PacketType::Ping) {
    arm_heartbeat();
  }
  for (auto& message : step.messages) {
    if (closed_) return;
    if (handlers_.on_message) handlers_.on_message(std::move(message));
  }
  if (step.closed && !closed_) fail(*step.closed);
}

net::SendResult Engine::send(std::string data, bool binary) {
  if (closed_) return net::SendResult::Dropped;
  core_.send_message(std::move(data), binary);
  return flush();
}

net::SendResult Engine::flush() {
  if (closed_ || !opened_ || !core_.has_outbox()) return net::SendResult::Sent;
  if (transport_ == Transport::WebSocket) {
    if (!ws_) return net::SendResult::Sent;
    auto worst = net::SendResult::Sent;
    for (const auto& packet : core_.take_outbox()) {
      std::string frame;
      engineio::append_websocket_packet(frame, packet);
      worst = std::max(worst, ws_->send(frame, packet.binary));
    }
    return worst;
  }
  if (post_ || pausing_) return net::SendResult::Sent;
  HttpRequest request{.method = "POST",
                      .target = target(Transport::Polling),
                      .body = core_.take_polling_payload(),
                      .headers = options_.headers,
                      .timeout = options_.timeout};
  post_ = send_http(executor_, base_, std::move(request),
                    [weak = weak_from_this()](error_code ec, std::string) {
                      auto self = weak.lock();
                      if (!self) return;
                      self->post_.reset();
                      if (self->closed_) return;
                      if (ec) return self->fail("transport error");
                      if (self->pausing_) return self->maybe_finish_upgrade();
                      self->flush();
                    });
  return net::SendResult::Sent;
}

// The probe answered and polling has drained: switch (PROTOCOL.md §5 item 26).
void Engine::maybe_finish_upgrade() {
  if (!pausing_ || get_ || post_ || !probe_ || closed_) return;
  probe_->send("5", false);
  ws_ = std::move(probe_);
  pausing_ = false;
  transport_ = Transport::WebSocket;
  flush();
}

void Engine::arm_heartbeat() {
  heartbeat_.expires_at(core_.deadline());
  heartbeat_.async_wait([weak = weak_from_this()](error_code ec) {
    auto self = weak.lock();
    if (!self || ec || self->closed_) return;
    if (self->core_.check_timeout(Clock::now())) return self->fail("ping timeout");
    self->arm_heartbeat();
  });
}

void Engine::fail(std::string reason) {
  if (closed_) return;
  closed_ = true;
  core_.transport_closed();
  stop_io();
  auto handlers = std::move(handlers_);
  handlers_ = {};
  if (handlers.on_close) handlers.on_close(std::move(reason));
}

void Engine::stop_io() {
  heartbeat_.cancel();
  open_timer_.cancel();
  if (auto get = std::exchange(get_, nullptr)) get->cancel();
  if (auto post = std::exchange(post_, nullptr)) post->cancel();
  if (auto probe = std::exchange(probe_, nullptr)) probe->abort();
  if (ws_) ws_->abort();
}

void Engine::close() {
  if (closed_) return;
  bool was_open = opened_;
  core_.close();
  closed_ = true;
  handlers_ = {};
  heartbeat_.cancel();
  open_timer_.cancel();
  if (auto probe = std::exchange(probe_, nullptr)) probe->abort();
  if (!was_open) return stop_io();
  auto goodbye = core_.take_outbox();  // the close packet, after anything still queued
  if (transport_ == Transport::WebSocket && ws_) {
    for (const auto& packet : goodbye) {
      std::string frame;
      engineio::append_websocket_packet(frame, packet);
      ws_->send(frame, packet.binary);
    }
    ws_->close();
    return;
  }
  if (auto get = std::exchange(get_, nullptr)) get->cancel();
  std::string body;
  engineio::append_payload(body, goodbye);
  // Fire and forget: the call keeps itself alive until the server answers.
  send_http(executor_, base_,
            {.method = "POST",
             .target = target(Transport::Polling),
             .body = std::move(body),
             .headers = options_.headers,
             .timeout = std::chrono::seconds(5)},
            [](error_code, std::string) {});
}

void Engine::drop() {
  if (closed_) return;
  fail("transport error");
}

}  // namespace switchboard::client::detail

#include "engineio/session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "engineio/server_core.hpp"
#include "switchboard/ws/prepared_message.hpp"

namespace switchboard::engineio::detail {

namespace {

http::Response text_response(std::string body,
                             std::string_view type = "text/plain; charset=UTF-8") {
  return http::Response::text(200, std::move(body), type);
}

http::Response error_response(Error error) {
  return http::Response::json(static_cast<int>(http_status(error)), error_body(error));
}

// Each call into a core gets an action list of its own (calls nest: a handler run by one may
// send or close), taken from a pool of the thread's so that none allocates once warm.
class ActionList {
 public:
  ActionList() {
    auto& pool = free_lists();
    if (!pool.empty()) {
      list_ = std::move(pool.back());
      pool.pop_back();
    }
  }
  ~ActionList() {
    list_.clear();
    free_lists().push_back(std::move(list_));
  }
  ActionList(const ActionList&) = delete;
  ActionList& operator=(const ActionList&) = delete;
  Actions& operator*() { return list_; }
  Actions* operator->() { return &list_; }

 private:
  static std::vector<Actions>& free_lists() {
    thread_local std::vector<Actions> pool;
    return pool;
  }
  Actions list_;
};

}  // namespace

Session::Session(std::shared_ptr<ServerCore> server, net::Shard& shard, std::string sid,
                 std::shared_ptr<const http::Request> request, Transport transport)
    : server_(std::move(server)),
      shard_(shard),
      sid_(std::move(sid)),
      request_(std::move(request)),
      core_(server_->options, transport),
      activity_(shard),
      timer_(shard),
      counted_(transport == Transport::Polling ? metrics::Transport::EngineioPolling
                                               : metrics::Transport::EngineioWebSocket) {}

Session::~Session() = default;

Session::Polling& Session::polling() {
  if (!polling_) polling_ = std::make_unique<Polling>();
  return *polling_;
}

std::string_view Session::transport() const {
  return core_.transport() == Transport::Polling ? "polling" : "websocket";
}

void Session::start(std::string open_packet) {
  ActionList actions;
  core_.start(std::move(open_packet), Clock::now(), *actions);
  run(*actions);
}

void Session::attach(ws::ConnectionPtr connection) {
  // A WebSocket handshake is the session's handshake: share its request.
  request_ = connection->shared_request();
  ws_ = std::move(connection);
}

// --- what the application does ------------------------------------------------------------

net::SendResult Session::send_packet(Outgoing packet, std::size_t bytes, bool is_volatile) {
  ActionList actions;
  auto route = core_.send(std::move(packet), bytes, is_volatile, *actions);
  run(*actions);
  switch (route) {
    case SessionCore::Route::WebSocket:
      return websocket_result();
    case SessionCore::Route::Queued:
      return net::SendResult::Sent;
    case SessionCore::Route::QueuedOverSoftLimit:
      return net::SendResult::Buffered;
    case SessionCore::Route::Dropped:
      break;
  }
  return net::SendResult::Dropped;
}

net::SendResult Session::websocket_result() const {
  return ws_ && ws_->buffered_amount() > server_->options.write_queue.soft_limit
             ? net::SendResult::Buffered
             : net::SendResult::Sent;
}

net::SendResult Session::send(std::string_view text, bool is_volatile) {
  if (core_.sends_on_websocket()) {
    // The usual case once on a WebSocket: framed from `text` itself, no packet or actions.
    if (ws_) send_text_on_websocket(text);
    return websocket_result();
  }
  return send_packet({Packet{PacketType::Message, std::string(text), false}, nullptr, 0},
                     text.size() + 1, is_volatile);
}

net::SendResult Session::send_binary(std::string_view bytes, bool is_volatile) {
  return send_packet({Packet{PacketType::Message, std::string(bytes), true}, nullptr, 0},
                     bytes.size() + 1, is_volatile);
}

net::SendResult Session::send(const std::shared_ptr<const PreparedPackets>& packets,
                              bool is_volatile) {
  auto result = net::SendResult::Sent;
  for (std::size_t i = 0; i < packets->items().size(); ++i) {
    if (core_.sends_on_websocket()) {
      // A broadcast's delivery on a WebSocket: the frame prepared once, no actions.
      if (ws_) ws_->send(packets->items()[i].frame);
      result = websocket_result();
      continue;
    }
    auto bytes = packets->items()[i].polling.size();
    result = send_packet({Packet{}, packets, i}, bytes, is_volatile);
    if (result == net::SendResult::Dropped) break;
  }
  return result;
}

void Session::close_with(std::string_view reason, bool notify_client) {
  auto keep = shared_from_this();
  ActionList actions;
  core_.close(reason, notify_client, Clock::now(), *actions);
  run(*actions);
}

// --- what the client does -----------------------------------------------------------------

void Session::poll(PollWaiter waiter) {
  ActionList actions;
  if (core_.poll(waiter.id, *actions) == SessionCore::Poll::Refused) {
    waiter.answer(error_response(Error::BadRequest));
  } else {
    polling().waiter = std::move(waiter);
  }
  run(*actions);
}

http::Response Session::post(std::string_view body) {
  auto keep = shared_from_this();
  ActionList actions;
  std::vector<Packet> packets;
  if (!core_.post(body, packets, *actions)) {
    run(*actions);
    return error_response(Error::BadRequest);
  }
  const auto now = Clock::now();
  for (auto& packet : packets) {
    if (core_.closed()) break;
    actions->clear();
    auto inbound = core_.receive(packet, now, *actions);
    run(*actions);
    if (inbound == SessionCore::Inbound::Message) deliver(packet);
  }
  return text_response("ok", "text/html");
}

// The handlers of on_message and on_close, as a listener (allocated by the first of them).
class Session::Handlers final : public SocketListener {
 public:
  void on_engine_message(std::string_view data, bool binary) override {
    if (message) message(data, binary);
  }
  void on_engine_close(std::string_view reason) override {
    if (close) close(reason);
  }
  MessageViewHandler message;
  CloseHandler close;
};

Session::Handlers& Session::handlers() {
  if (!handlers_) {
    auto handlers = std::make_shared<Handlers>();
    handlers_ = handlers.get();
    listener_ = std::move(handlers);
  }
  return *handlers_;
}

void Session::on_message(MessageHandler handler) {
  if (!handler) return on_message_view(nullptr);
  on_message_view([handler = std::move(handler)](std::string_view data, bool binary) {
    handler(Packet{.type = PacketType::Message, .data = std::string(data), .binary = binary});
  });
}

void Session::on_message_view(MessageViewHandler handler) {
  if (!handler && !listener_) return;
  handlers().message = std::move(handler);
}

void Session::on_close(CloseHandler handler) {
  if (!handler && !listener_) return;
  handlers().close = std::move(handler);
}

void Session::listen(std::shared_ptr<SocketListener> listener) {
  handlers_ = nullptr;
  listener_ = std::move(listener);
}

// The listener is called by plain reference: the session is alive (its WebSocket holds it
// during on_ws_message, post() and the timer keep it), and listener_ is not let go while a
// call runs (ended() leaves it to the outermost call to drop). So a listener that ends its own
// session from inside the call (Socket.IO's client on a protocol error) is still there when
// it returns, with no weak_ptr lock or reference count per message.
void Session::to_listener(std::string_view data, bool binary) {
  ++listener_in_use_;
  server_->run_handler(*this, "message", [&] { listener_->on_engine_message(data, binary); });
  if (--listener_in_use_ == 0 && core_.closed()) {
    listener_.reset();
    handlers_ = nullptr;
  }
}

void Session::deliver(Packet& packet) {
  if (listener_) to_listener(packet.data, packet.binary);
}

// A view of the frame in the read buffer: the packet decoded from it is the one copy.
void Session::on_ws_message(const ws::ConnectionPtr& connection, ws::MessageView message) {
  if (message.is_text() && connection == ws_ && listener_ && !message.payload.empty() &&
      message.payload.front() == '4' && core_.takes_websocket_messages()) {
    // A MESSAGE on the session's WebSocket, the usual packet: its data is handed on as a
    // view of the frame (no packet, no copy, no actions).
    return to_listener(message.payload.substr(1), false);
  }
  auto packet = decode_websocket_frame(message.payload, !message.is_text());
  ActionList actions;
  if (is_probe(connection)) {
    core_.probe_message(packet ? &*packet : nullptr, *actions);
    run(*actions);
    return;
  }
  if (connection != ws_) return;
  auto inbound = core_.websocket_message(packet ? &*packet : nullptr, Clock::now(), *actions);
  run(*actions);
  if (inbound == SessionCore::Inbound::Message) deliver(*packet);
}

void Session::on_ws_close(const ws::ConnectionPtr& connection, ws::CloseCode, std::string_view) {
  ActionList actions;
  if (is_probe(connection)) {
    polling_->probe.reset();
    core_.probe_closed(*actions);
  } else if (connection == ws_) {
    core_.websocket_closed(*actions);
  }
  run(*actions);
}

void Session::probe(ws::ConnectionPtr connection) {
  ActionList actions;
  if (!core_.probe_opened(Clock::now(), *actions)) {
    connection->close(ws::CloseCode::PolicyViolation, "already upgraded");
    return;
  }
  polling().probe = std::move(connection);
  run(*actions);
}

// --- carrying out the core's actions ------------------------------------------------------

void Session::run(Actions& actions) {
  for (auto& action : actions) {
    switch (action.kind) {
      case Action::Kind::SendWebSocket:
        if (ws_) send_on_websocket(action.out);
        break;
      case Action::Kind::AnswerPoll:
        answer_waiter(text_response(std::move(action.text)));
        break;
      case Action::Kind::AnswerPollUnavailable: {
        auto r = http::Response::error(503, "server shutting down");
        r.headers.set("Retry-After", "1");
        answer_waiter(std::move(r));
        break;
      }
      case Action::Kind::ScheduleFlush:
        boost::asio::post(shard_.context(), [self = shared_from_this()] {
          ActionList actions;
          self->core_.flush(*actions);
          self->run(*actions);
        });
        break;
      case Action::Kind::AnswerProbe:
        if (polling_ && polling_->probe) polling_->probe->send_text("3probe");
        break;
      case Action::Kind::CloseProbe:
        // Forgotten first: its close handler, which may run at once, finds no probe.
        if (auto probe = polling_ ? std::move(polling_->probe) : ws::ConnectionPtr()) {
          switch (action.probe_close) {
            case ProbeClose::MalformedFrame:
              probe->close(ws::CloseCode::ProtocolError);
              break;
            case ProbeClose::UnexpectedPacket:
              probe->close(ws::CloseCode::ProtocolError, "unexpected packet during upgrade");
              break;
            case ProbeClose::UpgradeTimeout:
              probe->close(ws::CloseCode::PolicyViolation, "upgrade timeout");
              break;
            case ProbeClose::GoingAway:
              probe->close(ws::CloseCode::GoingAway);
              break;
          }
        }
        break;
      case Action::Kind::Upgraded:
        ws_ = std::move(polling_->probe);
        counted_.move_to(metrics::Transport::EngineioWebSocket);
        // Later GETs are refused; the one held, if any, is answered next (answer_waiter).
        if (!polling_->waiter) polling_.reset();
        break;
      case Action::Kind::CloseWebSocket:
        // A server going away says so (RFC 6455 §7.4.1); the client reconnects either way.
        if (ws_ && ws_->is_open()) {
          ws_->close(action.text == "server shutting down" ? ws::CloseCode::GoingAway
                                                           : ws::CloseCode::NormalClosure);
        }
        break;
      case Action::Kind::OweNoop:
        server_->owe_noop(sid_);
        break;
      case Action::Kind::SetTimer:
        set_timer(action.when);
        break;
      case Action::Kind::Ended:
        // The last action: the session may be gone when ended() returns.
        return ended(action.text);
    }
  }
}

namespace {

// The text of one WebSocket message: the thread's buffer, whose capacity stays from one
// message to the next, or a string of its own when that one is in use further up the stack
// (a send that ran a handler that sent).
struct ThreadScratch {
  std::string text;
  bool busy = false;
};
thread_local ThreadScratch thread_scratch;
constexpr std::size_t scratch_keep = 64 * 1024;  // larger buffers are let go after use

class ScratchText {
 public:
  ScratchText() noexcept : text_(&own_), shared_(!thread_scratch.busy) {
    if (!shared_) return;
    thread_scratch.busy = true;
    text_ = &thread_scratch.text;
    text_->clear();
  }
  ~ScratchText() {
    if (!shared_) return;
    if (text_->capacity() > scratch_keep) *text_ = std::string();
    thread_scratch.busy = false;
  }
  ScratchText(const ScratchText&) = delete;
  ScratchText& operator=(const ScratchText&) = delete;
  std::string& get() noexcept { return *text_; }

 private:
  std::string own_;
  std::string* text_;
  bool shared_;
};

void send_text_packet(ws::Connection& connection, PacketType type, std::string_view data) {
  ScratchText text;
  append_text_packet(text.get(), type, data);
  connection.send_text(text.get());
}

}  // namespace

void Session::send_text_on_websocket(std::string_view text) {
  send_text_packet(*ws_, PacketType::Message, text);
}

void Session::send_on_websocket(const Outgoing& out) {
  if (out.prepared) {
    ws_->send(out.prepared->items()[out.index].frame);
  } else if (out.packet.binary) {
    ws_->send_binary(out.packet.data);
  } else {
    send_text_packet(*ws_, out.packet.type, out.packet.data);
  }
}

void Session::answer_waiter(http::Response response) {
  if (!polling_ || !polling_->waiter) return;
  auto waiter = std::move(*polling_->waiter);
  polling_->waiter.reset();
  // The last GET of an upgraded session (answered "6"): no more polling state.
  if (core_.transport() == Transport::WebSocket) polling_.reset();
  waiter.answer(std::move(response));
}

void Session::set_timer(Clock::time_point when) {
  if (when == Clock::time_point::max()) return timer_.cancel();
  timer_.arm(std::max(when - Clock::now(), Clock::duration::zero()), [this] {
    auto keep = shared_from_this();
    ActionList actions;
    core_.on_timer(Clock::now(), *actions);
    run(*actions);
  });
}

void Session::ended(std::string_view reason) {
  auto keep = shared_from_this();
  counted_.close();
  timer_.cancel();
  server_->remove(*this);
  // Let go once it has been told (it may hold the SocketPtr): here, or by the call into it
  // that is running, when that one returns.
  auto listener = listener_;
  if (listener_in_use_ == 0) {
    listener_.reset();
    handlers_ = nullptr;
  }
  if (listener) server_->run_handler(*this, "close", [&] { listener->on_engine_close(reason); });
}

}  // namespace switchboard::engineio::detail

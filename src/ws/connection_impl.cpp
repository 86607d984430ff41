#include "ws/connection_impl.hpp"

#include <boost/asio/error.hpp>

#include <atomic>

#include "switchboard/log/logger.hpp"

namespace switchboard::ws::detail {

namespace {

std::atomic<std::uint64_t> g_next_id{1};

// Larger messages are framed into a string of their own (the scratch would only be copied).
constexpr std::size_t kScratchMessage = 16 << 10;

DecoderOptions decoder_options(const ServerOptions& o, const std::optional<DeflateParams>& d) {
  return {.max_message_size = o.max_message_size, .role = Role::Server, .permessage_deflate = d};
}

// The queue holds at least one largest message with its framing, compression's worst-case
// growth (zlib stores incompressible data at 5 bytes per block) and a Close: a message the
// endpoint accepts is one it can answer in kind.
net::WriteQueueOptions queue_options(const ServerOptions& o) {
  auto q = o.write_queue;
  const std::size_t room = o.max_message_size + o.max_message_size / 1024 + 4096;
  if (o.max_message_size < (std::size_t{1} << 62) && q.hard_limit < room) q.hard_limit = room;
  return q;
}

std::uint32_t clamp32(std::uint64_t n) {
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(n, UINT32_MAX));
}

std::uint32_t clamp_ms(std::chrono::milliseconds d) {
  return clamp32(static_cast<std::uint64_t>(std::max<std::int64_t>(d.count(), 0)));
}

MessageEncoder make_encoder(const ServerOptions& o, const std::optional<DeflateParams>& d) {
  return d ? MessageEncoder(*d, o.permessage_deflate) : MessageEncoder();
}

}  // namespace

ConnectionImpl::Kept::Kept(const ServerOptions& o)
    : ping_interval_ms(clamp_ms(o.ping_interval)),
      idle_timeout_ms(clamp_ms(o.idle_timeout)),
      close_timeout_ms(clamp_ms(o.close_timeout)),
      linger_timeout_ms(clamp_ms(o.linger.timeout)),
      linger_max_bytes(clamp32(o.linger.max_bytes)),
      message_timeout_ms(clamp_ms(o.message_timeout)),
      message_budget(o.message_budget) {}

ConnectionImpl::ConnectionImpl(std::unique_ptr<net::Stream> stream, http::Request request,
                               const ServerOptions& options, Sink handlers, std::string protocol,
                               std::optional<DeflateParams> deflate)
    : stream_(std::move(stream)),
      activity_(stream_->shard()),
      request_(std::make_shared<const http::Request>(std::move(request))),
      options_(options),
      protocol_(protocol.empty() ? nullptr
                                 : std::make_unique<const std::string>(std::move(protocol))),
      decoder_(decoder_options(options, deflate)),
      encoder_(make_encoder(options, deflate)),
      queue_(*stream_, queue_options(options), *this),
      timer_(stream_->shard()),
      last_heard_(std::chrono::steady_clock::now()),
      id_(g_next_id.fetch_add(1)),
      counted_(options.count_as_websocket ? metrics::Transport::WebSocket
                                          : metrics::Transport::None) {
  if (auto* shared = std::get_if<0>(&handlers)) {
    handlers_ = std::move(*shared);
  } else {
    listener_ = std::move(std::get<1>(handlers));
  }
}

ConnectionImpl::~ConnectionImpl() = default;

void ConnectionImpl::on_shard_stop() {
  auto keep = shared_from_this();
  close(CloseCode::GoingAway, "server shutting down");
}

void ConnectionImpl::start(std::string handshake_response, std::string leftover,
                           const std::function<void(const ConnectionPtr&)>& on_open) {
  queue_.push(std::move(handshake_response));
  listen_for_stop(shard());
  arm_timer();
  if (on_open) on_open(shared_from_this());
  if (!leftover.empty() &&
      !consume({reinterpret_cast<std::uint8_t*>(leftover.data()), leftover.size()})) {
    return;
  }
  wait_readable();
}

void ConnectionImpl::wait_readable() {
  if (waiting_ || state_ == State::Closed) return;
  waiting_ = true;
  // The parked wait owns the connection, as a callback's capture would, without a reference
  // counted (or a callback allocated) per message: the hold stays while it waits again.
  if (!held_) held_ = shared_from_this();
  stream_->notify_readable(*this);
}

void ConnectionImpl::on_ready(boost::system::error_code ec) {
  waiting_ = false;
  on_readable(ec);
  if (waiting_) return;
  auto hold = std::move(held_);  // may end the connection: nothing follows
}

void ConnectionImpl::on_wait_dropped() noexcept {
  waiting_ = false;
  auto hold = std::move(held_);
}

// Corks the queue for the messages sent while handling one wake-up's reads: they leave in
// one write at its end, from the shard's scratch buffer (no posted flush, no copy).
class CorkScope {
 public:
  explicit CorkScope(net::WriteQueue& queue) : queue_(queue) { queue_.cork(); }
  ~CorkScope() { queue_.uncork(); }
  CorkScope(const CorkScope&) = delete;
  CorkScope& operator=(const CorkScope&) = delete;

 private:
  net::WriteQueue& queue_;
};

void ConnectionImpl::on_readable(boost::system::error_code ec) {
  if (state_ == State::Closed) return;
  CorkScope cork(queue_);
  auto buffer = net::thread_read_buffer();
  // A few reads per wake-up, then yield to the other connections of the shard.
  for (int i = 0; i < 4 && !ec; ++i) {
    auto n = stream_->read_available(buffer, ec);
    if (ec == boost::asio::error::would_block) {
      ec = {};
      break;
    }
    if (!ec && n == 0) ec = boost::asio::error::eof;
    if (ec) break;
    if (lingering_) {
      lingered_ = clamp32(std::uint64_t{lingered_} + n);
      if (lingered_ > options_.linger_max_bytes) break;
      continue;
    }
    last_heard_ = std::chrono::steady_clock::now();
    if (!consume({reinterpret_cast<std::uint8_t*>(buffer.data()), n})) return;
    if (n < buffer.size()) break;
  }
  if (ec || lingered_ > options_.linger_max_bytes) {
    terminate();
    return;
  }
  wait_readable();
}

// Feeds bytes to the decoder and handles each event; false once the connection is done.
// A whole message found in `bytes` is unmasked there and handed out as a view of them.
bool ConnectionImpl::consume(std::span<std::uint8_t> bytes) {
  Event event;
  // The handle given to the handlers: the wait's hold in a wake-up, otherwise made once for
  // all the messages of this read.
  ConnectionPtr made;
  ConnectionPtr& self = held_ ? held_ : made;
  while (!bytes.empty() && !decoder_.done()) {
    bytes = bytes.subspan(decoder_.feed_in_place(bytes, event));
    if (event.kind != EventKind::None && !handle(event, self)) return false;
  }
  if (state_ == State::Closed) return false;
  // Between messages, with none held, there is nothing to watch (the common case: inline).
  if (decoder_.in_message() || partial_) watch_message();
  return state_ != State::Closed && !lingering_;
}

// After a read: the partial message's share of the shard's budget, and its deadline. Between
// messages the connection holds nothing of the budget, so only one under way can exceed it.
void ConnectionImpl::watch_message() {
  if (lingering_) return;
  if (!decoder_.in_message()) {
    partial_.reset();
    return;
  }
  if (!partial_) {
    // Shard::local's lookup hashes and compares type names: once per partial message.
    partial_ = std::make_unique<Partial>(stream_->shard().local<MessageBudget>(), this,
                                         Kept::ms(options_.message_timeout_ms));
  }
  partial_->account.set(decoder_.held_bytes());
  auto& deadline = partial_->deadline;
  // A message began: the timer is armed again for the sooner of its deadline and the idle
  // and ping times, counted from this read.
  if (deadline.update(true, last_heard_)) arm_timer();
  auto& budget = partial_->account.budget();
  if (budget.total() > options_.message_budget) shed(budget);
}

// The shard holds more bytes of partial messages than its budget: the connections holding the
// most are failed (1009), which frees their buffers, until the rest fit.
void ConnectionImpl::shed(MessageBudget& budget) {
  std::vector<std::shared_ptr<ConnectionImpl>> victims;
  while (budget.total() > options_.message_budget) {
    auto* account = budget.largest();
    auto* victim = static_cast<ConnectionImpl*>(account->owner());
    account->set(0);  // its buffer goes in fail(), below
    victims.push_back(victim->shared_from_this());
  }
  for (auto& victim : victims) {
    victim->fail(CloseCode::MessageTooBig, "too many bytes of unfinished messages on the server");
  }
}

bool ConnectionImpl::handle(Event& event, ConnectionPtr& self) {
  switch (event.kind) {
    case EventKind::Message:
      metrics::add(metrics::Stat::WebSocketMessagesReceived);
      if (state_ != State::Open) break;
      if (!self) self = shared_from_this();
      if (const Handlers* handlers = handlers_.get()) {
        if (handlers->on_message_view) {
          handlers->on_message_view(self, MessageView{event.opcode, event.data()});
        } else if (handlers->on_message) {
          handlers->on_message(
              self, Message{event.opcode,
                            event.in_place ? std::string(event.view) : std::move(event.payload)});
        }
      } else if (auto listener = listener_.lock()) {
        listener->on_ws_message(self, MessageView{event.opcode, event.data()});
      }
      break;
    case EventKind::Ping:
      if (state_ == State::Open) queue_.push(encode_pong(event.payload));
      break;
    case EventKind::Pong:
      break;
    case EventKind::Close:
      on_peer_close(event.close_code, event.payload);
      return false;
    case EventKind::Error:
      fail(event.close_code, event.error.message());
      return false;
    case EventKind::None:
      break;
  }
  event.kind = EventKind::None;
  return state_ != State::Closed;
}

net::SendResult ConnectionImpl::send_data(Opcode opcode, std::string_view payload,
                                          bool is_volatile) {
  if (state_ != State::Open) return net::SendResult::Dropped;
  metrics::add(metrics::Stat::WebSocketMessagesSent);
  if (queue_.corked() && payload.size() <= kScratchMessage) {
    // Sent while handling a read: framed into the shard's scratch, written at its end.
    auto& scratch = net::WriteQueue::scratch();
    const auto from = scratch.size();
    encoder_.encode(opcode, payload, scratch);
    return queue_.push_scratch(from, is_volatile);
  }
  std::string frame;
  encoder_.encode(opcode, payload, frame);
  return queue_.push(std::move(frame), is_volatile);
}

net::SendResult ConnectionImpl::send_text(std::string_view text, bool is_volatile) {
  return send_data(Opcode::Text, text, is_volatile);
}

net::SendResult ConnectionImpl::send_binary(std::string_view bytes, bool is_volatile) {
  return send_data(Opcode::Binary, bytes, is_volatile);
}

net::SendResult ConnectionImpl::send(const std::shared_ptr<const PreparedMessage>& message,
                                     bool is_volatile) {
  if (state_ != State::Open) return net::SendResult::Dropped;
  auto frame = message->frame_for(encoder_);
  metrics::add(metrics::Stat::WebSocketMessagesSent);
  return queue_.push(std::shared_ptr<const void>(message), frame, is_volatile);
}

// We start the closing handshake: send Close, wait for the peer's (close_timeout at most).
void ConnectionImpl::close(CloseCode code, std::string_view reason) {
  if (state_ != State::Open) return;
  // Routine ends (1000, shutdown's 1001) at debug; a close for a cause (1008 upgrade timeout,
  // a program's 4xxx) at info.
  bool routine = code == CloseCode::NormalClosure || code == CloseCode::GoingAway;
  log_close(routine ? log::Level::Debug : log::Level::Info, "server", code, reason);
  state_ = State::Closing;
  queue_.push_last(encode_close(code, reason));
  notify_closed(code, reason);
  arm_timer();
}

// The peer started (or answered) the closing handshake: answer, then close TCP (RFC 6455
// §7.1.1: the server closes the TCP connection first).
void ConnectionImpl::on_peer_close(CloseCode code, std::string_view reason) {
  log_close(log::Level::Debug, "client", code, reason);
  if (state_ == State::Open) {
    state_ = State::Closing;
    auto echo = code == CloseCode::NoStatus ? CloseCode::NormalClosure : code;
    queue_.push_last(encode_close(echo));
  }
  notify_closed(code, reason);
  finish_after_drain();
}

// Fail the WebSocket connection (RFC 6455 §7.1.7): send Close with the code, then close TCP,
// lingering in between.
void ConnectionImpl::fail(CloseCode code, std::string_view reason) {
  if (state_ == State::Closed) return;
  log_close(log::Level::Info, "server", code, reason);
  if (state_ == State::Open) {
    state_ = State::Closing;
    queue_.push_last(encode_close(code, reason));
  }
  notify_closed(code, reason);
  linger();
}

// The peer may still be sending (the rest of a message over the limit): closing now, with
// its bytes unread, would reset the connection, and it would get ECONNRESET or EPIPE instead
// of our Close. So half-close once the Close is out, and read and discard until the peer
// closes too, or the linger bounds run out (nginx's lingering close).
void ConnectionImpl::linger() {
  if (lingering_ || state_ == State::Closed) return;
  lingering_ = true;
  decoder_.abandon();
  partial_.reset();
  arm_timer();
  queue_.when_drained([self = shared_from_this()] {
    if (self->state_ != State::Closed) self->stream_->shutdown_send();
  });
  wait_readable();
}

void ConnectionImpl::finish_after_drain() {
  queue_.when_drained([self = shared_from_this()] {
    if (self->state_ == State::Closed) return;
    self->stream_->shutdown_send();
    self->terminate();
  });
}

void ConnectionImpl::terminate() {
  if (state_ == State::Closed) return;
  auto keep = shared_from_this();
  state_ = State::Closed;
  timer_.cancel();
  queue_.abandon();
  stream_->close();
  // The handle may outlive the connection (held by the application): free what it received.
  decoder_.abandon();
  partial_.reset();
  log_close(log::Level::Debug, "client", CloseCode::Abnormal, "connection dropped");
  notify_closed(CloseCode::Abnormal, "connection dropped");
}

// Once per connection, as it starts to close: who closed it, the code and the reason.
void ConnectionImpl::log_close(log::Level level, std::string_view by, CloseCode code,
                               std::string_view reason) {
  if (notified_ || !log::enabled(level)) return;
  log::write(level, "websocket closed",
             {{"by", by},
              {"code", static_cast<unsigned>(code)},
              {"reason", reason},
              {"path", request_->path},
              {"remote", request_->remote_address},
              {"shard", stream_->shard().index()},
              {"id", id_}});
}

void ConnectionImpl::notify_closed(CloseCode code, std::string_view reason) {
  if (notified_) return;
  notified_ = true;
  counted_.close();
  auto keep = shared_from_this();
  // Handlers often own what owns this connection: drop them so no cycle outlives the close.
  auto handlers = std::move(handlers_);
  auto listener = std::exchange(listener_, {}).lock();
  if (handlers && handlers->on_close) handlers->on_close(keep, code, reason);
  if (listener) listener->on_ws_close(keep, code, reason);
}

void ConnectionImpl::arm_timer() {
  using namespace std::chrono;
  milliseconds wait = Kept::ms(lingering_ ? options_.linger_timeout_ms : options_.close_timeout_ms);
  if (state_ == State::Open) {
    auto idle = options_.idle_timeout_ms > 0 ? options_.idle_timeout() : milliseconds::max();
    auto ping = options_.ping_interval_ms > 0 ? options_.ping_interval() : milliseconds::max();
    wait = std::min(idle, ping);
    if (auto due = partial_ ? partial_->deadline.due() : std::nullopt) {
      auto left = duration_cast<milliseconds>(*due - steady_clock::now()) + milliseconds(1);
      wait = std::min(wait, std::max(left, milliseconds(0)));
    }
    if (wait == milliseconds::max()) return;  // the layer above keeps time (Engine.IO)
  }
  timer_.arm(wait, [this] {
    auto self = shared_from_this();
    on_tick();
  });
}

void ConnectionImpl::on_tick() {
  if (state_ == State::Closed) return;
  if (state_ == State::Closing) {
    terminate();
    return;
  }
  auto now = std::chrono::steady_clock::now();
  if (partial_ && partial_->deadline.passed(now)) {
    fail(CloseCode::PolicyViolation, "message not received in time");
    return;
  }
  auto quiet = now - last_heard_;
  if (options_.idle_timeout_ms > 0 && quiet >= options_.idle_timeout()) {
    fail(CloseCode::GoingAway, "idle timeout");
    return;
  }
  if (options_.ping_interval_ms > 0 && quiet >= options_.ping_interval()) {
    queue_.push(encode_ping());
  }
  arm_timer();
}

}  // namespace switchboard::ws::detail

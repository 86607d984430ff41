#include "http/connection.hpp"

#include <ctime>

#include <boost/asio/error.hpp>

namespace switchboard::http::detail {

namespace {

// The Date header value, formatted at most once a second per thread.
const std::string& http_date() {
  thread_local std::time_t last = 0;
  thread_local std::string text;
  std::time_t now = std::time(nullptr);
  if (now != last) {
    last = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    text = buf;
  }
  return text;
}

bool body_forbidden(int status) {
  return status < 200 || status == 204 || status == 304;
}

}  // namespace

Connection::Connection(std::shared_ptr<const ServerCore> core, std::unique_ptr<net::Stream> stream,
                       std::string leftover)
    : core_(std::move(core)),
      stream_(std::move(stream)),
      activity_(stream_->shard()),
      queue_(*stream_, core_->options.write_queue, *this),
      timer_(stream_->shard()),
      in_(std::move(leftover)) {}

Connection::~Connection() = default;

// On shutdown, an idle connection closes; one in the middle of a request finishes it first.
void Connection::on_shard_stop() {
  auto keep = shared_from_this();
  if (phase_ != Phase::Idle) return;
  log_close(log::Level::Debug, "server shutting down");
  close_now();
}

void Connection::start() {
  listen_for_stop(shard());
  set_phase(Phase::Idle);
  process();
}

void Connection::set_phase(Phase phase) {
  phase_ = phase;
  std::chrono::milliseconds limit{0};
  switch (phase) {
    case Phase::Idle:
      limit = core_->options.idle_timeout;
      break;
    case Phase::Head:
      limit = core_->options.header_timeout;
      break;
    case Phase::Body:
      limit = core_->options.body_timeout;
      break;
    case Phase::Closing:
      limit = core_->options.linger.timeout;
      break;
    case Phase::Handling:
      timer_.cancel();
      return;
  }
  timer_.arm(limit, [this, phase] {
    if (phase_ != phase) return;
    auto keep = shared_from_this();
    if (phase == Phase::Head || phase == Phase::Body) {
      fail(408, phase == Phase::Head ? "request head not received in time"
                                     : "request body not received in time");
    } else {
      if (phase == Phase::Idle) log_close(log::Level::Debug, "idle timeout");
      close_now();
    }
  });
}

void Connection::read() {
  if (reading_ || closed_ || eof_ || !stream_) return;
  // While a request is being handled, read only to notice the client leaving, within bounds.
  if (phase_ == Phase::Handling && in_.size() > core_->options.max_header_bytes) return;
  reading_ = true;
  // On readiness, into the thread's buffer: a connection waiting for its next request (or
  // one that is about to become a WebSocket) holds no read buffer of its own.
  // The parked wait owns the connection (as a callback's capture would), with no callback
  // allocated per request: the hold stays while one wait follows another.
  if (!held_) held_ = shared_from_this();
  stream_->notify_readable(*this);
}

void Connection::on_ready(boost::system::error_code ec) {
  std::size_t n = 0;
  bool again = false;
  if (!ec && !closed_ && stream_) {
    auto buffer = net::thread_read_buffer();
    n = stream_->read_available(buffer, ec);
    again = ec == boost::asio::error::would_block;
    if (!ec && n == 0) ec = boost::asio::error::eof;
    if (!ec) in_.append(buffer.data(), n);
  }
  if (again) {
    reading_ = false;
    read();
  } else {
    on_read(ec, n);
  }
  if (reading_) return;
  auto hold = std::move(held_);  // may end the connection: nothing follows
}

void Connection::on_wait_dropped() noexcept {
  reading_ = false;
  auto hold = std::move(held_);
}

void Connection::on_read(boost::system::error_code ec, std::size_t n) {
  reading_ = false;
  if (closed_) return;
  if (ec) {
    eof_ = true;
    peer_gone();
    return;
  }
  if (phase_ == Phase::Closing) {
    in_.clear();
    lingered_ += n;
    if (lingered_ > core_->options.linger.max_bytes) return close_now();
    read();
    return;
  }
  if (phase_ == Phase::Idle && n > 0) set_phase(Phase::Head);
  process();
}

void Connection::process() {
  while (!closed_ && phase_ != Phase::Handling && phase_ != Phase::Closing && !in_.empty()) {
    if (!feed()) break;
  }
  read();
}

// Feeds buffered bytes to the parser. Returns false when more bytes are needed or the
// connection moved on (a request is being handled, or it failed).
bool Connection::feed() {
  if (!parser_) {
    parser_.emplace(core_->options.max_header_bytes);
    if (phase_ == Phase::Idle) set_phase(Phase::Head);
  }
  RequestParser::Status status;
  auto used = parser_->feed(in_, status);
  in_.erase(0, used);
  switch (status) {
    case RequestParser::Status::NeedMore:
      // Go on while the parser makes progress (it leaves an incomplete head in in_).
      return used > 0;
    case RequestParser::Status::Error:
      fail(parser_->error_status(), parser_->error_message());
      return false;
    case RequestParser::Status::HeaderDone:
      on_header_done();
      if (closed_ || phase_ == Phase::Closing) return false;
      if (parser_->done()) {
        dispatch();
        return false;
      }
      return true;
    case RequestParser::Status::Done:
      dispatch();
      return false;
  }
  return false;
}

void Connection::on_header_done() {
  match_ = core_->router.match(parser_->method(), parser_->path());
  auto limit = match_.route ? match_.route->options.max_body : core_->options.max_header_bytes;
  if (!parser_->set_body_limit(limit)) {
    fail(parser_->error_status(), parser_->error_message());
    return;
  }
  if (parser_->done()) return;
  if (parser_->expects_continue() && match_.route) {
    queue_.push(std::string("HTTP/1.1 100 Continue\r\n\r\n"));
  }
  set_phase(Phase::Body);
}

void Connection::dispatch() {
  auto ex = std::make_shared<ExchangeState>();
  ex->request = parser_->take_request();
  parser_.reset();
  set_phase(Phase::Handling);
  ex->connection = shared_from_this();
  ex->shard = &shard();
  auto& req = ex->request;

  req.remote_address = stream_->remote_address();
  req.tls = stream_->is_tls();
  req.params = std::move(match_.params);
  ex->head_only = req.method == "HEAD";
  if (core_->options.access_log) ex->started = std::chrono::steady_clock::now();
  current_ = ex;

  const auto& cors = core_->options.cors;
  // The server answers preflights itself only when it has a CORS policy; otherwise the route
  // does (Engine.IO has its own).
  auto pre = cors.allowed_origins.empty() ? std::nullopt : cors.preflight(req);
  if (shard().stopping()) {
    // Shutting down: nothing new starts (a session or socket begun now would outlive the
    // stop hooks that already ran); clients retry elsewhere or later.
    auto r = Response::error(503, "server shutting down");
    r.headers.set("Retry-After", "1");
    r.headers.set("Connection", "close");
    respond(*ex, std::move(r));
  } else if (pre) {
    respond(*ex, std::move(*pre));
  } else if (!match_.route) {
    auto r =
        Response::error(match_.status, match_.status == 405 ? "method not allowed" : "not found");
    if (match_.status == 405) r.headers.set("Allow", match_.allow);
    respond(*ex, std::move(r));
  } else {
    try {
      match_.route->handler(Exchange(ex));
    } catch (const std::exception&) {
      if (!ex->answered) respond(*ex, Response::error(500, "internal error"));
    }
  }
  // An exchange still open is held (long poll, stream): watch for the client leaving.
  if (!ex->finished && !closed_) read();
}

std::string Connection::serialize_head(const ExchangeState& ex, Response& r, bool with_length) {
  core_->options.cors.decorate(ex.request, r.headers);
  std::string head;
  head.reserve(256 + r.body.size());
  head += ex.request.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  head += std::to_string(r.status);
  head += ' ';
  head += reason_phrase(r.status);
  head += "\r\n";
  for (auto [name, value] : r.headers) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  if (!core_->options.server_name.empty() && !r.headers.contains("Server")) {
    head += "Server: " + core_->options.server_name + "\r\n";
  }
  head += "Date: " + http_date() + "\r\n";
  if (with_length && !body_forbidden(r.status)) {
    head += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  }
  return head;
}

void Connection::respond(ExchangeState& ex, Response r) {
  if (ex.answered || ex.closed || closed_) return;
  ex.answered = true;
  bool keep_alive = ex.request.keep_alive && !iequals(r.headers.get("Connection"), "close");
  auto head = serialize_head(ex, r, true);
  if (!keep_alive && !r.headers.contains("Connection")) head += "Connection: close\r\n";
  if (keep_alive && ex.request.version == 10) head += "Connection: keep-alive\r\n";
  head += "\r\n";
  if (!ex.head_only && !body_forbidden(r.status)) head += r.body;
  ex.status = r.status;
  ex.bytes_sent += head.size();
  queue_.push(std::move(head));
  finish(ex, keep_alive);
}

void Connection::start_stream(ExchangeState& ex, Response r) {
  if (ex.answered || ex.closed || closed_) return;
  ex.answered = true;
  ex.streaming = true;
  ex.chunked = ex.request.version == 11 && !ex.head_only;
  auto head = serialize_head(ex, r, false);
  head += ex.chunked ? "Transfer-Encoding: chunked\r\n" : "Connection: close\r\n";
  head += "\r\n";
  ex.status = r.status;
  ex.bytes_sent += head.size();
  queue_.push(std::move(head));
  if (ex.head_only) finish(ex, ex.request.keep_alive);
}

net::SendResult Connection::write_piece(ExchangeState& ex, std::string piece, bool is_volatile) {
  if (!ex.streaming || ex.finished || ex.closed || closed_) return net::SendResult::Dropped;
  if (piece.empty()) return net::SendResult::Sent;
  if (!ex.chunked) {
    auto bytes = piece.size();
    auto result = queue_.push(std::move(piece), is_volatile);
    if (result != net::SendResult::Dropped) ex.bytes_sent += bytes;
    return result;
  }
  char size[20];
  int n = std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
  std::string framed;
  framed.reserve(piece.size() + static_cast<std::size_t>(n) + 2);
  framed.append(size, static_cast<std::size_t>(n));
  framed += piece;
  framed += "\r\n";
  auto bytes = framed.size();
  auto result = queue_.push(std::move(framed), is_volatile);
  if (result != net::SendResult::Dropped) ex.bytes_sent += bytes;
  return result;
}

void Connection::end_stream(ExchangeState& ex) {
  if (!ex.streaming || ex.finished || closed_) return;
  if (ex.chunked) {
    queue_.push(std::string("0\r\n\r\n"));
    ex.bytes_sent += 5;
  }
  finish(ex, ex.chunked && ex.request.keep_alive);
}

Upgraded Connection::upgrade(ExchangeState& ex) {
  Upgraded up;
  if (ex.answered || closed_ || reading_ || !queue_.idle()) return up;
  // The upgrade's own answer (101, or a refusal) is written by the protocol taking over.
  ex.status = 101;
  log_access(ex);
  ex.answered = true;
  ex.finished = true;
  ex.connection.reset();
  closed_ = true;
  timer_.cancel();
  current_.reset();
  queue_.abandon();
  up.stream = std::move(stream_);
  up.leftover = std::move(in_);
  stop_listening();
  return up;
}

void Connection::finish(ExchangeState& ex, bool keep_alive) {
  ex.finished = true;
  log_access(ex);
  auto self = std::move(ex.connection);  // keeps this alive until the end of the function
  current_.reset();
  if (!keep_alive || shard().stopping()) {
    close_gracefully();
    return;
  }
  // The next pipelined request is handled once this answer has left (answers stay in order,
  // and an upgrade never races a write).
  queue_.when_drained([self = shared_from_this()] { self->next_request(); });
}

void Connection::next_request() {
  if (closed_ || phase_ == Phase::Closing) return;
  set_phase(in_.empty() ? Phase::Idle : Phase::Head);
  if (eof_ && in_.empty()) {
    close_now();
    return;
  }
  process();
}

void Connection::fail(int status, std::string_view message) {
  if (closed_) return;
  log_close(log::Level::Info, message, status);
  parser_.reset();
  in_.clear();
  ExchangeState ex;
  ex.request.keep_alive = false;
  auto r = Response::error(status, message);
  r.headers.set("Connection", "close");
  auto head = serialize_head(ex, r, true);
  head += "\r\n" + r.body;
  queue_.push(std::move(head));
  if (current_) {
    current_->closed = true;
    current_.reset();
  }
  close_gracefully();
}

// Sends what is queued, half-closes, and drains the client's bytes until it closes too, within
// the linger bounds (so a reset does not destroy the answer in flight, and a client still
// sending a body over the limit reads the answer instead of ECONNRESET or EPIPE).
void Connection::close_gracefully() {
  if (closed_ || phase_ == Phase::Closing) return;
  set_phase(Phase::Closing);
  in_.clear();
  queue_.when_drained([self = shared_from_this()] {
    if (self->closed_) return;
    self->stream_->shutdown_send();
    self->set_phase(Phase::Closing);  // the linger time counts from the half-close
    self->read();
  });
}

void Connection::close_now() {
  if (closed_) return;
  auto keep = shared_from_this();
  closed_ = true;
  timer_.cancel();
  queue_.abandon();
  if (stream_) stream_->close();
  peer_gone();
}

void Connection::peer_gone() {
  auto keep = shared_from_this();
  if (!closed_ && phase_ == Phase::Closing) {
    close_now();
    return;
  }
  if (auto ex = std::move(current_)) {
    // A long poll or a stream the client left: its record now (499 when never answered, as
    // nginx logs a client that closed first).
    if (!ex->finished) {
      if (!ex->answered) ex->status = 499;
      log_access(*ex);
    }
    ex->closed = true;
    auto callbacks = std::move(ex->on_close);
    ex->connection.reset();
    for (auto& cb : callbacks) cb();
  }
  if (!closed_) close_now();
}

void Connection::log_access(ExchangeState& ex) {
  if (ex.logged || !core_->options.access_log || !log::enabled(log::Level::Info)) return;
  ex.logged = true;
  const auto& req = ex.request;
  std::string remote;
  try {
    remote =
        core_->options.client_address ? core_->options.client_address(req) : req.remote_address;
  } catch (...) {
    remote = req.remote_address;  // the program's function failed: the peer
  }
  using namespace std::chrono;
  auto micros = duration_cast<microseconds>(steady_clock::now() - ex.started).count();
  // The path without the query: a query may carry credentials (an Engine.IO sid, a token).
  log::info("http access", {{"method", req.method},
                            {"path", req.path},
                            {"status", ex.status},
                            {"bytes", ex.bytes_sent},
                            {"duration_ms", static_cast<double>(micros) / 1000.0},
                            {"remote", remote},
                            {"user_agent", req.header("User-Agent")}});
}

// Why the server closes this connection (the peer's address: there may be no request yet).
void Connection::log_close(log::Level level, std::string_view reason, int status) {
  if (!log::enabled(level) || !stream_) return;
  auto remote = stream_->remote_address();
  if (status != 0) {
    log::write(
        level, "http connection closed",
        {{"reason", reason}, {"status", status}, {"remote", remote}, {"shard", shard().index()}});
  } else {
    log::write(level, "http connection closed",
               {{"reason", reason}, {"remote", remote}, {"shard", shard().index()}});
  }
}

}  // namespace switchboard::http::detail

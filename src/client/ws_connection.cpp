#include "client/ws_connection.hpp"

#include "client/ws_handshake.hpp"

#include "switchboard/client/error.hpp"
#include "switchboard/ws/close.hpp"
#include "switchboard/ws/frame.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

namespace switchboard::client::detail {

namespace asio = boost::asio;
using boost::system::error_code;

WsConnection::WsConnection(asio::any_io_executor executor, WsHandlers handlers, WsSettings settings)
    : resolver_(executor),
      timer_(executor),
      handlers_(std::move(handlers)),
      settings_(std::move(settings)),
      decoder_({.max_message_size = settings_.max_message_size, .role = ws::Role::Client}),
      random_(std::random_device{}()) {}

void WsConnection::connect(const Url& url) {
  stream_.emplace(resolver_.get_executor(), url.tls);
  std::array<std::uint8_t, 16> nonce;
  for (auto& b : nonce) b = static_cast<std::uint8_t>(random_());
  key_ = make_key(nonce);
  auto request = std::make_shared<std::string>(
      make_upgrade_request(url.host_header(), url.target, key_, settings_.headers));
  timer_.expires_after(settings_.handshake_timeout);
  timer_.async_wait([self = weak_from_this()](error_code ec) {
    auto s = self.lock();
    if (!ec && s && s->state_ == State::Connecting)
      s->finish(Error::Timeout, ws::CloseCode::Abnormal);
  });
  resolver_.async_resolve(
      url.host, url.port,
      [self = shared_from_this(), request, host = url.host](
          error_code ec, asio::ip::tcp::resolver::results_type r) {
        if (ec) return self->finish(ec, ws::CloseCode::Abnormal);
        if (self->state_ != State::Connecting) return;
        self->stream_->async_connect(r, host, [self, request](error_code ec) {
          if (ec) return self->finish(ec, ws::CloseCode::Abnormal);
          if (self->state_ != State::Connecting) return;
          asio::async_write(
              *self->stream_, asio::buffer(*request), [self, request](error_code ec, std::size_t) {
                if (ec) return self->finish(ec, ws::CloseCode::Abnormal);
                asio::async_read_until(
                    *self->stream_, asio::dynamic_buffer(self->read_buffer_, 16384), "\r\n\r\n",
                    [self](error_code ec, std::size_t n) { self->on_handshake_read(ec, n); });
              });
        });
      });
}

void WsConnection::on_handshake_read(error_code ec, std::size_t bytes) {
  if (state_ != State::Connecting) return;
  if (!ec) ec = check_upgrade_response(std::string_view(read_buffer_).substr(0, bytes), key_);
  if (ec) return finish(ec, ws::CloseCode::Abnormal);
  timer_.cancel();
  state_ = State::Open;
  std::string rest = read_buffer_.substr(bytes);
  read_buffer_.clear();
  if (handlers_.on_open) handlers_.on_open({});
  if (!rest.empty() && state_ == State::Open)
    handle_bytes(reinterpret_cast<const std::uint8_t*>(rest.data()), rest.size());
  if (state_ == State::Open || state_ == State::Closing) read_loop();
}

void WsConnection::read_loop() {
  read_buffer_.resize(16384);
  stream_->async_read_some(
      asio::buffer(read_buffer_), [self = shared_from_this()](error_code ec, std::size_t n) {
        if (self->state_ == State::Closed) return;
        if (ec) return self->finish(ec, ws::CloseCode::Abnormal);
        self->handle_bytes(reinterpret_cast<const std::uint8_t*>(self->read_buffer_.data()), n);
        if (self->state_ != State::Closed) self->read_loop();
      });
}

void WsConnection::handle_bytes(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  while (!in.empty() && state_ != State::Closed) {
    in = in.subspan(decoder_.feed(in, event_));
    switch (event_.kind) {
      case ws::EventKind::None:
        break;
      case ws::EventKind::Message:
        if (state_ == State::Open && handlers_.on_message)
          handlers_.on_message(std::move(event_.payload), event_.opcode == ws::Opcode::Binary);
        break;
      case ws::EventKind::Ping:
        queue_frame(ws::Opcode::Pong, event_.payload);
        break;
      case ws::EventKind::Pong:
        break;
      case ws::EventKind::Close:
        // Echo the close (RFC 6455 §5.5.1) and end once it is written.
        if (!close_sent_) queue_frame(ws::Opcode::Close, ws::close_payload(event_.close_code));
        close_sent_ = true;
        state_ = State::Closing;
        return finish({}, event_.close_code);
      case ws::EventKind::Error:
        queue_frame(ws::Opcode::Close, ws::close_payload(event_.close_code));
        return finish(Error::ProtocolError, event_.close_code);
    }
  }
}

net::SendResult WsConnection::send(std::string_view payload, bool binary) {
  if (state_ != State::Open) return net::SendResult::Dropped;
  if (queued_bytes_ + payload.size() > settings_.hard_queue_limit) {
    abort();  // a slow consumer: never queue without bound
    return net::SendResult::Dropped;
  }
  queue_frame(binary ? ws::Opcode::Binary : ws::Opcode::Text, payload);
  return queued_bytes_ > settings_.soft_queue_limit ? net::SendResult::Buffered
                                                    : net::SendResult::Sent;
}

void WsConnection::queue_frame(ws::Opcode opcode, std::string_view payload) {
  ws::FrameHeader header{.opcode = opcode, .masked = true};
  std::uint64_t mask = random_();
  for (int i = 0; i < 4; ++i) header.mask[i] = static_cast<std::uint8_t>(mask >> (8 * i));
  std::string frame;
  ws::append_frame(frame, header, payload);
  queued_bytes_ += frame.size();
  writes_.push_back(std::move(frame));
  if (!writing_) write_next();
}

void WsConnection::write_next() {
  if (writes_.empty() || !stream_ || !stream_->is_open()) {
    writing_ = false;
    if (state_ == State::Closed) close_socket();
    return;
  }
  writing_ = true;
  asio::async_write(*stream_, asio::buffer(writes_.front()),
                    [self = shared_from_this()](error_code ec, std::size_t) {
                      if (!self->writes_.empty()) {
                        self->queued_bytes_ -= self->writes_.front().size();
                        self->writes_.pop_front();
                      }
                      if (ec) {
                        self->writing_ = false;
                        self->writes_.clear();
                        self->queued_bytes_ = 0;
                        if (self->state_ == State::Closed) return self->close_socket();
                        return self->finish(ec, ws::CloseCode::Abnormal);
                      }
                      self->write_next();
                    });
}

void WsConnection::close_socket() {
  if (stream_) stream_->close();
}

void WsConnection::close(ws::CloseCode code) {
  if (state_ == State::Connecting) return finish(Error::Closed, ws::CloseCode::Abnormal);
  if (state_ != State::Open) return;
  state_ = State::Closing;
  close_sent_ = true;
  queue_frame(ws::Opcode::Close, ws::close_payload(code));
  // The server answers with its Close (handle_bytes finishes then); do not wait forever.
  timer_.expires_after(std::chrono::seconds(2));
  timer_.async_wait([self = shared_from_this(), code](error_code ec) {
    if (!ec) self->finish({}, code);
  });
}

void WsConnection::abort() {
  if (state_ == State::Closed) return;
  writes_.clear();
  queued_bytes_ = 0;
  finish(asio::error::connection_aborted, ws::CloseCode::Abnormal);
}

void WsConnection::finish(error_code ec, ws::CloseCode code) {
  if (state_ == State::Closed) return;
  bool was_connecting = state_ == State::Connecting;
  state_ = State::Closed;
  timer_.cancel();
  resolver_.cancel();
  // Let queued frames (our Close) leave first unless the connection failed.
  if (ec || writes_.empty()) {
    writes_.clear();
    queued_bytes_ = 0;
    close_socket();
  } else if (!writing_) {
    write_next();
  }
  auto handlers = std::move(handlers_);
  handlers_ = {};
  if (was_connecting) {
    if (handlers.on_open) handlers.on_open(ec ? ec : make_error_code(Error::Closed));
  } else if (handlers.on_close) {
    handlers.on_close(ec, code);
  }
}

}  // namespace switchboard::client::detail

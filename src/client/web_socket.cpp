#include "switchboard/client/web_socket.hpp"

#include "client/stream.hpp"
#include "client/url.hpp"
#include "client/ws_connection.hpp"

#include "switchboard/client/error.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace switchboard::client {

using boost::system::error_code;

struct WebSocket::Handlers {
  std::function<void(error_code)> on_open;
  std::function<void(std::string, bool)> on_message;
  std::function<void(error_code, ws::CloseCode)> on_close;
};

WebSocket::WebSocket(boost::asio::io_context& io, WebSocketOptions options)
    : io_(io), options_(std::move(options)), handlers_(std::make_shared<Handlers>()) {}

WebSocket::~WebSocket() {
  if (connection_) {
    connection_->detach();
    connection_->abort();
  }
}

void WebSocket::on_open(std::function<void(error_code)> handler) {
  handlers_->on_open = std::move(handler);
}
void WebSocket::on_message(std::function<void(std::string, bool)> handler) {
  handlers_->on_message = std::move(handler);
}
void WebSocket::on_close(std::function<void(error_code, ws::CloseCode)> handler) {
  handlers_->on_close = std::move(handler);
}

void WebSocket::connect(std::string_view text) {
  auto url = detail::parse_url(text);
  std::weak_ptr<Handlers> weak = handlers_;
  error_code failed = url ? error_code() : make_error_code(Error::BadUrl);
  if (url && url->secure) {
    try {
      url->tls = detail::make_tls_context(options_.tls);
    } catch (const boost::system::system_error& e) {
      failed = e.code();  // the CA file cannot be read
    }
  }
  if (failed) {
    // Reported from the loop, as any other connect failure.
    boost::asio::post(io_, [weak, failed] {
      if (auto h = weak.lock(); h && h->on_open) h->on_open(failed);
    });
    return;
  }
  connection_ = std::make_shared<detail::WsConnection>(
      io_.get_executor(),
      detail::WsHandlers{.on_open =
                             [weak](error_code ec) {
                               if (auto h = weak.lock(); h && h->on_open) h->on_open(ec);
                             },
                         .on_message =
                             [weak](std::string payload, bool binary) {
                               if (auto h = weak.lock(); h && h->on_message)
                                 h->on_message(std::move(payload), binary);
                             },
                         .on_close =
                             [weak](error_code ec, ws::CloseCode code) {
                               if (auto h = weak.lock(); h && h->on_close) h->on_close(ec, code);
                             }},
      detail::WsSettings{.headers = options_.headers,
                         .handshake_timeout = options_.handshake_timeout,
                         .max_message_size = options_.max_message_size,
                         .soft_queue_limit = options_.soft_queue_limit,
                         .hard_queue_limit = options_.hard_queue_limit});
  connection_->connect(*url);
}

net::SendResult WebSocket::send_text(std::string_view payload) {
  return connection_ ? connection_->send(payload, false) : net::SendResult::Dropped;
}

net::SendResult WebSocket::send_binary(std::string_view payload) {
  return connection_ ? connection_->send(payload, true) : net::SendResult::Dropped;
}

void WebSocket::close(ws::CloseCode code) {
  if (connection_) connection_->close(code);
}

bool WebSocket::is_open() const {
  return connection_ && connection_->is_open();
}

}  // namespace switchboard::client

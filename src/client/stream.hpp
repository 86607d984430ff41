#pragma once
// A client's TCP connection, with TLS (https://, wss://) or without: an Asio AsyncStream, so
// asio::async_write, async_read_until and Beast's HTTP reads work on either.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace switchboard::client {
struct TlsOptions;
}

namespace switchboard::client::detail {

/// The TLS context of a client: verification of the server's chain and name on unless
/// `options.verify_peer` is false; trusted CAs from `options.ca_file`, or the system's store.
/// Throws std::system_error when the CA file cannot be read.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsOptions& options);

class ClientStream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using Endpoints = boost::asio::ip::tcp::resolver::results_type;

  /// Plain TCP when `tls` is null.
  ClientStream(executor_type executor, std::shared_ptr<boost::asio::ssl::context> tls);

  executor_type get_executor() { return socket().get_executor(); }
  boost::asio::ip::tcp::socket& socket() { return tls_ ? tls_->next_layer() : *plain_; }
  bool is_open() { return socket().is_open(); }

  /// Connects to one of `endpoints` and, with TLS, performs the handshake for `host` (SNI and
  /// the name the certificate must carry).
  void async_connect(const Endpoints& endpoints, const std::string& host,
                     std::function<void(boost::system::error_code)> handler);

  /// Shuts down and closes the TCP connection at once (no TLS close_notify).
  void close();

  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) return tls_->async_read_some(buffers, std::forward<Handler>(handler));
    plain_->async_read_some(buffers, std::forward<Handler>(handler));
  }
  template <class Buffers, class Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) return tls_->async_write_some(buffers, std::forward<Handler>(handler));
    plain_->async_write_some(buffers, std::forward<Handler>(handler));
  }

 private:
  std::shared_ptr<boost::asio::ssl::context> context_;
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_;
  std::optional<boost::asio::ip::tcp::socket> plain_;
};

}  // namespace switchboard::client::detail

#pragma once
// Private: the TCP and TLS implementations of net::Stream.

#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "net/poller.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/net/stream.hpp"

namespace switchboard::net::detail {

namespace asio = boost::asio;

/// A TCP socket bound to an io_context's own executor, not the type-erased any_io_executor of
/// asio::ip::tcp::socket: smaller, and so is every operation pending on it (an idle
/// connection always has one).
using Socket = asio::basic_stream_socket<asio::ip::tcp, asio::io_context::executor_type>;
using Acceptor = asio::basic_socket_acceptor<asio::ip::tcp, asio::io_context::executor_type>;

/// Converts string views to Asio buffers, reusing storage between writes.
void to_buffers(std::span<const std::string_view> in, std::vector<asio::const_buffer>& out);

/// A TCP connection on its shard's Poller: a plain non-blocking descriptor, registered once
/// (on its first wait), with no asio object of its own.
class TcpStream final : public Stream {
 public:
  /// Takes over a connected, non-blocking descriptor whose peer is `remote`.
  TcpStream(Shard& shard, int fd, const asio::ip::tcp::endpoint& remote);
  /// Takes over a connected asio socket's descriptor (the unit tests make them so).
  TcpStream(Shard& shard, Socket socket);
  ~TcpStream() override;
  void async_read_some(std::span<char> into, Callback cb) override;
  void async_wait_readable(std::function<void(boost::system::error_code)> cb) override;
  void notify_readable(Waiter& waiter) override;
  std::size_t read_available(std::span<char> into, boost::system::error_code& ec) override;
  void async_write(std::span<const std::string_view> buffers, Callback cb) override;
  std::size_t try_write(std::span<const std::string_view> buffers,
                        boost::system::error_code& ec) override;
  void shutdown_send() override;
  void close() override;
  bool is_open() const override { return fd_ >= 0; }
  bool is_tls() const override { return false; }
  std::string remote_address() const override;
  std::uint16_t remote_port() const override;
  void set_no_delay(bool on) override;
  Shard& shard() override { return shard_; }
  std::unique_ptr<Stream> migrate(Shard& target) override;

 private:
  Poller& poller();
  void write_more(Callback cb);

  Shard& shard_;
  int fd_ = -1;
  Poller* poller_ = nullptr;  // set on the first wait, on the shard's thread
  Poller::Entry entry_;
  std::vector<std::string_view> writing_;  // what async_write has still to write
  std::size_t written_ = 0;
  asio::ip::tcp::endpoint remote_;
};

class TlsStream final : public Stream {
 public:
  TlsStream(Shard& shard, Socket socket, asio::ssl::context& context);
  /// With the peer's address as accept() returned it (no getpeername).
  TlsStream(Shard& shard, Socket socket, asio::ssl::context& context,
            const asio::ip::tcp::endpoint& remote);
  /// Takes over an established session (`ssl`, one reference of it) on another socket.
  TlsStream(Shard& shard, Socket socket, SSL* ssl);
  /// Runs the server handshake; cb gets the error, if any.
  void handshake(std::function<void(boost::system::error_code)> cb);
  void async_read_some(std::span<char> into, Callback cb) override;
  void async_wait_readable(std::function<void(boost::system::error_code)> cb) override;
  void notify_readable(Waiter& waiter) override;
  std::size_t read_available(std::span<char> into, boost::system::error_code& ec) override;
  void async_write(std::span<const std::string_view> buffers, Callback cb) override;
  void shutdown_send() override;
  void close() override;
  bool is_open() const override { return stream_.lowest_layer().is_open(); }
  bool is_tls() const override { return true; }
  std::string remote_address() const override;
  std::uint16_t remote_port() const override;
  void set_no_delay(bool on) override;
  Shard& shard() override { return shard_; }
  std::unique_ptr<Stream> migrate(Shard& target) override;

 private:
  template <class Done>
  void wait_readable(Done done);

  Shard& shard_;
  asio::ssl::stream<Socket> stream_;
  std::vector<asio::const_buffer> buffers_;
  // TLS decrypts inside OpenSSL, so socket readiness says little: a wait is a real read into
  // this buffer, which read_available() then hands out.
  std::string ready_;
  std::size_t ready_pos_ = 0;
  asio::ip::tcp::endpoint remote_;
};

}  // namespace switchboard::net::detail

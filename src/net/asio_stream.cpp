#include "net/asio_stream.hpp"

#include <boost/asio/write.hpp>

namespace switchboard::net::detail {

void to_buffers(std::span<const std::string_view> in, std::vector<asio::const_buffer>& out) {
  out.clear();
  out.reserve(in.size());
  for (auto v : in) {
    if (!v.empty()) out.emplace_back(v.data(), v.size());
  }
}

namespace {
asio::ip::tcp::endpoint remote_of(const asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  return ec ? asio::ip::tcp::endpoint{} : ep;
}

std::string address_text(const asio::ip::tcp::endpoint& ep) {
  auto address = ep.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}
}  // namespace

TcpStream::TcpStream(Shard& shard, asio::ip::tcp::socket socket)
    : shard_(shard), socket_(std::move(socket)), remote_(remote_of(socket_)) {}

void TcpStream::async_read_some(std::span<char> into, Callback cb) {
  socket_.async_read_some(asio::buffer(into.data(), into.size()), std::move(cb));
}

void TcpStream::async_write(std::span<const std::string_view> buffers, Callback cb) {
  to_buffers(buffers, buffers_);
  asio::async_write(socket_, buffers_, std::move(cb));
}

void TcpStream::shutdown_send() {
  boost::system::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
}

void TcpStream::close() {
  boost::system::error_code ec;
  socket_.close(ec);
}

std::string TcpStream::remote_address() const {
  return address_text(remote_);
}
std::uint16_t TcpStream::remote_port() const {
  return remote_.port();
}

void TcpStream::set_no_delay(bool on) {
  boost::system::error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(on), ec);
}

TlsStream::TlsStream(Shard& shard, asio::ip::tcp::socket socket, asio::ssl::context& context)
    : shard_(shard),
      stream_(std::move(socket), context),
      remote_(remote_of(stream_.next_layer())) {}

void TlsStream::handshake(std::function<void(boost::system::error_code)> cb) {
  stream_.async_handshake(asio::ssl::stream_base::server, std::move(cb));
}

void TlsStream::async_read_some(std::span<char> into, Callback cb) {
  stream_.async_read_some(asio::buffer(into.data(), into.size()), std::move(cb));
}

void TlsStream::async_write(std::span<const std::string_view> buffers, Callback cb) {
  to_buffers(buffers, buffers_);
  asio::async_write(stream_, buffers_, std::move(cb));
}

void TlsStream::shutdown_send() {
  // A TLS close_notify needs a round trip; closing the TCP side is what every peer tolerates.
  boost::system::error_code ec;
  stream_.next_layer().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
}

void TlsStream::close() {
  boost::system::error_code ec;
  stream_.next_layer().close(ec);
}

std::string TlsStream::remote_address() const {
  return address_text(remote_);
}
std::uint16_t TlsStream::remote_port() const {
  return remote_.port();
}

void TlsStream::set_no_delay(bool on) {
  boost::system::error_code ec;
  stream_.next_layer().set_option(asio::ip::tcp::no_delay(on), ec);
}

}  // namespace switchboard::net::detail

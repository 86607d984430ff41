#include "net/asio_stream.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "switchboard/metrics/cells.hpp"

namespace switchboard::net {

std::size_t Stream::try_write(std::span<const std::string_view>, boost::system::error_code& ec) {
  ec = boost::asio::error::would_block;
  return 0;
}

namespace {
// A waiter's wait made into a callback (streams without a poller): it tells the waiter when
// it goes without running, destroyed with the context that held it.
class WrappedWait {
 public:
  explicit WrappedWait(Stream::Waiter& waiter) : waiter_(&waiter) {}
  ~WrappedWait() {
    if (waiter_) waiter_->on_wait_dropped();
  }
  WrappedWait(const WrappedWait&) = delete;
  WrappedWait& operator=(const WrappedWait&) = delete;
  Stream::Waiter* take() { return std::exchange(waiter_, nullptr); }

 private:
  Stream::Waiter* waiter_;
};
}  // namespace

void Stream::notify_readable(Waiter& waiter) {
  auto wait = std::make_shared<WrappedWait>(waiter);
  async_wait_readable([wait](boost::system::error_code ec) {
    if (auto* waiter = wait->take()) waiter->on_ready(ec);
  });
}

std::span<char> thread_read_buffer() {
  constexpr std::size_t kSize = 64 * 1024;
  thread_local std::unique_ptr<char[]> buffer(new char[kSize]);
  return {buffer.get(), kSize};
}

}  // namespace switchboard::net

namespace switchboard::net::detail {

void to_buffers(std::span<const std::string_view> in, std::vector<asio::const_buffer>& out) {
  out.clear();
  out.reserve(in.size());
  for (auto v : in) {
    if (!v.empty()) out.emplace_back(v.data(), v.size());
  }
}

namespace {
asio::ip::tcp::endpoint remote_of(const Socket& socket) {
  boost::system::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  return ec ? asio::ip::tcp::endpoint{} : ep;
}

// Dotted decimal by hand: asio's to_string() goes through inet_ntop, which formats with
// sprintf (1,900 instructions of each handshake, docs/decisions/022-reactor.md).
std::string dotted(const asio::ip::address_v4& address) {
  std::string text;  // at most 15 characters: in the string's own buffer, no allocation
  for (unsigned byte : address.to_bytes()) {
    if (!text.empty()) text += '.';
    if (byte >= 100) text += static_cast<char>('0' + byte / 100);
    if (byte >= 10) text += static_cast<char>('0' + byte / 10 % 10);
    text += static_cast<char>('0' + byte % 10);
  }
  return text;
}

std::string address_text(const asio::ip::tcp::endpoint& ep) {
  auto address = ep.address();
  if (address.is_v4()) return dotted(address.to_v4());
  if (address.to_v6().is_v4_mapped()) {
    return dotted(asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()));
  }
  return address.to_string();
}
}  // namespace

TcpStream::TcpStream(Shard& shard, int fd, const asio::ip::tcp::endpoint& remote)
    : shard_(shard), fd_(fd), remote_(remote) {}

TcpStream::TcpStream(Shard& shard, Socket socket) : shard_(shard), remote_(remote_of(socket)) {
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  fd_ = socket.release(ec);
  if (ec) fd_ = -1;
}

TcpStream::~TcpStream() {
  close();
}

// Registered with the shard's poller on first use, on the shard's thread: a stream made by
// migrate() on another shard's thread registers where it lands.
Poller& TcpStream::poller() {
  if (!poller_) {
    poller_ = &Poller::of(shard_);
    if (fd_ >= 0) poller_->add(entry_, fd_);
  }
  return *poller_;
}

void TcpStream::async_read_some(std::span<char> into, Callback cb) {
  async_wait_readable([this, into, cb = std::move(cb)](boost::system::error_code ec) mutable {
    if (ec) return cb(ec, 0);
    auto n = read_available(into, ec);
    if (ec == asio::error::would_block) return async_read_some(into, std::move(cb));
    if (!ec && n == 0) ec = asio::error::eof;
    cb(ec, n);
  });
}

void TcpStream::async_wait_readable(std::function<void(boost::system::error_code)> cb) {
  if (fd_ < 0) {
    asio::post(shard_.context(), [cb = std::move(cb)] { cb(asio::error::bad_descriptor); });
    return;
  }
  poller().wait_readable(entry_, std::move(cb));
}

void TcpStream::notify_readable(Waiter& waiter) {
  if (fd_ < 0) return Stream::notify_readable(waiter);  // bad_descriptor, posted
  poller().wait_readable(entry_, waiter);
}

std::size_t TcpStream::read_available(std::span<char> into, boost::system::error_code& ec) {
  ec = {};
  if (fd_ < 0) {
    ec = asio::error::bad_descriptor;
    return 0;
  }
  ssize_t n;
  do {
    n = ::recv(fd_, into.data(), into.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      entry_.readable = false;
      ec = asio::error::would_block;
    } else {
      ec = boost::system::error_code(errno, boost::system::system_category());
    }
    return 0;
  }
  // A short read emptied the socket: the next bytes (or the peer's FIN) bring an edge. Not so
  // once the peer has closed, whose edge has come already.
  if (n > 0 && static_cast<std::size_t>(n) < into.size() && !entry_.hangup) {
    entry_.readable = false;
  }
  metrics::add(metrics::Stat::ReceivedBytes, static_cast<std::size_t>(n));
  return static_cast<std::size_t>(n);
}

// One sendmsg per IOV_MAX buffers, until everything is written or the kernel takes no more:
// a queue of thousands of small frames (a broadcast backlog) leaves in a few system calls, not
// sixteen frames per loop turn.
std::size_t TcpStream::try_write(std::span<const std::string_view> buffers,
                                 boost::system::error_code& ec) {
  ec = {};
  if (fd_ < 0) {
    ec = asio::error::bad_descriptor;
    return 0;
  }
  // On the stack, filled only as far as used (a thread_local vector cost a TLS guard and a
  // capacity check per buffer, some 50 instructions of an echoed message).
  iovec iov[IOV_MAX];
  std::size_t written = 0;
  std::size_t next = 0;
  while (next < buffers.size()) {
    std::size_t count = 0;
    std::size_t chunk = 0;
    for (; next < buffers.size() && count < IOV_MAX; ++next) {
      auto b = buffers[next];
      if (b.empty()) continue;
      iov[count++] = {const_cast<char*>(b.data()), b.size()};
      chunk += b.size();
    }
    if (count == 0) break;
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = count;
    ssize_t n;
    do {
      n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        entry_.writable = false;
        if (written == 0) ec = asio::error::would_block;
        return written;
      }
      ec = boost::system::error_code(errno, boost::system::system_category());
      return written;
    }
    written += static_cast<std::size_t>(n);
    if (static_cast<std::size_t>(n) < chunk) {
      entry_.writable = false;  // the kernel's buffer is full: an edge comes when it drains
      return written;
    }
  }
  return written;
}

void TcpStream::async_write(std::span<const std::string_view> buffers, Callback cb) {
  writing_.clear();
  for (auto b : buffers) {
    if (!b.empty()) writing_.push_back(b);
  }
  written_ = 0;
  if (fd_ < 0) {
    asio::post(shard_.context(), [cb = std::move(cb)] { cb(asio::error::bad_descriptor, 0); });
    return;
  }
  // Written from the poller's turn, never inside this call.
  poller().wait_writable(entry_, [this, cb = std::move(cb)](boost::system::error_code ec) mutable {
    if (ec) return cb(ec, 0);
    write_more(std::move(cb));
  });
}

void TcpStream::write_more(Callback cb) {
  boost::system::error_code ec;
  auto n = try_write(writing_, ec);
  written_ += n;
  if (ec == asio::error::would_block) ec = {};
  std::size_t first = 0;
  while (first < writing_.size() && n >= writing_[first].size()) n -= writing_[first++].size();
  writing_.erase(writing_.begin(), writing_.begin() + first);
  if (n > 0) writing_.front().remove_prefix(n);
  if (ec || writing_.empty()) {
    writing_ = {};
    return cb(ec, written_);
  }
  poller().wait_writable(entry_, [this, cb = std::move(cb)](boost::system::error_code ec) mutable {
    if (ec) return cb(ec, 0);
    write_more(std::move(cb));
  });
}

void TcpStream::shutdown_send() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

// Closing the descriptor takes it out of the epoll set; parked waits get operation_aborted.
void TcpStream::close() {
  if (fd_ < 0) return;
  int fd = fd_;
  fd_ = -1;
  auto* poller = poller_;
  // remove() may end the waits' owners, and with them this stream: nothing touches it after.
  if (poller) poller->remove(entry_, false);
  ::close(fd);
}

std::unique_ptr<Stream> TcpStream::migrate(Shard& target) {
  if (&target == &shard_ || fd_ < 0) return nullptr;
  int fd = fd_;
  fd_ = -1;
  // Out of this shard's set (the descriptor stays open); the new stream joins the target's on
  // its first wait there.
  if (poller_) poller_->remove(entry_, true);
  return std::make_unique<TcpStream>(target, fd, remote_);
}

std::string TcpStream::remote_address() const {
  return address_text(remote_);
}
std::uint16_t TcpStream::remote_port() const {
  return remote_.port();
}

void TcpStream::set_no_delay(bool on) {
  int value = on ? 1 : 0;
  if (fd_ >= 0) ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &value, sizeof value);
}

TlsStream::TlsStream(Shard& shard, Socket socket, asio::ssl::context& context)
    : TlsStream(shard, std::move(socket), context, {}) {
  remote_ = remote_of(stream_.next_layer());
}

TlsStream::TlsStream(Shard& shard, Socket socket, asio::ssl::context& context,
                     const asio::ip::tcp::endpoint& remote)
    : shard_(shard), stream_(std::move(socket), context), remote_(remote) {}

TlsStream::TlsStream(Shard& shard, Socket socket, SSL* ssl)
    : shard_(shard), stream_(std::move(socket), ssl), remote_(remote_of(stream_.next_layer())) {}

// The OpenSSL session (keys, sequence numbers) is plain memory, so it moves with the file
// descriptor: the new stream wraps the same SSL object in a fresh BIO pair (which frees the
// old pair's inner half), and the old stream lets go of its reference. Only at rest: no
// decrypted byte unread here, no record waiting inside OpenSSL or its BIO (an upgrade
// request's client sends nothing before the 101 answer); otherwise it stays put (null).
std::unique_ptr<Stream> TlsStream::migrate(Shard& target) {
  if (&target == &shard_) return nullptr;
  SSL* ssl = stream_.native_handle();
  if (ready_pos_ < ready_.size() || ::SSL_pending(ssl) > 0 ||
      ::BIO_ctrl_pending(::SSL_get_rbio(ssl)) > 0 || ::BIO_ctrl_wpending(::SSL_get_wbio(ssl)) > 0) {
    return nullptr;
  }
  boost::system::error_code ec;
  auto protocol = remote_.protocol();
  auto fd = stream_.next_layer().release(ec);
  if (ec) return nullptr;
  Socket moved(target.context());
  moved.assign(protocol, fd, ec);
  if (ec) {
    ::close(fd);
    return nullptr;
  }
  ::SSL_up_ref(ssl);  // the new stream's reference; this one's goes with this stream
  return std::make_unique<TlsStream>(target, std::move(moved), ssl);
}

void TlsStream::handshake(std::function<void(boost::system::error_code)> cb) {
  stream_.async_handshake(asio::ssl::stream_base::server, std::move(cb));
}

void TlsStream::async_read_some(std::span<char> into, Callback cb) {
  stream_.async_read_some(asio::buffer(into.data(), into.size()), std::move(cb));
}

template <class Done>
void TlsStream::wait_readable(Done done) {
  if (ready_pos_ < ready_.size()) {
    asio::post(stream_.get_executor(), [done = std::move(done)]() mutable { done({}); });
    return;
  }
  ready_.resize(16 * 1024);
  ready_pos_ = 0;
  stream_.async_read_some(
      asio::buffer(ready_.data(), ready_.size()),
      [this, done = std::move(done)](boost::system::error_code ec, std::size_t n) mutable {
        ready_.resize(ec ? 0 : n);
        done(ec);
      });
}

void TlsStream::async_wait_readable(std::function<void(boost::system::error_code)> cb) {
  wait_readable(std::move(cb));
}

namespace {
// A waiter carried by a move-only asio handler (no std::function, asio's recycled memory):
// told on_ready when the handler runs, on_wait_dropped when it is destroyed unrun.
class CarriedWaiter {
 public:
  explicit CarriedWaiter(Stream::Waiter& waiter) : waiter_(&waiter) {}
  CarriedWaiter(CarriedWaiter&& other) noexcept : waiter_(std::exchange(other.waiter_, nullptr)) {}
  CarriedWaiter& operator=(CarriedWaiter&&) = delete;
  ~CarriedWaiter() {
    if (waiter_) waiter_->on_wait_dropped();
  }
  void operator()(boost::system::error_code ec) { std::exchange(waiter_, nullptr)->on_ready(ec); }

 private:
  Stream::Waiter* waiter_;
};
}  // namespace

void TlsStream::notify_readable(Waiter& waiter) {
  wait_readable(CarriedWaiter(waiter));
}

std::size_t TlsStream::read_available(std::span<char> into, boost::system::error_code& ec) {
  ec = {};
  std::size_t n = std::min(into.size(), ready_.size() - ready_pos_);
  if (n == 0) {
    ec = asio::error::would_block;
    return 0;
  }
  std::memcpy(into.data(), ready_.data() + ready_pos_, n);
  ready_pos_ += n;
  metrics::add(metrics::Stat::ReceivedBytes, n);
  if (ready_pos_ == ready_.size()) {
    ready_.clear();
    ready_.shrink_to_fit();
    ready_pos_ = 0;
  }
  return n;
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

#include "switchboard/net/listener.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <system_error>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/asio_stream.hpp"
#include "switchboard/net/runtime.hpp"

namespace switchboard::net {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace detail {

class OpenSslContext final : public TlsContext {
 public:
  OpenSslContext() : context(asio::ssl::context::tls_server) {
    context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  }
  asio::ssl::context context;
};

/// The acceptor of one shard.
/// The acceptor of one shard: asio binds and listens; from then on the listening descriptor is
/// the shard's poller's (no asio operation, and accept4 hands out non-blocking connections).
struct ShardAcceptor {
  ShardAcceptor(Shard& s, detail::Acceptor a)
      : shard(s), acceptor(std::move(a)), retry(s.context()) {}
  ~ShardAcceptor() {
    if (fd < 0) return;
    poller->remove(entry, false);
    ::close(fd);
  }
  Shard& shard;
  detail::Acceptor acceptor;  // until start(), which takes its descriptor
  int fd = -1;
  detail::Poller* poller = nullptr;
  detail::Poller::Entry entry;
  asio::steady_timer retry;
};

class ListenerImpl final : public Listener, public std::enable_shared_from_this<ListenerImpl> {
 public:
  ListenerImpl(ListenOptions options, AcceptHandler on_accept)
      : options_(std::move(options)), on_accept_(std::move(on_accept)) {}

  // One process per port: every shard's socket is bound with SO_REUSEADDR only, and gets
  // SO_REUSEPORT just before it listens. A port that another process listens on (with or
  // without SO_REUSEPORT) thus refuses the first bind with EADDRINUSE, where setting
  // SO_REUSEPORT first would have joined that process's group and split its traffic; our own
  // shards, bound while none listens yet, share the port. Port 0: the first bind picks it.
  void bind_all(Runtime& runtime) {
    auto endpoint = tcp::endpoint(asio::ip::make_address(options_.address), options_.port);
    std::vector<detail::Acceptor> bound;
    for (unsigned i = 0; i < runtime.size(); ++i) {
      detail::Acceptor acceptor(runtime.shard(i).context());
      acceptor.open(endpoint.protocol());
      acceptor.set_option(asio::socket_base::reuse_address(true));
      boost::system::error_code ec;
      acceptor.bind(endpoint, ec);
      if (ec) throw_bind_error(ec, endpoint, "bind");
      endpoint.port(acceptor.local_endpoint().port());
      bound.push_back(std::move(acceptor));
    }
    for (unsigned i = 0; i < runtime.size(); ++i) {
      auto& acceptor = bound[i];
      int one = 1;
      if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
        throw std::system_error(errno, std::generic_category(), "SO_REUSEPORT");
      }
      boost::system::error_code ec;
      acceptor.listen(options_.backlog, ec);
      if (ec) throw_bind_error(ec, endpoint, "listen");
      acceptors_.push_back(std::make_unique<ShardAcceptor>(runtime.shard(i), std::move(acceptor)));
    }
    port_ = endpoint.port();
  }

  [[noreturn]] static void throw_bind_error(boost::system::error_code ec,
                                            const tcp::endpoint& endpoint, const char* step) {
    if (ec == asio::error::address_in_use) {
      throw std::system_error(ec, "another process holds port " + std::to_string(endpoint.port()));
    }
    throw std::system_error(ec, step);
  }

  void start() {
    for (auto& a : acceptors_) {
      ShardAcceptor* acc = a.get();
      acc->shard.post([self = shared_from_this(), acc] {
        boost::system::error_code ec;
        acc->acceptor.native_non_blocking(true, ec);  // accept4 must not block
        acc->fd = acc->acceptor.release(ec);
        if (ec) acc->fd = -1;
        if (acc->fd < 0) return;
        acc->poller = &detail::Poller::of(acc->shard);
        acc->poller->add(acc->entry, acc->fd);
        acc->shard.add_stop_hook([self, acc] { self->close_one(*acc); });
        self->accept(*acc);
      });
    }
  }

  std::uint16_t port() const override { return port_; }

  void close() override {
    for (auto& a : acceptors_) {
      ShardAcceptor* acc = a.get();
      acc->shard.post([self = shared_from_this(), acc] { self->close_one(*acc); });
    }
  }

 private:
  void close_one(ShardAcceptor& acc) {
    boost::system::error_code ec;
    acc.acceptor.close(ec);
    acc.retry.cancel();
    if (acc.fd < 0) return;
    int fd = acc.fd;
    acc.fd = -1;
    acc.poller->remove(acc.entry, false);
    ::close(fd);
  }

  // Accepts until the kernel has no more (or a batch, then yields a turn), then waits for the
  // listening descriptor's next edge.
  void accept(ShardAcceptor& acc) {
    for (int i = 0; i < 64 && acc.fd >= 0; ++i) {
      sockaddr_storage peer{};
      socklen_t length = sizeof peer;
      int fd = ::accept4(acc.fd, reinterpret_cast<sockaddr*>(&peer), &length,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          acc.entry.readable = false;
          break;
        }
        // Out of descriptors or a transient failure: wait instead of spinning.
        acc.retry.expires_after(std::chrono::milliseconds(50));
        acc.retry.async_wait([self = shared_from_this(), &acc](boost::system::error_code e) {
          if (!e) self->accept(acc);
        });
        return;
      }
      tcp::endpoint endpoint;
      std::memcpy(endpoint.data(), &peer, std::min<std::size_t>(length, endpoint.capacity()));
      endpoint.resize(std::min<std::size_t>(length, endpoint.capacity()));
      hand_over(acc.shard, fd, endpoint);
    }
    if (acc.fd < 0) return;
    acc.poller->wait_readable(acc.entry,
                              [self = shared_from_this(), &acc](boost::system::error_code ec) {
                                if (!ec) self->accept(acc);
                              });
  }

  void hand_over(Shard& shard, int fd, const tcp::endpoint& peer) {
    if (!options_.tls) {
      auto stream = std::make_unique<detail::TcpStream>(shard, fd, peer);
      stream->set_no_delay(true);
      on_accept_(std::move(stream));
      return;
    }
    // TLS stays on asio's path (its ssl::stream drives OpenSSL): the descriptor becomes an asio
    // socket of the shard.
    detail::Socket socket(shard.context());
    boost::system::error_code ec;
    socket.assign(peer.protocol(), fd, ec);
    if (ec) {
      ::close(fd);
      return;
    }
    auto& ssl = static_cast<OpenSslContext&>(*options_.tls).context;
    auto stream = std::make_shared<std::unique_ptr<detail::TlsStream>>(
        std::make_unique<detail::TlsStream>(shard, std::move(socket), ssl, peer));
    (*stream)->set_no_delay(true);
    auto timer = std::make_shared<asio::steady_timer>(shard.context());
    timer->expires_after(options_.tls_handshake_timeout);
    timer->async_wait([stream](boost::system::error_code ec) {
      if (!ec && *stream) (*stream)->close();
    });
    (*stream)->handshake([self = shared_from_this(), stream, timer](boost::system::error_code ec) {
      timer->cancel();
      if (ec) return;
      self->on_accept_(std::move(*stream));
    });
  }

  ListenOptions options_;
  AcceptHandler on_accept_;
  std::vector<std::unique_ptr<ShardAcceptor>> acceptors_;
  std::uint16_t port_ = 0;
};

}  // namespace detail

std::shared_ptr<Listener> Listener::start(Runtime& runtime, const ListenOptions& options,
                                          AcceptHandler on_accept) {
  auto listener = std::make_shared<detail::ListenerImpl>(options, std::move(on_accept));
  listener->bind_all(runtime);
  listener->start();
  return listener;
}

std::shared_ptr<TlsContext> TlsContext::from_files(const std::string& cert_chain_file,
                                                   const std::string& private_key_file) {
  auto tls = std::make_shared<detail::OpenSslContext>();
  boost::system::error_code ec;
  tls->context.use_certificate_chain_file(cert_chain_file, ec);
  if (ec) throw std::runtime_error("cannot read TLS certificate " + cert_chain_file);
  tls->context.use_private_key_file(private_key_file, asio::ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot read TLS key " + private_key_file);
  return tls;
}

}  // namespace switchboard::net

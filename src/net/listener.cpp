#include "switchboard/net/listener.hpp"

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
struct ShardAcceptor {
  ShardAcceptor(Shard& s, detail::Acceptor a)
      : shard(s), acceptor(std::move(a)), retry(s.context()) {}
  Shard& shard;
  detail::Acceptor acceptor;
  asio::steady_timer retry;
  tcp::endpoint peer;  // filled by the pending accept: no getpeername per connection
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
  }

  void accept(ShardAcceptor& acc) {
    if (!acc.acceptor.is_open()) return;
    acc.acceptor.async_accept(acc.peer, [self = shared_from_this(), &acc](
                                            boost::system::error_code ec, detail::Socket socket) {
      if (ec == asio::error::operation_aborted || !acc.acceptor.is_open()) return;
      if (ec) {
        // Out of descriptors or a transient failure: wait instead of spinning.
        acc.retry.expires_after(std::chrono::milliseconds(50));
        acc.retry.async_wait([self, &acc](boost::system::error_code e) {
          if (!e) self->accept(acc);
        });
        return;
      }
      self->hand_over(acc.shard, std::move(socket), acc.peer);
      self->accept(acc);
    });
  }

  void hand_over(Shard& shard, detail::Socket socket, const tcp::endpoint& peer) {
    if (!options_.tls) {
      auto stream = std::make_unique<detail::TcpStream>(shard, std::move(socket), peer);
      stream->set_no_delay(true);
      on_accept_(std::move(stream));
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

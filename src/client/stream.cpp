#include "client/stream.hpp"

#include "switchboard/client/options.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

namespace switchboard::client::detail {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;

std::shared_ptr<ssl::context> make_tls_context(const TlsOptions& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (!options.ca_file.empty()) {
    context->load_verify_file(options.ca_file);
  } else {
    context->set_default_verify_paths();
  }
  context->set_verify_mode(options.verify_peer ? ssl::verify_peer : ssl::verify_none);
  return context;
}

ClientStream::ClientStream(executor_type executor, std::shared_ptr<ssl::context> tls)
    : context_(std::move(tls)) {
  if (context_) {
    tls_.emplace(executor, *context_);
  } else {
    plain_.emplace(executor);
  }
}

void ClientStream::async_connect(const Endpoints& endpoints, const std::string& host,
                                 std::function<void(error_code)> handler) {
  if (tls_) {
    // SNI, and the name the certificate must match (an IP address matches its SAN or CN).
    if (!SSL_set_tlsext_host_name(tls_->native_handle(), host.c_str())) {
      error_code ec(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
      return asio::post(get_executor(), [handler, ec] { handler(ec); });
    }
    tls_->set_verify_callback(ssl::host_name_verification(host));
  }
  asio::async_connect(socket(), endpoints,
                      [this, handler = std::move(handler)](error_code ec, const auto&) mutable {
                        if (ec || !tls_) return handler(ec);
                        tls_->async_handshake(ssl::stream_base::client, std::move(handler));
                      });
}

void ClientStream::close() {
  error_code ignored;
  socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket().close(ignored);
}

}  // namespace switchboard::client::detail

#include "client/http_request.hpp"

#include "client/stream.hpp"
#include "switchboard/client/error.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <optional>

namespace switchboard::client::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

class Call final : public HttpCall, public std::enable_shared_from_this<Call> {
 public:
  Call(asio::any_io_executor executor, HttpHandler handler)
      : resolver_(executor), timer_(executor), handler_(std::move(handler)) {}

  void start(const Url& url, HttpRequest request) {
    request_.method_string(request.method);
    request_.target(request.target);
    request_.version(11);
    request_.set(http::field::host, url.host_header());
    request_.set(http::field::connection, "close");
    for (const auto& [name, value] : request.headers) request_.set(name, value);
    if (!request.body.empty() || request.method == "POST") {
      request_.set(http::field::content_type, "text/plain;charset=UTF-8");
      request_.body() = std::move(request.body);
    }
    request_.prepare_payload();
    parser_.body_limit(request.max_body);
    parser_.header_limit(16 * 1024);
    stream_.emplace(resolver_.get_executor(), url.tls);
    timer_.expires_after(request.timeout);
    timer_.async_wait([self = weak_from_this()](error_code ec) {
      if (auto s = self.lock(); s && !ec) s->done(Error::Timeout);
    });
    resolver_.async_resolve(
        url.host, url.port, [self = shared_from_this(), host = url.host](error_code ec, auto r) {
          if (ec) return self->done(ec);
          self->stream_->async_connect(r, host, [self](error_code ec) {
            if (ec) return self->done(ec);
            http::async_write(*self->stream_, self->request_, [self](error_code ec, std::size_t) {
              if (ec) return self->done(ec);
              http::async_read(*self->stream_, self->buffer_, self->parser_,
                               [self](error_code ec, std::size_t) {
                                 if (ec) return self->done(ec);
                                 auto& response = self->parser_.get();
                                 if (response.result_int() != 200)
                                   return self->done(Error::HttpStatus);
                                 self->done({}, std::move(response.body()));
                               });
            });
          });
        });
  }

  void cancel() override {
    resolver_.cancel();
    done(asio::error::operation_aborted);
  }

 private:
  void done(error_code ec, std::string body = {}) {
    if (!handler_) return;
    auto handler = std::move(handler_);
    handler_ = nullptr;
    timer_.cancel();
    resolver_.cancel();
    if (stream_) stream_->close();
    handler(ec, std::move(body));
  }

  asio::ip::tcp::resolver resolver_;
  asio::steady_timer timer_;
  std::optional<ClientStream> stream_;  ///< from start()
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response_parser<http::string_body> parser_;
  HttpHandler handler_;
};

}  // namespace

std::shared_ptr<HttpCall> send_http(asio::any_io_executor executor, const Url& url,
                                    HttpRequest request, HttpHandler handler) {
  auto call = std::make_shared<Call>(std::move(executor), std::move(handler));
  call->start(url, std::move(request));
  return call;
}

}  // namespace switchboard::client::detail

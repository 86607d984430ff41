#include "engineio/forward.hpp"

#include <array>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "switchboard/net/runtime.hpp"
#include "switchboard/net/stream.hpp"
#include "switchboard/ws/endpoint.hpp"

namespace switchboard::engineio::detail {

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Fields that describe the hop, not the request: the relay sets its own.
bool hop_by_hop(std::string_view name, bool upgrade) {
  for (std::string_view n : {"Content-Length", "Transfer-Encoding", "Keep-Alive", "TE", "Trailer",
                             "Proxy-Connection", "X-Switchboard-Forwarded"}) {
    if (http::iequals(name, n)) return true;
  }
  return !upgrade && (http::iequals(name, "Connection") || http::iequals(name, "Upgrade"));
}

}  // namespace

std::string relayed_request(const http::Request& req, bool upgrade, std::string_view node) {
  std::string out;
  out.reserve(512 + req.body.size());
  out += req.method;
  out += ' ';
  out += req.target;
  out += " HTTP/1.1\r\n";
  std::string forwarded_for;
  for (auto [name, value] : req.headers) {
    if (http::iequals(name, "X-Forwarded-For")) {
      forwarded_for = std::string(value) + ", ";
      continue;
    }
    if (hop_by_hop(name, upgrade)) continue;
    out.append(name).append(": ").append(value).append("\r\n");
  }
  out.append("X-Forwarded-For: ").append(forwarded_for).append(req.remote_address).append("\r\n");
  out.append(kForwardedHeader).append(": ").append(node).append("\r\n");
  if (!upgrade) out += "Connection: close\r\n";
  if (!req.body.empty() || req.method == "POST") {
    out += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
  }
  out += "\r\n";
  out += req.body;
  return out;
}

bool split_address(const std::string& address, std::string& host, std::string& port) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) return false;
  host = address.substr(0, colon);
  port = address.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return true;
}

namespace {

class Relay : public std::enable_shared_from_this<Relay> {
 public:
  Relay(net::Shard& shard, std::unique_ptr<net::Stream> client, std::string request,
        ForwardOptions options)
      : client_(std::move(client)),
        request_(std::move(request)),
        options_(std::move(options)),
        owner_(shard.context()),
        resolver_(shard.context()),
        timer_(shard.context()) {}

  // The owner's address is known (or not).
  void located(std::optional<std::string> address) {
    std::string host, port;
    if (!address || !split_address(*address, host, port)) return fail();
    arm(options_.connect_timeout);
    resolver_.async_resolve(
        host, port,
        [self = shared_from_this()](boost::system::error_code ec, tcp::resolver::results_type r) {
          if (ec || self->done_) return self->fail();
          asio::async_connect(self->owner_, r,
                              [self](boost::system::error_code ec, const tcp::endpoint&) {
                                if (ec || self->done_) return self->fail();
                                self->connected();
                              });
        });
  }

  // Nobody to relay to: the client gets what a node without the session answers.
  void fail() {
    if (done_) return;
    done_ = true;
    timer_.cancel();
    boost::system::error_code ec;
    owner_.close(ec);
    resolver_.cancel();
    ws::reject(std::move(client_), options_.unknown);
  }

 private:
  void connected() {
    connected_ = true;
    boost::system::error_code ec;
    owner_.set_option(tcp::no_delay(true), ec);
    arm(options_.idle_timeout);
    asio::async_write(owner_, asio::buffer(request_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        if (ec || self->done_) return self->finish();
                        self->request_ = {};
                        self->active();
                        self->up();
                        self->down();
                      });
  }

  // Client to owner (a WebSocket's frames; nothing for a polling request but its end).
  void up() {
    client_->async_read_some(
        up_, [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
          if (ec || self->done_) return self->finish();
          self->active();
          asio::async_write(self->owner_, asio::buffer(self->up_.data(), n),
                            [self](boost::system::error_code ec, std::size_t) {
                              if (ec || self->done_) return self->finish();
                              self->up();
                            });
        });
  }

  // Owner to client: the answer, until the owner closes (the request said Connection: close).
  void down() {
    owner_.async_read_some(asio::buffer(down_), [self = shared_from_this()](
                                                    boost::system::error_code ec, std::size_t n) {
      if (ec || self->done_) return self->finish(ec == asio::error::eof);
      self->active();
      self->view_ = std::string_view(self->down_.data(), n);
      self->client_->async_write(std::span<const std::string_view>(&self->view_, 1),
                                 [self](boost::system::error_code ec, std::size_t) {
                                   if (ec || self->done_) return self->finish();
                                   self->down();
                                 });
    });
  }

  void active() { last_ = std::chrono::steady_clock::now(); }

  // Counts silence from now on, up to `limit` (an owner or a client that vanished without a
  // word, a connection attempt that hangs).
  void arm(std::chrono::milliseconds limit) {
    limit_ = limit;
    active();
    if (watching_) return;
    watching_ = true;
    watch();
  }

  void watch() {
    timer_.expires_after(std::min<std::chrono::milliseconds>(limit_, std::chrono::seconds(1)));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->done_) return;
      if (std::chrono::steady_clock::now() - self->last_ >= self->limit_) {
        return self->connected_ ? self->finish() : self->fail();
      }
      self->watch();
    });
  }

  // Either side is done: the client's side half-closes after what it was sent (the owner's
  // answer ended by its close), then both close.
  void finish(bool graceful = false) {
    if (done_) return;
    done_ = true;
    timer_.cancel();
    boost::system::error_code ec;
    owner_.close(ec);
    if (graceful) client_->shutdown_send();
    client_->close();
  }

  std::unique_ptr<net::Stream> client_;
  std::string request_;
  ForwardOptions options_;
  tcp::socket owner_;
  tcp::resolver resolver_;
  asio::steady_timer timer_;
  std::chrono::steady_clock::time_point last_{};
  std::chrono::milliseconds limit_{0};
  std::array<char, 16 * 1024> up_{};
  std::array<char, 16 * 1024> down_{};
  std::string_view view_;
  bool watching_ = false;
  bool connected_ = false;
  bool done_ = false;
};

}  // namespace

void forward(http::Exchange& exchange, const std::shared_ptr<NodeDirectory>& nodes,
             std::string node, ForwardOptions options) {
  auto& shard = exchange.shard();
  bool upgrade = ws::is_upgrade(exchange.request());
  auto request = relayed_request(exchange.request(), upgrade, nodes->node_id());
  auto up = exchange.upgrade();
  if (!up.stream) return;
  // Bytes the client sent after its request (a pipelined one) follow it.
  request += up.leftover;
  auto relay =
      std::make_shared<Relay>(shard, std::move(up.stream), std::move(request), std::move(options));
  nodes->locate(
      node, [relay](std::optional<std::string> address) { relay->located(std::move(address)); });
}

}  // namespace switchboard::engineio::detail

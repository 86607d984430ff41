#include "switchboard/http/server.hpp"

#include "http/connection.hpp"

namespace switchboard::http {

Server::Server(net::Runtime& runtime, ServerOptions options)
    : runtime_(runtime), options_(std::move(options)) {}

Server::~Server() {
  if (listener_) listener_->close();
}

namespace {
std::shared_ptr<const detail::ServerCore> core_of(std::shared_ptr<const void>& slot,
                                                  const ServerOptions& options,
                                                  const Router& router) {
  // Routes and options are frozen into the core shared with connections on first use.
  if (!slot) slot = std::make_shared<const detail::ServerCore>(detail::ServerCore{options, router});
  return std::static_pointer_cast<const detail::ServerCore>(slot);
}
}  // namespace

void Server::listen(const net::ListenOptions& options) {
  auto core = core_of(core_, options_, router_);
  listener_ = net::Listener::start(runtime_, options, [core](std::unique_ptr<net::Stream> stream) {
    std::make_shared<detail::Connection>(core, std::move(stream), std::string())->start();
  });
}

std::uint16_t Server::port() const {
  return listener_ ? listener_->port() : 0;
}

void Server::serve(std::unique_ptr<net::Stream> stream, std::string leftover) {
  auto core = core_of(core_, options_, router_);
  std::make_shared<detail::Connection>(core, std::move(stream), std::move(leftover))->start();
}

}  // namespace switchboard::http

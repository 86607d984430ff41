#include "switchboard/ws/endpoint.hpp"

#include <variant>

#include "switchboard/metrics/cells.hpp"
#include "switchboard/ws/handshake.hpp"
#include "ws/connection_impl.hpp"

namespace switchboard::ws {

bool is_upgrade(const http::Request& request) {
  return http::has_token(request.header("Upgrade"), "websocket");
}

namespace {

// The handshake's fields, each the joined values of every field of its name: a singleton
// sent twice (two keys, two versions) then fails its syntax instead of the first one winning.
// One walk over the fields; a field sent once (the usual case) is viewed, not copied.
struct UpgradeFields {
  explicit UpgradeFields(const http::Request& r) {
    static constexpr std::string_view kNames[kCount] = {"Upgrade",
                                                        "Connection",
                                                        "Sec-WebSocket-Key",
                                                        "Sec-WebSocket-Version",
                                                        "Sec-WebSocket-Protocol",
                                                        "Sec-WebSocket-Extensions"};
    std::size_t seen[kCount] = {};
    for (auto [name, value] : r.headers) {
      for (std::size_t k = 0; k < kCount; ++k) {
        if (name.size() != kNames[k].size() || !http::iequals(name, kNames[k])) continue;
        if (seen[k]++ == 0) values[k] = value;
        break;
      }
    }
    for (std::size_t k = 0; k < kCount; ++k) {
      if (seen[k] < 2) continue;
      joined[k] = r.headers.joined(kNames[k]);
      values[k] = joined[k];
    }
  }

  UpgradeRequest view(const http::Request& r) const {
    return {.method = r.method,
            .version_major = static_cast<int>(r.version / 10),
            .version_minor = static_cast<int>(r.version % 10),
            .upgrade = values[0],
            .connection = values[1],
            .key = values[2],
            .version = values[3],
            .protocol = values[4],
            .extensions = values[5],
            .origin = r.header("Origin")};
  }

  static constexpr std::size_t kCount = 6;
  std::string_view values[kCount];
  std::string joined[kCount];  // only for a field sent more than once
};

// The handshake verdict: accepted, or the HTTP answer refusing it.
std::variant<HandshakeResult, http::Response> negotiate(const http::Request& request,
                                                        const ServerOptions& options) {
  auto origin = request.header("Origin");
  if (!origin.empty() && options.allow_origin && !options.allow_origin(origin)) {
    metrics::add(metrics::HandshakeFailure::WebSocketOrigin);
    return http::Response::error(403, "origin not allowed");
  }
  UpgradeFields fields(request);
  auto result = accept_upgrade(
      fields.view(request),
      {.subprotocols = options.subprotocols, .permessage_deflate = options.permessage_deflate});
  if (result.ok()) return result;
  metrics::add(result.status == 426 ? metrics::HandshakeFailure::WebSocketVersion
                                    : metrics::HandshakeFailure::WebSocketBadRequest);
  auto r = http::Response::error(result.status, result.reason);
  if (result.status == 426) r.headers.set("Sec-WebSocket-Version", "13");
  r.headers.set("Connection", "close");
  return r;
}

// `on_open` is the one to run (the caller's own, or the shared handlers'); `handlers`' is
// not used.
ConnectionPtr start(std::unique_ptr<net::Stream> stream, std::string leftover,
                    http::Request request, const ServerOptions& options, detail::Sink handlers,
                    const std::function<void(const ConnectionPtr&)>& on_open,
                    HandshakeResult& result) {
  std::optional<DeflateParams> deflate;
  if (result.deflate) deflate = result.deflate->params;
  auto response = handshake_response(result);
  auto connection = std::make_shared<detail::ConnectionImpl>(std::move(stream), std::move(request),
                                                             options, std::move(handlers),
                                                             std::move(result.protocol), deflate);
  connection->start(std::move(response), std::move(leftover), on_open);
  return connection;
}

// Handlers of one connection: on_open is taken out (run once by start(), then let go with
// what it captured), the rest shared with the connection alone.
struct Owned {
  explicit Owned(Handlers handlers) : on_open(std::move(handlers.on_open)) {
    handlers.on_open = nullptr;
    shared = std::make_shared<const Handlers>(std::move(handlers));
  }
  std::function<void(const ConnectionPtr&)> on_open;
  std::shared_ptr<const Handlers> shared;
};

}  // namespace

void reject(std::unique_ptr<net::Stream> stream, const http::Response& r) {
  struct Pending {
    std::unique_ptr<net::Stream> stream;
    std::string bytes;
    std::string_view view;
  };
  auto p = std::make_shared<Pending>();
  p->bytes = "HTTP/1.1 " + std::to_string(r.status) + " " +
             std::string(http::reason_phrase(r.status)) + "\r\n";
  for (auto [name, value] : r.headers) {
    p->bytes.append(name).append(": ").append(value).append("\r\n");
  }
  p->bytes += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
  p->view = p->bytes;
  p->stream = std::move(stream);
  p->stream->async_write(std::span<const std::string_view>(&p->view, 1),
                         [p](boost::system::error_code, std::size_t) {
                           p->stream->shutdown_send();
                           p->stream->close();
                         });
}

namespace {

ConnectionPtr accept_with(http::Exchange& exchange, const ServerOptions& options,
                          detail::Sink handlers,
                          const std::function<void(const ConnectionPtr&)>& on_open) {
  auto verdict = negotiate(exchange.request(), options);
  if (auto* refusal = std::get_if<http::Response>(&verdict)) {
    exchange.respond(std::move(*refusal));
    return nullptr;
  }
  auto up = exchange.upgrade();
  if (!up.stream) return nullptr;
  return start(std::move(up.stream), std::move(up.leftover), std::move(exchange.request()), options,
               std::move(handlers), on_open, std::get<HandshakeResult>(verdict));
}

ConnectionPtr accept_stream_with(std::unique_ptr<net::Stream> stream, std::string leftover,
                                 http::Request request, const ServerOptions& options,
                                 detail::Sink handlers,
                                 const std::function<void(const ConnectionPtr&)>& on_open) {
  auto verdict = negotiate(request, options);
  if (auto* refusal = std::get_if<http::Response>(&verdict)) {
    reject(std::move(stream), *refusal);
    return nullptr;
  }
  return start(std::move(stream), std::move(leftover), std::move(request), options,
               std::move(handlers), on_open, std::get<HandshakeResult>(verdict));
}

}  // namespace

ConnectionPtr accept(http::Exchange exchange, const ServerOptions& options, Handlers handlers) {
  Owned owned(std::move(handlers));
  return accept_with(exchange, options, std::move(owned.shared), owned.on_open);
}

ConnectionPtr accept(http::Exchange exchange, const ServerOptions& options,
                     std::shared_ptr<const Handlers> handlers) {
  const auto& on_open = handlers->on_open;
  return accept_with(exchange, options, handlers, on_open);
}

ConnectionPtr accept_stream(std::unique_ptr<net::Stream> stream, std::string leftover,
                            http::Request request, const ServerOptions& options,
                            Handlers handlers) {
  Owned owned(std::move(handlers));
  return accept_stream_with(std::move(stream), std::move(leftover), std::move(request), options,
                            std::move(owned.shared), owned.on_open);
}

ConnectionPtr accept_stream(std::unique_ptr<net::Stream> stream, std::string leftover,
                            http::Request request, const ServerOptions& options,
                            std::shared_ptr<const Handlers> handlers) {
  const auto& on_open = handlers->on_open;
  return accept_stream_with(std::move(stream), std::move(leftover), std::move(request), options,
                            handlers, on_open);
}

ConnectionPtr accept(http::Exchange exchange, const ServerOptions& options,
                     std::weak_ptr<Listener> listener,
                     std::function<void(const ConnectionPtr&)> on_open) {
  return accept_with(exchange, options, std::move(listener), on_open);
}

ConnectionPtr accept_stream(std::unique_ptr<net::Stream> stream, std::string leftover,
                            http::Request request, const ServerOptions& options,
                            std::weak_ptr<Listener> listener,
                            std::function<void(const ConnectionPtr&)> on_open) {
  return accept_stream_with(std::move(stream), std::move(leftover), std::move(request), options,
                            std::move(listener), on_open);
}

http::Handler endpoint(ServerOptions options, Handlers handlers) {
  auto shared = std::make_shared<const std::pair<ServerOptions, Handlers>>(std::move(options),
                                                                           std::move(handlers));
  // The connections share the endpoint's handlers (a pointer into `shared`, no allocation).
  std::shared_ptr<const Handlers> handlers_of(shared, &shared->second);
  return [shared, handlers_of](http::Exchange exchange) {
    accept(std::move(exchange), shared->first, handlers_of);
  };
}

}  // namespace switchboard::ws

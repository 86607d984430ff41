#pragma once
/// Mounting WebSocket endpoints on the HTTP router.

#include "switchboard/http/exchange.hpp"
#include "switchboard/http/router.hpp"
#include "switchboard/ws/connection.hpp"

namespace switchboard::ws {

/// An HTTP handler that validates the upgrade (RFC 6455 §4.2.1: 400, or 426 with
/// Sec-WebSocket-Version: 13; 403 for a refused Origin), negotiates the subprotocol and
/// permessage-deflate, and turns the request into a Connection served by `handlers`.
///
///     router.get("/echo", ws::endpoint({}, {.on_message = [](auto& c, ws::Message m) {
///       m.is_text() ? c->send_text(m.payload) : c->send_binary(m.payload);
///     }}));
///
/// Every connection shares the one `handlers` (no copy per connection: a mutable lambda's
/// state is the endpoint's, not the connection's).
http::Handler endpoint(ServerOptions options, Handlers handlers);

/// Takes over an HTTP exchange that asked for a WebSocket (for callers that route upgrades
/// themselves, like Engine.IO). Returns the connection (on_open has run), or null when the
/// exchange was answered with an error instead or could not be upgraded (Exchange::upgrade()).
ConnectionPtr accept(http::Exchange exchange, const ServerOptions& options, Handlers handlers);

/// Like accept(), with handlers shared by many connections (made once for an endpoint):
/// each connection holds a reference instead of a copy, and drops it once closed.
ConnectionPtr accept(http::Exchange exchange, const ServerOptions& options,
                     std::shared_ptr<const Handlers> handlers);

/// Like accept(), for a connection already taken over from HTTP (and maybe moved to another
/// shard): writes the 101 answer, or the refusal, itself. Call on the stream's shard.
ConnectionPtr accept_stream(std::unique_ptr<net::Stream> stream, std::string leftover,
                            http::Request request, const ServerOptions& options, Handlers handlers);

/// accept_stream() with handlers shared by many connections, as accept()'s overload.
ConnectionPtr accept_stream(std::unique_ptr<net::Stream> stream, std::string leftover,
                            http::Request request, const ServerOptions& options,
                            std::shared_ptr<const Handlers> handlers);

/// Like accept(), the connection's messages and close going to `listener` (held weakly),
/// after `on_open` has run (then let go).
ConnectionPtr accept(http::Exchange exchange, const ServerOptions& options,
                     std::weak_ptr<Listener> listener,
                     std::function<void(const ConnectionPtr&)> on_open);

/// Like accept_stream(), the connection's messages and close going to `listener`.
ConnectionPtr accept_stream(std::unique_ptr<net::Stream> stream, std::string leftover,
                            http::Request request, const ServerOptions& options,
                            std::weak_ptr<Listener> listener,
                            std::function<void(const ConnectionPtr&)> on_open);

/// Answers a connection taken over from HTTP with `response` (a refused upgrade), then closes;
/// on the stream's shard. The stream is kept until the write completes.
void reject(std::unique_ptr<net::Stream> stream, const http::Response& response);

/// True when the request's Upgrade header lists "websocket" (the rest is checked by accept()).

bool is_upgrade(const http::Request& request);

}  // namespace switchboard::ws

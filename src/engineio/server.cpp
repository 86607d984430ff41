#include "switchboard/engineio/server.hpp"

#include <algorithm>
#include <stdexcept>

#include "engineio/forward.hpp"
#include "engineio/server_core.hpp"
#include "engineio/sid.hpp"
#include "switchboard/log/logger.hpp"
#include "switchboard/metrics/cells.hpp"
#include "switchboard/ws/endpoint.hpp"

namespace switchboard::engineio {

namespace detail {

namespace {

http::Response error_response(Error error) {
  metrics::add(static_cast<metrics::HandshakeFailure>(
      static_cast<int>(metrics::HandshakeFailure::EngineioUnknownTransport) +
      static_cast<int>(error)));
  return http::Response::json(static_cast<int>(http_status(error)), error_body(error));
}

// Runs fn on shard `owner` (at once when already there).
void run_on(net::Runtime& runtime, unsigned owner, std::function<void()> fn) {
  auto* current = net::Runtime::current();
  if (current && current->index() == owner) {
    fn();
  } else {
    runtime.shard(owner).post(std::move(fn));
  }
}

// The host[:port] part of an Origin value.
std::string_view origin_host(std::string_view origin) {
  auto sep = origin.find("://");
  return sep == std::string_view::npos ? origin : origin.substr(sep + 3);
}

}  // namespace

ServerCore::ServerCore(net::Runtime& rt, ServerOptions opts)
    : runtime(rt), options(std::move(opts)) {
  for (unsigned i = 0; i < runtime.size(); ++i) locals_.push_back(std::make_unique<Local>());
  if (options.nodes && !valid_node_id(options.nodes->node_id())) {
    throw std::invalid_argument("engine.io: a node id is 1 to 32 characters of A-Z a-z 0-9 - _");
  }
}

std::unordered_map<std::string_view, std::shared_ptr<Session>>& ServerCore::local() {
  return locals_.at(net::Runtime::current()->index())->sessions;
}

void ServerCore::remove(const Session& session) {
  auto& map = locals_.at(const_cast<Session&>(session).shard().index())->sessions;
  auto it = map.find(session.id());
  if (it != map.end() && it->second.get() == &session) map.erase(it);
}

void ServerCore::owe_noop(const std::string& sid) {
  auto& owed = locals_.at(net::Runtime::current()->index())->owed_noops;
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(owed, [now](const auto& entry) { return entry.second <= now; });
  if (owed.size() >= 1024) owed.erase(owed.begin());  // bounded: a second's worth of closes
  owed.emplace_back(sid, now + std::chrono::seconds(1));
}

bool ServerCore::take_owed_noop(std::string_view sid) {
  auto& owed = locals_.at(net::Runtime::current()->index())->owed_noops;
  const auto now = std::chrono::steady_clock::now();
  auto it = std::find_if(owed.begin(), owed.end(), [&](const auto& e) { return e.first == sid; });
  if (it == owed.end()) return false;
  const bool live = it->second > now;
  owed.erase(it);
  return live;
}

void ServerCore::handler_failed(Session& session, std::string_view handler,
                                std::string_view what) noexcept {
  handler_errors.fetch_add(1, std::memory_order_relaxed);
  try {
    if (options.on_handler_error) {
      options.on_handler_error(session.id(), handler, what);
    } else {
      log::warn("engine.io handler threw",
                {{"handler", handler}, {"sid", session.id()}, {"error", what}});
    }
  } catch (...) {
    // A reporter that throws too: the count stands.
  }
  if (session.is_open()) session.close_with("server error", true);
}

void ServerCore::decorate(const http::Request& request, http::Response& response) const {
  options.cors.decorate(request, response.headers);
}

// Browsers send Origin; a page may connect when it is same-origin or allowed by the CORS list.
// Clients that send none (non-browser clients) are always allowed.
bool ServerCore::origin_allowed(const http::Request& request) const {
  auto origin = request.header("Origin");
  if (origin.empty()) return true;
  if (origin_host(origin) == request.header("Host")) return true;
  return options.cors.allows(origin);
}

void ServerCore::refuse(http::Exchange& exchange, Error error) {
  auto r = error_response(error);
  decorate(exchange.request(), r);
  exchange.respond(std::move(r));
}

void ServerCore::handle(http::Exchange exchange) {
  auto& req = exchange.request();
  if (req.method == "OPTIONS") {
    auto pre = options.cors.preflight(req);
    exchange.respond(pre ? std::move(*pre) : http::Response::empty(204));
    return;
  }
  auto transport = req.query_param("transport");
  bool want_ws = transport == "websocket";
  if (!transport ||
      !(want_ws ? options.allow_websocket : (transport == "polling" && options.allow_polling))) {
    return refuse(exchange, Error::TransportUnknown);
  }
  auto origin = req.header("Origin");
  if (!origin.empty() && !http::valid_origin(origin)) return refuse(exchange, Error::BadRequest);
  if (want_ws != ws::is_upgrade(req)) return refuse(exchange, Error::BadRequest);
  if (auto sid = req.query_param("sid")) {
    std::string_view local = *sid;
    if (options.nodes) {
      // "<node>.<sid>": another node's session is relayed to it (once: a relayed request
      // that still names another node is not ours to send on).
      auto dot = local.find('.');
      if (dot != std::string_view::npos) {
        auto node = local.substr(0, dot);
        local.remove_prefix(dot + 1);
        if (node != options.nodes->node_id()) {
          // Only a well-formed sid of a well-formed node id is worth a look-up.
          if (req.headers.contains(kForwardedHeader) || !detail::valid_node_id(node) ||
              !detail::owner_of(local, 1)) {
            return refuse(exchange, Error::SessionIdUnknown);
          }
          return forward(exchange, std::string(node));
        }
      }
    }
    auto owner = detail::owner_of(local, runtime.size());
    if (!owner) return refuse(exchange, Error::SessionIdUnknown);
    return want_ws ? upgrade(exchange, *sid, *owner) : polling(exchange, *sid, *owner);
  }
  if (req.method != "GET") return refuse(exchange, Error::BadHandshakeMethod);
  if (req.query_param("EIO") != "4") return refuse(exchange, Error::UnsupportedProtocolVersion);
  if (!origin_allowed(req)) return refuse(exchange, Error::Forbidden);
  if (options.allow_request && options.allow_request(req))
    return refuse(exchange, Error::Forbidden);
  handshake(exchange, want_ws);
}

void ServerCore::forward(http::Exchange& exchange, std::string node) {
  auto unknown = error_response(Error::SessionIdUnknown);
  decorate(exchange.request(), unknown);
  unknown.headers.set("Connection", "close");
  auto idle = options.forward_idle_timeout.count() > 0
                  ? options.forward_idle_timeout
                  : options.ping_interval + options.ping_timeout + std::chrono::seconds(5);
  detail::forward(exchange, options.nodes, std::move(node),
                  {.connect_timeout = options.forward_connect_timeout,
                   .idle_timeout = idle,
                   .unknown = std::move(unknown)});
}

// The Engine.IO heartbeat keeps WebSockets alive, so they send no pings of their own.
ws::ServerOptions ServerCore::websocket_options() const {
  return {.max_message_size = options.max_payload,
          // Engine.IO's heartbeat watches the connection: no WebSocket timer of its own.
          .ping_interval = std::chrono::milliseconds(0),
          .idle_timeout = std::chrono::milliseconds(0),
          .permessage_deflate = options.per_message_deflate,
          .write_queue = options.write_queue,
          // The session counts itself (engineio_websocket), not its WebSocket.
          .count_as_websocket = false};
}

void ServerCore::hook_shutdown(net::Shard& shard) {
  auto& local = *locals_.at(shard.index());
  if (local.hooked) return;
  local.hooked = true;
  shard.add_stop_hook([self = shared_from_this(), &local] {
    auto sessions = local.sessions;
    // No close packet: clients take it as final, while a dropped transport makes them
    // reconnect, which is what a restart wants.
    for (auto& [sid, session] : sessions) session->close_with("server shutting down", false);
  });
}

void ServerCore::handshake(http::Exchange& exchange, bool websocket) {
  auto& shard = exchange.shard();
  if (shard.stopping()) {
    // Its stop hook has run: a session opened now would outlive the shutdown (kept to the end
    // of the grace, and never released). The client tries again, elsewhere or later.
    auto r = http::Response::error(503, "server shutting down");
    r.headers.set("Retry-After", "1");
    decorate(exchange.request(), r);
    return exchange.respond(std::move(r));
  }
  hook_shutdown(shard);
  auto sid = detail::make_sid(shard.index(), runtime.size());
  if (options.nodes) sid = options.nodes->node_id() + "." + sid;
  // A WebSocket session takes its request from its connection (Session::attach).
  auto session = std::make_shared<Session>(
      shared_from_this(), shard, sid,
      websocket ? nullptr : std::make_shared<const http::Request>(exchange.request()),
      websocket ? Session::Transport::WebSocket : Session::Transport::Polling);
  auto open = open_json(options, sid, websocket);
  auto begin = [self = shared_from_this(), weak = std::weak_ptr(session), open] {
    auto session = weak.lock();
    if (!session) return;
    self->local()[session->id()] = session;
    if (self->on_connection) {
      self->run_handler(*session, "connection", [&] { self->on_connection(session); });
    }
    if (!session->is_open()) return;
    session->start(open);
  };
  if (websocket) {
    // The session is kept alive by the map once begun; until then by this scope.
    ws::accept(exchange, websocket_options(), session->websocket_listener(),
               [weak = std::weak_ptr(session), begin](const ws::ConnectionPtr& c) {
                 if (auto s = weak.lock()) s->attach(c);
                 begin();
               });
    return;
  }
  begin();
  polling(exchange, sid, shard.index());
}

namespace {

// A polling request handed to the session's shard. Its connection belongs to the shard it
// came in on (its timers, its stop listener, its write queue), so whichever shard lets go of
// it last, the connection is released at home.
struct HomeExchange {
  http::Exchange exchange;
  net::Shard& home;
  ~HomeExchange() {
    if (!home.is_current()) home.post([ex = std::move(exchange)] {});
  }
};

}  // namespace

void ServerCore::polling(http::Exchange& exchange, const std::string& sid, unsigned owner) {
  auto& req = exchange.request();
  auto self = shared_from_this();
  auto held = std::make_shared<HomeExchange>(HomeExchange{exchange, exchange.shard()});
  auto answer = [self, held](http::Response r) mutable {
    auto deliver = [self, held, r = std::move(r)]() mutable {
      self->decorate(held->exchange.request(), r);
      held->exchange.respond(std::move(r));
    };
    if (held->home.is_current()) {
      deliver();
    } else {
      held->home.post(std::move(deliver));
    }
  };
  if (req.method == "GET") {
    auto id = next_waiter_.fetch_add(1);
    exchange.on_close([self, sid, owner, id] {
      run_on(self->runtime, owner, [self, sid, id] {
        auto it = self->local().find(sid);
        if (it != self->local().end()) it->second->cancel_poll(id);
      });
    });
    run_on(runtime, owner, [self, sid, id, answer]() mutable {
      auto it = self->local().find(sid);
      if (it == self->local().end()) {
        if (self->take_owed_noop(sid)) {
          return answer(http::Response::text(200, "6", "text/plain; charset=UTF-8"));
        }
        return answer(error_response(Error::SessionIdUnknown));
      }
      it->second->poll({id, std::move(answer)});
    });
  } else if (req.method == "POST") {
    if (http::iequals(req.header("Content-Type"), "application/octet-stream")) {
      return refuse(exchange, Error::BadRequest);
    }
    run_on(runtime, owner, [self, sid, body = std::move(req.body), answer]() mutable {
      auto it = self->local().find(sid);
      if (it == self->local().end()) return answer(error_response(Error::SessionIdUnknown));
      auto session = it->second;
      answer(session->post(body));
    });
  } else {
    refuse(exchange, Error::BadRequest);
  }
}

void ServerCore::upgrade(http::Exchange& exchange, const std::string& sid, unsigned owner) {
  auto& req = exchange.request();
  if (!origin_allowed(req)) return refuse(exchange, Error::Forbidden);
  bool here = exchange.shard().index() == owner;
  auto request = req;
  auto up = exchange.upgrade();
  if (!up.stream) return;
  if (!here) {
    // The connection (TCP, or TLS with its OpenSSL session) moves to the owner. One that
    // cannot (TLS with bytes in flight inside it) is refused, and its client keeps polling.
    auto moved = up.stream->migrate(runtime.shard(owner));
    if (!moved) return ws::reject(std::move(up.stream), error_response(Error::BadRequest));
    up.stream = std::move(moved);
  }
  auto stream = std::make_shared<std::unique_ptr<net::Stream>>(std::move(up.stream));
  run_on(runtime, owner,
         [self = shared_from_this(), sid, stream, leftover = std::move(up.leftover),
          request = std::move(request)]() mutable {
           auto it = self->local().find(sid);
           if (it == self->local().end()) {
             return ws::reject(std::move(*stream), error_response(Error::SessionIdUnknown));
           }
           // A session already upgraded (or probing) completes the handshake and closes the
           // newcomer at once (Session::probe), as the reference does: the client sees a
           // close, not a refused upgrade.
           auto session = it->second;
           ws::accept_stream(std::move(*stream), std::move(leftover), std::move(request),
                             self->websocket_options(), session->websocket_listener(),
                             [weak = std::weak_ptr(session)](const ws::ConnectionPtr& c) {
                               if (auto s = weak.lock()) s->probe(c);
                             });
         });
}

}  // namespace detail

Server::Server(net::Runtime& runtime, ServerOptions options)
    : core_(std::make_shared<detail::ServerCore>(runtime, std::move(options))) {}

Server::~Server() = default;

void Server::on_connection(std::function<void(const SocketPtr&)> handler) {
  core_->on_connection = std::move(handler);
}

void Server::attach(http::Router& router) {
  router.add("*", core_->options.path,
             [core = core_](http::Exchange exchange) { core->handle(std::move(exchange)); },
             {.max_body = core_->options.max_payload});
}

std::size_t Server::local_sessions() const {
  auto* shard = net::Runtime::current();
  return shard ? core_->local().size() : 0;
}

std::uint64_t Server::handler_errors() const {
  return core_->handler_errors.load(std::memory_order_relaxed);
}

const ServerOptions& Server::options() const {
  return core_->options;
}

}  // namespace switchboard::engineio

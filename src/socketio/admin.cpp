// The Admin UI's namespace, as @socket.io/admin-ui's instrument() serves it (its
// dist/index.js is the reference): authentication, config, server_stats, all_sockets, the
// notifications, and the UI's commands.
#include "socketio/admin.hpp"

#include <unistd.h>

#include <stdexcept>

#include <boost/asio/steady_timer.hpp>

#include "socketio/admin_json.hpp"

namespace switchboard::socketio {

namespace detail {

namespace {

std::int64_t now_second() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return ms - ms % 1000;
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

std::string now_iso() {
  return iso_time(std::chrono::system_clock::now());
}

}  // namespace

void Admin::Local::flush() {
  auto add = [&](const char* type, std::uint64_t& n) {
    if (n) counts[{second, type, ""}] += n;
    n = 0;
  };
  add("packetsIn", packets_in);
  add("bytesIn", bytes_in);
  add("packetsOut", packets_out);
  add("bytesOut", bytes_out);
}

Admin::Admin(ServerCore& server, AdminOptions options)
    : server_(server),
      options_(std::move(options)),
      development_(options_.mode == AdminMode::Development),
      hostname_(host_name()),
      started_(std::chrono::steady_clock::now()) {
  if (!options_.auth && !options_.no_auth) {
    throw std::invalid_argument(
        "the `auth` option must be specified or explicitly set to `false` (no_auth)");
  }
  if (options_.auth) {
    if (!valid_bcrypt_hash(options_.auth->password_hash)) {
      throw std::invalid_argument("the `password` field must be a valid bcrypt hash");
    }
    checker_ = std::make_unique<PasswordChecker>(options_.auth->password_hash,
                                                 options_.max_pending_logins);
  }
  server_id_ = options_.server_id;
  if (server_id_.empty()) {
    server_id_ = hostname_;
    if (server_.options.adapter) server_id_ += "#" + std::to_string(getpid());
  }
  for (unsigned i = 0; i < server_.runtime.size(); ++i)
    locals_.push_back(std::make_unique<Local>());
  events = development_;
}

Admin::Local* Admin::local() {
  auto* shard = net::Runtime::current();
  return shard ? locals_[shard->index()].get() : nullptr;
}
Admin::Local& Admin::local(engineio::Socket& conn) {
  return *locals_[conn.shard().index()];
}
Admin::Local& Admin::local(Socket& socket) {
  return *locals_[socket.shard().index()];
}

void Admin::start() {
  const auto& name = options_.namespace_name;
  admin_ = server_.get_or_create(name.empty() || name[0] != '/' ? "/" + name : name);
  std::weak_ptr<Admin> weak = shared_from_this();
  admin_->handlers->middlewares.push_back(
      [weak](const SocketPtr& socket, std::function<void(std::optional<ConnectError>)> next) {
        auto self = weak.lock();
        if (!self) return next(ConnectError{"invalid credentials", nullptr});
        self->authenticate(socket, std::move(next));
      });
  admin_->handlers->on_connection = [weak](const SocketPtr& socket) {
    if (auto self = weak.lock()) self->on_admin(socket);
  };
  // server_stats from shard 0, for as long as the runtime runs.
  auto& shard = server_.runtime.shard(0);
  shard.post([weak, &shard, interval = options_.stats_interval] {
    auto timer = std::make_shared<boost::asio::steady_timer>(shard.context());
    auto again = std::make_shared<std::function<void()>>();
    *again = [weak, timer, interval, again_weak = std::weak_ptr(again)] {
      timer->expires_after(interval);
      timer->async_wait([weak, again = again_weak.lock()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || !again) return;
        self->tick();
        (*again)();
      });
    };
    (*again)();
  });
}

// --- authentication ---------------------------------------------------------------------

void Admin::authenticate(const SocketPtr& socket,
                         std::function<void(std::optional<ConnectError>)> next) {
  if (!options_.auth) return next(std::nullopt);
  const auto& auth = socket->handshake().auth;
  auto text = [&](const char* key) -> std::optional<std::string> {
    const auto* v = auth.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->as_string());
  };
  const ConnectError refused{"invalid credentials", nullptr};
  if (auto session = text("sessionId"); session && sessions_.contains(*session)) {
    return next(std::nullopt);
  }
  auto username = text("username");
  auto password = text("password");
  if (!username || *username != options_.auth->username || !password) return next(refused);
  auto* shard = &socket->shard();
  std::weak_ptr<Admin> weak = shared_from_this();
  std::weak_ptr<Socket> weak_socket = socket;
  auto next_shared =
      std::make_shared<std::function<void(std::optional<ConnectError>)>>(std::move(next));
  bool queued =
      checker_->check(*password, [shard, weak, weak_socket, next_shared, refused](bool match) {
        // On the checker's thread: back to the socket's shard.
        shard->post([weak, weak_socket, next_shared, refused, match] {
          auto self = weak.lock();
          auto socket = weak_socket.lock();
          if (!self || !socket) return;
          if (!match) return (*next_shared)(refused);
          auto& sessions = self->local(*socket).sessions;
          std::erase_if(sessions, [](const auto& entry) { return entry.second.first.expired(); });
          sessions[socket.get()] = {socket, self->sessions_.create()};
          (*next_shared)(std::nullopt);
        });
      });
  if (!queued) (*next_shared)(refused);
}

// --- the admin sockets ------------------------------------------------------------------

void Admin::on_admin(const SocketPtr& socket) {
  ++admins_;
  std::weak_ptr<Admin> weak = shared_from_this();
  socket->on_disconnect([weak](std::string_view) {
    if (auto self = weak.lock()) --self->admins_;
  });
  auto& sessions = local(*socket).sessions;
  if (auto it = sessions.find(socket.get()); it != sessions.end()) {
    auto id = std::move(it->second.second);
    sessions.erase(it);
    socket->emit("session", id);
  }
  boost::json::array features;
  if (!options_.readonly) {
    for (const char* f : {"EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT"})
      features.emplace_back(f);
    register_commands(*socket);
  }
  features.emplace_back("AGGREGATED_EVENTS");
  if (development_) features.emplace_back("ALL_EVENTS");
  socket->emit("config", boost::json::object{{"supportedFeatures", std::move(features)}});
  if (development_) send_all_sockets(socket);
}

std::shared_ptr<NamespaceCore> Admin::find(const std::string& name) {
  for (auto& nsp : server_.namespaces()) {
    if (nsp->name == name) return nsp;
  }
  return nullptr;
}

void Admin::register_commands(Socket& socket) {
  std::weak_ptr<Admin> weak = shared_from_this();
  // The selection every command takes: a namespace, and optionally a room (a socket id for
  // one socket). A namespace that does not exist is not created.
  auto select = [weak](const Event& e, std::size_t nsp_at,
                       std::size_t filter_at) -> std::optional<BroadcastOperator> {
    auto self = weak.lock();
    auto name = e.arg<std::string>(nsp_at);
    if (!self || !name) return std::nullopt;
    auto nsp = self->find(*name);
    if (!nsp) return std::nullopt;
    BroadcastOperator all(nsp);
    if (auto filter = e.arg<std::string>(filter_at); filter && !filter->empty()) {
      return all.in(std::move(*filter));
    }
    return all;
  };
  socket.on("emit", [select](Event& e) {
    auto target = select(e, 0, 1);
    auto event = e.arg<std::string>(2);
    if (!target || !event) return;
    Args args;
    args.values = boost::json::array(e.args.values.begin() + 3, e.args.values.end());
    target->emit_args(*event, std::move(args));
  });
  auto rooms = [select](Event& e, bool join) {
    auto target = select(e, 0, 2);
    auto room = e.arg<std::string>(1);
    if (!target || !room) return;
    if (join) return target->sockets_join({*room});
    target->sockets_leave({*room});
  };
  socket.on("join", [rooms](Event& e) { rooms(e, true); });
  socket.on("leave", [rooms](Event& e) { rooms(e, false); });
  socket.on("_disconnect", [select](Event& e) {
    auto target = select(e, 0, 2);
    if (target) target->disconnect_sockets(e.arg<bool>(1).value_or(false));
  });
}

void Admin::send_all_sockets(const SocketPtr& socket) {
  // This node's sockets from every shard, in full; then, through the cluster adapter, the
  // other nodes' (fetch_sockets, as the reference lists them), once every part has come.
  struct Gather {
    unsigned left;
    boost::json::array sockets;
  };
  auto namespaces = server_.namespaces();
  auto gather = std::make_shared<Gather>(
      Gather{server_.runtime.size() + static_cast<unsigned>(namespaces.size()), {}});
  auto* origin = &socket->shard();
  std::weak_ptr<Socket> weak_socket = socket;
  auto part_done = [gather, weak_socket] {
    if (--gather->left > 0) return;
    if (auto socket = weak_socket.lock(); socket && socket->connected()) {
      socket->emit("all_sockets", std::move(gather->sockets));
    }
  };
  server_.runtime.post_each([gather, origin, part_done, namespaces](net::Shard& shard) {
    boost::json::array found;
    for (const auto& nsp : namespaces) {
      for (auto& entry : nsp->local(shard.index()).sockets) {
        found.push_back(socket_json(*entry.second));
      }
    }
    origin->post([gather, part_done, found = std::move(found)]() mutable {
      for (auto& s : found) gather->sockets.push_back(std::move(s));
      part_done();
    });
  });
  for (const auto& nsp : namespaces) {
    BroadcastOperator(nsp).fetch_sockets([gather, part_done](std::vector<SocketInfo> sockets) {
      for (const auto& s : sockets) {
        if (!s.local) gather->sockets.push_back(socket_json(s));
      }
      part_done();
    });
  }
}

// --- statistics -------------------------------------------------------------------------

void Admin::tick() {
  struct Gather {
    unsigned left;
    std::size_t clients = 0;
    std::size_t polling = 0;
    std::map<std::string, std::size_t> namespaces;
    Counts counts;
  };
  auto gather = std::make_shared<Gather>(Gather{server_.runtime.size()});
  auto* origin = net::Runtime::current();
  auto namespaces = server_.namespaces();
  for (const auto& nsp : namespaces) gather->namespaces[nsp->name] = 0;
  std::weak_ptr<Admin> weak = shared_from_this();
  server_.runtime.post_each([weak, gather, origin, namespaces](net::Shard& shard) {
    auto self = weak.lock();
    if (!self) return;
    auto& l = *self->locals_[shard.index()];
    std::size_t clients = 0, polling = 0;
    for (auto& entry : l.conns) {
      if (auto conn = entry.second.lock()) {
        ++clients;
        if (conn->transport() == "polling") ++polling;
      }
    }
    std::vector<std::size_t> sizes;
    for (const auto& nsp : namespaces) sizes.push_back(nsp->local(shard.index()).sockets.size());
    // An upgrade shows at the next stats (the reference tells it at once).
    for (auto& entry : l.sockets) {
      auto socket = entry.second.first.lock();
      auto conn = socket ? socket->conn() : nullptr;
      if (!conn || conn->transport() == entry.second.second) continue;
      entry.second.second = conn->transport();
      self->notify("socket_updated",
                   Args::of(boost::json::object{{"id", socket->id()},
                                                {"nsp", socket->nsp().name()},
                                                {"transport", entry.second.second}}));
    }
    l.flush();
    origin->post([weak, gather, clients, polling, sizes = std::move(sizes), namespaces,
                  counts = std::exchange(l.counts, {})]() mutable {
      gather->clients += clients;
      gather->polling += polling;
      for (std::size_t i = 0; i < namespaces.size(); ++i) {
        gather->namespaces[namespaces[i]->name] += sizes[i];
      }
      for (auto& [key, n] : counts) gather->counts[key] += n;
      if (--gather->left > 0) return;
      auto self = weak.lock();
      if (!self) return;
      boost::json::array nsps, events;
      for (auto& [name, n] : gather->namespaces) {
        nsps.push_back(boost::json::object{{"name", name}, {"socketsCount", n}});
      }
      for (auto& [key, n] : gather->counts) {
        boost::json::object e{
            {"timestamp", std::get<0>(key)}, {"type", std::get<1>(key)}, {"count", n}};
        if (!std::get<2>(key).empty()) e["subType"] = std::get<2>(key);
        events.push_back(std::move(e));
      }
      const double uptime =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - self->started_).count();
      self->notify("server_stats",
                   Args::of(boost::json::object{{"serverId", self->server_id_},
                                                {"hostname", self->hostname_},
                                                {"pid", getpid()},
                                                {"uptime", uptime},
                                                {"clientsCount", gather->clients},
                                                {"pollingClientsCount", gather->polling},
                                                {"aggregatedEvents", std::move(events)},
                                                {"namespaces", std::move(nsps)}}));
    });
  });
}

// --- what the server tells ----------------------------------------------------------------

void Admin::notify(std::string_view event, Args args) {
  // Nobody to tell: no admin here, and no cluster whose other nodes may have one.
  if (admins_.load(std::memory_order_relaxed) == 0 && !admin_->adapter()) return;
  BroadcastOperator(admin_).emit_args(event, std::move(args));
}

bool Admin::verbose(const Socket&) const {
  return development_ &&
         (admins_.load(std::memory_order_relaxed) > 0 || admin_->adapter() != nullptr);
}

void Admin::client_opened(const engineio::SocketPtr& conn) noexcept {
  auto& l = local(*conn);
  l.conns[conn.get()] = conn;
  l.counts[{now_second(), "rawConnection", ""}] += 1;
}

void Admin::client_closed(engineio::Socket& conn, std::string_view reason) noexcept {
  auto& l = local(conn);
  if (l.conns.erase(&conn) == 0) return;
  l.counts[{now_second(), "rawDisconnection", std::string(reason)}] += 1;
}

void Admin::Local::count_packet(std::uint64_t& packets, std::uint64_t& total, std::size_t bytes) {
  if (auto s = now_second(); s != second) {
    flush();
    second = s;
  }
  ++packets;
  total += bytes;
}

void Admin::packet_in(std::size_t bytes) noexcept {
  if (auto* l = local()) l->count_packet(l->packets_in, l->bytes_in, bytes);
}

void Admin::packet_out(std::size_t bytes) noexcept {
  if (auto* l = local()) l->count_packet(l->packets_out, l->bytes_out, bytes);
}

void Admin::socket_connected(Socket& socket) noexcept {
  if (!development_) return;
  auto conn = socket.conn();
  local(socket).sockets[&socket] = {socket.weak_from_this(),
                                    conn ? std::string(conn->transport()) : std::string()};
  if (!verbose(socket)) return;
  // As the reference: the socket's own room first (the adapter tells it before "connection").
  const auto at = now_iso();
  if (socket.in_room(socket.id())) {
    notify("room_joined", Args::of(socket.nsp().name(), socket.id(), socket.id(), at));
  }
  notify("socket_connected", Args::of(socket_json(socket), at));
}

void Admin::socket_disconnected(Socket& socket, std::string_view reason) noexcept {
  if (!development_) return;
  local(socket).sockets.erase(&socket);
  if (!verbose(socket)) return;
  const auto at = now_iso();
  notify("socket_disconnected",
         Args::of(socket.nsp().name(), socket.id(), std::string(reason), at));
  if (socket.in_room(socket.id())) {
    notify("room_left", Args::of(socket.nsp().name(), socket.id(), socket.id(), at));
  }
}

void Admin::room_joined(Socket& socket, const std::string& room) noexcept {
  if (!verbose(socket)) return;
  notify("room_joined", Args::of(socket.nsp().name(), room, socket.id(), now_iso()));
}

void Admin::room_left(Socket& socket, const std::string& room) noexcept {
  if (!verbose(socket)) return;
  notify("room_left", Args::of(socket.nsp().name(), room, socket.id(), now_iso()));
}

void Admin::event_received(Socket& socket, const Event& event) noexcept {
  if (socket.nsp().name() == admin_->name || !verbose(socket)) return;
  boost::json::array args{boost::json::value(event.name)};
  for (const auto& v : event.args.values) args.push_back(v);
  notify("event_received", Args::of(socket.nsp().name(), socket.id(), std::move(args), now_iso()));
}

void Admin::event_sent(Socket& socket, const Event& event) noexcept {
  if (socket.nsp().name() == admin_->name || !verbose(socket)) return;
  boost::json::array args{boost::json::value(event.name)};
  for (const auto& v : event.args.values) args.push_back(v);
  notify("event_sent", Args::of(socket.nsp().name(), socket.id(), std::move(args), now_iso()));
}

}  // namespace detail

void instrument(Server& server, AdminOptions options) {
  auto& core = *server.core_;
  if (core.observer) throw std::logic_error("socketio::instrument: called twice");
  auto admin = std::make_shared<detail::Admin>(core, std::move(options));
  admin->start();
  core.observer = admin;
}

}  // namespace switchboard::socketio

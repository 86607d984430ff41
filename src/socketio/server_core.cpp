#include "socketio/core.hpp"
#include "socketio/event_text.hpp"
#include "socketio/json_text.hpp"
#include "switchboard/log/logger.hpp"
#include "switchboard/net/random.hpp"

namespace switchboard::socketio {

namespace detail {

std::string random_id() {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned char bytes[20];
  net::random_bytes(bytes);
  std::string id(20, 'A');
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = kAlphabet[bytes[i] & 63];
  return id;
}

void user_failed(NamespaceCore& nsp, Socket* socket, std::string_view where,
                 std::string_view what) noexcept {
  nsp.server.report({.nsp = nsp.name,
                     .socket_id = socket ? std::string_view(socket->id()) : std::string_view(),
                     .where = where,
                     .what = what});
  if (!socket) return;
  try {
    SocketAccess::disconnect_with(*socket, DisconnectReason::ServerError);
  } catch (...) {
    // Only user code throws, and what disconnect_with runs of it is guarded.
  }
}

void ServerCore::report(const HandlerError& error) noexcept {
  handler_errors.fetch_add(1, std::memory_order_relaxed);
  try {
    if (options.on_handler_error) return options.on_handler_error(error);
    log::warn("socket.io handler threw", {{"handler", error.where},
                                          {"nsp", error.nsp},
                                          {"sid", error.socket_id},
                                          {"error", error.what}});
  } catch (...) {
    // A reporter that throws too: the count stands.
  }
}

std::vector<std::pair<bool, std::string>> encode_event_messages(const std::string& nsp,
                                                                std::string_view event, Args args,
                                                                std::optional<std::uint64_t> id) {
  std::vector<std::pair<bool, std::string>> messages;
  if (!has_binary(args.values)) {
    messages.emplace_back(false, std::string());
    encode_event_text(messages.back().second, nsp, event, args.values, id);
    return messages;
  }
  Packet packet{.type = PacketType::Event, .nsp = nsp, .id = id};
  boost::json::array data;
  data.reserve(args.values.size() + 1);
  data.emplace_back(event);
  for (auto& v : args.values) data.push_back(std::move(v));
  packet.data = std::move(data);
  extract_binaries(packet.data, packet.attachments);
  messages.emplace_back(false, std::string());
  encode(messages.back().second, packet);
  for (auto& a : packet.attachments) messages.emplace_back(true, std::move(a));
  return messages;
}

NamespaceCore::NamespaceCore(ServerCore& s, std::string n, std::shared_ptr<NamespaceHandlers> h,
                             bool cluster)
    : server(s), name(std::move(n)), handlers(std::move(h)) {
  const auto& recovery = server.options.connection_state_recovery;
  for (unsigned i = 0; i < server.runtime.size(); ++i) {
    auto local = std::make_unique<Local>();
    if (recovery) {
      local->log = std::make_unique<PacketLog>(server.runtime.size(), recovery->max_packets,
                                               recovery->max_disconnection_duration);
    }
    locals_.push_back(std::move(local));
  }
  if (recovery) sessions_ = std::make_unique<SessionStore>(recovery->max_disconnection_duration);
  if (server.options.adapter && cluster) adapter_ = server.options.adapter(*this);
  if (adapter_ && recovery) {
    adapter_recovery_ =
        adapter_->keep_sessions({.max_disconnection_duration = recovery->max_disconnection_duration,
                                 .max_packets = recovery->max_packets});
  }
}

NamespaceCore::~NamespaceCore() = default;

bool NamespaceCore::keeps_outgoing() const {
  return outgoing_listeners.load(std::memory_order_relaxed) > 0 ||
         (server.observer && server.observer->events);
}

void NamespaceCore::close_adapter() {
  if (adapter_) adapter_->close();
}

NamespaceCore::Local& NamespaceCore::local() {
  return local(net::Runtime::current()->index());
}

void NamespaceCore::for_each_selected(unsigned shard, const std::set<std::string>& rooms,
                                      const std::set<std::string>& except,
                                      const std::function<void(Socket&)>& fn) {
  auto& l = local(shard);
  auto excluded = [&](Socket& s) {
    for (const auto& r : except) {
      if (s.in_room(r)) return true;
    }
    return false;
  };
  if (rooms.empty()) {
    // Copy first: a send may disconnect a slow socket, which edits the map.
    std::vector<std::shared_ptr<Socket>> all;
    all.reserve(l.sockets.size());
    for (auto& [id, s] : l.sockets) all.push_back(s);
    for (auto& s : all) {
      if (!excluded(*s)) fn(*s);
    }
    return;
  }
  std::unordered_set<Socket*> seen;
  std::vector<std::shared_ptr<Socket>> picked;
  for (const auto& room : rooms) {
    auto it = l.rooms.find(room);
    if (it != l.rooms.end()) {
      for (Socket* s : it->second) {
        if (seen.insert(s).second && !excluded(*s)) picked.push_back(s->shared_from_this());
      }
    }
    // A socket's own room.
    if (auto own = l.sockets.find(room); own != l.sockets.end() && own->second->in_room(room)) {
      Socket* s = own->second.get();
      if (seen.insert(s).second && !excluded(*s)) picked.push_back(own->second);
    }
  }
  for (auto& s : picked) fn(*s);
}

void NamespaceCore::add_to_room(Socket& socket, const std::string& room) {
  auto [it, created] = local(socket.shard().index()).rooms.try_emplace(room);
  it->second.insert(&socket);
  if (created && adapter_) note_room(room, true);
}

void NamespaceCore::note_room(const std::string& room, bool created) {
  // Under the lock, so that the adapter hears of a room's appearances and disappearances in
  // the order they were counted (it only queues them).
  std::lock_guard lock(rooms_mutex_);
  auto& shards = shard_rooms_[room];
  if (created) {
    if (shards++ == 0) adapter_->room_created(room);
    return;
  }
  if (shards > 1) {
    --shards;
    return;
  }
  shard_rooms_.erase(room);
  adapter_->room_deleted(room);
}

void NamespaceCore::remove_from_room(Socket& socket, const std::string& room) {
  auto& rooms = local(socket.shard().index()).rooms;
  auto it = rooms.find(room);
  if (it == rooms.end()) return;
  it->second.erase(&socket);
  if (it->second.empty()) {
    rooms.erase(it);
    if (adapter_) note_room(room, false);
  }
}

ServerCore::ServerCore(net::Runtime& rt, ServerOptions opts)
    : runtime(rt), options(std::move(opts)), engine(rt, options.engine) {}

std::shared_ptr<NamespaceCore> ServerCore::get_or_create(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& nsp = namespaces_[name];
  if (nsp) return nsp;
  // A name that a regex parent matches is its child (with its handlers and, in a cluster, an
  // adapter of its own), wherever it is first named: by a client or by this server's code.
  for (auto& parent : parents_) {
    if (parent.by_name && parent.accept(name, {})) {
      return nsp = std::make_shared<NamespaceCore>(*this, name, parent.nsp->handlers);
    }
  }
  return nsp = std::make_shared<NamespaceCore>(*this, name, std::make_shared<NamespaceHandlers>());
}

std::shared_ptr<NamespaceCore> ServerCore::find_for_connect(const std::string& name,
                                                            const boost::json::object& auth) {
  std::lock_guard lock(mutex_);
  if (auto it = namespaces_.find(name); it != namespaces_.end()) return it->second;
  for (auto& parent : parents_) {
    if (parent.accept(name, auth)) {
      auto child = std::make_shared<NamespaceCore>(*this, name, parent.nsp->handlers);
      namespaces_[name] = child;
      return child;
    }
  }
  return nullptr;
}

std::shared_ptr<NamespaceCore> ServerCore::add_parent(
    std::function<bool(const std::string&, const boost::json::object&)> accept, bool by_name) {
  std::lock_guard lock(mutex_);
  // The parent holds no socket: no adapter (its children get theirs when they are made).
  auto nsp = std::make_shared<NamespaceCore>(*this, "/_" + std::to_string(parents_.size()),
                                             std::make_shared<NamespaceHandlers>(), false);
  parents_.push_back({std::move(accept), nsp, by_name});
  return nsp;
}

void ServerCore::clear_handlers() {
  std::lock_guard lock(mutex_);
  auto clear = [](NamespaceCore& nsp) {
    nsp.handlers->middlewares.clear();
    nsp.handlers->on_connection = nullptr;
  };
  server_side_handlers.clear();
  for (auto& [name, nsp] : namespaces_) clear(*nsp);
  for (auto& parent : parents_) clear(*parent.nsp);
}

std::vector<std::shared_ptr<NamespaceCore>> ServerCore::namespaces() {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<NamespaceCore>> all;
  all.reserve(namespaces_.size());
  for (auto& [name, nsp] : namespaces_) all.push_back(nsp);
  return all;
}

void ServerCore::close_adapters() {
  std::lock_guard lock(mutex_);
  for (auto& [name, nsp] : namespaces_) nsp->close_adapter();
}

}  // namespace detail

// --- Namespace ------------------------------------------------------------------------------

const std::string& Namespace::name() const {
  return core_->name;
}
void Namespace::use(Middleware m) {
  core_->handlers->middlewares.push_back(std::move(m));
}
void Namespace::on_connection(std::function<void(const SocketPtr&)> handler) {
  core_->handlers->on_connection = std::move(handler);
}
void Namespace::join(std::shared_ptr<Member> member, const std::string& room) const {
  core_->join_member(std::move(member), room);
}
void Namespace::leave(const Member& member) const {
  core_->leave_member(member);
}
std::size_t Namespace::local_size() const {
  return net::Runtime::current() ? core_->local().sockets.size() : 0;
}

// --- Server ---------------------------------------------------------------------------------

Server::Server(net::Runtime& runtime, ServerOptions options)
    : core_(std::make_shared<detail::ServerCore>(runtime, std::move(options))) {
  // The main namespace joins the cluster at once (others when they are first used).
  if (core_->options.adapter) core_->get_or_create("/");
  core_->engine.on_connection([core = core_.get()](const engineio::SocketPtr& socket) {
    std::make_shared<detail::Client>(*core, socket)->start();
  });
}

Server::~Server() {
  core_->close_adapters();
  core_->clear_handlers();
}

Namespace Server::of(const std::string& name) {
  return Namespace(core_->get_or_create(name.empty() || name[0] != '/' ? "/" + name : name));
}

Namespace Server::of(
    std::function<bool(const std::string& name, const boost::json::object& auth)> accept) {
  return Namespace(core_->add_parent(std::move(accept)));
}

Namespace Server::of(const std::regex& pattern) {
  return Namespace(core_->add_parent(
      [pattern](const std::string& name, const boost::json::object&) {
        return std::regex_match(name, pattern);
      },
      true));
}

void Server::server_side_emit_args(std::string_view event, Args args) {
  // A single server has no other server to reach.
  if (auto* adapter = core_->get_or_create("/")->adapter()) adapter->server_side_emit(event, args);
}

void Server::server_side_emit_with_ack(
    std::string_view event, Args args, std::chrono::milliseconds timeout,
    std::function<void(std::optional<std::string>, std::vector<Args>)> callback) {
  auto nsp = core_->get_or_create("/");
  auto* adapter = nsp->adapter();
  if (!adapter) {
    detail::run_user(*nsp, nullptr, "server side ack", [&] { callback(std::nullopt, {}); });
    return;
  }
  auto* origin = net::Runtime::current();
  adapter->server_side_emit_with_ack(
      event, args, timeout,
      [nsp, origin, callback = std::move(callback)](
          ClusterError error, std::vector<boost::json::value> answers) mutable {
        auto finish = [nsp, callback = std::move(callback), error = std::move(error),
                       answers = std::move(answers)]() mutable {
          std::vector<Args> replies;
          replies.reserve(answers.size());
          for (auto& a : answers) replies.push_back(Args{boost::json::array{std::move(a)}});
          detail::run_user(*nsp, nullptr, "server side ack",
                           [&] { callback(std::move(error), std::move(replies)); });
        };
        if (origin && !origin->is_current()) return origin->post(std::move(finish));
        finish();
      });
}

void Server::on_server_side(std::string event, std::function<void(Event&)> handler) {
  core_->server_side_handlers[std::move(event)] = std::move(handler);
}

std::uint64_t Server::handler_errors() const {
  return core_->handler_errors.load(std::memory_order_relaxed) + core_->engine.handler_errors();
}

void Server::attach(http::Router& router) {
  core_->engine.attach(router);
}
engineio::Server& Server::engine() {
  return core_->engine;
}

}  // namespace switchboard::socketio

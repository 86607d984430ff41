// The local half of the cluster's operations (AdapterHost), on every shard of this process.
#include "socketio/core.hpp"

#include <chrono>
#include <ctime>

namespace switchboard::socketio::detail {
namespace {

// The reference's handshake object, as Node peers send it in fetch answers.
boost::json::object handshake_json(const Handshake& h) {
  boost::json::object headers;
  for (auto field : h.headers()) {
    std::string name(field.name);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    headers[name] = field.value;
  }
  const auto issued =
      std::chrono::duration_cast<std::chrono::milliseconds>(h.time.time_since_epoch()).count();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(h.time);
  char time[64];
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  std::strftime(time, sizeof time, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return {{"headers", std::move(headers)},
          {"time", time},
          {"address", h.address()},
          {"xdomain", h.headers().contains("origin")},
          {"secure", h.secure()},
          {"issued", issued},
          {"url", h.url()},
          {"query", boost::json::object{}},
          {"auth", h.auth}};
}

}  // namespace

net::Runtime& NamespaceCore::runtime() {
  return server.runtime;
}

void NamespaceCore::local_broadcast(const Target& target, std::string_view event, Args args) {
  broadcast(std::make_shared<const Selection>(Selection{target.rooms, target.except}), event,
            std::move(args), target.is_volatile, target.compress);
}

void NamespaceCore::local_broadcast_with_ack(const Target& target, std::string_view event,
                                             Args args, std::function<void(std::size_t)> on_count,
                                             std::function<void(Args)> on_ack) {
  // Off the shards (an adapter's thread): counted and answered on shard 0.
  auto* origin = net::Runtime::current();
  if (!origin) origin = &server.runtime.shard(0);
  struct Count {
    unsigned shards_left;
    std::size_t clients = 0;
    std::function<void(std::size_t)> on_count;
  };
  auto count = std::make_shared<Count>(Count{server.runtime.size(), 0, std::move(on_count)});
  auto on_ack_shared = std::make_shared<std::function<void(Args)>>(std::move(on_ack));
  auto id = next_ack_id();
  auto prepared =
      engineio::PreparedPackets::messages(encode_event_messages(name, event, std::move(args), id));
  auto back = [origin](std::function<void()> fn) {
    if (origin) return origin->post(std::move(fn));
    fn();
  };
  server.runtime.post_each([self = shared_from_this(), rooms = target.rooms, except = target.except,
                            timeout = target.timeout, prepared, id, count, on_ack_shared,
                            back](net::Shard& shard) {
    std::size_t sent = 0;
    self->for_each_selected(shard.index(), rooms, except, [&](Socket& s) {
      auto client = s.client();
      if (!client) return;
      ++sent;
      s.register_ack(
          id,
          [on_ack_shared, back](AckError error, Args reply) {
            if (error) return;  // gone or late: the requester's timeout covers it
            back([on_ack_shared, reply = std::move(reply)]() mutable {
              (*on_ack_shared)(std::move(reply));
            });
          },
          timeout);
      client->send_prepared(prepared, false);
    });
    back([count, sent] {
      count->clients += sent;
      if (--count->shards_left == 0) count->on_count(count->clients);
    });
  });
}

void NamespaceCore::local_fetch(const Target& target,
                                std::function<void(std::vector<SocketInfo>)> done) {
  // Off the shards (an adapter's thread): gathered and answered on shard 0.
  auto* origin = net::Runtime::current();
  if (!origin) origin = &server.runtime.shard(0);
  struct Gather {
    unsigned left;
    std::vector<SocketInfo> found;
    std::function<void(std::vector<SocketInfo>)> done;
  };
  auto gather = std::make_shared<Gather>(Gather{server.runtime.size(), {}, std::move(done)});
  server.runtime.post_each([self = shared_from_this(), rooms = target.rooms, except = target.except,
                            gather, origin](net::Shard& shard) {
    std::vector<SocketInfo> found;
    self->for_each_selected(shard.index(), rooms, except, [&](Socket& s) {
      found.push_back({.id = s.id(),
                       .nsp = self->name,
                       .rooms = s.rooms(),
                       .data = s.data,
                       .address = s.handshake().address(),
                       .handshake = handshake_json(s.handshake()),
                       .owner = self});
    });
    auto merge = [gather, found = std::move(found)]() mutable {
      for (auto& f : found) gather->found.push_back(std::move(f));
      if (--gather->left == 0) gather->done(std::move(gather->found));
    };
    if (origin) return origin->post(std::move(merge));
    merge();
  });
}

void NamespaceCore::local_join(const Target& target, std::vector<std::string> rooms) {
  server.runtime.post_each([self = shared_from_this(), sel = target.rooms, except = target.except,
                            rooms = std::move(rooms)](net::Shard& shard) {
    self->for_each_selected(shard.index(), sel, except, [&](Socket& s) {
      for (const auto& r : rooms) s.join(r);
    });
  });
}

void NamespaceCore::local_leave(const Target& target, std::vector<std::string> rooms) {
  server.runtime.post_each([self = shared_from_this(), sel = target.rooms, except = target.except,
                            rooms = std::move(rooms)](net::Shard& shard) {
    self->for_each_selected(shard.index(), sel, except, [&](Socket& s) {
      for (const auto& r : rooms) s.leave(r);
    });
  });
}

void NamespaceCore::local_disconnect(const Target& target, bool close) {
  server.runtime.post_each([self = shared_from_this(), sel = target.rooms, except = target.except,
                            close](net::Shard& shard) {
    self->for_each_selected(shard.index(), sel, except, [&](Socket& s) { s.disconnect(close); });
  });
}

void NamespaceCore::server_side(std::string event, Args args,
                                std::function<void(boost::json::value)> reply) {
  auto it = server.server_side_handlers.find(event);
  if (it == server.server_side_handlers.end()) return;
  Event e{std::move(event), std::move(args), {}};
  if (reply) {
    e.ack = Ack([reply = std::move(reply)](Args answer) {
      reply(answer.values.empty() ? boost::json::value() : std::move(answer.values[0]));
    });
  }
  run_user(*this, nullptr, e.name, [&] { it->second(e); });
}

}  // namespace switchboard::socketio::detail

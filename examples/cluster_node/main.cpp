// A Socket.IO node of a cluster on Redis, beside Node.js socket.io nodes with
// @socket.io/redis-adapter: serves the contract of docs/cluster.md ("cluster_node").
//
//   cluster_node --port N --redis redis://HOST:PORT [--name NAME] [--sharded] [--shards K]
//                [--advertise HOST:PORT] [--sticky] [--recovery]
//
// Without --sticky (the default) the nodes need no sticky balancer: each announces itself in
// Redis (at --advertise, by default 127.0.0.1:PORT) and relays a request for another node's
// Engine.IO session to that node (docs/decisions/013-no-sticky-sessions.md).
//
// --recovery keeps connection state recovery in Redis (docs/decisions/014).
//
// Dynamic namespaces /dyn-<digits> (a regex parent): `whoami` and `everyone` as on "/", within
// the namespace; each child has an adapter of its own. On "/", `dyn-everyone` {nsp, payload}
// emits `bcast` to the namespace `nsp` from this node's code (which makes the child if no
// client made it here yet, as Node's io.of("/dyn-1") does).
// GCC 12 warns falsely inside <regex> (std::function in _NFA, -Wmaybe-uninitialized) when a
// std::regex is built in a translation unit compiled with -O1 and the sanitizers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>

#include <boost/json/serialize.hpp>

#include "switchboard/adapter/node_directory.hpp"
#include "switchboard/adapter/redis_adapter.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/socketio/server.hpp"

using namespace switchboard;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

struct Options {
  std::uint16_t port = 0;
  std::string redis;
  std::string name;
  bool sharded = false;
  unsigned shards = 1;
  std::string advertise;
  bool sticky = false;
  bool recovery = false;
};

[[noreturn]] void usage(const char* program) {
  std::fprintf(stderr,
               "usage: %s --port N --redis redis://HOST:PORT [--name NAME] [--sharded] "
               "[--shards K] [--advertise HOST:PORT] [--sticky] [--recovery]\n",
               program);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(argv[0]);
      return argv[++i];
    };
    if (a == "--port") {
      o.port = static_cast<std::uint16_t>(std::atoi(value().c_str()));
    } else if (a == "--redis") {
      o.redis = value();
    } else if (a == "--name") {
      o.name = value();
    } else if (a == "--recovery") {
      o.recovery = true;
    } else if (a == "--sharded") {
      o.sharded = true;
    } else if (a == "--advertise") {
      o.advertise = value();
    } else if (a == "--sticky") {
      o.sticky = true;
    } else if (a == "--shards") {
      o.shards = static_cast<unsigned>(std::max(1, std::atoi(value().c_str())));
    } else {
      usage(argv[0]);
    }
  }
  if (o.port == 0 || o.redis.empty()) usage(argv[0]);
  if (o.name.empty()) o.name = "node-" + std::to_string(o.port);
  if (o.advertise.empty()) o.advertise = "127.0.0.1:" + std::to_string(o.port);
  return o;
}

// A value's sort key: strings as they are, anything else as its JSON text.
std::string key_of(const json::value& v) {
  if (const auto* s = v.if_string()) return std::string(*s);
  return json::serialize(v);
}

json::array sorted(std::vector<json::value> values) {
  std::sort(values.begin(), values.end(),
            [](const json::value& a, const json::value& b) { return key_of(a) < key_of(b); });
  return json::array(values.begin(), values.end());
}

json::array rooms_without(const std::set<std::string>& rooms, const std::string& id) {
  json::array out;
  for (const auto& r : rooms) {  // std::set: sorted by bytes, the code point order of UTF-8
    if (r != id) out.emplace_back(r);
  }
  return out;
}

std::vector<std::string> strings(const json::value& v, std::string_view key) {
  std::vector<std::string> out;
  if (auto list = socketio::field<json::array>(v, key)) {
    for (const auto& item : *list) {
      if (item.is_string()) out.emplace_back(item.get_string());
    }
  }
  return out;
}

void ack(socketio::Event& e, json::value v) {
  e.ack.send(socketio::Args{json::array{std::move(v)}});
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  auto redis = adapter::parse_redis_url(o.redis);
  if (!redis) {
    std::fprintf(stderr, "cluster_node: bad --redis URL %s\n", o.redis.c_str());
    return 2;
  }
  net::Runtime runtime({.shards = o.shards});
  http::Server http(runtime);
  adapter::RedisAdapter* main_adapter = nullptr;
  socketio::ServerOptions options{
      .engine = {.path = "/socket.io/", .cors = {.allowed_origins = {"*"}}}};
  if (!o.sticky) {
    options.engine.nodes =
        adapter::redis_node_directory(runtime, {.redis = *redis, .address = o.advertise});
  }
  options.adapter =
      adapter::redis_adapter({.redis = *redis,
                              .cluster = {.mode = o.sharded ? adapter::ClusterMode::Sharded
                                                            : adapter::ClusterMode::Classic,
                                          .key = "socket.io",
                                          .requests_timeout = 2000ms}},
                             [&](adapter::RedisAdapter& a) {
                               if (!main_adapter) main_adapter = &a;
                             });
  // Connection state recovery kept in Redis: a client comes back on any node.
  if (o.recovery) options.connection_state_recovery = socketio::ConnectionStateRecovery{};
  socketio::Server io(runtime, options);
  const std::string name = o.name;

  io.on_server_side("ping-server", [name](socketio::Event& e) { ack(e, json::value(name)); });

  io.on_connection([&io, name](const socketio::SocketPtr& socket) {
    socket->on("whoami", [name](socketio::Socket& s, socketio::Event& e) {
      ack(e, json::object{{"id", s.id()}, {"node", name}});
    });
    socket->on("join", [](socketio::Socket& s, socketio::Event& e) {
      if (auto room = e.arg<std::string>(0)) s.join(*room);
      ack(e, rooms_without(s.rooms(), s.id()));
    });
    socket->on("leave", [](socketio::Socket& s, socketio::Event& e) {
      if (auto room = e.arg<std::string>(0)) s.leave(*room);
      ack(e, rooms_without(s.rooms(), s.id()));
    });
    socket->on("to", [&io](socketio::Event& e) {
      const json::value request = e.args.size() > 0 ? e.args[0] : json::value();
      auto op = io.sockets().all();
      for (auto& r : strings(request, "rooms")) op = op.to(std::move(r));
      for (auto& r : strings(request, "except")) op = op.except(std::move(r));
      socketio::Args args;
      if (auto list = socketio::field<json::array>(request, "args")) args.values = std::move(*list);
      op.emit_args(socketio::field<std::string>(request, "event").value_or("message"),
                   std::move(args));
      ack(e, true);
    });
    socket->on("everyone", [&io](socketio::Event& e) {
      socketio::Args args;
      args.values.push_back(e.args.size() > 0 ? e.args[0] : json::value());
      io.sockets().all().emit_args("bcast", std::move(args));
      ack(e, true);
    });
    socket->on("dyn-everyone", [&io](socketio::Event& e) {
      if (auto nsp = e.arg<std::string>(0, "nsp")) {
        const json::value* payload =
            e.args[0].is_object() ? e.args[0].get_object().if_contains("payload") : nullptr;
        io.of(*nsp).emit("bcast", payload ? *payload : json::value());
      }
      ack(e, true);
    });
    socket->on("fetch", [&io](socketio::Event& e) {
      auto room = e.arg<std::string>(0, "room");
      auto op = room ? io.sockets().in(*room) : io.sockets().all();
      op.fetch_sockets([ack_ = e.ack](std::optional<std::string> error,
                                      std::vector<socketio::SocketInfo> found) mutable {
        if (error) {
          ack_.send(socketio::Args{json::array{json::object{{"error", *error}}}});
          return;
        }
        std::sort(found.begin(), found.end(), [](auto& a, auto& b) { return a.id < b.id; });
        json::array list;
        for (const auto& f : found)
          list.push_back(json::object{{"id", f.id}, {"rooms", rooms_without(f.rooms, f.id)}});
        ack_.send(socketio::Args::of(std::move(list)));
      });
    });
    socket->on("remote-join", [&io](socketio::Event& e) {
      auto id = e.arg<std::string>(0, "id");
      auto room = e.arg<std::string>(0, "room");
      if (id && room) io.sockets().in(*id).sockets_join({*room});
      ack(e, true);
    });
    socket->on("remote-leave", [&io](socketio::Event& e) {
      auto id = e.arg<std::string>(0, "id");
      auto room = e.arg<std::string>(0, "room");
      if (id && room) io.sockets().in(*id).sockets_leave({*room});
      ack(e, true);
    });
    socket->on("remote-disconnect", [&io](socketio::Event& e) {
      if (auto id = e.arg<std::string>(0, "id")) io.sockets().in(*id).disconnect_sockets(true);
      ack(e, true);
    });
    socket->on("ask-servers", [&io](socketio::Event& e) {
      socketio::Args args;
      args.values.push_back(e.args.size() > 0 ? e.args[0] : json::value());
      io.server_side_emit_with_ack(
          "ping-server", std::move(args), 2000ms,
          [ack_ = e.ack](std::optional<std::string>, std::vector<socketio::Args> answers) mutable {
            std::vector<json::value> values;
            for (auto& a : answers) values.push_back(a.size() > 0 ? a[0] : json::value());
            ack_.send(socketio::Args::of(sorted(std::move(values))));
          });
    });
    socket->on("ask-clients", [&io](socketio::Event& e) {
      auto room = e.arg<std::string>(0, "room");
      socketio::Args args;
      const auto* payload = e.args.size() > 0 && e.args[0].is_object()
                                ? e.args[0].get_object().if_contains("payload")
                                : nullptr;
      args.values.push_back(payload ? *payload : json::value());
      auto op = room ? io.sockets().to(*room) : io.sockets().all();
      op.timeout(2000ms).emit_with_ack("question", std::move(args),
                                       [ack_ = e.ack](std::optional<std::string> error,
                                                      std::vector<socketio::Args> answers) mutable {
                                         std::vector<json::value> values;
                                         for (auto& a : answers)
                                           values.push_back(a.size() > 0 ? a[0] : json::value());
                                         auto list = sorted(std::move(values));
                                         if (error) {
                                           ack_.send(socketio::Args{json::array{json::object{
                                               {"error", *error}, {"answers", std::move(list)}}}});
                                           return;
                                         }
                                         ack_.send(socketio::Args::of(std::move(list)));
                                       });
    });
  });
  io.of(std::regex("^/dyn-\\d+$")).on_connection([&io, name](const socketio::SocketPtr& socket) {
    socketio::Socket* s = socket.get();
    socket->on("whoami", [s, name](socketio::Event& e) {
      ack(e, json::object{{"id", s->id()}, {"node", name}, {"nsp", s->nsp().name()}});
    });
    socket->on("everyone", [&io, s](socketio::Event& e) {
      io.of(s->nsp().name()).emit("bcast", e.args.size() > 0 ? e.args[0] : json::value());
      ack(e, true);
    });
  });
  io.attach(http.router());

  // The port opens once the node is connected to Redis and subscribed.
  main_adapter->on_ready([&http, &o, name] {
    http.listen({.address = "127.0.0.1", .port = o.port});
    std::printf("cluster_node %s listening on http://127.0.0.1:%u (%s)\n", name.c_str(), o.port,
                o.sharded ? "sharded" : "classic");
    std::fflush(stdout);
  });
  return runtime.run();
}

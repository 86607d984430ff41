// The benchmark server: one contract that switchboard and every peer server implement.
//   raw WebSocket /echo   each message goes back to its sender;
//   raw WebSocket /bcast  each message goes to every /bcast client, the sender included (the
//                         clients are members of the room index of the Socket.IO namespace
//                         "/bcast", the project's one fan-out: docs/decisions/019);
//   Socket.IO "/"         "echo" is emitted back to the sender with the same arguments,
//                         "bcast" is emitted with the same arguments to every socket.
// --drop-every N (N > 0) drops every Nth echoed message: a faulty server, so that the tests can
// check that the load generator notices.
// --redis-port N (N > 0) joins a cluster through the Redis server on 127.0.0.1:N (classic
// @socket.io/redis-adapter format; --sharded 1 for the sharded one): Socket.IO broadcasts then
// reach the sockets of every node (bench/run's cluster case). The port opens once the node is
// subscribed.
#include <atomic>
#include <cstdint>

#include "common/args.hpp"
#include "common/ws_member.hpp"
#include "switchboard/adapter/redis_adapter.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/socketio/server.hpp"
#include "switchboard/ws/endpoint.hpp"

using namespace switchboard;

namespace {

/// Counts echoed messages and says which ones a faulty server drops. One per shard would be
/// needed for exactness across shards; a relaxed global count is enough for a fault.
class Dropper {
 public:
  explicit Dropper(std::uint64_t every) : every_(every) {}
  bool drop() { return every_ != 0 && ++count_ % every_ == 0; }

 private:
  std::uint64_t every_;
  std::atomic<std::uint64_t> count_{0};
};

void add_raw_websocket(http::Router& router, socketio::Namespace everyone, Dropper& dropper) {
  // No permessage-deflate: the peers (ws, socket.io) do not compress by default either.
  ws::ServerOptions options{.permessage_deflate = {.enabled = false}};
  router.get("/echo",
             ws::endpoint(options, {.on_message_view = [&dropper](const ws::ConnectionPtr& c,
                                                                  ws::MessageView m) {
                            if (dropper.drop()) return;
                            m.is_text() ? c->send_text(m.payload) : c->send_binary(m.payload);
                          }}));
  auto transport = std::make_shared<examples::WsTransport>();
  router.get("/bcast", [everyone, transport, options](http::Exchange ex) {
    auto member = std::make_shared<std::shared_ptr<examples::WsMember>>();
    ws::accept(std::move(ex), options,
               {.on_open =
                    [everyone, transport, member](const ws::ConnectionPtr& c) {
                      *member = std::make_shared<examples::WsMember>(transport, c);
                      everyone.join(*member, "everyone");
                    },
                .on_message =
                    [everyone](const ws::ConnectionPtr&, ws::Message m) {
                      everyone.to("everyone").emit("message", examples::ws_value(m));
                    },
                .on_close =
                    [everyone, member](const ws::ConnectionPtr&, ws::CloseCode, std::string_view) {
                      if (auto m = std::exchange(*member, nullptr)) everyone.leave(*m);
                    }});
  });
}

void add_socketio(socketio::Server& sio, Dropper& dropper) {
  auto everyone = sio.sockets();
  sio.on_connection([everyone, &dropper](const socketio::SocketPtr& socket) {
    socket->on("echo", [&dropper](socketio::Socket& s, socketio::Event& e) {
      if (!dropper.drop()) s.emit_args("echo", std::move(e.args));
    });
    socket->on("bcast", [everyone](socketio::Event& e) {
      everyone.all().emit_args("bcast", std::move(e.args));
    });
  });
}

}  // namespace

int main(int argc, char** argv) {
  auto args =
      examples::parse_args(argc, argv,
                           {{"drop-every", "drop every Nth echoed message (0: none)", 0},
                            {"ping-ms", "Engine.IO ping interval", 25000},
                            {"redis-port", "join a cluster on this local Redis (0: none)", 0},
                            {"sharded", "1: the sharded adapter (SPUBLISH)", 0}});
  net::Runtime runtime({.shards = args.shards});
  http::Server server(runtime);
  Dropper dropper(args.flag("drop-every"));
  socketio::ServerOptions options{
      .engine = {.path = "/socket.io/",
                 .ping_interval = std::chrono::milliseconds(args.flag("ping-ms"))}};
  adapter::RedisAdapter* cluster = nullptr;
  if (const auto redis_port = args.flag("redis-port"); redis_port != 0) {
    options.adapter = adapter::redis_adapter(
        {.redis = {.host = "127.0.0.1", .port = static_cast<std::uint16_t>(redis_port)},
         .cluster = {.mode = args.flag("sharded") != 0 ? adapter::ClusterMode::Sharded
                                                       : adapter::ClusterMode::Classic}},
        [&cluster](adapter::RedisAdapter& a) {
          if (cluster == nullptr) cluster = &a;
        });
  }
  socketio::Server sio(runtime, options);
  add_raw_websocket(server.router(), sio.of("/bcast"), dropper);
  add_socketio(sio, dropper);
  sio.attach(server.router());
  if (cluster == nullptr) {
    if (!examples::listen(server, args)) return 1;
  } else {
    cluster->on_ready([&server, &args] {
      if (!examples::listen(server, args)) std::exit(1);
    });
  }
  return runtime.run();
}

// The Socket.IO server of server.cpp as one node of a cluster, built against an installed
// switchboard with switchboard::adapter (docs/library.md): "chat" reaches every other client
// of every node on the same Redis.   cluster_server --port N --redis redis://HOST:PORT
#include <cstdio>
#include <string>
#include <switchboard/adapter/redis_adapter.hpp>
#include <switchboard/http/server.hpp>
#include <switchboard/net/runtime.hpp>
#include <switchboard/socketio/server.hpp>

using namespace switchboard;

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: cluster_server --port N --redis URL\n");
    return 2;
  }
  auto redis = adapter::parse_redis_url(argv[4]);
  if (!redis) {
    std::fprintf(stderr, "cluster_server: bad Redis URL %s\n", argv[4]);
    return 2;
  }
  net::Runtime runtime({.shards = 2});
  http::Server http(runtime);
  socketio::ServerOptions options;
  options.adapter = adapter::redis_adapter({.redis = *redis});
  socketio::Server io(runtime, options);
  io.on_connection([](const socketio::SocketPtr& socket) {
    socket->emit("welcome", socket->id());
    socket->on("chat", [](socketio::Socket& s, socketio::Event& e) {
      s.broadcast().emit_args("chat", std::move(e.args));
    });
  });
  io.attach(http.router());
  http.listen({.address = "127.0.0.1", .port = static_cast<std::uint16_t>(std::stoi(argv[2]))});
  std::printf("listening on http://127.0.0.1:%u\n", unsigned(http.port()));
  std::fflush(stdout);
  return runtime.run();
}

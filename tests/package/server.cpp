// A Socket.IO server in twenty lines, built against an installed switchboard (docs/library.md):
// "echo" is acknowledged with its own arguments, "chat" reaches every other client.
#include <cstdio>
#include <string>
#include <switchboard/http/server.hpp>
#include <switchboard/net/runtime.hpp>
#include <switchboard/socketio/server.hpp>

using namespace switchboard;

int main(int argc, char** argv) {
  net::Runtime runtime({.shards = 2});
  http::Server http(runtime);
  socketio::Server io(runtime);
  io.on_connection([](const socketio::SocketPtr& socket) {
    socket->emit("welcome", socket->id());
    socket->on("echo", [](socketio::Event& e) { e.ack.send(std::move(e.args)); });
    socket->on("chat", [](socketio::Socket& s, socketio::Event& e) {  // s: the socket, this call
      s.broadcast().emit_args("chat", std::move(e.args));
    });
  });
  io.attach(http.router());
  std::uint16_t port = argc > 2 ? std::stoi(argv[2]) : 3000;  // sio_server [--port N]
  http.listen({.address = "127.0.0.1", .port = port});
  std::printf("listening on http://127.0.0.1:%u\n", unsigned(http.port()));
  std::fflush(stdout);
  return runtime.run();
}

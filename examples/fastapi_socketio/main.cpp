// The twin of the classic FastAPI + python-socketio server (socketio.AsyncServer mounted as an
// ASGIApp): on connect the client gets "message" {"data": "Connected"}; "message" is answered
// with "message" {"data": <what it sent>}; "chat_message" is answered with "chat_response"
// {"data": <message>, "from": <sid>} to the sender, or to everyone with `--broadcast 1`.
#include "common/args.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/socketio/server.hpp"

using namespace switchboard;

int main(int argc, char** argv) {
  auto args = examples::parse_args(
      argc, argv, {{"broadcast", "1: chat_response goes to every client, not just the sender", 0}});
  net::Runtime runtime({.shards = args.shards});
  http::Server server(runtime);
  socketio::Server sio(runtime,
                       {.engine = {.path = "/socket.io/", .cors = {.allowed_origins = {"*"}}}});
  const bool broadcast = args.flag("broadcast") != 0;
  auto everyone = sio.sockets();
  sio.on_connection([broadcast, everyone](const socketio::SocketPtr& socket) {
    socket->emit("message", boost::json::object{{"data", "Connected"}});
    socket->on("message", [](socketio::Socket& s, socketio::Event& e) {
      boost::json::value data = e.args.size() > 0 ? e.args[0] : nullptr;
      s.emit("message", boost::json::object{{"data", std::move(data)}});
    });
    socket->on("chat_message", [broadcast, everyone](socketio::Socket& s, socketio::Event& e) {
      boost::json::object reply{{"data", e.args.size() > 0 ? e.args[0] : nullptr},
                                {"from", s.id()}};
      if (broadcast) {
        everyone.emit("chat_response", std::move(reply));
      } else {
        s.emit("chat_response", std::move(reply));
      }
    });
  });
  sio.attach(server.router());
  if (!examples::listen(server, args)) return 1;
  return runtime.run();
}

// The twin of the classic Flask-SocketIO chat. Main namespace: "message" is sent back to
// everyone as "message" "Server echoes: <msg>". Namespace /chat: a client that connects gets
// "server_response" {"data": "Connected"}; "user_message" goes to everyone in /chat as
// "server_broadcast" {"data": <msg>, "from": <sid>}; "join" <room> (or {"room": <room>})
// joins it and tells the room "room_message" {"data": "<sid> has entered the room.",
// "room": <room>}. Every `--notify-ms` (5000; 0: never) the server itself emits "notification"
// {"data": "Server notification", "count": n} to all of /chat.
#include <boost/json/serialize.hpp>

#include "common/args.hpp"
#include "common/ticker.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/socketio/server.hpp"

using namespace switchboard;

namespace {

// The text of the first argument: a string as is, {"data": x} / {"room": x} by key.
std::string text_arg(const socketio::Event& e, std::string_view key = "data") {
  if (e.args.size() == 0) return "";
  const auto& v = e.args[0];
  if (v.is_string()) return std::string(v.as_string());
  if (const auto* o = v.if_object()) {
    if (const auto* f = o->if_contains(key); f && f->is_string())
      return std::string(f->as_string());
  }
  return boost::json::serialize(v);
}

void setup_main(socketio::Server& sio) {
  auto everyone = sio.sockets();
  sio.on_connection([everyone](const socketio::SocketPtr& socket) {
    socket->on("message", [everyone](socketio::Event& e) {
      everyone.emit("message", "Server echoes: " + text_arg(e));
    });
  });
}

void setup_chat(socketio::Namespace chat) {
  chat.on_connection([chat](const socketio::SocketPtr& socket) {
    socket->emit("server_response", boost::json::object{{"data", "Connected"}});
    socket->on("user_message", [chat](socketio::Socket& s, socketio::Event& e) {
      chat.emit("server_broadcast", boost::json::object{{"data", text_arg(e)}, {"from", s.id()}});
    });
    socket->on("join", [chat](socketio::Socket& s, socketio::Event& e) {
      auto room = text_arg(e, "room");
      s.join(room);
      chat.to(room).emit(
          "room_message",
          boost::json::object{{"data", s.id() + " has entered the room."}, {"room", room}});
      e.ack(room);
    });
  });
}

}  // namespace

int main(int argc, char** argv) {
  auto args = examples::parse_args(argc, argv, {{"notify-ms", "period of the notification", 5000}});
  net::Runtime runtime({.shards = args.shards});
  http::Server server(runtime);
  socketio::Server sio(runtime,
                       {.engine = {.path = "/socket.io/", .cors = {.allowed_origins = {"*"}}}});
  setup_main(sio);
  auto chat = sio.of("/chat");
  setup_chat(chat);
  std::uint64_t count = 0;
  examples::Ticker notifications(
      runtime.shard(0), std::chrono::milliseconds(args.flag("notify-ms")), [&] {
        chat.emit("notification",
                  boost::json::object{{"data", "Server notification"}, {"count", ++count}});
      });
  sio.attach(server.router());
  if (!examples::listen(server, args)) return 1;
  return runtime.run();
}

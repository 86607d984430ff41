// The twin of python-socketio's classic server example (examples/server/*/app.py): rooms
// (enter, leave, close, list a socket's rooms), sessions (save_session/get_session), a
// catch-all handler for events nobody handles, a background event every `--tick-ms`, and the
// page at "/" that drives it all from a browser (its client, /socket.io.min.js, is the npm
// package's browser bundle, read at start-up).
//
// Events ({"data": ..., "room": ...} payloads, answers as "my_response" {"data": ...}):
//   my_event → the sender;  my_broadcast_event → everyone;  join / leave {"room"} → the
//   sender;  close_room {"room"} → the room, then everyone leaves it;  my_room_event
//   {"room","data"} → the room;  rooms → ack with the socket's rooms;  set_name {"name"} →
//   save_session;  whoami → ack with get_session();  disconnect_request → server disconnect;
//   anything else → "my_response" {"data": "unhandled event: <name>", "args": [...]}.
#include <fstream>
#include <set>
#include <sstream>

#include "common/args.hpp"
#include "common/ticker.hpp"
#include "python_socketio/page.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/socketio/server.hpp"

using namespace switchboard;

namespace {

using socketio::Event;
using socketio::Socket;

// A field of the first argument when it is an object ("" when absent).
boost::json::value field(const Event& e, std::string_view key) {
  if (e.args.size() == 0 || !e.args[0].is_object()) return "";
  const auto* v = e.args[0].as_object().if_contains(key);
  return v ? *v : boost::json::value("");
}

std::string room_of(const Event& e) {
  auto v = field(e, "room");
  return v.is_string() ? std::string(v.as_string()) : "";
}

boost::json::object response(boost::json::value data) {
  return {{"data", std::move(data)}};
}
boost::json::object response(std::string_view text) {
  return response(boost::json::value(text));
}

void add_rooms(Socket& socket, socketio::Namespace nsp) {
  socket.on("join", [](Socket& s, Event& e) {
    s.join(room_of(e));
    s.emit("my_response", response("Entered room: " + room_of(e)));
  });
  socket.on("leave", [](Socket& s, Event& e) {
    s.leave(room_of(e));
    s.emit("my_response", response("Left room: " + room_of(e)));
  });
  socket.on("close_room", [nsp](Event& e) {
    auto room = room_of(e);
    nsp.to(room).emit("my_response", response("Room " + room + " is closing."));
    nsp.to(room).sockets_leave({room});
  });
  socket.on("my_room_event", [nsp](Event& e) {
    nsp.to(room_of(e)).emit("my_response", response(field(e, "data")));
  });
  socket.on("rooms", [](Socket& s, Event& e) {
    boost::json::array rooms;
    for (const auto& r : s.rooms()) rooms.emplace_back(r);
    e.ack(std::move(rooms));
  });
}

void add_sessions(Socket& socket) {
  socket.on("set_name", [](Socket& s, Event& e) {
    boost::json::object session =
        s.get_session().is_object() ? s.get_session().as_object() : boost::json::object{};
    session["name"] = field(e, "name");
    s.save_session(std::move(session));
    e.ack(true);
  });
  socket.on("whoami", [](Socket& s, Event& e) { e.ack(s.get_session()); });
}

void add_messages(Socket& socket, socketio::Namespace nsp) {
  socket.on("my_event",
            [](Socket& s, Event& e) { s.emit("my_response", response(field(e, "data"))); });
  socket.on("my_broadcast_event",
            [nsp](Event& e) { nsp.emit("my_response", response(field(e, "data"))); });
  socket.on("disconnect_request", [](Socket& s, Event&) { s.disconnect(); });
}

// python-socketio's catch-all ("*"): runs for events that have no handler of their own.
void add_catch_all(Socket& socket) {
  static const std::set<std::string, std::less<>> handled{
      "my_event",   "my_broadcast_event", "join",  "leave",
      "close_room", "my_room_event",      "rooms", "set_name",
      "whoami",     "disconnect_request"};
  socket.on_any([](Socket& s, const Event& e) {
    if (handled.contains(e.name)) return;
    auto reply = response("unhandled event: " + e.name);
    reply["args"] = e.args.values;
    s.emit("my_response", std::move(reply));
  });
}

}  // namespace

int main(int argc, char** argv) {
  auto args = examples::parse_args(argc, argv, {{"tick-ms", "period of the server event", 10000}});
  net::Runtime runtime({.shards = args.shards});
  http::Server server(runtime);
  socketio::Server sio(runtime, {.engine = {.path = "/socket.io/"}});
  auto nsp = sio.sockets();
  sio.on_connection([nsp](const socketio::SocketPtr& socket) {
    socket->emit("my_response", boost::json::object{{"data", "Connected"}, {"count", 0}});
    add_messages(*socket, nsp);
    add_rooms(*socket, nsp);
    add_sessions(*socket);
    add_catch_all(*socket);
  });
  std::uint64_t count = 0;
  examples::Ticker background(
      runtime.shard(0), std::chrono::milliseconds(args.flag("tick-ms")), [&] {
        nsp.emit("my_response",
                 boost::json::object{{"data", "Server generated event"}, {"count", ++count}});
      });
  std::ostringstream client_js;
  client_js << std::ifstream(SB_SOCKETIO_CLIENT_JS).rdbuf();
  server.router().get("/socket.io.min.js", [js = client_js.str()](http::Exchange ex) {
    if (js.empty()) return ex.respond(http::Response::error(404, "run npm ci for the client"));
    ex.respond(http::Response::text(200, js, "text/javascript; charset=utf-8"));
  });
  server.router().get("/", [](http::Exchange ex) {
    ex.respond(http::Response::text(200, std::string(examples::kPythonSocketioPage),
                                    "text/html; charset=utf-8"));
  });
  sio.attach(server.router());
  if (!examples::listen(server, args)) return 1;
  return runtime.run();
}

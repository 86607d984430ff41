// The Socket.IO server the official Socket.IO protocol test suite expects (socket.io-protocol's
// test-suite): port 3000 by default, pingInterval 300 ms, pingTimeout 200 ms, maxPayload
// 1000000, connectTimeout 1000 ms, CORS for any origin with credentials. On "/" and "/custom":
// the handshake's auth is emitted back as "auth", "message" comes back as "message-back",
// "message-with-ack" is acknowledged with its own arguments.
//
// For the integration tests, `--extras 1` adds rooms, broadcasts, volatile emits, acks from the
// server, server-side disconnects and socket data (see setup); `--recovery 1` turns on
// connection state recovery; and `--require-token T` refuses any
// client whose auth.token is not T with CONNECT_ERROR {"message":"not authorized","data":...}.
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "common/args.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/socketio/server.hpp"

using namespace switchboard;
using namespace std::chrono_literals;

namespace {

using socketio::Args;
using socketio::Event;
using socketio::SocketPtr;

// Removes "--name value" (or "--name=value") from argv and returns the value; parse_args only
// knows numeric options.
std::string take_string_option(int& argc, char** argv, std::string_view name) {
  std::string value;
  std::string flag = "--" + std::string(name);
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    int used = 0;
    if (arg == flag && i + 1 < argc) {
      value = argv[i + 1];
      used = 2;
    } else if (arg.starts_with(flag + "=")) {
      value = std::string(arg.substr(flag.size() + 1));
      used = 1;
    } else {
      continue;
    }
    for (int j = i; j + used <= argc; ++j) argv[j] = argv[j + used];
    argc -= used;
    break;
  }
  return value;
}

// The first argument as a string ("" when absent or not a string).
std::string first_string(const Event& e) {
  return e.args.size() > 0 && e.args[0].is_string() ? std::string(e.args[0].as_string()) : "";
}

// Args without the first `n` values (binaries among the rest keep their bytes).
Args drop_front(Args args, std::size_t n) {
  Args rest;
  for (std::size_t i = n; i < args.values.size(); ++i) {
    rest.values.push_back(std::move(args.values[i]));
  }
  return rest;
}

boost::json::array room_list(const socketio::Socket& socket) {
  boost::json::array rooms;
  for (const auto& r : socket.rooms()) rooms.emplace_back(r);
  return rooms;
}

// The reference test suite's handlers. With `pace_auth` (the plain mode the official suite
// runs against), "auth" leaves 20 ms after the CONNECT reply rather than in the same write:
// the suite awaits the two messages one at a time on a client (`ws`) that dispatches a whole
// read at once, so a second frame in the same read is lost to it. The reference happens to
// write them apart (its transport sends again only once a write completed); ours gathers a
// loop turn's frames into one write.
void add_basics(const SocketPtr& socket, bool pace_auth) {
  if (pace_auth) {
    auto timer = std::make_shared<boost::asio::steady_timer>(socket->shard().context(), 20ms);
    timer->async_wait([timer, weak = std::weak_ptr(socket)](boost::system::error_code) {
      if (auto socket = weak.lock(); socket && socket->connected()) {
        socket->emit("auth", boost::json::value(socket->handshake().auth));
      }
    });
  } else {
    socket->emit("auth", boost::json::value(socket->handshake().auth));
  }
  socket->on("message",
             [](socketio::Socket& s, Event& e) { s.emit_args("message-back", std::move(e.args)); });
  socket->on("message-with-ack", [](Event& e) { e.ack.send(std::move(e.args)); });
}

// Rooms: "join"/"leave" a room (ack: the socket's rooms), "rooms" (ack: the rooms),
// "to-room" [room, ...args] → "room-message" [...args] to everyone in the room.
void add_rooms(const SocketPtr& socket, socketio::Namespace nsp) {
  socket->on("join", [](socketio::Socket& s, Event& e) {
    s.join(first_string(e));
    e.ack(room_list(s));
  });
  socket->on("leave", [](socketio::Socket& s, Event& e) {
    s.leave(first_string(e));
    e.ack(room_list(s));
  });
  socket->on("rooms", [](socketio::Socket& s, Event& e) { e.ack(room_list(s)); });
  socket->on("to-room", [nsp](Event& e) {
    auto room = first_string(e);
    nsp.to(room).emit_args("room-message", drop_front(std::move(e.args), 1));
    e.ack();
  });
}

// Broadcasts: "broadcast" → "broadcast-message" to every socket of the namespace,
// "broadcast-others" → the same to every other socket, "volatile" → "volatile-back" to the
// sender, as a volatile packet; "count" acks the number of sockets of the namespace.
void add_broadcasts(const SocketPtr& socket, socketio::Namespace nsp) {
  socket->on("broadcast", [nsp](Event& e) {
    nsp.all().emit_args("broadcast-message", std::move(e.args));
    e.ack();
  });
  socket->on("broadcast-others", [](socketio::Socket& s, Event& e) {
    s.broadcast().emit_args("broadcast-message", std::move(e.args));
    e.ack();
  });
  socket->on("volatile", [nsp](socketio::Socket& s, Event& e) {
    nsp.to(s.id()).volatile_().emit_args("volatile-back", std::move(e.args));
  });
  socket->on("count", [nsp](Event& e) {
    nsp.all().fetch_sockets(
        [ack = e.ack](std::vector<socketio::SocketInfo> found) mutable { ack(found.size()); });
  });
}

// Acks from the server: "ask" [...args] (with ack) → the server emits "question" [...args]
// with an ack and answers the original event with the client's reply, or
// {"error": "..."} when the client does not answer within 2 s. "ask-all" asks every socket
// of the namespace and acks with the list of replies.
void add_server_acks(const SocketPtr& socket, socketio::Namespace nsp) {
  socket->on("ask", [](socketio::Socket& s, Event& e) {
    s.emit_with_ack(
        "question", std::move(e.args),
        [ack = e.ack](socketio::AckError error, Args reply) mutable {
          if (error) return ack(boost::json::object{{"error", *error}});
          ack.send(std::move(reply));
        },
        2s);
  });
  socket->on("ask-all", [nsp](Event& e) {
    nsp.timeout(2s).emit_with_ack(
        "question", std::move(e.args),
        [ack = e.ack](std::optional<std::string> error, std::vector<Args> replies) mutable {
          boost::json::array all;
          for (auto& r : replies) all.emplace_back(std::move(r.values));
          boost::json::object out{{"replies", std::move(all)}};
          if (error) out["error"] = *error;
          ack(std::move(out));
        });
  });
}

// Values passed on (binaries keep their bytes): "pass-on" [value] (with ack) → "passed"
// [value, {"nested": value}] to the sender, "passed-to" [{"in": [value]}] through to(its id),
// then "passed-ask" [value] with an ack; the client's answer [reply] comes back as the ack of
// "pass-on": [reply, {"again": reply}].
void add_pass_on(const SocketPtr& socket, socketio::Namespace nsp) {
  socket->on("pass-on", [nsp](socketio::Socket& s, Event& e) {
    if (e.args.size() == 0) return;
    const auto& value = e.args[0];
    s.emit("passed", value, boost::json::object{{"nested", value}});
    nsp.to(s.id()).emit("passed-to", boost::json::object{{"in", boost::json::array{value}}});
    s.emit_with_ack("passed-ask", Args::of(value),
                    [ack = e.ack](socketio::AckError error, Args reply) mutable {
                      if (error || reply.size() == 0) return ack(error.value_or("no reply"));
                      ack(reply[0], boost::json::object{{"again", reply[0]}});
                    });
  });
}

// Socket data: "set-data" [value] keeps it in socket.data, "get-data" acks it and whether
// the socket was recovered.
void add_data(const SocketPtr& socket) {
  socket->on("set-data", [](socketio::Socket& s, Event& e) {
    s.data = e.args.size() > 0 ? e.args[0] : boost::json::value();
    e.ack();
  });
  socket->on("get-data", [](socketio::Socket& s, Event& e) { e.ack(s.data, s.recovered()); });
}

// Outgoing events: "watch-outgoing" starts recording the names of the events sent to this
// socket (direct and broadcast), "outgoing" acks them.
void add_outgoing(const SocketPtr& socket) {
  auto names = std::make_shared<boost::json::array>();
  socket->on("watch-outgoing", [names](socketio::Socket& s, Event& e) {
    s.on_any_outgoing([names](const Event& out) { names->emplace_back(out.name); });
    e.ack();
  });
  socket->on("outgoing", [names](Event& e) { e.ack(*names); });
}

// "drop-me": the connection drops as in a network failure ("forced close"), then the
// namespace broadcasts "missed" ["while-away"], for the client to recover.
void add_drop(const SocketPtr& socket, socketio::Namespace nsp) {
  socket->on("drop-me", [nsp](socketio::Socket& s, Event&) {
    s.on_disconnect(
        [nsp](socketio::Socket&, socketio::DisconnectReason) { nsp.emit("missed", "while-away"); });
    if (auto conn = s.conn()) conn->close();
  });
}

// "is-connected" [id]: acks whether a socket with that id is in the namespace.
void add_presence(const SocketPtr& socket, socketio::Namespace nsp) {
  socket->on("is-connected", [nsp](Event& e) {
    nsp.to(first_string(e))
        .fetch_sockets([ack = e.ack](std::vector<socketio::SocketInfo> found) mutable {
          ack(!found.empty());
        });
  });
}

// Disconnects: "disconnect-me" [close?] leaves the namespace ("io server disconnect" on the
// client), or with `true` closes the whole connection.
void add_disconnects(const SocketPtr& socket) {
  socket->on("disconnect-me", [](socketio::Socket& s, Event& e) {
    bool close = e.args.size() > 0 && e.args[0].is_bool() && e.args[0].as_bool();
    s.disconnect(close);
  });
}

// User code that throws (the server survives, counts it, and disconnects only the socket it
// ran for): "throw" throws in its handler; "throw-in-any" in the catch-all listener;
// "throw-outgoing" in the outgoing listener (then emits "outgoing-probe" to trip it);
// "throw-in-ack" in the callback of the client's answer to "question"; "throw-in-ack-timeout"
// in the timeout callback of "silence" (left unanswered); "throw-in-broadcast-ack" in a
// broadcast's ack callback, "throw-in-fetch" in fetch_sockets' callback and
// "throw-in-server-side" in server_side_emit_with_ack's (none of them belongs to a socket:
// the event is acked and nobody is disconnected); "throw-on-disconnect" arms throwing
// disconnecting and disconnect handlers. "handler-errors" acks Server::handler_errors().
void add_failures(const SocketPtr& socket, socketio::Namespace nsp, socketio::Server& io) {
  auto fail = [](std::string what) { throw std::runtime_error(what); };
  socket->on("throw", [fail](Event&) { fail("thrown by the throw handler"); });
  socket->on_any([fail](const Event& e) {
    if (e.name == "throw-in-any") fail("thrown by on_any");
  });
  socket->on("throw-outgoing", [fail](socketio::Socket& s, Event&) {
    s.on_any_outgoing([fail](const Event&) { fail("thrown by on_any_outgoing"); });
    s.emit("outgoing-probe");
  });
  socket->on("throw-in-ack", [fail](socketio::Socket& s, Event&) {
    s.emit_with_ack("question", Args::of("throw"),
                    [fail](socketio::AckError, Args) { fail("thrown by an ack callback"); });
  });
  socket->on("throw-in-ack-timeout", [fail](socketio::Socket& s, Event&) {
    s.emit_with_ack(
        "silence", {}, [fail](socketio::AckError, Args) { fail("thrown on an ack timeout"); },
        50ms);
  });
  socket->on("throw-in-broadcast-ack", [nsp, fail](Event& e) {
    nsp.timeout(2s).emit_with_ack(
        "question", Args::of("broadcast"),
        [ack = e.ack, fail](std::optional<std::string>, std::vector<Args>) mutable {
          ack();
          fail("thrown by a broadcast ack callback");
        });
  });
  socket->on("throw-in-fetch", [nsp, fail](Event& e) {
    nsp.all().fetch_sockets([ack = e.ack, fail](std::vector<socketio::SocketInfo>) mutable {
      ack();
      fail("thrown by a fetch_sockets callback");
    });
  });
  socket->on("throw-in-server-side", [&io, fail](Event& e) {
    io.server_side_emit_with_ack(
        "ping", {}, 1s, [ack = e.ack, fail](std::optional<std::string>, std::vector<Args>) mutable {
          ack();
          fail("thrown by a server-side ack callback");
        });
  });
  socket->on("throw-on-disconnect", [fail](socketio::Socket& s, Event& e) {
    s.on_disconnecting([fail](std::string_view) { fail("thrown by on_disconnecting"); });
    s.on_disconnect([fail](std::string_view) { fail("thrown by on_disconnect"); });
    e.ack();
  });
  socket->on("handler-errors", [&io](Event& e) { e.ack(io.handler_errors()); });
}

// Namespaces whose own user code throws: "/throw-on-connect" in its connection handler,
// "/throw-in-middleware" in its middleware.
void add_failing_namespaces(socketio::Server& io) {
  io.of("/throw-on-connect").on_connection([](const SocketPtr&) {
    throw std::runtime_error("thrown by a connection handler");
  });
  io.of("/throw-in-middleware").use([](const SocketPtr&, auto) {
    throw std::runtime_error("thrown by a middleware");
  });
}

// Refuses clients whose auth.token is not `token`.
socketio::Middleware require_token(std::string token) {
  return [token](const SocketPtr& socket, auto next) {
    const auto* given = socket->handshake().auth.if_contains("token");
    if (given && given->is_string() && given->as_string() == token) return next();
    next(socketio::ConnectError{"not authorized",
                                boost::json::object{{"reason", given ? "bad token" : "no token"}}});
  };
}

void setup(socketio::Server& io, socketio::Namespace nsp, bool extras, const std::string& token) {
  if (!token.empty()) nsp.use(require_token(token));
  nsp.on_connection([&io, nsp, extras](const SocketPtr& socket) {
    add_basics(socket, !extras);
    if (!extras) return;
    add_rooms(socket, nsp);
    add_broadcasts(socket, nsp);
    add_server_acks(socket, nsp);
    add_disconnects(socket);
    add_data(socket);
    add_presence(socket, nsp);
    add_outgoing(socket);
    add_drop(socket, nsp);
    add_failures(socket, nsp, io);
    add_pass_on(socket, nsp);
  });
}

}  // namespace

int main(int argc, char** argv) {
  auto token = take_string_option(argc, argv, "require-token");
  auto args = examples::parse_args(argc, argv,
                                   {{"ping-interval-ms", "heartbeat period", 300},
                                    {"ping-timeout-ms", "heartbeat timeout", 200},
                                    {"max-payload", "largest payload in bytes", 1000000},
                                    {"connect-timeout-ms", "time to join a namespace", 1000},
                                    {"extras", "1: rooms, broadcasts, server acks, disconnects", 0},
                                    {"recovery", "1: connection state recovery", 0}});
  if (args.listen.port == 8000) args.listen.port = 3000;
  net::Runtime runtime({.shards = args.shards});
  http::Server server(runtime);
  socketio::ServerOptions options{
      .engine = {.path = "/socket.io/",
                 .ping_interval = std::chrono::milliseconds(args.flag("ping-interval-ms")),
                 .ping_timeout = std::chrono::milliseconds(args.flag("ping-timeout-ms")),
                 .max_payload = args.flag("max-payload"),
                 .cors = {.allowed_origins = {"*"}, .allow_credentials = true}},
      .connect_timeout = std::chrono::milliseconds(args.flag("connect-timeout-ms"))};
  if (args.flag("recovery"))
    options.connection_state_recovery = socketio::ConnectionStateRecovery{};
  socketio::Server io(runtime, options);
  bool extras = args.flag("extras") != 0;
  setup(io, io.of("/"), extras, token);
  setup(io, io.of("/custom"), extras, token);
  if (extras) add_failing_namespaces(io);
  io.attach(server.router());
  if (!examples::listen(server, args)) return 1;
  return runtime.run();
}

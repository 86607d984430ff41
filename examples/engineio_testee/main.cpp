// The plain Engine.IO server the official Engine.IO protocol test suite expects: path
// /engine.io/, port 3000 by default, every message sent back to its sender, pingInterval
// 300 ms, pingTimeout 200 ms, maxPayload 1000000, CORS for any origin.
//
// With `--extras 1`, handlers that throw (the server closes only that session, counts it and
// carries on): the message "throw" throws in the message handler, "throw-on-close" arms a
// close handler that throws, a handshake with `throw=connection` in its query throws in the
// connection handler; "handler-errors" is answered with Server::handler_errors().
#include <stdexcept>
#include <string>

#include "common/args.hpp"
#include "switchboard/engineio/server.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/net/runtime.hpp"

using namespace switchboard;
using namespace std::chrono_literals;

int main(int argc, char** argv) {
  auto args = examples::parse_args(argc, argv,
                                   {{"ping-interval-ms", "heartbeat period", 300},
                                    {"ping-timeout-ms", "heartbeat timeout", 200},
                                    {"max-payload", "largest payload in bytes", 1000000},
                                    {"extras", "1: handlers that throw", 0}});
  if (args.listen.port == 8000) args.listen.port = 3000;
  net::Runtime runtime({.shards = args.shards});
  http::Server server(runtime);
  engineio::Server eio(runtime,
                       {.path = "/engine.io/",
                        .ping_interval = std::chrono::milliseconds(args.flag("ping-interval-ms")),
                        .ping_timeout = std::chrono::milliseconds(args.flag("ping-timeout-ms")),
                        .max_payload = args.flag("max-payload"),
                        .cors = {.allowed_origins = {"*"}, .allow_credentials = true}});
  bool extras = args.flag("extras") != 0;
  eio.on_connection([&eio, extras](const engineio::SocketPtr& socket) {
    if (extras && socket->request().query_param("throw") == "connection") {
      throw std::runtime_error("thrown by the connection handler");
    }
    socket->on_message([&eio, extras, weak = std::weak_ptr(socket)](engineio::Packet p) {
      auto s = weak.lock();
      if (!s) return;
      if (extras && !p.binary) {
        if (p.data == "throw") throw std::runtime_error("thrown by the message handler");
        if (p.data == "throw-on-close") {
          s->on_close([](std::string_view) { throw std::runtime_error("thrown on close"); });
        }
        if (p.data == "handler-errors") {
          s->send(std::to_string(eio.handler_errors()));
          return;
        }
      }
      p.binary ? s->send_binary(p.data) : s->send(p.data);
    });
  });
  eio.attach(server.router());
  if (!examples::listen(server, args)) return 1;
  return runtime.run();
}

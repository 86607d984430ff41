// The plain Engine.IO server the official Engine.IO protocol test suite expects: path
// /engine.io/, port 3000 by default, every message sent back to its sender, pingInterval
// 300 ms, pingTimeout 200 ms, maxPayload 1000000, CORS for any origin.
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
                                    {"max-payload", "largest payload in bytes", 1000000}});
  if (args.listen.port == 8000) args.listen.port = 3000;
  net::Runtime runtime({.shards = args.shards});
  http::Server server(runtime);
  engineio::Server eio(runtime,
                       {.path = "/engine.io/",
                        .ping_interval = std::chrono::milliseconds(args.flag("ping-interval-ms")),
                        .ping_timeout = std::chrono::milliseconds(args.flag("ping-timeout-ms")),
                        .max_payload = args.flag("max-payload"),
                        .cors = {.allowed_origins = {"*"}, .allow_credentials = true}});
  eio.on_connection([](const engineio::SocketPtr& socket) {
    socket->on_message([weak = std::weak_ptr(socket)](engineio::Packet p) {
      auto s = weak.lock();
      if (!s) return;
      p.binary ? s->send_binary(p.data) : s->send(p.data);
    });
  });
  eio.attach(server.router());
  if (!examples::listen(server, args)) return 1;
  return runtime.run();
}

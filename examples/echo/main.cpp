// The classic WebSocket echo server: /echo sends every text and binary message back
// unchanged; /ws answers each text message with "Echo: <text>".
#include "common/args.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/ws/endpoint.hpp"

using namespace switchboard;

int main(int argc, char** argv) {
  auto args = examples::parse_args(argc, argv,
                                   {{"max-message", "largest message in bytes", 16 << 20},
                                    {"deflate", "1: offer permessage-deflate", 1}});
  net::Runtime runtime({.shards = args.shards});
  http::Server server(runtime);
  ws::ServerOptions options{
      .max_message_size = args.flag("max-message"),
      .permessage_deflate = {.enabled = args.flag("deflate") != 0},
  };
  server.router().get(
      "/echo", ws::endpoint(options, {.on_message = [](const ws::ConnectionPtr& c, ws::Message m) {
                              m.is_text() ? c->send_text(m.payload) : c->send_binary(m.payload);
                            }}));
  server.router().get(
      "/ws", ws::endpoint(options, {.on_message = [](const ws::ConnectionPtr& c, ws::Message m) {
                            if (m.is_text()) c->send_text("Echo: " + m.payload);
                          }}));
  if (!examples::listen(server, args)) return 1;
  return runtime.run();
}

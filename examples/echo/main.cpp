// The classic WebSocket echo server: /echo sends every text and binary message back
// unchanged; /ws answers each text message with "Echo: <text>". Both speak the subprotocols
// "chat" and "superchat" (RFC 6455's example) when a client asks for one.
#include "common/args.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/ws/endpoint.hpp"

using namespace switchboard;

int main(int argc, char** argv) {
  auto args = examples::parse_args(
      argc, argv,
      {{"max-message", "largest message in bytes", 16 << 20},
       {"deflate", "1: offer permessage-deflate", 1},
       {"ping-ms", "ping a quiet client after this long", 30000},
       {"idle-ms", "close a silent client after this long", 120000},
       {"queue-limit", "outbound bytes before a slow client is closed", 16 << 20},
       {"message-ms", "time one message may take to arrive in full", 60000},
       {"message-budget", "bytes of unfinished messages a shard may hold", 64 << 20},
       {"check-origin", "1: only pages from http://allowed.example", 0}});
  net::Runtime runtime({.shards = args.shards});
  http::Server server(runtime);
  ws::ServerOptions options{
      .max_message_size = args.flag("max-message"),
      .message_timeout = std::chrono::milliseconds(args.flag("message-ms")),
      .message_budget = args.flag("message-budget"),
      .ping_interval = std::chrono::milliseconds(args.flag("ping-ms")),
      .idle_timeout = std::chrono::milliseconds(args.flag("idle-ms")),
      .permessage_deflate = {.enabled = args.flag("deflate") != 0},
      .subprotocols = {"chat", "superchat"},
      .write_queue = {.soft_limit = args.flag("queue-limit") / 4,
                      .hard_limit = args.flag("queue-limit")},
  };
  if (args.flag("check-origin")) {
    options.allow_origin = [](std::string_view origin) {
      return origin == "http://allowed.example";
    };
  }
  // The echo answers at once, so a view of each message is enough (no copy of it); /ws keeps
  // the message as a string of its own.
  server.router().get(
      "/echo",
      ws::endpoint(options, {.on_message_view = [](const ws::ConnectionPtr& c, ws::MessageView m) {
                     m.is_text() ? c->send_text(m.payload) : c->send_binary(m.payload);
                   }}));
  server.router().get(
      "/ws", ws::endpoint(options, {.on_message = [](const ws::ConnectionPtr& c, ws::Message m) {
                            if (m.is_text()) c->send_text("Echo: " + m.payload);
                          }}));
  if (!examples::listen(server, args)) return 1;
  return runtime.run();
}

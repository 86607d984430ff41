// The classic broadcast chat: every message from one client reaches every other connected
// client, not its author. The WebSocket endpoint is "/"; a plain GET of "/" serves a page.
//
// The connections are members of one room of a Socket.IO namespace, the project's one
// fan-out (docs/decisions/019-no-second-hub.md): with `--redis redis://HOST:PORT` several
// processes on one Redis form one chat, each message reaching every other client of every
// process (through the @socket.io/redis-adapter format).
#include <cstdio>
#include <cstdlib>

#include "common/args.hpp"
#include "common/ws_member.hpp"
#include "switchboard/adapter/redis_adapter.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/socketio/server.hpp"
#include "switchboard/ws/endpoint.hpp"

using namespace switchboard;

namespace {

constexpr std::string_view kPage = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>switchboard broadcast</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui;margin:2em auto;max-width:40em;padding:0 1em}
#log{border:1px solid #ccc;height:20em;overflow:auto;padding:.5em;white-space:pre-wrap}
form{display:flex;gap:.5em;margin-top:.5em}input{flex:1}</style></head>
<body><h1>Broadcast</h1><p id="state">connecting…</p><div id="log"></div>
<form id="f"><input id="m" autocomplete="off" placeholder="Say something"><button>Send</button></form>
<script>
const log = document.getElementById('log');
const add = (t) => { const d = document.createElement('div'); d.textContent = t;
                     log.append(d); log.scrollTop = log.scrollHeight; };
const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/');
ws.onopen = () => document.getElementById('state').textContent = 'connected';
ws.onclose = () => document.getElementById('state').textContent = 'disconnected';
ws.onmessage = (e) => add('them: ' + e.data);
document.getElementById('f').onsubmit = (e) => {
  e.preventDefault(); const m = document.getElementById('m');
  if (m.value && ws.readyState === 1) { ws.send(m.value); add('me: ' + m.value); m.value = ''; }
};
</script></body></html>
)html";

}  // namespace

int main(int argc, char** argv) {
  auto args = examples::parse_args(argc, argv,
                                   {{"deflate", "1: offer permessage-deflate", 1},
                                    {.name = "redis",
                                     .help = "join the processes on this Redis (redis://HOST:PORT)",
                                     .text = true}});
  net::Runtime runtime({.shards = args.shards});
  http::Server server(runtime);
  socketio::ServerOptions sio_options;
  adapter::RedisAdapter* cluster = nullptr;
  if (const auto& url = args.text("redis"); !url.empty()) {
    auto redis = adapter::parse_redis_url(url);
    if (!redis) {
      std::fprintf(stderr, "broadcast: bad --redis URL %s\n", url.c_str());
      return 2;
    }
    sio_options.adapter = adapter::redis_adapter({.redis = *redis}, [&cluster](auto& a) {
      if (cluster == nullptr) cluster = &a;
    });
  }
  // Only its rooms are used: no Socket.IO route is attached.
  socketio::Server io(runtime, sio_options);
  auto chat = io.sockets();
  // The message is framed and compressed once for every connection, on every shard.
  auto transport = std::make_shared<examples::WsTransport>(
      ws::PrepareOptions{.compress = args.flag("deflate") != 0});
  ws::ServerOptions options{.permessage_deflate = {.enabled = args.flag("deflate") != 0}};
  server.router().get("/", [chat, transport, options](http::Exchange ex) {
    if (!ws::is_upgrade(ex.request())) {
      return ex.respond(http::Response::text(200, std::string(kPage), "text/html; charset=utf-8"));
    }
    // The connection's place in the rooms, from its opening to its close.
    auto member = std::make_shared<std::shared_ptr<examples::WsMember>>();
    ws::accept(
        std::move(ex), options,
        {.on_open =
             [chat, transport, member](const ws::ConnectionPtr& c) {
               *member = std::make_shared<examples::WsMember>(transport, c);
               chat.join(*member, "everyone");
               chat.join(*member, (*member)->room);
             },
         .on_message =
             [chat, member](const ws::ConnectionPtr&, ws::Message m) {
               chat.to("everyone").except((*member)->room).emit("message", examples::ws_value(m));
             },
         .on_close =
             [chat, member](const ws::ConnectionPtr&, ws::CloseCode, std::string_view) {
               if (auto m = std::exchange(*member, nullptr)) chat.leave(*m);
             }});
  });
  if (cluster == nullptr) {
    if (!examples::listen(server, args)) return 1;
  } else {
    // The port opens once the process is subscribed: a message sent earlier would miss the
    // other processes.
    cluster->on_ready([&server, &args] {
      if (!examples::listen(server, args)) std::exit(1);
    });
  }
  return runtime.run();
}

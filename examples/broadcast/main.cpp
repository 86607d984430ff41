// The classic broadcast chat: every message from one client reaches every other connected
// client, not its author. The WebSocket endpoint is "/"; a plain GET of "/" serves a page.
#include "common/args.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/ws/endpoint.hpp"
#include "switchboard/ws/group.hpp"

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
  auto args = examples::parse_args(argc, argv, {{"deflate", "1: offer permessage-deflate", 1}});
  net::Runtime runtime({.shards = args.shards});
  http::Server server(runtime);
  ws::Group everyone(runtime);
  ws::ServerOptions options{.permessage_deflate = {.enabled = args.flag("deflate") != 0}};
  auto socket = ws::endpoint(
      options,
      {.on_open = [&](const ws::ConnectionPtr& c) { everyone.add(c); },
       .on_message = [&](const ws::ConnectionPtr& c,
                         ws::Message m) { everyone.publish(m.opcode, m.payload, c->id()); },
       .on_close = [&](const ws::ConnectionPtr& c, ws::CloseCode,
                       std::string_view) { everyone.remove(*c); }});
  server.router().get("/", [socket](http::Exchange ex) {
    if (ws::is_upgrade(ex.request())) return socket(ex);
    ex.respond(http::Response::text(200, std::string(kPage), "text/html; charset=utf-8"));
  });
  if (!examples::listen(server, args)) return 1;
  return runtime.run();
}

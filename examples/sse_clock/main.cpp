// Server-Sent Events: a clock streamed to every browser tab, plus numbered `update` events that
// a reconnecting client gets again from where it left off (Last-Event-ID).
//
//   GET /              a page showing both with EventSource
//   GET /sse-example   the event stream
//   GET /stats         {"subscribers":N}, streams open on every shard

#include <chrono>
#include <ctime>
#include <string>

#include "common/args.hpp"
#include "common/ticker.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/sse/topic.hpp"

namespace sb = switchboard;
using std::chrono::milliseconds;

namespace {

constexpr const char* kPage = R"html(<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>SSE clock</title>
<style>
  body { font: 16px system-ui, sans-serif; margin: 2rem; }
  #clock { font: 2rem ui-monospace, monospace; }
  #updates { font-family: ui-monospace, monospace; max-height: 60vh; overflow: auto; }
</style>
<h1>Server-Sent Events</h1>
<p>Now (a <code>message</code> every 100 ms): <span id="clock">…</span></p>
<p>Connection: <span id="state">connecting</span></p>
<h2><code>update</code> events (with ids, replayed after a reconnection)</h2>
<ol id="updates" reversed></ol>
<script>
  const source = new EventSource("/sse-example");
  const state = document.getElementById("state");
  source.onopen = () => { state.textContent = "open"; };
  source.onerror = () => { state.textContent = "reconnecting"; };
  source.onmessage = (e) => {
    document.getElementById("clock").textContent = new Date(e.data).toLocaleString();
  };
  source.addEventListener("update", (e) => {
    const li = document.createElement("li");
    li.textContent = `#${e.lastEventId}: ${e.data}`;
    document.getElementById("updates").prepend(li);
  });
</script>
</html>
)html";

// The current time as ISO 8601 UTC with milliseconds ("2025-01-31T12:34:56.789Z").
std::string now_iso8601() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  auto n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(ms));
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = sb::examples::parse_args(
      argc, argv,
      {{"tick-ms", "period of the clock messages, 0 for none", 100},
       {"update-ms", "period of the numbered update events, 0 for none", 1000},
       {"heartbeat-ms", "heartbeat comment after this much silence, 0 for none", 15000},
       {"replay", "update events kept for reconnecting clients", 256}});

  sb::net::Runtime runtime({.shards = args.shards});
  sb::http::Server server(runtime);
  sb::sse::Topic clock(runtime, {.replay = args.flag("replay"),
                                 .stream = {.heartbeat = milliseconds(args.flag("heartbeat-ms"))}});

  server.router().get("/", [](sb::http::Exchange ex) {
    ex.respond(sb::http::Response::text(200, kPage, "text/html; charset=utf-8"));
  });
  server.router().get("/sse-example", clock.handler());
  server.router().get("/stats", [&clock](sb::http::Exchange ex) {
    auto body = "{\"subscribers\":" + std::to_string(clock.subscribers()) + "}";
    ex.respond(sb::http::Response::json(200, std::move(body)));
  });

  // Both timers run on shard 0; each event is formatted once and posted to every shard.
  sb::examples::Ticker ticks(runtime.shard(0), milliseconds(args.flag("tick-ms")),
                             [&clock] { clock.broadcast(now_iso8601()); });
  unsigned updates = 0;
  sb::examples::Ticker numbered(runtime.shard(0), milliseconds(args.flag("update-ms")), [&] {
    clock.publish("update " + std::to_string(++updates) + " at " + now_iso8601(), "update");
  });

  if (!sb::examples::listen(server, args)) return 1;
  return runtime.run();
}

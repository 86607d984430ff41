// HTTP long polling: a poll is answered at once when events are waiting, else held until the
// next one is published (or answered 204 after a timeout).
//
//   GET  /                  a page that polls and publishes
//   GET  /poll?after=<id>   {"events":[{"id":N,"data":"..."}],"last_id":N}, or 204
//   POST /publish           the body is the event's text; answers {"id":N,"shard":S}
//   GET  /stats             {"waiters":N}, polls held on every shard
//
// Every answer to a poll says which shard made it (X-Shard), to show that an event published
// on one shard reaches the polls held on the others.

#include <chrono>
#include <string>

#include "common/args.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/poll/topic.hpp"

namespace sb = switchboard;
using std::chrono::milliseconds;

namespace {

constexpr const char* kPage = R"html(<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Long polling</title>
<style>
  body { font: 16px system-ui, sans-serif; margin: 2rem; }
  #events { font-family: ui-monospace, monospace; }
</style>
<h1>Long polling</h1>
<form id="form"><input id="text" autocomplete="off" placeholder="Say something" autofocus>
<button>Publish</button></form>
<p>Status: <span id="state">polling</span></p>
<ol id="events"></ol>
<script>
  const state = document.getElementById("state");
  document.getElementById("form").onsubmit = async (e) => {
    e.preventDefault();
    const input = document.getElementById("text");
    await fetch("/publish", { method: "POST", body: input.value });
    input.value = "";
  };
  async function poll() {
    let after = 0;
    for (;;) {
      try {
        const r = await fetch(`/poll?after=${after}`);
        state.textContent = `answered ${r.status}`;
        if (r.status === 200) {
          const answer = await r.json();
          for (const e of answer.events) {
            const li = document.createElement("li");
            li.value = e.id;
            li.textContent = e.data;
            document.getElementById("events").append(li);
          }
          after = answer.last_id;
        } else if (r.status !== 204) {
          await new Promise((done) => setTimeout(done, 1000));
        }
      } catch {
        state.textContent = "server unreachable, retrying";
        await new Promise((done) => setTimeout(done, 1000));
      }
    }
  }
  poll();
</script>
</html>
)html";

std::string shard_index() {
  return std::to_string(sb::net::Runtime::current()->index());
}

// The default JSON answer, marked with the shard that made it.
sb::http::Response answer(const sb::poll::Batch& batch) {
  auto r = sb::poll::json_answer(batch);
  r.headers.set("X-Shard", shard_index());
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = sb::examples::parse_args(
      argc, argv,
      {{"poll-timeout-ms", "a poll with nothing to answer gets 204 after this long", 25000},
       {"backlog", "events kept for polls asking for older ones", 1024}});

  sb::net::Runtime runtime({.shards = args.shards});
  sb::http::Server server(runtime);
  sb::poll::Topic topic(runtime, {.backlog = args.flag("backlog"),
                                  .timeout = milliseconds(args.flag("poll-timeout-ms")),
                                  .answer = answer});

  server.router().get("/", [](sb::http::Exchange ex) {
    ex.respond(sb::http::Response::text(200, kPage, "text/html; charset=utf-8"));
  });
  server.router().get("/poll", topic.handler());
  server.router().post("/publish",
                       [&topic](sb::http::Exchange ex) {
                         auto id = topic.publish(std::move(ex.request().body));
                         auto body =
                             "{\"id\":" + std::to_string(id) + ",\"shard\":" + shard_index() + "}";
                         ex.respond(sb::http::Response::json(200, std::move(body)));
                       },
                       {.max_body = 64 * 1024});
  server.router().get("/stats", [&topic](sb::http::Exchange ex) {
    auto body = "{\"waiters\":" + std::to_string(topic.waiters()) + "}";
    ex.respond(sb::http::Response::json(200, std::move(body)));
  });

  if (!sb::examples::listen(server, args)) return 1;
  return runtime.run();
}

// Server-Sent Events: a clock streamed to every browser tab, plus numbered `update` events that
// a reconnecting client gets again from where it left off (Last-Event-ID).
//
//   GET /              a page showing both with EventSource
//   GET /sse-example   the event stream
//   GET /stats         {"subscribers":N}, streams open on every shard
//
// The streams are members of a room of a Socket.IO namespace, the project's one fan-out
// (docs/decisions/019-no-second-hub.md): each event is formatted once for every stream of
// every shard. The update ids and their replay log belong to this process.

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <string>

#include "common/args.hpp"
#include "common/ticker.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/socketio/server.hpp"
#include "switchboard/sse/event.hpp"
#include "switchboard/sse/event_log.hpp"
#include "switchboard/sse/stream.hpp"

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

// An event formatted for SSE once, for every stream of every shard.
struct SseFrame : sb::socketio::Frame {
  std::uint64_t id = 0;
  std::shared_ptr<const std::string> bytes;
};

// Broadcasts are (data) or, for numbered events, (data, id): "event: <name>", "id: <id>".
struct SseTransport final : sb::socketio::Transport {
  std::shared_ptr<const sb::socketio::Frame> frame(std::string_view event,
                                                   const sb::socketio::Args& args) const override {
    auto data = args.size() > 0 && args[0].is_string() ? std::string_view(args[0].as_string())
                                                       : std::string_view();
    auto id = args.size() > 1 ? sb::socketio::value_as<std::uint64_t>(args[1]) : std::nullopt;
    auto id_text = id ? std::to_string(*id) : std::string();
    auto bytes =
        sb::sse::format({.data = data, .event = event == "message" ? "" : event, .id = id_text});
    if (!bytes) return nullptr;
    auto f = std::make_shared<SseFrame>();
    f->id = id.value_or(0);
    f->bytes = std::make_shared<const std::string>(std::move(*bytes));
    return f;
  }
};

std::atomic<std::size_t> subscribers{0};

// One stream in the room. `last_id`: the newest numbered event it was sent (the replay and the
// live events may both carry one).
struct SseMember final : sb::socketio::Member {
  SseMember(std::shared_ptr<const sb::socketio::Transport> t, std::shared_ptr<sb::sse::Stream> s)
      : Member(std::move(t)), stream(std::move(s)) {}
  void deliver(const sb::socketio::Frame& frame, bool is_volatile) override {
    const auto& f = static_cast<const SseFrame&>(frame);
    if (f.id != 0) {
      if (f.id <= last_id) return;
      last_id = f.id;
    }
    stream->write(*f.bytes, is_volatile);
  }
  std::shared_ptr<sb::sse::Stream> stream;
  std::uint64_t last_id = 0;
};

// The numbered events of this process, kept for clients resuming with Last-Event-ID.
class Updates {
 public:
  explicit Updates(std::size_t replay) : log_(replay) {}
  // Numbers and logs an event, then broadcasts it (under the lock: in id order).
  void publish(const sb::socketio::Namespace& nsp, const std::string& text) {
    std::lock_guard lock(mutex_);
    auto id = log_.last_id() + 1;
    auto bytes = sb::sse::format({.data = text, .event = "update", .id = std::to_string(id)});
    log_.append(id, std::make_shared<const std::string>(std::move(*bytes)));
    nsp.to("clock").emit("update", text, id);
  }
  sb::sse::EventLog::Replay after(std::string_view last_event_id) const {
    std::lock_guard lock(mutex_);
    return log_.after(last_event_id);
  }

 private:
  mutable std::mutex mutex_;
  sb::sse::EventLog log_;
};

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
  // Only its rooms are used: no Socket.IO route is attached.
  sb::socketio::Server io(runtime);
  auto nsp = io.sockets();
  auto transport = std::make_shared<SseTransport>();
  Updates updates(args.flag("replay"));
  const sb::sse::StreamOptions stream_options{.heartbeat = milliseconds(args.flag("heartbeat-ms"))};

  server.router().get("/", [](sb::http::Exchange ex) {
    ex.respond(sb::http::Response::text(200, kPage, "text/html; charset=utf-8"));
  });
  server.router().get("/sse-example", [&](sb::http::Exchange ex) {
    auto last = sb::sse::last_event_id(ex.request());
    auto member = std::make_shared<SseMember>(transport, sb::sse::Stream::open(ex, stream_options));
    // The replay first, then the room: an update published meanwhile comes live too, and the
    // member drops what it was already sent.
    if (last) {
      for (auto& entry : updates.after(*last).entries) {
        member->stream->write(*entry.bytes);
        member->last_id = entry.id;
      }
    }
    if (!member->stream->is_open()) return;
    ++subscribers;
    nsp.join(member, "clock");
    member->stream->on_close([nsp, weak = std::weak_ptr<SseMember>(member)] {
      --subscribers;
      if (auto m = weak.lock()) nsp.leave(*m);
    });
  });
  server.router().get("/stats", [](sb::http::Exchange ex) {
    auto body = "{\"subscribers\":" + std::to_string(subscribers.load()) + "}";
    ex.respond(sb::http::Response::json(200, std::move(body)));
  });

  // Both timers run on shard 0; each event is formatted once for every stream of every shard.
  sb::examples::Ticker ticks(runtime.shard(0), milliseconds(args.flag("tick-ms")),
                             [nsp] { nsp.to("clock").volatile_().emit("message", now_iso8601()); });
  unsigned count = 0;
  sb::examples::Ticker numbered(runtime.shard(0), milliseconds(args.flag("update-ms")), [&] {
    updates.publish(nsp, "update " + std::to_string(++count) + " at " + now_iso8601());
  });

  if (!sb::examples::listen(server, args)) return 1;
  return runtime.run();
}

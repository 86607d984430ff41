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
//
// Held polls are members of a room of a Socket.IO namespace, the project's one fan-out
// (docs/decisions/019-no-second-hub.md). The event ids and the backlog belong to this process.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/steady_timer.hpp>

#include "common/args.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/poll/backlog.hpp"
#include "switchboard/socketio/server.hpp"

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

// {"events":[...],"last_id":N}, marked with the shard that made it.
sb::http::Response answer(const sb::poll::Batch& batch) {
  auto r = sb::http::Response::json(200, sb::poll::json_body(batch));
  r.headers.set("Cache-Control", "no-store");
  r.headers.set("X-Shard", shard_index());
  return r;
}

// The numbered events of this process, and the answers made from them.
class Events {
 public:
  explicit Events(std::size_t backlog) : log_(backlog) {}
  // Numbers and keeps an event, then broadcasts ("event", id, data) to the held polls (under
  // the lock: every shard gets the events in id order).
  std::uint64_t publish(const sb::socketio::Namespace& nsp, std::string data) {
    std::lock_guard lock(mutex_);
    auto id = log_.last_id() + 1;
    log_.append(id, std::make_shared<const std::string>(data));
    nsp.to("events").emit("event", id, std::move(data));
    return id;
  }
  // The answer for a poll after `after`, or nullopt when there is nothing newer.
  std::optional<sb::http::Response> answer_after(std::uint64_t after) const {
    std::lock_guard lock(mutex_);
    if (!log_.has_after(after)) return std::nullopt;
    auto events = log_.after(after);
    return answer(sb::poll::Batch{events, log_.last_id()});
  }
  std::uint64_t last_id() const {
    std::lock_guard lock(mutex_);
    return log_.last_id();
  }

 private:
  mutable std::mutex mutex_;
  sb::poll::Backlog log_;
};

// A broadcast as a held poll sees it: the event's id.
struct IdFrame : sb::socketio::Frame {
  std::uint64_t id = 0;
};
struct PollTransport final : sb::socketio::Transport {
  std::shared_ptr<const sb::socketio::Frame> frame(std::string_view,
                                                   const sb::socketio::Args& args) const override {
    auto id = args.size() > 0 ? sb::socketio::value_as<std::uint64_t>(args[0]) : std::nullopt;
    if (!id) return nullptr;
    auto f = std::make_shared<IdFrame>();
    f->id = *id;
    return f;
  }
};

std::atomic<std::size_t> waiters{0};

struct ShardPolls;

// A held poll in the room: answered once (an event, the timeout, shutdown, or dropped when its
// client leaves), then out of the room.
struct PollMember final : sb::socketio::Member {
  PollMember(std::shared_ptr<const sb::socketio::Transport> t, sb::http::Exchange ex,
             std::uint64_t after, const Events& events, sb::socketio::Namespace nsp)
      : Member(std::move(t)),
        exchange(std::move(ex)),
        after(after),
        events(events),
        nsp(std::move(nsp)) {}
  void deliver(const sb::socketio::Frame& frame, bool) override {
    if (static_cast<const IdFrame&>(frame).id <= after) return;
    if (auto r = events.answer_after(after)) finish(std::move(*r));
  }
  // Answers (unless the client left) and leaves the room, once.
  void finish(std::optional<sb::http::Response> response) {
    if (std::exchange(done, true)) return;
    --waiters;
    timer->cancel();
    if (response && !exchange.closed()) exchange.respond(std::move(*response));
    forget();
    nsp.leave(*this);
  }
  // Takes it out of its shard's list (defined below).
  void forget();
  sb::http::Exchange exchange;
  std::uint64_t after;
  const Events& events;
  sb::socketio::Namespace nsp;
  std::unique_ptr<boost::asio::steady_timer> timer;
  ShardPolls* polls = nullptr;
  bool done = false;
};

// The polls held on one shard, answered when it stops.
struct ShardPolls {
  std::unordered_map<PollMember*, std::weak_ptr<PollMember>> held;
  bool hooked = false;
};

void PollMember::forget() {
  polls->held.erase(this);
}

// True when the raw query names `key` (even with a value that fails to decode).
bool has_key(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    auto pair = query.substr(0, query.find('&'));
    if (pair.substr(0, pair.find('=')) == key) return true;
    if (pair.size() == query.size()) break;
    query.remove_prefix(pair.size() + 1);
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = sb::examples::parse_args(
      argc, argv,
      {{"poll-timeout-ms", "a poll with nothing to answer gets 204 after this long", 25000},
       {"backlog", "events kept for polls asking for older ones", 1024}});

  sb::net::Runtime runtime({.shards = args.shards});
  sb::http::Server server(runtime);
  // Only its rooms are used: no Socket.IO route is attached.
  sb::socketio::Server io(runtime);
  auto nsp = io.sockets();
  auto transport = std::make_shared<PollTransport>();
  Events events(args.flag("backlog"));
  const milliseconds timeout(args.flag("poll-timeout-ms"));

  server.router().get("/", [](sb::http::Exchange ex) {
    ex.respond(sb::http::Response::text(200, kPage, "text/html; charset=utf-8"));
  });
  server.router().get("/poll", [&events, nsp, transport, timeout](sb::http::Exchange ex) {
    const auto& request = ex.request();
    auto text = request.query_param("after");
    std::uint64_t after = ~std::uint64_t{0};  // newer than any: wait for the next event
    if (text || has_key(request.query, "after")) {
      auto parsed = sb::poll::parse_after(text.value_or(""));
      if (!parsed) {
        return ex.respond(
            sb::http::Response::error(400, "invalid after: expected a decimal event id"));
      }
      after = *parsed;
    }
    // Checked before joining the room: an event published meanwhile still reaches it.
    if (auto r = events.answer_after(after)) return ex.respond(std::move(*r));
    auto& shard = ex.shard();
    if (shard.stopping()) return ex.respond(sb::http::Response::empty(204));
    if (ex.closed()) return;
    auto& polls = shard.local<ShardPolls>();
    if (!std::exchange(polls.hooked, true)) {
      shard.add_stop_hook([&polls] {
        for (auto& [key, weak] : std::exchange(polls.held, {})) {
          if (auto m = weak.lock()) m->finish(sb::http::Response::empty(204));
        }
      });
    }
    auto member =
        std::make_shared<PollMember>(transport, ex, std::min(after, events.last_id()), events, nsp);
    ++waiters;
    member->timer = std::make_unique<boost::asio::steady_timer>(shard.context(), timeout);
    std::weak_ptr<PollMember> weak = member;
    member->timer->async_wait([weak](boost::system::error_code ec) {
      if (auto m = weak.lock(); m && !ec) m->finish(sb::http::Response::empty(204));
    });
    member->polls = &polls;
    ex.on_close([weak] {
      if (auto m = weak.lock()) m->finish(std::nullopt);
    });
    polls.held.emplace(member.get(), member);
    nsp.join(member, "events");
  });
  server.router().post("/publish",
                       [&events, nsp](sb::http::Exchange ex) {
                         auto id = events.publish(nsp, std::move(ex.request().body));
                         auto body =
                             "{\"id\":" + std::to_string(id) + ",\"shard\":" + shard_index() + "}";
                         ex.respond(sb::http::Response::json(200, std::move(body)));
                       },
                       {.max_body = 64 * 1024});
  server.router().get("/stats", [](sb::http::Exchange ex) {
    auto body = "{\"waiters\":" + std::to_string(waiters.load()) + "}";
    ex.respond(sb::http::Response::json(200, std::move(body)));
  });

  if (!sb::examples::listen(server, args)) return 1;
  return runtime.run();
}

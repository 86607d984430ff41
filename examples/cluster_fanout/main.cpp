// One fan-out across a cluster: a room's raw WebSockets, SSE streams, held long polls and
// Socket.IO sockets are all members of one room of the namespace "/", and a broadcast to the
// room reaches every one of them on every node (through the Redis adapter), each kind of
// transport framing it once (docs/decisions/011-one-fan-out.md).
//
//   cluster_fanout --port N --redis redis://HOST:PORT [--shards K]
//
//   POST /publish/<room>   body: text      -> every member of the room, on every node
//   GET  /events/<room>                    -> SSE: "event: message", "data: <text>"
//   GET  /poll/<room>                      -> held until the next message: {"event","data"}
//                                             (204 after 20 s or at shutdown)
//   GET  /held                             -> how many polls this node holds
//   GET  /ws/<room>        (WebSocket)     -> each message as a text frame; a frame sent is
//                                             published to the room
//   Socket.IO at /socket.io/: emit("join", room) with an ack, then "message" events.
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>

#include "switchboard/adapter/redis_adapter.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/net/listener.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/socketio/server.hpp"
#include "switchboard/sse/event.hpp"
#include "switchboard/sse/stream.hpp"
#include "switchboard/ws/endpoint.hpp"
#include "switchboard/ws/prepared_message.hpp"

using namespace switchboard;
using namespace std::chrono_literals;

namespace {

// The broadcast's text: its first argument when a string, else the arguments as JSON.
std::string text_of(const socketio::Args& args) {
  if (args.size() == 1 && args[0].is_string()) return std::string(args[0].as_string());
  return boost::json::serialize(args.values);
}

// --- the three transports: each frames a broadcast once, for all its members ---------------

struct BytesFrame : socketio::Frame {
  std::string bytes;
};
struct WsFrame : socketio::Frame {
  std::shared_ptr<const ws::PreparedMessage> message;
};

struct SseTransport final : socketio::Transport {
  std::shared_ptr<const socketio::Frame> frame(std::string_view event,
                                               const socketio::Args& args) const override {
    auto bytes = sse::format({.data = text_of(args), .event = event});
    if (!bytes) return nullptr;  // an event name SSE cannot carry
    auto f = std::make_shared<BytesFrame>();
    f->bytes = std::move(*bytes);
    return f;
  }
};

struct PollTransport final : socketio::Transport {
  std::shared_ptr<const socketio::Frame> frame(std::string_view event,
                                               const socketio::Args& args) const override {
    auto f = std::make_shared<BytesFrame>();
    f->bytes =
        boost::json::serialize(boost::json::object{{"event", event}, {"data", text_of(args)}});
    return f;
  }
};

struct WsTransport final : socketio::Transport {
  std::shared_ptr<const socketio::Frame> frame(std::string_view,
                                               const socketio::Args& args) const override {
    auto f = std::make_shared<WsFrame>();
    f->message = std::make_shared<const ws::PreparedMessage>(ws::Opcode::Text, text_of(args));
    return f;
  }
};

// --- the members ------------------------------------------------------------------------

struct SseMember final : socketio::Member {
  SseMember(std::shared_ptr<const socketio::Transport> t, std::shared_ptr<sse::Stream> s)
      : Member(std::move(t)), stream(std::move(s)) {}
  void deliver(const socketio::Frame& frame, bool is_volatile) override {
    stream->write(static_cast<const BytesFrame&>(frame).bytes, is_volatile);
  }
  std::shared_ptr<sse::Stream> stream;
};

// Polls held on every shard (GET /held), so that a client can tell when its poll is held.
std::atomic<int> held_polls{0};

// A held poll: answered once (a message, the timeout, shutdown), then out of its room.
struct PollMember final : socketio::Member {
  PollMember(std::shared_ptr<const socketio::Transport> t, http::Exchange ex,
             socketio::Namespace nsp)
      : Member(std::move(t)), exchange(std::move(ex)), nsp(std::move(nsp)) {}
  void deliver(const socketio::Frame& frame, bool) override {
    answer(http::Response::json(200, static_cast<const BytesFrame&>(frame).bytes));
  }
  void answer(http::Response response) {
    if (done) return;
    if (timer) timer->cancel();
    exchange.respond(std::move(response));
    forget();
  }
  void forget() {
    if (std::exchange(done, true)) return;
    --held_polls;
    nsp.leave(*this);
  }
  http::Exchange exchange;
  socketio::Namespace nsp;
  std::unique_ptr<boost::asio::steady_timer> timer;
  bool done = false;
};

// The polls of one shard, answered 204 when it stops (a held poll would hold it up).
struct ShardPolls {
  std::unordered_map<PollMember*, std::weak_ptr<PollMember>> held;
  bool hooked = false;
};

struct WsMember final : socketio::Member {
  WsMember(std::shared_ptr<const socketio::Transport> t, ws::ConnectionPtr c)
      : Member(std::move(t)), connection(std::move(c)) {}
  void deliver(const socketio::Frame& frame, bool is_volatile) override {
    connection->send(static_cast<const WsFrame&>(frame).message, is_volatile);
  }
  ws::ConnectionPtr connection;
};

struct Options {
  std::uint16_t port = 0;
  unsigned shards = 2;
  std::string redis;
};

Options parse(int argc, char** argv) {
  Options o;
  bool has_port = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view name = argv[i];
    std::string_view value = argv[i + 1];
    auto number = [&](auto& out) {
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
      return ec == std::errc() && end == value.data() + value.size();
    };
    bool ok = name == "--redis"    ? (o.redis = value, true)
              : name == "--port"   ? (has_port = number(o.port))
              : name == "--shards" ? number(o.shards) && o.shards > 0
                                   : false;
    if (!ok) has_port = false, i = argc;
  }
  if (!has_port || o.redis.empty() || argc % 2 == 0) {
    std::fprintf(stderr, "usage: %s --port N --redis redis://HOST:PORT [--shards K]\n", argv[0]);
    std::exit(2);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  auto redis = adapter::parse_redis_url(o.redis);
  if (!redis) {
    std::fprintf(stderr, "cluster_fanout: bad --redis URL %s\n", o.redis.c_str());
    return 2;
  }
  net::Runtime runtime({.shards = o.shards});
  http::Server http(runtime);
  socketio::ServerOptions options{.engine = {.path = "/socket.io/"}};
  options.adapter = adapter::redis_adapter({.redis = *redis});
  socketio::Server io(runtime, options);
  auto nsp = io.sockets();
  auto sse_transport = std::make_shared<SseTransport>();
  auto poll_transport = std::make_shared<PollTransport>();
  auto ws_transport = std::make_shared<WsTransport>();

  io.on_connection([](const socketio::SocketPtr& socket) {
    socket->on("join", [](socketio::Socket& s, socketio::Event& e) {
      if (auto room = e.arg<std::string>(0)) s.join(*room);
      e.ack.send(socketio::Args::of(true));
    });
  });
  io.attach(http.router());

  auto& router = http.router();
  router.post("/publish/:room", [nsp](http::Exchange ex) {
    nsp.to(std::string(ex.request().param("room"))).emit("message", ex.request().body);
    ex.respond(http::Response::empty(204));
  });
  router.get("/events/:room", [nsp, sse_transport](http::Exchange ex) {
    std::string room(ex.request().param("room"));
    auto member = std::make_shared<SseMember>(sse_transport, sse::Stream::open(ex));
    nsp.join(member, room);
    member->stream->on_close([nsp, weak = std::weak_ptr<SseMember>(member)] {
      if (auto m = weak.lock()) nsp.leave(*m);
    });
  });
  router.get("/held", [](http::Exchange ex) {
    ex.respond(http::Response::json(200, std::to_string(held_polls.load())));
  });
  router.get("/poll/:room", [nsp, poll_transport](http::Exchange ex) {
    auto& shard = ex.shard();
    if (shard.stopping()) return ex.respond(http::Response::empty(204));
    auto& polls = shard.local<ShardPolls>();
    if (!std::exchange(polls.hooked, true)) {
      shard.add_stop_hook([&polls] {
        for (auto& [key, weak] : std::exchange(polls.held, {})) {
          if (auto m = weak.lock()) m->answer(http::Response::empty(204));
        }
      });
    }
    auto member = std::make_shared<PollMember>(poll_transport, ex, nsp);
    ++held_polls;
    nsp.join(member, std::string(ex.request().param("room")));
    polls.held.emplace(member.get(), member);
    std::weak_ptr<PollMember> weak = member;
    member->timer = std::make_unique<boost::asio::steady_timer>(shard.context(), 20s);
    member->timer->async_wait([weak](boost::system::error_code ec) {
      if (auto m = weak.lock(); m && !ec) m->answer(http::Response::empty(204));
    });
    ex.on_close([weak, &polls] {
      if (auto m = weak.lock()) {
        polls.held.erase(m.get());
        m->timer->cancel();
        m->forget();
      }
    });
  });
  router.get("/ws/:room", [nsp, ws_transport](http::Exchange ex) {
    auto room = std::make_shared<std::string>(ex.request().param("room"));
    auto member = std::make_shared<std::shared_ptr<WsMember>>();
    ws::accept(
        ex, {},
        {.on_open =
             [nsp, ws_transport, room, member](const ws::ConnectionPtr& c) {
               *member = std::make_shared<WsMember>(ws_transport, c);
               nsp.join(*member, *room);
             },
         .on_message = [nsp, room](const ws::ConnectionPtr&,
                                   ws::Message m) { nsp.to(*room).emit("message", m.payload); },
         .on_close =
             [nsp, member](const ws::ConnectionPtr&, ws::CloseCode, std::string_view) {
               if (auto m = std::exchange(*member, nullptr)) nsp.leave(*m);
             }});
  });

  http.listen({.address = "127.0.0.1", .port = o.port});
  std::printf("listening on http://127.0.0.1:%u\n", static_cast<unsigned>(http.port()));
  std::fflush(stdout);
  return runtime.run();
}

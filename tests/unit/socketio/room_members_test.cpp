// Room members that are not sockets (room_member.hpp): the namespace's room index delivers a
// broadcast to them on every shard, framed once per transport, from this process or from
// the cluster (AdapterHost::local_broadcast), and reports their rooms to the adapter.
#include "switchboard/socketio/room_member.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>

#include "switchboard/net/runtime.hpp"
#include "switchboard/socketio/adapter.hpp"
#include "switchboard/socketio/server.hpp"

namespace switchboard::socketio {
namespace {

struct TextFrame : Frame {
  std::string text;
};

// Frames "event:first-argument"; counts its calls. Null for "skip"; throws for "boom".
struct CountingTransport : Transport {
  mutable std::atomic<int> frames{0};
  std::shared_ptr<const Frame> frame(std::string_view event, const Args& args) const override {
    ++frames;
    if (event == "skip") return nullptr;
    if (event == "boom") throw std::runtime_error("boom");
    auto f = std::make_shared<TextFrame>();
    f->text = std::string(event) + ":" + std::string(args[0].as_string());
    return f;
  }
};

struct Recorder : Member {
  explicit Recorder(std::shared_ptr<const Transport> t) : Member(std::move(t)) {}
  void deliver(const Frame& frame, bool is_volatile) override {
    got.push_back(static_cast<const TextFrame&>(frame).text + (is_volatile ? " (volatile)" : ""));
    shard = net::Runtime::current()->index();
  }
  std::vector<std::string> got;  // touched on its shard, read after run()
  unsigned shard = 99;
};

// Runs `steps` one after the other on shard 0, letting every shard drain between steps
// (a broadcast posted to every shard has been delivered when a later post_each ran).
void run_steps(net::Runtime& runtime, std::vector<std::function<void()>> steps) {
  auto queue = std::make_shared<std::vector<std::function<void()>>>(std::move(steps));
  auto next = std::make_shared<std::function<void(std::size_t)>>();
  *next = [&runtime, queue, next](std::size_t i) {
    if (i == queue->size()) return runtime.shutdown();
    (*queue)[i]();
    auto left = std::make_shared<std::atomic<unsigned>>(runtime.size());
    runtime.post_each([&runtime, next, left, i](net::Shard&) {
      if (--*left == 0) runtime.shard(0).post([next, i] { (*next)(i + 1); });
    });
  };
  runtime.shard(0).post([next] { (*next)(0); });
  runtime.run();
  *next = nullptr;
}

TEST(RoomMembers, ABroadcastReachesTheMembersOfItsRoomsOnEveryShardFramedOncePerTransport) {
  net::Runtime runtime({.shards = 2, .handle_signals = false});
  Server io(runtime);
  auto nsp = io.of("/chat");
  auto sse = std::make_shared<CountingTransport>();
  auto ws = std::make_shared<CountingTransport>();
  auto a0 = std::make_shared<Recorder>(sse), b0 = std::make_shared<Recorder>(ws);
  auto a1 = std::make_shared<Recorder>(sse), other = std::make_shared<Recorder>(sse);
  auto excluded = std::make_shared<Recorder>(ws);
  runtime.shard(1).post([&] {
    nsp.join(a1, "r");
    nsp.join(excluded, "r");
    nsp.join(excluded, "quiet");
  });
  run_steps(runtime, {
                         [&] {
                           nsp.join(a0, "r");
                           nsp.join(b0, "r");
                           nsp.join(other, "elsewhere");
                         },
                         [&] { nsp.to("r").except("quiet").emit("message", "hello"); },
                         [&] { nsp.emit("room", "all"); },
                         [&] { nsp.to("r").volatile_().emit("typing", "t"); },
                         [&] { nsp.leave(*a0); },
                         [&] { nsp.to("r").emit("message", "after a0 left"); },
                     });
  EXPECT_EQ(a0->got,
            (std::vector<std::string>{"message:hello", "room:all", "typing:t (volatile)"}));
  EXPECT_EQ(a0->shard, 0u);
  EXPECT_EQ(a1->got, (std::vector<std::string>{"message:hello", "room:all", "typing:t (volatile)",
                                               "message:after a0 left"}));
  EXPECT_EQ(a1->shard, 1u);
  EXPECT_EQ(b0->got.front(), "message:hello");
  EXPECT_EQ(other->got, (std::vector<std::string>{"room:all"}));
  EXPECT_EQ(excluded->got,
            (std::vector<std::string>{"room:all", "typing:t (volatile)", "message:after a0 left"}));
  // Four broadcasts, each framed once by each transport with a selected member (sse's
  // members of the first three broadcasts live on both shards).
  EXPECT_EQ(sse->frames.load(), 4);
  EXPECT_EQ(ws->frames.load(), 4);
}

TEST(RoomMembers, ATransportThatSkipsOrThrowsDeliversNothingAndTheServerCarriesOn) {
  net::Runtime runtime({.shards = 1, .handle_signals = false});
  std::atomic<int> errors{0};
  Server io(runtime, {.on_handler_error = [&](const HandlerError& e) {
              EXPECT_EQ(e.where, "transport frame");
              ++errors;
            }});
  auto nsp = io.of("/");
  auto t = std::make_shared<CountingTransport>();
  auto m = std::make_shared<Recorder>(t);
  run_steps(runtime, {[&] { nsp.join(m, "r"); }, [&] { nsp.to("r").emit("skip", "x"); },
                      [&] { nsp.to("r").emit("boom", "x"); },
                      [&] { nsp.to("r").emit("message", "still here"); }});
  EXPECT_EQ(m->got, (std::vector<std::string>{"message:still here"}));
  EXPECT_EQ(errors.load(), 1);
  EXPECT_EQ(io.handler_errors(), 1u);
}

// An adapter that records what the namespace tells it.
struct RoomLog {
  std::mutex mutex;
  std::vector<std::string> events;
  AdapterHost* host = nullptr;
};
class RoomAdapter final : public Adapter {
 public:
  RoomAdapter(AdapterHost& host, RoomLog& log) : log_(log) { log_.host = &host; }
  void broadcast(const Target&, std::string_view event, const Args&) override {
    note("broadcast " + std::string(event));
  }
  void broadcast_with_ack(const Target&, std::string_view, const Args&,
                          std::function<void(std::size_t)> on_nodes,
                          std::function<void(std::size_t)>, std::function<void(Args)>) override {
    on_nodes(0);
  }
  void fetch_sockets(const Target&,
                     std::function<void(ClusterError, std::vector<SocketInfo>)> done) override {
    done(std::nullopt, {});
  }
  void add_sockets(const Target&, const std::vector<std::string>&) override {}
  void del_sockets(const Target&, const std::vector<std::string>&) override {}
  void disconnect_sockets(const Target&, bool) override {}
  void server_side_emit(std::string_view, const Args&) override {}
  void server_side_emit_with_ack(
      std::string_view, const Args&, std::chrono::milliseconds,
      std::function<void(ClusterError, std::vector<boost::json::value>)> done) override {
    done(std::nullopt, {});
  }
  void server_count(std::function<void(std::size_t)> done) override { done(1); }
  void room_created(const std::string& room) override { note("created " + room); }
  void room_deleted(const std::string& room) override { note("deleted " + room); }

 private:
  void note(std::string e) {
    std::lock_guard lock(log_.mutex);
    log_.events.push_back(std::move(e));
  }
  RoomLog& log_;
};

TEST(RoomMembers, TheClusterCarriesBroadcastsToMembersBothWaysAndLearnsTheirRooms) {
  net::Runtime runtime({.shards = 2, .handle_signals = false});
  RoomLog log;
  ServerOptions options;
  options.adapter = [&log](AdapterHost& host) { return std::make_unique<RoomAdapter>(host, log); };
  Server io(runtime, options);
  auto nsp = io.of("/");
  auto t = std::make_shared<CountingTransport>();
  auto m0 = std::make_shared<Recorder>(t), m1 = std::make_shared<Recorder>(t);
  runtime.shard(1).post([&] { nsp.join(m1, "r"); });
  run_steps(
      runtime,
      {
          [&] { nsp.join(m0, "r"); },
          // From this node: to the cluster too, unless local().
          [&] { nsp.to("r").emit("message", "mine"); },
          [&] { nsp.to("r").local().emit("presence", "here only"); },
          // From another node: the adapter hands it to the namespace.
          [&] { log.host->local_broadcast(Target{.rooms = {"r"}}, "message", Args::of("theirs")); },
          [&] { nsp.leave(*m0); },
          [&] { runtime.shard(1).post([&] { nsp.leave(*m1); }); },
      });
  for (auto* m : {m0.get(), m1.get()}) {
    EXPECT_EQ(m->got,
              (std::vector<std::string>{"message:mine", "presence:here only", "message:theirs"}));
  }
  std::lock_guard lock(log.mutex);
  EXPECT_EQ(log.events, (std::vector<std::string>{"created r", "broadcast message", "deleted r"}));
}

}  // namespace
}  // namespace switchboard::socketio

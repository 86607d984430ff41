// The public Socket API against a real server on loopback, driven by a raw Engine.IO polling
// client: middlewares' next(), the reasons handlers see, variadic emit_with_ack, calls made off
// the shards, and sockets captured in their own handlers.
#include "switchboard/socketio/socket.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "support/background_runtime.hpp"
#include "support/raw_client.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/socketio/server.hpp"

namespace switchboard::socketio {
namespace {

using namespace std::chrono_literals;

// An Engine.IO v4 polling client: one request per connection.
class Polling {
 public:
  explicit Polling(std::uint16_t port) : port_(port) {
    auto body = request("GET", "");
    EXPECT_EQ(body.substr(0, 1), "0") << body;
    sid_ = std::string(boost::json::parse(body.substr(1)).at("sid").as_string());
  }
  /// Sends Engine.IO packets (already typed: "40", "42[...]"), one request.
  void send(const std::string& packet) { EXPECT_EQ(request("POST", packet), "ok"); }
  /// The Engine.IO packets of the next poll.
  std::vector<std::string> poll() {
    std::vector<std::string> packets;
    auto body = request("GET", "");
    std::size_t start = 0;
    while (start <= body.size()) {
      auto end = body.find('\x1e', start);
      if (end == std::string::npos) end = body.size();
      packets.push_back(body.substr(start, end - start));
      start = end + 1;
    }
    return packets;
  }
  /// Polls until a packet starts with `prefix`; returns it ("" if none came).
  std::string await(std::string_view prefix) {
    for (int i = 0; i < 5; ++i) {
      for (auto& p : poll()) {
        if (p.starts_with(prefix)) return p;
      }
    }
    return "";
  }

 private:
  std::string request(std::string_view method, const std::string& body) {
    std::string target = "/socket.io/?EIO=4&transport=polling";
    if (!sid_.empty()) target += "&sid=" + sid_;
    std::string head = std::string(method) + " " + target +
                       " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                       "Content-Type: text/plain;charset=UTF-8\r\n";
    if (method == "POST") head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    test::RawClient client(port_);
    client.send(head + "\r\n" + body);
    return test::body_of(client.read_response(5s));
  }

  std::uint16_t port_;
  std::string sid_;
};

// Waits for a value set on a shard.
template <class T>
T await(std::future<T>& f) {
  EXPECT_EQ(f.wait_for(5s), std::future_status::ready);
  return f.get();
}

class SocketTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    rt_ = std::make_unique<test::BackgroundRuntime>(2);
    http_ = std::make_unique<http::Server>(rt_->runtime);
    io_ = std::make_unique<Server>(rt_->runtime, std::move(options));
    setup(*io_);
    io_->attach(http_->router());
    http_->listen({.address = "127.0.0.1", .port = 0});
    rt_->start();
  }
  void TearDown() override {
    if (rt_) rt_->stop();
    io_.reset();
    http_.reset();
  }
  std::uint16_t port() const { return http_->port(); }
  // Runs fn on shard `i` and waits until it has run (what was posted there before has too).
  void on_shard(
      unsigned i, std::function<void()> fn = [] {}) {
    std::promise<void> done;
    rt_->runtime.shard(i).post([&] {
      fn();
      done.set_value();
    });
    auto f = done.get_future();
    await(f);
  }

  std::function<void(Server&)> setup = [](Server&) {};
  std::unique_ptr<test::BackgroundRuntime> rt_;
  std::unique_ptr<http::Server> http_;
  std::unique_ptr<Server> io_;
};

// --- middlewares -----------------------------------------------------------------------------

TEST_F(SocketTest, NextWithoutArgumentsLetsTheSocketIn) {
  setup = [](Server& io) {
    io.use([](const SocketPtr&, Next next) { next(); });
    io.of("/chat").use([](const SocketPtr&, Next next) { next(); });
  };
  start();
  Polling client(port());
  client.send("40");
  EXPECT_NE(client.await("40{"), "");
  client.send("40/chat,");
  EXPECT_NE(client.await("40/chat,{"), "");
}

TEST_F(SocketTest, NextWithAnErrorRefusesWithItsMessageAndData) {
  setup = [](Server& io) {
    io.use([](const SocketPtr&, Next next) {
      next(ConnectError{"not authorized", boost::json::object{{"reason", "no token"}}});
    });
  };
  start();
  Polling client(port());
  client.send("40");
  auto refused = client.await("44");
  ASSERT_NE(refused, "");
  auto body = boost::json::parse(refused.substr(2));
  EXPECT_EQ(body.at("message"), "not authorized");
  EXPECT_EQ(body.at("data").at("reason"), "no token");
}

TEST_F(SocketTest, NextCalledLaterFromAnotherThreadAdmitsOnceOnTheShard) {
  std::atomic<int> connections{0};
  std::atomic<bool> on_a_shard{false};
  std::vector<std::thread> threads;
  std::mutex mutex;
  setup = [&](Server& io) {
    io.use([&](const SocketPtr&, Next next) {
      std::lock_guard lock(mutex);
      threads.emplace_back([next] {
        next();
        next(ConnectError{"too late", nullptr});  // only the first answer counts
        next();
      });
    });
    io.on_connection([&](const SocketPtr& socket) {
      ++connections;
      on_a_shard = &socket->shard() == net::Runtime::current();
      socket->on("ping", [](Event& e) { e.ack("pong"); });
    });
  };
  start();
  Polling client(port());
  client.send("40");
  EXPECT_NE(client.await("40{"), "");
  client.send("421[\"ping\"]");
  EXPECT_EQ(client.await("431"), "431[\"pong\"]");
  EXPECT_EQ(connections, 1);
  EXPECT_TRUE(on_a_shard);
  std::lock_guard lock(mutex);
  for (auto& t : threads) t.join();
}

// --- disconnect reasons ----------------------------------------------------------------------

// Records the reason each socket's disconnect handlers got, by socket id.
struct Reasons {
  std::mutex mutex;
  std::map<std::string, std::promise<DisconnectReason>> promises;
  std::map<std::string, std::string> words;
  std::future<DisconnectReason> expect(const std::string& id) {
    std::lock_guard lock(mutex);
    return promises[id].get_future();
  }
  void record(Socket& socket) {
    // The disconnecting handler gets the enum, the older form the reference's words.
    socket.on_disconnecting([this](Socket& s, DisconnectReason reason) {
      std::lock_guard lock(mutex);
      promises[s.id()].set_value(reason);
    });
    socket.on_disconnect([this, id = socket.id()](std::string_view reason) {
      std::lock_guard lock(mutex);
      words[id] = std::string(reason);
    });
  }
};

class ReasonTest : public SocketTest {
 protected:
  void start_recording(ServerOptions options = {}) {
    setup = [this](Server& io) {
      io.on_connection([this](const SocketPtr& socket) {
        reasons.record(*socket);
        socket->on("leave", [](Socket& s, Event&) { s.disconnect(); });
        socket->on("drop", [](Socket& s, Event&) { s.conn()->close(); });
        socket->on("throw", [](Event&) { throw std::runtime_error("thrown on purpose"); });
      });
    };
    options.on_handler_error = [](const HandlerError&) {};
    start(std::move(options));
  }
  // Connects a client to "/"; returns its socket id.
  std::string connect(Polling& client) {
    client.send("40");
    auto connected = client.await("40{");
    if (connected.empty()) return "";
    return std::string(boost::json::parse(connected.substr(2)).at("sid").as_string());
  }
  Reasons reasons;
};

TEST_F(ReasonTest, EachWayOfLeavingReportsItsReasonToTheServersHandlers) {
  start_recording();
  struct Case {
    std::string packet;  // what the client sends to make its socket leave
    DisconnectReason reason;
    bool poll = false;  // the server closes after the client's next poll has what is queued
  };
  const std::vector<Case> cases = {
      {"41", DisconnectReason::ClientNamespaceDisconnect},
      {"42[\"leave\"]", DisconnectReason::ServerNamespaceDisconnect},
      {"1", DisconnectReason::TransportClose},
      {"42[\"drop\"]", DisconnectReason::ForcedClose, true},
      {"42[\"throw\"]", DisconnectReason::ServerError},
      {"4x", DisconnectReason::ParseError, true},
      {"42/never-joined,[\"x\"]", DisconnectReason::ForcedServerClose, true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.packet);
    Polling client(port());
    auto id = connect(client);
    ASSERT_FALSE(id.empty());
    auto reason = reasons.expect(id);
    client.send(c.packet);
    if (c.poll) client.poll();
    EXPECT_EQ(await(reason), c.reason);
    // The older handler form, which runs after, gets the same reason in words.
    on_shard(0);
    on_shard(1);
    std::lock_guard lock(reasons.mutex);
    EXPECT_EQ(reasons.words[id], to_string(c.reason));
  }
}

TEST_F(ReasonTest, AClientThatStopsAnsweringPingsLeavesWithPingTimeout) {
  start_recording(
      {.engine = {.path = "/socket.io/", .ping_interval = 100ms, .ping_timeout = 100ms}});
  Polling client(port());
  auto id = connect(client);
  ASSERT_FALSE(id.empty());
  auto reason = reasons.expect(id);
  EXPECT_EQ(await(reason), DisconnectReason::PingTimeout);
}

TEST_F(ReasonTest, SocketsLeftAtShutdownLeaveWithServerShuttingDown) {
  start_recording();
  Polling client(port());
  auto id = connect(client);
  ASSERT_FALSE(id.empty());
  auto reason = reasons.expect(id);
  rt_->runtime.shutdown();
  EXPECT_EQ(await(reason), DisconnectReason::ServerShuttingDown);
}

// --- emit_with_ack ---------------------------------------------------------------------------

TEST_F(SocketTest, VariadicEmitWithAckSendsItsValuesAndGetsTheAnswer) {
  std::promise<std::pair<AckError, Args>> answer;
  setup = [&](Server& io) {
    io.on_connection([&](const SocketPtr& socket) {
      socket->on("ask", [&](Socket& s, Event&) {
        s.emit_with_ack("question", 1, "two", boost::json::object{{"three", 3}},
                        [&](AckError error, Args reply) {
                          answer.set_value({std::move(error), std::move(reply)});
                        });
      });
    });
  };
  start();
  Polling client(port());
  client.send("40");
  ASSERT_NE(client.await("40{"), "");
  client.send("42[\"ask\"]");
  auto question = client.await("42");
  ASSERT_FALSE(question.empty());
  auto bracket = question.find('[');
  auto ack_id = question.substr(2, bracket - 2);
  EXPECT_FALSE(ack_id.empty());
  EXPECT_EQ(boost::json::parse(question.substr(bracket)),
            boost::json::parse(R"(["question",1,"two",{"three":3}])"));
  client.send("43" + ack_id + "[\"yes\",4]");
  auto f = answer.get_future();
  auto [error, reply] = await(f);
  EXPECT_FALSE(error);
  EXPECT_EQ(boost::json::value(reply.values), boost::json::parse(R"(["yes",4])"));
}

TEST_F(SocketTest, VariadicBroadcastEmitWithAckCollectsEveryAnswer) {
  std::promise<std::vector<Args>> answers;
  setup = [&](Server& io) {
    io.on_connection([&](const SocketPtr& socket) {
      socket->on("poll", [&io, &answers](Event&) {
        io.sockets().timeout(2s).emit_with_ack(
            "vote", "poll-1", [&](std::optional<std::string> error, std::vector<Args> all) {
              EXPECT_FALSE(error);
              answers.set_value(std::move(all));
            });
      });
    });
  };
  start();
  Polling client(port());
  client.send("40");
  ASSERT_NE(client.await("40{"), "");
  client.send("42[\"poll\"]");
  auto vote = client.await("42");
  auto bracket = vote.find('[');
  EXPECT_EQ(vote.substr(bracket), "[\"vote\",\"poll-1\"]");
  client.send("43" + vote.substr(2, bracket - 2) + "[\"a\"]");
  auto f = answers.get_future();
  auto all = await(f);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(boost::json::value(all[0].values), boost::json::parse(R"(["a"])"));
}

// --- calls made off the shards ---------------------------------------------------------------

class OffShardTest : public SocketTest {
 protected:
  // Starts a server whose connection handler hands each socket to the test thread.
  void start_handing_over() {
    setup = [this](Server& io) {
      io.on_connection([this](const SocketPtr& socket) {
        std::lock_guard lock(mutex_);
        if (!connected_set_) {
          connected_set_ = true;
          connected_.set_value(socket);
        }
      });
    };
    start();
  }
  SocketPtr connect(Polling& client) {
    client.send("40");
    EXPECT_NE(client.await("40{"), "");
    auto f = connected_.get_future();
    return await(f);
  }

  std::mutex mutex_;
  std::promise<SocketPtr> connected_;
  bool connected_set_ = false;
};

TEST_F(OffShardTest, EmitWithAckFromAnotherThreadRunsOnTheSocketsShard) {
  start_handing_over();
  Polling client(port());
  auto socket = connect(client);
  ASSERT_TRUE(socket);
  std::promise<bool> on_its_shard;
  socket->emit_with_ack("question", Args::of(1), [&](AckError error, Args) {
    EXPECT_FALSE(error);
    on_its_shard.set_value(net::Runtime::current() == &socket->shard());
  });
  auto question = client.await("42");
  ASSERT_FALSE(question.empty());
  client.send("43" + question.substr(2, question.find('[') - 2) + "[]");
  auto f = on_its_shard.get_future();
  EXPECT_TRUE(await(f));
  // What cannot be posted (emit answers a SendResult) fails loudly instead of racing.
  EXPECT_THROW(socket->emit("hello"), std::logic_error);
  EXPECT_THROW(socket->join("room"), std::logic_error);
  // Dropped on the socket's shard: the last reference may not go on this thread.
  auto& shard = socket->shard();
  shard.post([s = std::move(socket)] {});
}

TEST_F(OffShardTest, FetchSocketsAndBroadcastAcksFromAnotherThreadAnswerOnAShard) {
  start_handing_over();
  Polling client(port());
  auto socket = connect(client);
  ASSERT_TRUE(socket);
  std::string id = socket->id();
  auto& shard = socket->shard();
  shard.post([s = std::move(socket)] {});

  std::promise<std::pair<std::vector<std::string>, bool>> fetched;
  io_->sockets().all().fetch_sockets([&](std::vector<SocketInfo> found) {
    std::vector<std::string> ids;
    for (auto& f : found) ids.push_back(f.id);
    fetched.set_value({ids, net::Runtime::current() != nullptr});
  });
  auto f = fetched.get_future();
  auto [ids, on_a_shard] = await(f);
  EXPECT_EQ(ids, std::vector<std::string>{id});
  EXPECT_TRUE(on_a_shard);

  std::promise<std::pair<std::size_t, bool>> acked;
  io_->sockets().timeout(2s).emit_with_ack(
      "question", [&](std::optional<std::string> error, std::vector<Args> all) {
        EXPECT_FALSE(error);
        acked.set_value({all.size(), net::Runtime::current() != nullptr});
      });
  auto question = client.await("42");
  ASSERT_FALSE(question.empty());
  client.send("43" + question.substr(2, question.find('[') - 2) + "[1]");
  auto g = acked.get_future();
  auto [answers, answered_on_a_shard] = await(g);
  EXPECT_EQ(answers, 1u);
  EXPECT_TRUE(answered_on_a_shard);
}

// --- holding a socket ------------------------------------------------------------------------

TEST_F(SocketTest, ASocketCapturedInItsOwnHandlersIsReleasedWhenItLeaves) {
  std::promise<std::weak_ptr<Socket>> held;
  std::promise<std::string> nsp_name;
  setup = [&](Server& io) {
    io.of("/chat").on_connection([&](const SocketPtr& socket) {
      // The trap: a SocketPtr in the socket's own handlers is a cycle...
      socket->on("x", [socket](Event&) { socket->emit("y"); });
      socket->on_disconnect([socket](Socket&, DisconnectReason) {});
      nsp_name.set_value(socket->nsp().name());
      held.set_value(socket);
    });
  };
  start();
  Polling client(port());
  client.send("40/chat,");
  ASSERT_NE(client.await("40/chat,{"), "");
  auto f = held.get_future();
  auto weak = await(f);
  auto g = nsp_name.get_future();
  EXPECT_EQ(await(g), "/chat");
  EXPECT_FALSE(weak.expired());
  // ...which the socket breaks when it leaves, by dropping its handlers.
  client.send("41/chat,");
  for (int i = 0; i < 100 && !weak.expired(); ++i) {
    on_shard(0);
    on_shard(1);
  }
  EXPECT_TRUE(weak.expired());
}

// The client is its Engine.IO session's listener: a binary event's attachment reaches the
// handler, the session's end reaches the socket with its reason, and the session (which held
// the client, which holds it) is let go then.
TEST_F(SocketTest, AClientGetsAttachmentsAndTheEndAndIsLetGoWithItsSession) {
  std::promise<std::string> bytes;
  std::promise<DisconnectReason> reason;
  std::promise<std::weak_ptr<engineio::Socket>> session;
  setup = [&](Server& io) {
    io.on_connection([&](const SocketPtr& socket) {
      session.set_value(socket->conn());
      socket->on("bin", [&](Socket&, Event& e) {
        auto b = as_binary(e.args.values.at(0));
        bytes.set_value(b ? std::string(*b) : "(not binary)");
      });
      socket->on_disconnect([&](Socket&, DisconnectReason why) { reason.set_value(why); });
    });
  };
  start();
  Polling client(port());
  client.send("40");
  ASSERT_NE(client.await("40{"), "");
  client.send(
      "451-[\"bin\",{\"_placeholder\":true,\"num\":0}]\x1e"
      "bAQI=");
  auto b = bytes.get_future();
  EXPECT_EQ(await(b), std::string("\x01\x02", 2));
  auto s = session.get_future();
  auto weak = await(s);
  EXPECT_FALSE(weak.expired());
  client.send("1");
  auto r = reason.get_future();
  EXPECT_EQ(await(r), DisconnectReason::TransportClose);
  for (int i = 0; i < 100 && !weak.expired(); ++i) {
    on_shard(0);
    on_shard(1);
  }
  EXPECT_TRUE(weak.expired());
}

// --- state a socket allocates only when it is used --------------------------------------------

TEST_F(SocketTest, AnAckNotAnsweredInTimeGetsTheTimeoutError) {
  std::promise<AckError> answer;
  setup = [&](Server& io) {
    io.on_connection([&](const SocketPtr& socket) {
      socket->emit_with_ack(
          "question", Args{}, [&](AckError error, Args) { answer.set_value(std::move(error)); },
          50ms);
    });
  };
  start();
  Polling client(port());
  client.send("40");
  ASSERT_NE(client.await("40{"), "");
  auto f = answer.get_future();
  EXPECT_EQ(await(f), AckError("operation has timed out"));
}

TEST_F(SocketTest, AnAckStillAwaitedWhenTheSocketLeavesGetsTheDisconnectedError) {
  std::promise<AckError> answer;
  setup = [&](Server& io) {
    io.on_connection([&](const SocketPtr& socket) {
      socket->emit_with_ack("question", Args{},
                            [&](AckError error, Args) { answer.set_value(std::move(error)); });
    });
  };
  start();
  Polling client(port());
  client.send("40");
  ASSERT_NE(client.await("42"), "");
  client.send("41");
  auto f = answer.get_future();
  EXPECT_EQ(await(f), AckError("socket has been disconnected"));
}

TEST_F(SocketTest, CatchAllListenersSeeEventsBothWays) {
  std::promise<std::string> incoming;
  std::promise<std::string> outgoing;
  setup = [&](Server& io) {
    io.on_connection([&](const SocketPtr& socket) {
      socket->on_any([&](Socket&, const Event& e) { incoming.set_value(e.name); });
      socket->on_any_outgoing([&](Socket&, const Event& e) { outgoing.set_value(e.name); });
      socket->on("hello", [](Socket& s, Event&) { s.emit("reply", 1); });
    });
  };
  start();
  Polling client(port());
  client.send("40");
  ASSERT_NE(client.await("40{"), "");
  client.send("42[\"hello\"]");
  EXPECT_EQ(client.await("42"), "42[\"reply\",1]");
  auto in = incoming.get_future();
  auto out = outgoing.get_future();
  EXPECT_EQ(await(in), "hello");
  EXPECT_EQ(await(out), "reply");
}

TEST_F(SocketTest, ARecoveredSocketKeepsItsIdAndPidAndGetsWhatItMissed) {
  std::atomic<int> connections{0};
  std::promise<bool> recovered;
  setup = [&](Server& io) {
    io.on_connection([&](const SocketPtr& socket) {
      if (++connections == 1) {
        socket->emit("first");
        socket->on_disconnect([](Socket& s, DisconnectReason) {
          // Missed by the client, which is away: kept for its recovery.
          s.nsp().emit("missed");
        });
      } else {
        recovered.set_value(socket->recovered());
      }
    });
  };
  start({.connection_state_recovery = ConnectionStateRecovery{}});
  // The packets of the next polls that start with each prefix (one each), in that order.
  auto collect = [](Polling& client, std::vector<std::string> prefixes) {
    std::vector<std::string> found(prefixes.size());
    for (int i = 0; i < 5 && std::find(found.begin(), found.end(), "") != found.end(); ++i) {
      for (auto& p : client.poll()) {
        for (std::size_t k = 0; k < prefixes.size(); ++k) {
          if (found[k].empty() && p.starts_with(prefixes[k])) found[k] = p;
        }
      }
    }
    return found;
  };
  std::string sid;
  std::string pid;
  std::string offset;
  {
    Polling client(port());
    client.send("40");
    auto got = collect(client, {"40{", "42[\"first\""});
    ASSERT_NE(got[0], "");
    ASSERT_NE(got[1], "");
    auto body = boost::json::parse(got[0].substr(2)).as_object();
    sid = std::string(body.at("sid").as_string());
    pid = std::string(body.at("pid").as_string());
    EXPECT_FALSE(pid.empty());
    // A logged packet carries its offset last.
    auto args = boost::json::parse(got[1].substr(2)).as_array();
    ASSERT_EQ(args.size(), 2u);
    offset = std::string(args[1].as_string());
    client.send("1");  // the transport closes: recoverable
  }
  Polling again(port());
  again.send("40" + boost::json::serialize(boost::json::object{{"pid", pid}, {"offset", offset}}));
  auto got = collect(again, {"40{", "42[\"missed\""});
  ASSERT_NE(got[0], "");
  auto body = boost::json::parse(got[0].substr(2)).as_object();
  EXPECT_EQ(body.at("sid").as_string(), sid);
  EXPECT_EQ(body.at("pid").as_string(), pid);
  EXPECT_NE(got[1], "");
  auto f = recovered.get_future();
  EXPECT_TRUE(await(f));
}

}  // namespace
}  // namespace switchboard::socketio

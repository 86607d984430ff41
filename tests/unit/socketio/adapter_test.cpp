// The namespace's side of the Adapter interface, with a recording adapter standing in for the
// cluster (the Redis adapter itself runs against real Node nodes in
// tests/integration/adapter_cluster_test.mjs).
// GCC 12 warns falsely inside <regex> (std::function in _NFA, -Wmaybe-uninitialized) when a
// std::regex is built in a translation unit compiled with -O1 and the sanitizers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "switchboard/socketio/adapter.hpp"

#include <gtest/gtest.h>

#include "switchboard/net/runtime.hpp"
#include "switchboard/socketio/server.hpp"

namespace switchboard::socketio {
namespace {

struct Recorded {
  std::vector<std::string> calls;
  std::vector<Target> targets;
  AdapterHost* host = nullptr;
};

class RecordingAdapter final : public Adapter {
 public:
  RecordingAdapter(AdapterHost& host, Recorded& r) : r_(r) { r_.host = &host; }
  void broadcast(const Target& t, std::string_view event, const Args& args) override {
    r_.calls.push_back("broadcast " + std::string(event) + " " +
                       args.values.at(0).as_string().c_str());
    r_.targets.push_back(t);
  }
  void broadcast_with_ack(const Target& t, std::string_view, const Args&,
                          std::function<void(std::size_t)> on_nodes,
                          std::function<void(std::size_t)> on_count,
                          std::function<void(Args)> on_ack) override {
    r_.calls.push_back("broadcast_with_ack");
    r_.targets.push_back(t);
    on_nodes(1);  // one other node, with two clients that answer
    on_count(2);
    on_ack(Args::of("remote1"));
    on_ack(Args::of("remote2"));
  }
  void fetch_sockets(const Target& t,
                     std::function<void(ClusterError, std::vector<SocketInfo>)> done) override {
    r_.calls.push_back("fetch_sockets");
    r_.targets.push_back(t);
    done(std::nullopt, {SocketInfo{.id = "remoteSocketAAAAAAAA", .rooms = {"r"}, .local = false}});
  }
  void add_sockets(const Target& t, const std::vector<std::string>& rooms) override {
    r_.calls.push_back("add_sockets " + rooms.at(0));
    r_.targets.push_back(t);
  }
  void del_sockets(const Target& t, const std::vector<std::string>& rooms) override {
    r_.calls.push_back("del_sockets " + rooms.at(0));
    r_.targets.push_back(t);
  }
  void disconnect_sockets(const Target& t, bool close) override {
    r_.calls.push_back(close ? "disconnect_sockets close" : "disconnect_sockets");
    r_.targets.push_back(t);
  }
  void server_side_emit(std::string_view event, const Args&) override {
    r_.calls.push_back("server_side_emit " + std::string(event));
  }
  void server_side_emit_with_ack(
      std::string_view event, const Args&, std::chrono::milliseconds,
      std::function<void(ClusterError, std::vector<boost::json::value>)> done) override {
    r_.calls.push_back("server_side_emit_with_ack " + std::string(event));
    done(std::nullopt, {boost::json::value("nodeB"), boost::json::value("nodeC")});
  }
  void server_count(std::function<void(std::size_t)> done) override { done(3); }

 private:
  Recorded& r_;
};

TEST(Adapter, OperationsOfANamespaceGoThroughTheAdapterWithTheirSelection) {
  net::Runtime runtime({.shards = 2, .handle_signals = false});
  Recorded r;
  ServerOptions options;
  options.adapter = [&r](AdapterHost& host) { return std::make_unique<RecordingAdapter>(host, r); };
  Server io(runtime, options);
  ASSERT_NE(r.host, nullptr) << "the main namespace gets its adapter with the server";
  EXPECT_EQ(r.host->nsp_name(), "/");
  bool own_handler_ran = false;
  io.on_server_side("hello", [&](Event&) { own_handler_ran = true; });

  std::vector<std::string> fetched;
  std::vector<Args> server_answers;
  std::optional<std::string> ack_error = "not called";
  std::vector<Args> client_answers;
  runtime.shard(0).post([&] {
    io.to("a").to("b").except("c").emit("news", "hello");
    io.sockets().in("x").sockets_join({"y"});
    io.sockets().in("x").sockets_leave({"y"});
    io.sockets().in("x").disconnect_sockets(true);
    io.server_side_emit("hello", 1);
    io.server_side_emit_with_ack("ping", Args::of(1), std::chrono::seconds(1),
                                 [&](std::optional<std::string> error, std::vector<Args> a) {
                                   EXPECT_FALSE(error);
                                   server_answers = std::move(a);
                                 });
    io.sockets()
        .to("r")
        .timeout(std::chrono::seconds(5))
        .emit_with_ack("question", Args::of("q"),
                       [&](std::optional<std::string> error, std::vector<Args> a) {
                         ack_error = error;
                         client_answers = std::move(a);
                         io.sockets().in("r").fetch_sockets([&](std::vector<SocketInfo> found) {
                           for (auto& s : found) {
                             fetched.push_back(s.id);
                             EXPECT_FALSE(s.local);
                           }
                           runtime.shutdown();
                         });
                       });
  });
  runtime.run();

  ASSERT_GE(r.calls.size(), 8u);
  EXPECT_EQ(r.calls[0], "broadcast news hello");
  EXPECT_EQ(r.targets[0].rooms, (std::set<std::string>{"a", "b"}));
  EXPECT_EQ(r.targets[0].except, (std::set<std::string>{"c"}));
  EXPECT_EQ(r.calls[1], "add_sockets y");
  EXPECT_EQ(r.targets[1].rooms, (std::set<std::string>{"x"}));
  EXPECT_EQ(r.calls[2], "del_sockets y");
  EXPECT_EQ(r.calls[3], "disconnect_sockets close");
  EXPECT_EQ(r.calls[4], "server_side_emit hello");
  EXPECT_EQ(r.calls[5], "server_side_emit_with_ack ping");
  EXPECT_EQ(r.calls[6], "broadcast_with_ack");
  EXPECT_EQ(r.targets[4].timeout, std::chrono::seconds(5));
  EXPECT_EQ(r.targets[5].rooms, (std::set<std::string>{"r"}));
  EXPECT_EQ(r.calls[7], "fetch_sockets");
  ASSERT_EQ(server_answers.size(), 2u);
  EXPECT_EQ(server_answers[0].values.at(0).as_string(), "nodeB");
  EXPECT_FALSE(ack_error) << "every node counted and answered: no timeout";
  EXPECT_EQ(client_answers.size(), 2u);
  EXPECT_EQ(fetched, std::vector<std::string>{"remoteSocketAAAAAAAA"});
  EXPECT_FALSE(own_handler_ran);
}

TEST(Adapter, AServerSideEventFromAnotherNodeRunsTheHandlerAndAnswers) {
  net::Runtime runtime({.shards = 1, .handle_signals = false});
  Recorded r;
  ServerOptions options;
  options.adapter = [&r](AdapterHost& host) { return std::make_unique<RecordingAdapter>(host, r); };
  Server io(runtime, options);
  io.on_server_side("ping-server", [](Event& e) { e.ack("me", 2); });
  std::optional<boost::json::value> answer;
  r.host->server_side("ping-server", Args::of("x"),
                      [&](boost::json::value v) { answer = std::move(v); });
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->as_string(), "me");
  bool unknown_answered = false;
  r.host->server_side("nobody-listens", Args{},
                      [&](boost::json::value) { unknown_answered = true; });
  EXPECT_FALSE(unknown_answered);
}

TEST(Adapter, EveryChildOfADynamicParentGetsAnAdapterAndTheParentNone) {
  net::Runtime runtime({.shards = 1, .handle_signals = false});
  std::vector<std::string> made;  // the namespaces given an adapter, in order
  std::vector<std::unique_ptr<Recorded>> records;
  ServerOptions options;
  options.adapter = [&](AdapterHost& host) {
    made.push_back(host.nsp_name());
    records.push_back(std::make_unique<Recorded>());
    return std::make_unique<RecordingAdapter>(host, *records.back());
  };
  Server io(runtime, options);
  auto parent = io.of(std::regex("^/dyn-\\d+$"));
  io.of([](const std::string& name, const boost::json::object&) { return name == "/fn"; });
  EXPECT_EQ(made, std::vector<std::string>{"/"}) << "a parent holds no socket: no adapter";
  // Named by this server's code before any client came (Node: io.of("/dyn-1")): a child of
  // the regex parent, with an adapter of its own that its broadcasts go through.
  auto child = io.of("/dyn-1");
  EXPECT_EQ(made, (std::vector<std::string>{"/", "/dyn-1"}));
  runtime.shard(0).post([&] {
    child.emit("news", "hello");
    runtime.shutdown();
  });
  runtime.run();
  EXPECT_EQ(records.back()->calls, std::vector<std::string>{"broadcast news hello"});
  EXPECT_EQ(io.of("/dyn-1").name(), "/dyn-1");
  EXPECT_EQ(made.size(), 2u) << "the child is made once";
  (void)parent;
}

}  // namespace
}  // namespace switchboard::socketio

// ClusterCore on a fake bus (Redis Pub/Sub semantics: every subscriber, the sender included,
// gets each message) with a manual clock, in both wire formats.
#include <gtest/gtest.h>

#include <deque>
#include <memory>

#include "support/manual_clock.hpp"
#include "switchboard/adapter/cluster_core.hpp"
#include "switchboard/adapter/error.hpp"

namespace sa = switchboard::adapter;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

class FakeBus;

// One node: its core, the rooms it holds, what it was asked to do.
struct Node {
  std::unique_ptr<sa::ClusterCore> core;
  std::vector<std::string> rooms;
  std::vector<sa::Inbound> inbound;
};

class FakeBus {
 public:
  struct Publisher final : sa::Bus {
    explicit Publisher(FakeBus* b) : bus(b) {}
    FakeBus* bus;
    void publish(const std::string& channel, std::string payload) override {
      bus->published.push_back({channel, std::move(payload)});
      bus->queue.push_back(bus->published.back());
    }
  };

  Node& add(sa::ClusterMode mode, std::string uid) {
    auto node = std::make_unique<Node>();
    int next = 0;
    node->core = std::make_unique<sa::ClusterCore>(
        sa::ClusterOptions{.mode = mode}, "/", uid, publisher,
        [uid, next]() mutable { return uid + "-r" + std::to_string(next++); });
    nodes.push_back(std::move(node));
    return *nodes.back();
  }

  // Delivers queued messages to every node whose subscriptions match, until none are left.
  void pump() {
    while (!queue.empty()) {
      auto [channel, payload] = queue.front();
      queue.pop_front();
      for (auto& node : nodes) {
        if (!subscribed(*node, channel)) continue;
        auto in = node->core->on_message(channel, payload, [&](std::string_view room) {
          return std::find(node->rooms.begin(), node->rooms.end(), room) != node->rooms.end();
        });
        if (!std::holds_alternative<std::monostate>(in)) node->inbound.push_back(std::move(in));
      }
    }
  }

  std::size_t count() const { return nodes.size(); }

  std::vector<std::unique_ptr<Node>> nodes;
  std::vector<std::pair<std::string, std::string>> published;
  std::deque<std::pair<std::string, std::string>> queue;
  Publisher publisher{this};

 private:
  static bool subscribed(const Node& node, const std::string& channel) {
    auto subs = node.core->subscriptions();
    for (const auto& room : node.rooms) {
      if (auto s = node.core->room_subscription(room, false))
        subs.push_back({sa::Subscription::Shard, *s});
    }
    for (const auto& [kind, name] : subs) {
      if (kind == sa::Subscription::Pattern ? channel.starts_with(name.substr(0, name.size() - 1))
                                            : channel == name)
        return true;
    }
    return false;
  }
};

switchboard::socketio::Packet event(json::array data) {
  switchboard::socketio::Packet p;
  p.data = std::move(data);
  return p;
}

class ClusterCoreTest : public ::testing::TestWithParam<sa::ClusterMode> {
 protected:
  void SetUp() override {
    a = &bus.add(GetParam(), "nodeA");
    b = &bus.add(GetParam(), "nodeB");
    c = &bus.add(GetParam(), "nodeC");
  }
  FakeBus bus;
  Node *a, *b, *c;
  switchboard::test::ManualClock clock;
};

}  // namespace

TEST_P(ClusterCoreTest, ABroadcastReachesTheOtherNodesOnceAndNotTheSender) {
  a->core->broadcast(event({"hello", 1}), {.except = {"x"}});
  bus.pump();
  EXPECT_TRUE(a->inbound.empty());
  for (Node* n : {b, c}) {
    ASSERT_EQ(n->inbound.size(), 1u);
    const auto& got = std::get<sa::inbound::Broadcast>(n->inbound[0]);
    EXPECT_EQ(got.packet.data, json::value(json::array{"hello", 1}));
    EXPECT_EQ(got.opts.except, std::vector<std::string>{"x"});
  }
}

TEST_P(ClusterCoreTest, ARoomBroadcastReachesOnlyNodesHoldingTheRoom) {
  b->rooms = {"room1"};
  a->core->broadcast(event({"e"}), {.rooms = {"room1"}});
  bus.pump();
  EXPECT_EQ(b->inbound.size(), 1u);
  EXPECT_TRUE(c->inbound.empty());
  EXPECT_EQ(bus.published.at(0).first, "socket.io#/#room1#");
}

TEST_P(ClusterCoreTest, FetchSocketsCollectsEveryOtherNodesAnswer) {
  std::optional<std::vector<sa::WireValue>> answers;
  boost::system::error_code error;
  a->core->fetch_sockets({.rooms = {"r"}}, bus.count(), clock.now(), [&](auto ec, auto items) {
    error = ec;
    answers = std::move(items);
  });
  bus.pump();
  EXPECT_TRUE(a->inbound.empty()) << "a node does not answer its own request";
  for (Node* n : {b, c}) {
    ASSERT_EQ(n->inbound.size(), 1u);
    const auto& ask = std::get<sa::inbound::FetchSockets>(n->inbound[0]);
    EXPECT_EQ(ask.opts.rooms, std::vector<std::string>{"r"});
    json::array sockets;
    if (n == b) sockets.push_back(json::object{{"id", "s1"}, {"rooms", json::array{"s1", "r"}}});
    n->core->reply_fetch_sockets(ask.requester, std::move(sockets));  // an empty answer counts too
  }
  EXPECT_FALSE(answers.has_value());
  bus.pump();
  ASSERT_TRUE(answers.has_value());
  EXPECT_FALSE(error);
  ASSERT_EQ(answers->size(), 1u);
  EXPECT_EQ((*answers)[0].json.at("id"), json::value("s1"));
  EXPECT_EQ(a->core->pending().size(), 0u);
}

TEST_P(ClusterCoreTest, ARequestTimesOutWithTheAnswersThatCame) {
  std::optional<std::vector<sa::WireValue>> answers;
  boost::system::error_code error;
  a->core->server_side_emit_with_ack({json::array{"ping-server", "x"}, {}}, bus.count(),
                                     clock.now(), [&](auto ec, auto items) {
                                       error = ec;
                                       answers = std::move(items);
                                     });
  bus.pump();
  const auto& ask = std::get<sa::inbound::ServerSideEmit>(b->inbound.at(0));
  EXPECT_EQ(ask.args.json, json::value(json::array{"ping-server", "x"}));
  ASSERT_TRUE(ask.requester.has_value());
  b->core->reply_server_side_emit(*ask.requester, {json::value("nodeB"), {}});
  bus.pump();
  EXPECT_EQ(a->core->next_deadline(), clock.now() + 5s);
  clock.advance(4999ms);
  a->core->expire(clock.now());
  EXPECT_FALSE(answers.has_value());
  clock.advance(1ms);
  a->core->expire(clock.now());
  ASSERT_TRUE(answers.has_value());
  EXPECT_EQ(error, sa::make_error_code(sa::Error::RequestTimeout));
  ASSERT_EQ(answers->size(), 1u);
  EXPECT_EQ((*answers)[0].json, json::value("nodeB"));
  EXPECT_EQ(a->core->next_deadline(), std::nullopt);
}

TEST_P(ClusterCoreTest, AServerSideEmitWithAckWaitsItsOwnTimeoutNotTheRequestsTimeout) {
  // Node: io.timeout(ms).serverSideEmit(...). Longer than the 5 s requests timeout, and shorter.
  for (auto timeout : {std::chrono::milliseconds(8000), std::chrono::milliseconds(200)}) {
    std::optional<boost::system::error_code> error;
    a->core->server_side_emit_with_ack(
        {json::array{"ping-server"}, {}}, bus.count(), clock.now(),
        [&](auto ec, auto) { error = ec; }, timeout);
    bus.pump();
    EXPECT_EQ(a->core->next_deadline(), clock.now() + timeout);
    clock.advance(timeout - 1ms);
    a->core->expire(clock.now());
    EXPECT_FALSE(error.has_value()) << timeout.count();
    clock.advance(1ms);
    a->core->expire(clock.now());
    EXPECT_EQ(error, sa::make_error_code(sa::Error::RequestTimeout)) << timeout.count();
  }
}

TEST_P(ClusterCoreTest, AloneAServerSideEmitWithAckAnswersAtOnceWithNothing) {
  bool done = false;
  a->core->server_side_emit_with_ack({json::array{"e"}, {}}, 1, clock.now(),
                                     [&](auto ec, auto items) { done = !ec && items.empty(); });
  EXPECT_TRUE(done);
  EXPECT_TRUE(bus.published.empty());
}

TEST_P(ClusterCoreTest, BroadcastWithAckRoutesCountsAndAnswersUntilItsTimeout) {
  std::vector<std::size_t> counts;
  std::vector<json::value> acks;
  switchboard::socketio::Packet packet = event({"question"});
  packet.data.as_array().push_back(packet.attach("bytes"));
  a->core->broadcast_with_ack(packet, {.flags = {{"timeout", 2000}}}, clock.now(),
                              {.on_client_count = [&](std::size_t n) { counts.push_back(n); },
                               .on_ack = [&](sa::WireValue v) { acks.push_back(v.json); }});
  bus.pump();
  EXPECT_TRUE(a->inbound.empty());
  const auto& ask = std::get<sa::inbound::BroadcastWithAck>(b->inbound.at(0));
  EXPECT_EQ(ask.packet.attachments, std::vector<std::string>{"bytes"});
  b->core->reply_client_count(ask.requester, 1);
  b->core->reply_broadcast_ack(ask.requester, {json::value("answer"), {}});
  bus.pump();
  EXPECT_EQ(counts, std::vector<std::size_t>{1});
  EXPECT_EQ(acks, std::vector<json::value>{json::value("answer")});
  clock.advance(2s);
  a->core->expire(clock.now());
  b->core->reply_broadcast_ack(ask.requester, {json::value("late"), {}});
  bus.pump();
  EXPECT_EQ(acks.size(), 1u);
}

TEST_P(ClusterCoreTest, RemoteJoinLeaveAndDisconnectReachTheOthers) {
  a->core->add_sockets({.rooms = {"sid1"}}, {"room9"});
  a->core->del_sockets({.rooms = {"sid1"}}, {"room9"});
  a->core->disconnect_sockets({.rooms = {"sid1"}}, true);
  bus.pump();
  EXPECT_TRUE(a->inbound.empty()) << "this node applies its own at once";
  ASSERT_EQ(c->inbound.size(), 3u);
  EXPECT_EQ(std::get<sa::inbound::SocketsJoin>(c->inbound[0]).rooms,
            std::vector<std::string>{"room9"});
  EXPECT_EQ(std::get<sa::inbound::SocketsLeave>(c->inbound[1]).opts.rooms,
            std::vector<std::string>{"sid1"});
  EXPECT_TRUE(std::get<sa::inbound::DisconnectSockets>(c->inbound[2]).close);
}

TEST_P(ClusterCoreTest, WithoutAServerCountARequestFailsClearlyAtItsTimeout) {
  boost::system::error_code error;
  a->core->fetch_sockets({}, std::nullopt, clock.now(), [&](auto ec, auto) { error = ec; });
  EXPECT_TRUE(bus.published.empty());
  clock.advance(5s);
  a->core->expire(clock.now());
  EXPECT_EQ(error, sa::make_error_code(sa::Error::RedisUnavailable));
}

TEST_P(ClusterCoreTest, CloseFailsWhatWaits) {
  boost::system::error_code error;
  a->core->fetch_sockets({}, 3, clock.now(), [&](auto ec, auto) { error = ec; });
  a->core->fail_all(sa::make_error_code(sa::Error::Closed));
  EXPECT_EQ(error, sa::make_error_code(sa::Error::Closed));
}

TEST_P(ClusterCoreTest, NoiseOnEveryChannelIsDropped) {
  b->rooms = {"r"};
  const std::string junk[] = {"",
                              "{",
                              "{}",
                              "[]",
                              std::string("\x93\xa1u\x80\x80", 5),
                              "\xc1",
                              R"({"type":7,"requestId":"x","uid":"z"})",
                              R"({"uid":"z","nsp":"/","type":3,"data":1})"};
  for (const auto& [kind, channel] : b->core->subscriptions()) {
    for (const auto& payload : junk) {
      std::string ch = kind == sa::Subscription::Pattern ? b->core->channels().room("r") : channel;
      auto in = b->core->on_message(ch, payload, [](std::string_view) { return true; });
      EXPECT_TRUE(std::holds_alternative<std::monostate>(in)) << ch << " " << payload;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(BothFormats, ClusterCoreTest,
                         ::testing::Values(sa::ClusterMode::Classic, sa::ClusterMode::Sharded),
                         [](const auto& info) {
                           return info.param == sa::ClusterMode::Classic ? "Classic" : "Sharded";
                         });

TEST(ClusterCoreClassic, DropsOwnUidOtherNamespacesAndRoomsNotHeld) {
  struct Null final : sa::Bus {
    void publish(const std::string&, std::string) override {}
  } bus;
  sa::ClusterCore core({}, "/", "me", bus);
  auto msg = [](std::string uid, std::string nsp) {
    switchboard::socketio::Packet p;
    p.nsp = std::move(nsp);
    p.data = json::array{"e"};
    return sa::encode_broadcast({std::move(uid), std::move(p), {}});
  };
  auto yes = [](std::string_view) { return true; };
  auto no = [](std::string_view) { return false; };
  EXPECT_TRUE(std::holds_alternative<sa::inbound::Broadcast>(
      core.on_message("socket.io#/#", msg("other", "/"), no)));
  EXPECT_TRUE(std::holds_alternative<sa::inbound::Broadcast>(
      core.on_message("socket.io#/#r#", msg("emitter", "/"), yes)));
  EXPECT_TRUE(
      std::holds_alternative<std::monostate>(core.on_message("socket.io#/#", msg("me", "/"), yes)));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(
      core.on_message("socket.io#/#", msg("other", "/chat"), yes)));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(
      core.on_message("socket.io#/#r#", msg("other", "/"), no)));
}

TEST(ClusterCoreClassic, ServerCountComesFromNumsub) {
  struct Null final : sa::Bus {
    void publish(const std::string&, std::string) override {}
  } bus;
  sa::ClusterCore classic({}, "/", "me", bus);
  EXPECT_EQ(classic.server_count_command(),
            (std::vector<std::string>{"PUBSUB", "NUMSUB", "socket.io-request#/#"}));
  sa::ClusterCore sharded({.mode = sa::ClusterMode::Sharded}, "/", "me", bus);
  EXPECT_EQ(sharded.server_count_command(),
            (std::vector<std::string>{"PUBSUB", "SHARDNUMSUB", "socket.io#/#"}));
  sa::RedisReply reply{.type = sa::RedisReply::Type::Array,
                       .elements = {{.type = sa::RedisReply::Type::String, .str = "c"},
                                    {.type = sa::RedisReply::Type::Integer, .integer = 3}}};
  EXPECT_EQ(sa::ClusterCore::server_count_from(reply), 3u);
  EXPECT_EQ(sa::ClusterCore::server_count_from({}), std::nullopt);
  EXPECT_EQ(sa::ClusterCore::make_uid(sa::ClusterMode::Classic).size(), 6u);
  EXPECT_EQ(sa::ClusterCore::make_uid(sa::ClusterMode::Sharded).size(), 16u);
}

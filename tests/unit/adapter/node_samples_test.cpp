// Messages captured from the real Node packages (socket.io 4.8, @socket.io/redis-adapter
// 8.3.0, @socket.io/redis-emitter 5.1.0) with `redis-cli MONITOR`: this side decodes them and,
// where it writes the same message, writes the same bytes.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "switchboard/adapter/cluster_core.hpp"

namespace sa = switchboard::adapter;
namespace json = boost::json;

namespace {

// The bytes of a literal, NULs included.
template <std::size_t N>
std::string bytes(const char (&s)[N]) {
  return std::string(s, N - 1);
}

const std::string kClassicBroadcast = bytes(
    "\x93\xa6"
    "3WFHuO\x83\xa4type\x02\xa4"
    "data\x92\xa5"
    "flags\xc4\x02\x01\x02\xa3nsp\xa1/\x83\xa5rooms\x92\xa2r1\xa2r2\xa6"
    "except\x91\xa2r3\xa5"
    "flags\x82\xa8"
    "compress\xc2\xa8volatile\xc3");

const std::string kClassicBroadcastWithAck = bytes(
    "\x85\xa3uid\xa6"
    "3WFHuO\xa9requestId\xa6ymqsDe\xa4type\x07\xa6packet\x83\xa4type\x02\xa4"
    "data\x91\xa1q\xa3nsp\xa1/\xa4opts\x83\xa5rooms\x90\xa6"
    "except\x90\xa5"
    "flags\x81\xa7timeout\xcd\x01\x2c");

const std::string kEmitterBroadcast = bytes(
    "\x93\xa7"
    "emitter\x83\xa4type\x02\xa4"
    "data\x92\xac"
    "from-emitter\xc4\x01\x07\xa3nsp\xa1/\x83\xa5rooms\x91\xa5room1\xa5"
    "flags\x80\xa6"
    "except\x91\xa2r9");

const std::string kShardedBinaryBroadcast = bytes(
    "\x84\xa4type\x03\xa4"
    "data\x82\xa6packet\x82\xa4type\x02\xa4"
    "data\x92\xa5"
    "flags\xc4\x02\x01\x02\xa4opts\x83\xa5rooms\x92\xa2r1\xa2r2\xa6"
    "except\x91\xa2r3\xa5"
    "flags\x82\xa8"
    "compress\xc2\xa8volatile\xc3\xa3uid\xb0"
    "63a7889c1de1eeac\xa3nsp\xa1/");

struct Recorder final : sa::Bus {
  std::vector<std::pair<std::string, std::string>> sent;
  void publish(const std::string& channel, std::string payload) override {
    sent.emplace_back(channel, std::move(payload));
  }
};

switchboard::socketio::Packet flags_packet() {
  switchboard::socketio::Packet p;
  p.data = json::array{"flags"};
  p.data.as_array().push_back(p.attach(std::string("\x01\x02", 2)));
  return p;
}

const sa::BroadcastOptions kFlagsOpts{
    .rooms = {"r1", "r2"}, .except = {"r3"}, .flags = {{"compress", false}, {"volatile", true}}};

}  // namespace

TEST(NodeSamples, AClassicBroadcastWithFlagsAndBinaryIsWrittenByteForByte) {
  auto m = sa::decode_broadcast(kClassicBroadcast);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->uid, "3WFHuO");
  EXPECT_EQ(m->packet.attachments, std::vector<std::string>{std::string("\x01\x02", 2)});
  EXPECT_EQ(m->opts, kFlagsOpts);
  Recorder bus;
  sa::ClusterCore core({}, "/", "3WFHuO", bus);
  core.broadcast(flags_packet(), kFlagsOpts);
  ASSERT_EQ(bus.sent.size(), 1u);
  EXPECT_EQ(bus.sent[0].first, "socket.io#/#");
  EXPECT_EQ(bus.sent[0].second, kClassicBroadcast);
}

TEST(NodeSamples, AClassicBroadcastWithAckRequestIsWrittenByteForByte) {
  Recorder bus;
  sa::ClusterCore core({}, "/", "3WFHuO", bus, [] { return std::string("ymqsDe"); });
  switchboard::socketio::Packet p;
  p.data = json::array{"q"};
  core.broadcast_with_ack(p, {.flags = {{"timeout", 300}}}, {}, {});
  ASSERT_EQ(bus.sent.size(), 1u);
  EXPECT_EQ(bus.sent[0].first, "socket.io-request#/#");
  EXPECT_EQ(bus.sent[0].second, kClassicBroadcastWithAck);
}

TEST(NodeSamples, TheEmittersBroadcastIsDelivered) {
  Recorder bus;
  sa::ClusterCore core({}, "/", "me", bus);
  auto in = core.on_message("socket.io#/#room1#", kEmitterBroadcast,
                            [](std::string_view r) { return r == "room1"; });
  auto* b = std::get_if<sa::inbound::Broadcast>(&in);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->packet.attachments, std::vector<std::string>{"\x07"});
  EXPECT_EQ(b->opts.rooms, std::vector<std::string>{"room1"});
  EXPECT_EQ(b->opts.except, std::vector<std::string>{"r9"});
}

TEST(NodeSamples, AShardedBinaryBroadcastIsWrittenByteForByte) {
  Recorder bus;
  sa::ClusterCore core({.mode = sa::ClusterMode::Sharded}, "/", "63a7889c1de1eeac", bus);
  core.broadcast(flags_packet(), kFlagsOpts);
  ASSERT_EQ(bus.sent.size(), 1u);
  EXPECT_EQ(bus.sent[0].first, "socket.io#/#");
  EXPECT_EQ(bus.sent[0].second, kShardedBinaryBroadcast);
  sa::ClusterCore other({.mode = sa::ClusterMode::Sharded}, "/", "other", bus);
  auto in = other.on_message("socket.io#/#", kShardedBinaryBroadcast, {});
  auto* b = std::get_if<sa::inbound::Broadcast>(&in);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->packet.nsp, "/");
  EXPECT_EQ(b->opts, kFlagsOpts);
}

TEST(NodeSamples, ClassicAndShardedJsonRequestsAreWrittenAsNodeWritesThem) {
  Recorder bus;
  int n = 0;
  sa::ClusterCore classic({}, "/", "3WFHuO", bus,
                          [&] { return std::string(++n == 1 ? "neEY06" : "pxfyxI"); });
  classic.fetch_sockets({}, 2, {}, {});
  classic.server_side_emit_with_ack({json::array{"ping-server", "p"}, {}}, 2, {}, {});
  classic.server_side_emit({json::array{"no-ack", 1}, {}});
  classic.add_sockets({.rooms = {"room1"}}, {"room2"});
  classic.disconnect_sockets({.rooms = {"room1"}}, true);
  classic.reply_server_side_emit({"x", "pxfyxI"}, {json::value("answer"), {}});
  sa::ClusterCore sharded({.mode = sa::ClusterMode::Sharded}, "/", "63a7889c1de1eeac", bus,
                          [] { return std::string("360a6801bf732359"); });
  sharded.fetch_sockets({}, 2, {}, {});
  sharded.add_sockets({.rooms = {"room1"}}, {"room2"});
  const std::vector<std::pair<std::string, std::string>> node = {
      {"socket.io-request#/#",
       R"({"uid":"3WFHuO","requestId":"neEY06","type":5,"opts":{"rooms":[],"except":[]}})"},
      {"socket.io-request#/#",
       R"({"uid":"3WFHuO","requestId":"pxfyxI","type":6,"data":["ping-server","p"]})"},
      {"socket.io-request#/#", R"({"uid":"3WFHuO","type":6,"data":["no-ack",1]})"},
      {"socket.io-request#/#",
       R"({"uid":"3WFHuO","type":2,"opts":{"rooms":["room1"],"except":[]},"rooms":["room2"]})"},
      {"socket.io-request#/#",
       R"({"uid":"3WFHuO","type":4,"opts":{"rooms":["room1"],"except":[]},"close":true})"},
      {"socket.io-response#/#", R"({"type":6,"requestId":"pxfyxI","data":"answer"})"},
      {"socket.io#/#",
       R"({"type":7,"data":{"opts":{"rooms":[],"except":[],"flags":{}},"requestId":"360a6801bf732359"},"uid":"63a7889c1de1eeac","nsp":"/"})"},
      {"socket.io#/#",
       R"({"type":4,"data":{"opts":{"rooms":["room1"],"except":[],"flags":{}},"rooms":["room2"]},"uid":"63a7889c1de1eeac","nsp":"/"})"},
  };
  EXPECT_EQ(bus.sent, node);
}

TEST(NodeSamples, EveryOneByteMutationOfASampleOnEveryChannelIsHandled) {
  // Untrusted input from the bus never throws and never crashes the node, whatever it holds.
  Recorder bus;
  sa::ClusterCore classic({}, "/", "me", bus);
  sa::ClusterCore sharded({.mode = sa::ClusterMode::Sharded}, "/", "me", bus);
  const auto all = [](std::string_view) { return true; };
  for (const std::string& sample :
       {kClassicBroadcast, kClassicBroadcastWithAck, kEmitterBroadcast, kShardedBinaryBroadcast}) {
    for (std::size_t i = 0; i < sample.size(); ++i) {
      std::string mutated = sample;
      for (int b = 0; b < 256; b += 7) {
        mutated[i] = static_cast<char>(b);
        for (const char* channel :
             {"socket.io#/#", "socket.io#/#r1#", "socket.io-request#/#", "socket.io-response#/#"})
          classic.on_message(channel, mutated, all);
        sharded.on_message("socket.io#/#", mutated, all);
        sharded.on_message("socket.io#/#me#", mutated, all);
      }
    }
  }
  SUCCEED();
}

#include "client/socket_core.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "switchboard/socketio/parser.hpp"

using namespace switchboard;
using namespace switchboard::client::detail;

namespace {

std::string encode(const socketio::Packet& packet) {
  std::string out;
  socketio::encode(out, packet);
  return out;
}

socketio::Packet decode(std::string_view text) {
  socketio::Decoder decoder;
  auto step = decoder.feed_text(text);
  EXPECT_TRUE(step && *step) << text;
  return step && *step ? std::move(**step) : socketio::Packet{};
}

}  // namespace

TEST(SocketCore, ConnectSendsAuthAndTheReplyGivesTheId) {
  SocketCore core("/custom");
  EXPECT_EQ(encode(core.connect_packet({})), "0/custom,");
  EXPECT_EQ(encode(core.connect_packet({{"token", "t"}})), R"(0/custom,{"token":"t"})");
  auto in = core.receive(decode(R"(0/custom,{"sid":"s1"})"));
  auto* connected = std::get_if<ConnectedIn>(&in);
  ASSERT_TRUE(connected);
  EXPECT_EQ(connected->sid, "s1");
  EXPECT_FALSE(connected->recovered);
  EXPECT_TRUE(core.connected());
  EXPECT_FALSE(core.pid());
}

TEST(SocketCore, ConnectErrorCarriesMessageAndData) {
  SocketCore core("/");
  auto in = core.receive(decode(R"(4{"message":"not authorized","data":{"reason":"x"}})"));
  auto* refused = std::get_if<RefusedIn>(&in);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->message, "not authorized");
  EXPECT_EQ(boost::json::serialize(refused->data), R"({"reason":"x"})");
  EXPECT_FALSE(core.connected());
}

TEST(SocketCore, EventsAndAcksGoBothWays) {
  SocketCore core("/");
  core.receive(decode(R"(0{"sid":"s"})"));
  auto id = core.next_ack_id();
  EXPECT_EQ(encode(core.event_packet("hi", socketio::Args::of(1, "a"), id)), R"(20["hi",1,"a"])");
  EXPECT_EQ(core.next_ack_id(), id + 1);
  auto binary = core.event_packet("up", socketio::Args::of(socketio::Binary{"xyz"}), std::nullopt);
  EXPECT_EQ(encode(binary), R"(51-["up",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(encode(core.ack_packet(7, socketio::Args::of("ok"))), R"(37["ok"])");

  auto in = core.receive(decode(R"(212["question",{"q":1}])"));
  auto* event = std::get_if<EventIn>(&in);
  ASSERT_TRUE(event);
  EXPECT_EQ(event->name, "question");
  EXPECT_EQ(event->id, 12u);
  EXPECT_EQ(boost::json::serialize(event->args.values), R"([{"q":1}])");

  in = core.receive(decode(R"(30["x",42])"));
  auto* ack = std::get_if<AckIn>(&in);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->id, 0u);
  EXPECT_EQ(boost::json::serialize(ack->args.values), R"(["x",42])");
}

TEST(SocketCore, MalformedPacketsAreInvalid) {
  SocketCore core("/");
  for (const char* text : {R"(0{"nosid":1})", "2[]", "2[{}]", "3[1]"}) {
    socketio::Decoder decoder;
    auto step = decoder.feed_text(text);
    if (!step || !*step) continue;  // refused by the codec already
    EXPECT_TRUE(std::holds_alternative<InvalidIn>(core.receive(std::move(**step)))) << text;
  }
}

TEST(SocketCore, RecoveryRemembersPidAndLastOffset) {
  SocketCore core("/");
  core.receive(decode(R"(0{"sid":"s1","pid":"p1"})"));
  EXPECT_EQ(core.pid(), "p1");
  core.receive(decode(R"(2["auth",{},"off-1"])"));
  EXPECT_EQ(core.last_offset(), "off-1");
  core.receive(decode(R"(25["with-ack","not-an-offset"])"));  // acked events carry none
  core.receive(decode(R"(2["n",1])"));                        // last argument not a string
  EXPECT_EQ(core.last_offset(), "off-1");
  core.transport_closed();
  EXPECT_FALSE(core.connected());
  EXPECT_EQ(encode(core.connect_packet({{"token", "t"}})),
            R"(0{"pid":"p1","offset":"off-1","token":"t"})");
  auto in = core.receive(decode(R"(0{"sid":"s1","pid":"p1"})"));
  EXPECT_TRUE(std::get<ConnectedIn>(in).recovered);
  EXPECT_TRUE(core.recovered());
  in = core.receive(decode(R"(0{"sid":"s2","pid":"p2"})"));
  EXPECT_FALSE(std::get<ConnectedIn>(in).recovered);
  EXPECT_FALSE(core.last_offset());
}

TEST(SocketCore, LeavingForgetsTheSession) {
  SocketCore core("/");
  core.receive(decode(R"(0{"sid":"s1","pid":"p1"})"));
  EXPECT_EQ(encode(core.disconnect_packet()), "1");
  core.left();
  EXPECT_EQ(encode(core.connect_packet({})), "0");
  core.receive(decode(R"(0{"sid":"s1","pid":"p1"})"));
  EXPECT_TRUE(std::holds_alternative<DisconnectIn>(core.receive(decode("1"))));
  EXPECT_FALSE(core.connected());
  EXPECT_FALSE(core.pid());
}

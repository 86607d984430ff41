#include "client/engine_core.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using namespace switchboard;
using client::detail::Clock;
using client::detail::EngineCore;
using client::detail::parse_open;
using engineio::Packet;
using engineio::PacketType;

namespace {

const char* open_json =
    R"({"sid":"abc","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":20})";

EngineCore opened(Clock::time_point t0) {
  EngineCore core;
  auto step = core.receive({.type = PacketType::Open, .data = open_json}, t0);
  EXPECT_TRUE(step.opened);
  return core;
}

}  // namespace

TEST(EngineCore, OpenPacketGivesTheSessionParameters) {
  auto p = parse_open(open_json);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->sid, "abc");
  EXPECT_EQ(p->upgrades, std::vector<std::string>{"websocket"});
  EXPECT_EQ(p->ping_interval, 300ms);
  EXPECT_EQ(p->ping_timeout, 200ms);
  EXPECT_EQ(p->max_payload, 20u);
  auto core = opened(Clock::time_point{});
  EXPECT_EQ(core.state(), EngineCore::State::Open);
  EXPECT_TRUE(core.can_upgrade());
}

TEST(EngineCore, MalformedOpenPacketsAreRefused) {
  for (const char* json : {"", "[]", "{}", R"({"sid":1,"pingInterval":1,"pingTimeout":1})",
                           R"({"sid":"a","pingInterval":-1,"pingTimeout":1})",
                           R"({"sid":"a","pingInterval":1})", "{\"sid\":"}) {
    EXPECT_FALSE(parse_open(json)) << json;
  }
  EngineCore core;
  auto step = core.receive({.type = PacketType::Message, .data = "hello"}, Clock::time_point{});
  EXPECT_EQ(step.closed, "parse error");
  EXPECT_EQ(core.state(), EngineCore::State::Closed);
}

TEST(EngineCore, PingIsAnsweredWithPongAndPushesTheDeadline) {
  Clock::time_point t0{};
  auto core = opened(t0);
  EXPECT_EQ(core.deadline(), t0 + 500ms);
  core.receive({.type = PacketType::Ping}, t0 + 300ms);
  EXPECT_EQ(core.deadline(), t0 + 800ms);
  auto out = core.take_outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, PacketType::Pong);
  EXPECT_FALSE(core.check_timeout(t0 + 799ms));
  EXPECT_TRUE(core.check_timeout(t0 + 800ms));
  EXPECT_EQ(core.state(), EngineCore::State::Closed);
}

TEST(EngineCore, MessagesComeOutInOrderAndCloseEnds) {
  auto core = opened(Clock::time_point{});
  auto step = core.receive({.type = PacketType::Message, .data = "2[\"a\"]"}, {});
  ASSERT_EQ(step.messages.size(), 1u);
  EXPECT_EQ(step.messages[0].data, "2[\"a\"]");
  step = core.receive({.type = PacketType::Message, .data = "\x01\x02", .binary = true}, {});
  ASSERT_EQ(step.messages.size(), 1u);
  EXPECT_TRUE(step.messages[0].binary);
  EXPECT_TRUE(core.receive({.type = PacketType::Noop}, {}).messages.empty());
  step = core.receive({.type = PacketType::Close}, {});
  EXPECT_EQ(step.closed, "transport close");
  EXPECT_TRUE(core.receive({.type = PacketType::Message, .data = "x"}, {}).messages.empty());
}

TEST(EngineCore, PollingPayloadsStayWithinMaxPayload) {
  auto core = opened(Clock::time_point{});  // maxPayload 20
  core.send_message("0123456789", false);   // "40123456789": 11 bytes
  core.send_message("abc", false);          // + "\x1e4abc": 16 bytes
  core.send_message("defgh", false);        // + 7 would pass 20: next payload
  core.send_message("\x01", true);
  EXPECT_EQ(core.take_polling_payload(),
            "40123456789\x1e"
            "4abc");
  EXPECT_EQ(core.take_polling_payload(),
            "4defgh\x1e"
            "bAQ==");
  EXPECT_EQ(core.take_polling_payload(), "");
  core.send_message(std::string(50, 'x'), false);  // too big alone: still sent
  EXPECT_EQ(core.take_polling_payload().size(), 51u);
}

TEST(EngineCore, CloseQueuesAGoodbye) {
  auto core = opened(Clock::time_point{});
  core.close();
  auto out = core.take_outbox();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, PacketType::Close);
  EXPECT_EQ(core.state(), EngineCore::State::Closed);
}

// The Engine.IO server session's state machine, driven step by step on a manual clock: every
// heartbeat, polling, upgrade and close path, with the actions the driver would carry out.
#include "engineio/session_core.hpp"

#include <gtest/gtest.h>

#include "support/manual_clock.hpp"

using namespace std::chrono_literals;

// The binary's allocations so far (allocation_count.cpp).
std::size_t allocation_count();

namespace switchboard::engineio::detail {
namespace {

using Kind = Action::Kind;
using Transport = SessionCore::Transport;
using Lines = std::vector<std::string>;

ServerOptions test_options() {
  return {.ping_interval = 25s,
          .ping_timeout = 20s,
          .upgrade_timeout = 10s,
          .max_payload = 100,
          .write_queue = {.soft_limit = 20, .hard_limit = 40}};
}

std::string frame(const Outgoing& out) {
  if (out.prepared) return "prepared #" + std::to_string(out.index);
  if (out.packet.binary) return "binary " + out.packet.data;
  std::string text;
  append_text_packet(text, out.packet.type, out.packet.data);
  return text;
}

std::string probe_close(ProbeClose why) {
  switch (why) {
    case ProbeClose::MalformedFrame:
      return "malformed frame";
    case ProbeClose::UnexpectedPacket:
      return "unexpected packet";
    case ProbeClose::UpgradeTimeout:
      return "upgrade timeout";
    case ProbeClose::GoingAway:
      return "going away";
  }
  return "?";
}

// One session and what its driver would have done, as lines that read like a transcript.
class EngineSession : public ::testing::Test {
 protected:
  void make(Transport transport, ServerOptions options = test_options()) {
    core_.reset();
    options_ = std::move(options);
    core_.emplace(options_, transport);
    out_.clear();
    timer_ = Clock::time_point::max();
  }

  SessionCore& core() { return *core_; }

  // Starts a session with a short open JSON and takes the actions of doing so.
  void start(Transport transport, ServerOptions options = test_options()) {
    make(transport, std::move(options));
    core().start(R"({"sid":"s"})", clock_.now(), out_);
    take();
  }

  // A polling session whose handshake GET has taken the open packet.
  void start_polling() {
    start(Transport::Polling);
    EXPECT_EQ(poll(1), SessionCore::Poll::Held);
    EXPECT_EQ(take(), (Lines{R"(poll 0{"sid":"s"})"}));
  }

  // A polling session that upgraded to WebSocket.
  void start_upgraded() {
    start_polling();
    ASSERT_TRUE(core().probe_opened(clock_.now(), out_));
    probe(PacketType::Ping, "probe");
    probe(PacketType::Upgrade);
    take();
    ASSERT_EQ(core().transport(), Transport::WebSocket);
  }

  SessionCore::Poll poll(std::uint64_t id) { return core().poll(id, out_); }

  SessionCore::Inbound receive(PacketType type, std::string data = {}) {
    Packet packet{type, std::move(data), false};
    return core().receive(packet, clock_.now(), out_);
  }

  void probe(PacketType type, std::string data = {}) {
    Packet packet{type, std::move(data), false};
    core().probe_message(&packet, out_);
  }

  SessionCore::Route send(std::string text, bool is_volatile = false) {
    auto bytes = text.size() + 1;
    return core().send({Packet{PacketType::Message, std::move(text), false}, nullptr, 0}, bytes,
                       is_volatile, out_);
  }

  // Moves the clock on, and fires the timer when it is due.
  void advance(std::chrono::milliseconds by) {
    clock_.advance(by);
    if (timer_ <= clock_.now()) {
      timer_ = Clock::time_point::max();
      core().on_timer(clock_.now(), out_);
    }
  }

  // The actions so far, as lines; the timer they set is remembered.
  Lines take() {
    Lines lines;
    for (auto& a : out_) lines.push_back(describe(a));
    out_.clear();
    return lines;
  }

  std::string describe(const Action& a) {
    switch (a.kind) {
      case Kind::SendWebSocket:
        return "ws " + frame(a.out);
      case Kind::AnswerPoll:
        return "poll " + a.text;
      case Kind::AnswerPollUnavailable:
        return "poll 503";
      case Kind::ScheduleFlush:
        return "flush later";
      case Kind::AnswerProbe:
        return "probe 3probe";
      case Kind::CloseProbe:
        return "close probe: " + probe_close(a.probe_close);
      case Kind::Upgraded:
        return "upgraded";
      case Kind::CloseWebSocket:
        return "close ws";
      case Kind::OweNoop:
        return "owe noop";
      case Kind::SetTimer:
        timer_ = a.when;
        if (a.when == Clock::time_point::max()) return "timer off";
        return "timer +" +
               std::to_string(
                   std::chrono::duration_cast<std::chrono::milliseconds>(a.when - clock_.now())
                       .count()) +
               "ms";
      case Kind::Ended:
        return "ended: " + a.text;
    }
    return "?";
  }

  ServerOptions options_;
  test::ManualClock clock_;
  std::optional<SessionCore> core_;
  Actions out_;
  Clock::time_point timer_ = Clock::time_point::max();
};

// --- handshake ----------------------------------------------------------------------------

TEST(OpenJson, a_polling_session_is_offered_the_websocket_upgrade) {
  EXPECT_EQ(open_json(test_options(), "abc", false),
            R"({"sid":"abc","upgrades":["websocket"],"pingInterval":25000,)"
            R"("pingTimeout":20000,"maxPayload":100})");
}

TEST(OpenJson, a_websocket_session_or_one_without_upgrades_is_offered_none) {
  auto no_upgrades = test_options();
  no_upgrades.allow_upgrades = false;
  auto no_websocket = test_options();
  no_websocket.allow_websocket = false;
  for (auto [options, websocket_first] :
       {std::pair{test_options(), true}, std::pair{no_upgrades, false},
        std::pair{no_websocket, false}}) {
    EXPECT_EQ(open_json(options, "abc", websocket_first),
              R"({"sid":"abc","upgrades":[],"pingInterval":25000,)"
              R"("pingTimeout":20000,"maxPayload":100})");
  }
}

TEST_F(EngineSession, the_handshake_get_takes_the_open_packet_and_the_ping_is_armed) {
  make(Transport::Polling);
  core().start(R"({"sid":"s"})", clock_.now(), out_);
  EXPECT_EQ(take(), (Lines{"timer +25000ms"}));
  EXPECT_EQ(poll(1), SessionCore::Poll::Held);
  EXPECT_EQ(take(), (Lines{R"(poll 0{"sid":"s"})"}));
  EXPECT_TRUE(core().is_open());
}

TEST_F(EngineSession, a_websocket_session_sends_its_open_packet_first) {
  make(Transport::WebSocket);
  core().start(R"({"sid":"s"})", clock_.now(), out_);
  EXPECT_EQ(take(), (Lines{R"(ws 0{"sid":"s"})", "timer +25000ms"}));
}

// --- heartbeat ----------------------------------------------------------------------------

TEST_F(EngineSession, a_ping_goes_to_the_held_poll_after_ping_interval) {
  start_polling();
  EXPECT_EQ(poll(2), SessionCore::Poll::Held);
  advance(24999ms);
  EXPECT_EQ(take(), Lines{});
  advance(1ms);
  EXPECT_EQ(take(), (Lines{"flush later", "timer +20000ms"}));
  core().flush(out_);
  EXPECT_EQ(take(), (Lines{"poll 2"}));
}

TEST_F(EngineSession, a_ping_with_no_poll_held_waits_for_the_next_get) {
  start_polling();
  advance(25s);
  EXPECT_EQ(take(), (Lines{"timer +20000ms"}));
  EXPECT_EQ(poll(2), SessionCore::Poll::Held);
  EXPECT_EQ(take(), (Lines{"poll 2"}));
}

TEST_F(EngineSession, a_pong_in_time_schedules_the_next_ping_a_ping_interval_after_it) {
  start_polling();
  advance(25s);
  take();
  advance(19s);
  EXPECT_EQ(receive(PacketType::Pong), SessionCore::Inbound::Handled);
  EXPECT_EQ(take(), (Lines{"timer +25000ms"}));
  advance(1s);  // where the pong timeout was
  EXPECT_EQ(take(), Lines{});
  EXPECT_TRUE(core().is_open());
}

TEST_F(EngineSession, no_pong_within_ping_timeout_ends_the_session_with_ping_timeout) {
  start_polling();
  EXPECT_EQ(poll(2), SessionCore::Poll::Held);
  advance(25s);
  core().flush(out_);
  take();
  EXPECT_EQ(poll(3), SessionCore::Poll::Held);
  advance(20s);
  EXPECT_EQ(take(), (Lines{"poll 1", "timer off", "ended: ping timeout"}));
  EXPECT_TRUE(core().closed());
}

TEST_F(EngineSession, a_websocket_session_pings_on_its_websocket_and_times_out_there) {
  start(Transport::WebSocket);
  advance(25s);
  EXPECT_EQ(take(), (Lines{"ws 2", "timer +20000ms"}));
  advance(20s);
  EXPECT_EQ(take(), (Lines{"close ws", "timer off", "ended: ping timeout"}));
}

TEST_F(EngineSession, a_client_ping_is_answered_with_a_pong) {
  start(Transport::WebSocket);
  receive(PacketType::Ping, "x");
  EXPECT_EQ(take(), (Lines{"ws 3x"}));
}

// --- polling ------------------------------------------------------------------------------

TEST_F(EngineSession, a_second_concurrent_get_is_refused_and_ends_the_session) {
  start_polling();
  EXPECT_EQ(poll(2), SessionCore::Poll::Held);
  EXPECT_EQ(poll(3), SessionCore::Poll::Refused);
  EXPECT_EQ(take(), (Lines{"poll 1", "timer off", "ended: transport error"}));
}

TEST_F(EngineSession, packets_sent_in_one_turn_leave_in_one_answer) {
  start_polling();
  EXPECT_EQ(poll(2), SessionCore::Poll::Held);
  send("a");
  send("b");
  core().send({Packet{PacketType::Message, "\x01\x02\x03", true}, nullptr, 0}, 4, false, out_);
  EXPECT_EQ(take(), (Lines{"flush later"}));
  core().flush(out_);
  EXPECT_EQ(take(), (Lines{"poll 4a\x1e"
                           "4b\x1e"
                           "bAQID"}));
}

TEST_F(EngineSession, a_get_takes_what_was_queued_at_once) {
  start_polling();
  send("a");
  send("b");
  EXPECT_EQ(take(), Lines{});
  EXPECT_EQ(poll(2), SessionCore::Poll::Held);
  EXPECT_EQ(take(), (Lines{"poll 4a\x1e"
                           "4b"}));
}

TEST_F(EngineSession, a_get_that_went_away_is_not_answered) {
  start_polling();
  EXPECT_EQ(poll(2), SessionCore::Poll::Held);
  core().cancel_poll(2);
  send("a");
  EXPECT_EQ(take(), Lines{});
  EXPECT_EQ(poll(3), SessionCore::Poll::Held);
  EXPECT_EQ(take(), (Lines{"poll 4a"}));
}

TEST_F(EngineSession, the_write_queue_limits_report_drop_and_close) {
  start_polling();
  EXPECT_EQ(send("0123456789"), SessionCore::Route::Queued);               // 11 bytes
  EXPECT_EQ(send("0123456789"), SessionCore::Route::QueuedOverSoftLimit);  // 22 > 20
  EXPECT_EQ(send("v", true), SessionCore::Route::Dropped);                 // volatile, over soft
  EXPECT_EQ(core().queued_bytes(), 22u);
  EXPECT_EQ(send("0123456789012345678"), SessionCore::Route::Dropped);  // 42 > 40
  EXPECT_EQ(take(), (Lines{"timer off", "ended: transport error"}));
}

TEST_F(EngineSession, a_post_gives_its_packets_in_order_and_posts_never_overlap) {
  start_polling();
  // The body is read whole before the session sees it: a POST is never in flight in the
  // core, and a second one is simply the next.
  for (std::string body : {"4hello\x1e"
                           "4world",
                           "bAQID"}) {
    std::vector<Packet> packets;
    ASSERT_TRUE(core().post(body, packets, out_));
    for (auto& p : packets)
      EXPECT_EQ(core().receive(p, clock_.now(), out_), SessionCore::Inbound::Message);
  }
  EXPECT_EQ(take(), Lines{});
}

TEST_F(EngineSession, a_malformed_post_or_one_over_max_payload_ends_the_session_with_parse_error) {
  for (std::string body : {std::string("abc"), std::string(""), "4" + std::string(100, 'x')}) {
    start_polling();
    std::vector<Packet> packets;
    EXPECT_FALSE(core().post(body, packets, out_)) << body;
    EXPECT_EQ(take(), (Lines{"timer off", "ended: parse error"})) << body;
  }
}

TEST_F(EngineSession, an_open_or_upgrade_packet_on_the_live_transport_is_a_parse_error) {
  for (auto type : {PacketType::Open, PacketType::Upgrade}) {
    start_polling();
    receive(type);
    EXPECT_EQ(take(), (Lines{"timer off", "ended: parse error"}));
  }
}

TEST_F(EngineSession, a_close_packet_posted_answers_the_held_get_with_a_noop) {
  start_polling();
  EXPECT_EQ(poll(2), SessionCore::Poll::Held);
  receive(PacketType::Close);
  EXPECT_EQ(take(), (Lines{"poll 6", "timer off", "ended: transport close"}));
  EXPECT_EQ(poll(3), SessionCore::Poll::Refused);
}

TEST_F(EngineSession, a_close_packet_with_no_get_held_owes_the_racing_get_a_noop) {
  start_polling();
  receive(PacketType::Close);
  EXPECT_EQ(take(), (Lines{"owe noop", "timer off", "ended: transport close"}));
}

TEST_F(EngineSession, a_get_or_post_after_the_end_is_refused) {
  start_polling();
  core().close("forced close", false, clock_.now(), out_);
  take();
  std::vector<Packet> packets;
  EXPECT_EQ(poll(2), SessionCore::Poll::Refused);
  EXPECT_FALSE(core().post("4x", packets, out_));
  EXPECT_EQ(send("x"), SessionCore::Route::Dropped);
  EXPECT_EQ(take(), Lines{});
}

// --- upgrade ------------------------------------------------------------------------------

TEST_F(EngineSession, an_upgrade_answers_the_probe_pauses_polling_and_moves_the_queue_in_order) {
  start_polling();
  EXPECT_EQ(poll(2), SessionCore::Poll::Held);
  ASSERT_TRUE(core().probe_opened(clock_.now(), out_));
  EXPECT_EQ(take(), (Lines{"timer +10000ms"}));
  probe(PacketType::Ping, "probe");
  EXPECT_EQ(take(), (Lines{"probe 3probe", "poll 6"}));
  // Polling pauses: every GET gets a noop at once, and what is sent waits for the WebSocket.
  send("first");
  EXPECT_EQ(poll(3), SessionCore::Poll::Held);
  send("second");
  EXPECT_EQ(poll(4), SessionCore::Poll::Held);
  EXPECT_EQ(take(), (Lines{"poll 6", "poll 6"}));
  probe(PacketType::Upgrade);
  EXPECT_EQ(take(), (Lines{"upgraded", "ws 4first", "ws 4second", "timer +25000ms"}));
  EXPECT_EQ(core().transport(), Transport::WebSocket);
  EXPECT_EQ(send("third"), SessionCore::Route::WebSocket);
  EXPECT_EQ(take(), (Lines{"ws 4third"}));
}

TEST_F(EngineSession, the_upgrade_packet_is_taken_without_waiting_for_the_probe_answer) {
  start_polling();
  EXPECT_EQ(poll(2), SessionCore::Poll::Held);
  ASSERT_TRUE(core().probe_opened(clock_.now(), out_));
  probe(PacketType::Upgrade);
  EXPECT_EQ(take(), (Lines{"timer +10000ms", "upgraded", "poll 6", "timer +25000ms"}));
}

TEST_F(EngineSession, after_the_upgrade_polling_is_refused) {
  start_upgraded();
  std::vector<Packet> packets;
  EXPECT_EQ(poll(9), SessionCore::Poll::Refused);
  EXPECT_FALSE(core().post("4x", packets, out_));
  EXPECT_TRUE(core().is_open());
}

TEST_F(EngineSession,
       no_upgrade_packet_within_upgrade_timeout_closes_the_probe_and_polling_goes_on) {
  start_polling();
  ASSERT_TRUE(core().probe_opened(clock_.now(), out_));
  probe(PacketType::Ping, "probe");
  take();
  advance(10s);
  EXPECT_EQ(take(), (Lines{"close probe: upgrade timeout", "timer +15000ms"}));
  EXPECT_FALSE(core().probing());
  EXPECT_EQ(poll(2), SessionCore::Poll::Held);
  send("still polling");
  EXPECT_EQ(take(), (Lines{"flush later"}));
}

TEST_F(EngineSession, a_second_websocket_while_probing_or_after_the_upgrade_is_turned_away) {
  start_polling();
  ASSERT_TRUE(core().probe_opened(clock_.now(), out_));
  EXPECT_FALSE(core().probe_opened(clock_.now(), out_));
  probe(PacketType::Upgrade);
  take();
  EXPECT_FALSE(core().probe_opened(clock_.now(), out_));
  EXPECT_EQ(take(), Lines{});
  EXPECT_TRUE(core().is_open());
}

TEST_F(EngineSession, a_probe_that_fails_leaves_the_session_polling_and_a_new_probe_may_come) {
  start_polling();
  ASSERT_TRUE(core().probe_opened(clock_.now(), out_));
  probe(PacketType::Ping, "probe");
  take();
  core().probe_closed(out_);  // a transport error on the probe
  EXPECT_EQ(take(), (Lines{"timer +25000ms"}));
  EXPECT_EQ(poll(2), SessionCore::Poll::Held);
  EXPECT_EQ(take(), Lines{});  // no more noops: polling is back
  EXPECT_TRUE(core().probe_opened(clock_.now(), out_));
}

TEST_F(EngineSession, anything_else_on_the_probe_closes_it) {
  start_polling();
  ASSERT_TRUE(core().probe_opened(clock_.now(), out_));
  probe(PacketType::Message, "hi");
  EXPECT_EQ(take(), (Lines{"timer +10000ms", "close probe: unexpected packet", "timer +25000ms"}));
  ASSERT_TRUE(core().probe_opened(clock_.now(), out_));
  probe(PacketType::Ping, "probe");
  probe(PacketType::Ping, "probe");  // twice
  EXPECT_EQ(take(), (Lines{"timer +10000ms", "probe 3probe", "close probe: unexpected packet",
                           "timer +25000ms"}));
  ASSERT_TRUE(core().probe_opened(clock_.now(), out_));
  core().probe_message(nullptr, out_);
  EXPECT_EQ(take(), (Lines{"timer +10000ms", "close probe: malformed frame", "timer +25000ms"}));
  EXPECT_TRUE(core().is_open());
}

// --- closing ------------------------------------------------------------------------------

TEST_F(EngineSession, a_server_close_on_polling_flushes_the_queue_then_sends_the_close_packet) {
  start_polling();
  send("bye");
  core().close("forced close", true, clock_.now(), out_);
  EXPECT_EQ(take(), (Lines{"timer +20000ms"}));
  EXPECT_FALSE(core().is_open());
  EXPECT_FALSE(core().closed());
  EXPECT_EQ(send("late"), SessionCore::Route::Dropped);
  EXPECT_EQ(poll(2), SessionCore::Poll::Held);
  EXPECT_EQ(take(), (Lines{"poll 4bye"}));
  EXPECT_EQ(poll(3), SessionCore::Poll::Held);
  EXPECT_EQ(take(), (Lines{"poll 1", "timer off", "ended: forced close"}));
}

TEST_F(EngineSession, a_server_close_with_a_get_held_answers_it_at_once) {
  start_polling();
  EXPECT_EQ(poll(2), SessionCore::Poll::Held);
  core().close("forced close", true, clock_.now(), out_);
  EXPECT_EQ(take(), (Lines{"poll 1", "timer off", "ended: forced close"}));
}

TEST_F(EngineSession, a_closing_session_whose_client_stops_polling_ends_after_ping_timeout) {
  start_polling();
  send("bye");
  core().close("server error", true, clock_.now(), out_);
  take();
  advance(20s);
  EXPECT_EQ(take(), (Lines{"timer off", "ended: server error"}));
}

TEST_F(EngineSession, a_shutdown_ends_a_closing_session_still_waiting_for_its_poll) {
  start_polling();
  send("bye");
  core().close("forced close", true, clock_.now(), out_);
  core().close("forced close", true, clock_.now(), out_);  // closing already: nothing more
  take();
  core().close("server shutting down", false, clock_.now(), out_);
  EXPECT_EQ(take(), (Lines{"timer off", "ended: server shutting down"}));
}

TEST_F(EngineSession, a_server_close_during_an_upgrade_closes_the_probe) {
  start_polling();
  ASSERT_TRUE(core().probe_opened(clock_.now(), out_));
  take();
  core().close("forced close", true, clock_.now(), out_);
  EXPECT_EQ(take(), (Lines{"close probe: going away", "timer +20000ms"}));
}

TEST_F(EngineSession, a_server_close_on_a_websocket_closes_it_with_the_servers_reason) {
  start_upgraded();
  core().close("forced close", true, clock_.now(), out_);
  EXPECT_EQ(take(), (Lines{"close ws", "timer off", "ended: forced close"}));
}

TEST_F(EngineSession, a_shutdown_answers_the_held_get_503_not_with_a_close_packet) {
  start_polling();
  EXPECT_EQ(poll(2), SessionCore::Poll::Held);
  core().close("server shutting down", false, clock_.now(), out_);
  EXPECT_EQ(take(), (Lines{"poll 503", "timer off", "ended: server shutting down"}));
}

TEST_F(EngineSession, a_shutdown_closes_the_websocket_saying_why_so_the_driver_sends_1001) {
  start_upgraded();
  core().close("server shutting down", false, clock_.now(), out_);
  ASSERT_FALSE(out_.empty());
  EXPECT_EQ(out_.front().kind, Kind::CloseWebSocket);
  EXPECT_EQ(out_.front().text, "server shutting down");
  EXPECT_EQ(take(), (Lines{"close ws", "timer off", "ended: server shutting down"}));
}

TEST_F(EngineSession, the_websocket_going_away_or_sending_garbage_ends_the_session) {
  start_upgraded();
  core().websocket_closed(out_);
  EXPECT_EQ(take(), (Lines{"close ws", "timer off", "ended: transport close"}));
  start_upgraded();
  core().websocket_message(nullptr, clock_.now(), out_);
  EXPECT_EQ(take(), (Lines{"close ws", "timer off", "ended: parse error"}));
}

TEST_F(EngineSession, a_session_ends_once) {
  start_polling();
  core().close("forced close", false, clock_.now(), out_);
  core().close("forced close", false, clock_.now(), out_);
  core().websocket_closed(out_);
  advance(60s);
  EXPECT_EQ(take(), (Lines{"timer off", "ended: forced close"}));
}

// --- cost ---------------------------------------------------------------------------------

TEST_F(EngineSession, the_websocket_path_allocates_nothing_per_packet) {
  start_upgraded();
  auto prepared = PreparedPackets::messages({{false, "hello"}});
  Packet pong{PacketType::Pong, {}, false};
  auto step = [&] {
    core().send({Packet{}, prepared, 0}, 6, false, out_);
    clock_.advance(1ms);
    core().receive(pong, clock_.now(), out_);
    ASSERT_EQ(out_.size(), 2u);  // the frame, the next ping's time
    out_.clear();
  };
  step();  // the action list's capacity, once
  auto before = allocation_count();
  for (int i = 0; i < 100; ++i) step();
  EXPECT_EQ(allocation_count() - before, 0u);
  auto counted = std::make_unique<int>(0);  // the counter counts
  EXPECT_EQ(allocation_count() - before, 1u);
}

}  // namespace
}  // namespace switchboard::engineio::detail

#pragma once
// The chat's transports as members of the /chat namespace's rooms: a plain WebSocket, an SSE
// stream and a held long poll join the Socket.IO room named after the chat room, so that one
// broadcast ("message", {id, room, user, user_id, text, ts}) from this process or from any
// node of a cluster reaches every transport (docs/decisions/011-one-fan-out.md).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "switchboard/http/exchange.hpp"
#include "switchboard/metrics/cells.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/socketio/room_member.hpp"
#include "switchboard/sse/stream.hpp"
#include "switchboard/ws/connection.hpp"
#include "switchboard/ws/prepared_message.hpp"

namespace switchboard::app {

/// A chat message framed for one transport (built once per message and transport).
struct MessageFrame : socketio::Frame {
  std::uint64_t id = 0;
  /// SSE: the whole event; long polling: the message's JSON.
  std::shared_ptr<const std::string> text;
  /// Plain WebSocket: {"message", "user", "user_id", "id", "ts", "room"}, framed and
  /// compressed once.
  std::shared_ptr<const ws::PreparedMessage> websocket;
};

/// Frames the "message" event (first argument {id, room, user, user_id, text, ts}) for one
/// kind of chat transport; every other event (typing, presence, rename, room) is Socket.IO's
/// only, and a message without a whole-number id is not framed.
class ChatTransport final : public socketio::Transport {
 public:
  enum class Kind { WebSocket, Sse, Poll };
  explicit ChatTransport(Kind kind) : kind_(kind) {}
  std::shared_ptr<const socketio::Frame> frame(std::string_view event,
                                               const socketio::Args& args) const override;

 private:
  Kind kind_;
};

/// A ws/chat/<room>/ connection.
struct WsSubscriber final : socketio::Member {
  WsSubscriber(std::shared_ptr<const socketio::Transport> t, ws::ConnectionPtr c)
      : Member(std::move(t)), connection(std::move(c)) {}
  void deliver(const socketio::Frame& frame, bool is_volatile) override;
  ws::ConnectionPtr connection;
};

/// An SSE subscriber; live events wait in `held` while the replay is being read (page by
/// page, as long as the store has more).
struct SseSubscriber final : socketio::Member {
  explicit SseSubscriber(std::shared_ptr<const socketio::Transport> t) : Member(std::move(t)) {}
  void deliver(const socketio::Frame& frame, bool is_volatile) override;
  std::string room;
  std::shared_ptr<sse::Stream> stream;
  bool replaying = false;
  std::uint64_t last_sent = 0;
  std::vector<std::pair<std::uint64_t, std::shared_ptr<const std::string>>> held;
};

/// A held long poll. While `reading`, its catch-up read from the store is pending: live
/// messages wait in `held`, used only if the read finds nothing (with SQLite the store answers
/// in commit order so the read has them; a Redis history's publish may overtake the read's
/// answer). Answered by the first newer message; then `forget` takes it out of its room.
/// When the server stops it is answered 204 at once (the client polls again, through the
/// balancer another node): a held poll would otherwise keep a stopping node for its grace.
struct PollWaiter final : socketio::Member, net::Shard::StopListener {
  PollWaiter(std::shared_ptr<const socketio::Transport> t, http::Exchange ex, std::uint64_t after)
      : Member(std::move(t)), exchange(std::move(ex)), after(after) {}
  void deliver(const socketio::Frame& frame, bool is_volatile) override;
  /// Answers with the messages held while reading.
  void answer_held(
      const std::vector<std::pair<std::uint64_t, std::shared_ptr<const std::string>>>& held);
  void on_shard_stop() override;
  http::Exchange exchange;
  std::uint64_t after = 0;
  std::vector<std::pair<std::uint64_t, std::shared_ptr<const std::string>>> held;
  bool answered = false;
  bool reading = true;
  /// In its room (and its shard's stop list) until `forget` (which runs once, whoever calls it
  /// first, on the waiter's shard) took it out.
  bool joined = true;
  std::function<void()> forget;
  /// Open in switchboard_connections{transport="polling"} until forgotten.
  metrics::OpenConnection counted{metrics::Transport::Polling};
};

}  // namespace switchboard::app

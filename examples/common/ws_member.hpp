#pragma once
// A raw WebSocket as a member of a Socket.IO namespace's rooms (socketio/room_member.hpp): the
// one fan-out of the project (docs/decisions/019-no-second-hub.md). A broadcast's first
// argument becomes one WebSocket message, framed (and compressed) once for every member on
// every shard: a string as a text message, a binary value as a binary one. With a cluster
// adapter, a broadcast from any node reaches the members of every node. Header-only; include
// as "common/ws_member.hpp".
//
//     auto transport = std::make_shared<examples::WsTransport>();
//     nsp.join(std::make_shared<examples::WsMember>(transport, connection), "everyone");
//     nsp.to("everyone").emit("message", examples::ws_value(m));  // every member, every node

#include <memory>
#include <string>
#include <string_view>

#include "switchboard/net/random.hpp"
#include "switchboard/socketio/args.hpp"
#include "switchboard/socketio/room_member.hpp"
#include "switchboard/ws/connection.hpp"
#include "switchboard/ws/prepared_message.hpp"

namespace switchboard::examples {

/// A broadcast framed for raw WebSockets.
struct WsFrame : socketio::Frame {
  std::shared_ptr<const ws::PreparedMessage> message;
};

/// Frames a broadcast's first argument (a string: text; a binary value: binary); a broadcast
/// without one is not carried.
class WsTransport final : public socketio::Transport {
 public:
  explicit WsTransport(ws::PrepareOptions prepare = {}) : prepare_(prepare) {}
  std::shared_ptr<const socketio::Frame> frame(std::string_view,
                                               const socketio::Args& args) const override {
    if (args.size() == 0) return nullptr;
    auto f = std::make_shared<WsFrame>();
    if (auto bytes = socketio::as_binary(args[0])) {
      f->message =
          std::make_shared<const ws::PreparedMessage>(ws::Opcode::Binary, *bytes, prepare_);
    } else if (args[0].is_string()) {
      f->message = std::make_shared<const ws::PreparedMessage>(ws::Opcode::Text,
                                                               args[0].as_string(), prepare_);
    } else {
      return nullptr;
    }
    return f;
  }

 private:
  ws::PrepareOptions prepare_;
};

/// A WebSocket message as a broadcast argument (WsTransport's input).
inline boost::json::value ws_value(const ws::Message& m) {
  if (m.is_text()) return boost::json::string(m.payload);
  return socketio::binary(m.payload);
}

/// A raw WebSocket in a namespace's rooms; `room` is a room of its own (a random name, unique
/// in a cluster), to leave it out of a broadcast with except(room).
struct WsMember final : socketio::Member {
  WsMember(std::shared_ptr<const socketio::Transport> transport, ws::ConnectionPtr c)
      : Member(std::move(transport)), connection(std::move(c)), room(own_room()) {}
  void deliver(const socketio::Frame& frame, bool is_volatile) override {
    connection->send(static_cast<const WsFrame&>(frame).message, is_volatile);
  }
  ws::ConnectionPtr connection;
  std::string room;

 private:
  static std::string own_room() {
    unsigned char bytes[12];
    net::random_bytes(bytes);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string name = "ws:";
    for (auto b : bytes) name += {kHex[b >> 4], kHex[b & 15]};
    return name;
  }
};

}  // namespace switchboard::examples

#pragma once
// With --redis, the messages the history publishes reach this node through the /chat
// namespace's Redis adapter. Pub/Sub keeps nothing: a message published while this node's
// subscription was down (Redis killed after answering the append, but before writing the
// publish to the subscribers; a lost subscriber connection) never arrives. MessageOrder sits
// between the adapter and the namespace and delivers each room's messages to this node's
// members in id order without a hole: when a room's id jumps, or after the adapter reconnects,
// it reads what is missing from the history and delivers it before anything newer
// (docs/decisions/017-cluster-presence.md, "Live-stream gap repair").

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "history.hpp"
#include "switchboard/socketio/adapter.hpp"

namespace switchboard::adapter {
class RedisAdapter;
}
namespace switchboard::net {
class Shard;
class Timer;
}  // namespace switchboard::net

namespace switchboard::app {

/// Wraps a namespace's adapter factory: the adapter made for `nsp` talks to a MessageOrder
/// host, which passes everything through to the namespace but the chat's "message"
/// broadcasts (one room, a whole-number id), which it orders per room. Other namespaces get
/// the factory's adapter unchanged.
socketio::AdapterFactory ordered_messages(socketio::AdapterFactory inner, std::string nsp,
                                          History& history);

/// The ordering host (on shard 0, where the Redis adapter delivers).
class MessageOrder final : public socketio::AdapterHost {
 public:
  struct Options {
    /// A failed read of a gap is tried again after this...
    std::chrono::milliseconds retry{500};
    /// ...this many times; then the held messages are delivered with the gap (the history is
    /// away for longer: those messages are read by clients resuming from their last id).
    int attempts = 20;
    /// More messages held for one room than this while its gap is read: delivered as they are.
    std::size_t max_held = 10000;
  };
  MessageOrder(socketio::AdapterHost& namespace_host, History& history, Options options);
  ~MessageOrder();

  /// Watches `adapter`'s link: after it reconnects, every room seen is read again from its
  /// last delivered id (what was published while the subscription was down).
  void watch(adapter::RedisAdapter& adapter);

  const std::string& nsp_name() const override { return host_.nsp_name(); }
  net::Runtime& runtime() override { return host_.runtime(); }
  void local_broadcast(const socketio::Target& target, std::string_view event,
                       socketio::Args args) override;
  void local_broadcast_with_ack(const socketio::Target& target, std::string_view event,
                                socketio::Args args, std::function<void(std::size_t)> on_count,
                                std::function<void(socketio::Args)> on_ack) override {
    host_.local_broadcast_with_ack(target, event, std::move(args), std::move(on_count),
                                   std::move(on_ack));
  }
  void local_fetch(const socketio::Target& target,
                   std::function<void(std::vector<socketio::SocketInfo>)> done) override {
    host_.local_fetch(target, std::move(done));
  }
  void local_join(const socketio::Target& target, std::vector<std::string> rooms) override {
    host_.local_join(target, std::move(rooms));
  }
  void local_leave(const socketio::Target& target, std::vector<std::string> rooms) override {
    host_.local_leave(target, std::move(rooms));
  }
  void local_disconnect(const socketio::Target& target, bool close) override {
    host_.local_disconnect(target, close);
  }
  void server_side(std::string event, socketio::Args args,
                   std::function<void(boost::json::value)> reply) override {
    host_.server_side(std::move(event), std::move(args), std::move(reply));
  }
  /// With recovery kept in Redis the history's messages come as recoverable packets (their
  /// offset last): ordered the same way, delivered with their offsets.
  void local_broadcast_logged(const socketio::Target& target, std::string_view event,
                              socketio::Args args, std::string offset) override;

  struct State;

 private:
  socketio::AdapterHost& host_;
  std::shared_ptr<State> state_;
};

}  // namespace switchboard::app

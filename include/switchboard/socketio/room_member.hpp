#pragma once
/// Connections other than Socket.IO sockets in a namespace's rooms: raw WebSockets, SSE
/// streams, held long polls. The room index is the project's one fan-out: a broadcast to a
/// room (from this process, or from another node through the namespace's Adapter) reaches its
/// sockets and its members alike, each kind of transport framing it once
/// (docs/decisions/011-one-fan-out.md).
///
///     struct SseFrame : socketio::Frame { std::string bytes; };
///     struct SseTransport : socketio::Transport {
///       std::shared_ptr<const socketio::Frame> frame(std::string_view event,
///                                                    const socketio::Args& args) const override;
///     };
///     auto sse = std::make_shared<SseTransport>();
///     nsp.join(std::make_shared<MyStream>(sse, stream), "news");  // on the stream's shard
///     nsp.to("news").emit("article", json);  // sockets and streams, every shard, every node

#include <memory>
#include <string_view>

#include "switchboard/socketio/args.hpp"

namespace switchboard::socketio {

/// A broadcast framed for one kind of transport; each kind derives its own (bytes, a prepared
/// WebSocket message, ...). Immutable once made: every shard reads it at once.
struct Frame {
  /// Destroyed when the last member that needed it has been sent it.
  virtual ~Frame() = default;
};

/// One kind of transport: how a namespace's broadcast becomes bytes for its connections.
class Transport {
 public:
  /// Kept alive by its members.
  virtual ~Transport() = default;
  /// Frames a broadcast, once for every member of this kind on every shard (called at most
  /// once per broadcast, on any thread, only when a member of this kind is selected). Null:
  /// this kind does not carry `event`. An exception counts as a handler error (the members
  /// get nothing).
  virtual std::shared_ptr<const Frame> frame(std::string_view event, const Args& args) const = 0;
};

/// A connection in a namespace's rooms that is not a Socket.IO socket. It gets the broadcasts
/// to its rooms (and to the whole namespace), never acks, fetch_sockets, sockets_join or
/// disconnect_sockets. Held by the namespace from Namespace::join until Namespace::leave.
class Member {
 public:
  /// A member reached through `transport`.
  explicit Member(std::shared_ptr<const Transport> transport) : transport_(std::move(transport)) {}
  /// The namespace holds a member until Namespace::leave().
  virtual ~Member() = default;
  Member(const Member&) = delete;
  Member& operator=(const Member&) = delete;

  /// The transport that frames and sends broadcasts to it.
  const Transport& transport() const { return *transport_; }
  /// Called on the shard the member joined on, with its transport's frame of a broadcast that
  /// selects it. An exception counts as a handler error (the member stays).
  virtual void deliver(const Frame& frame, bool is_volatile) = 0;

 private:
  std::shared_ptr<const Transport> transport_;
};

}  // namespace switchboard::socketio

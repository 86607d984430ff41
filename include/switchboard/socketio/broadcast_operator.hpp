#pragma once
/// Selects sockets of a namespace across every shard: rooms, exceptions, flags.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "switchboard/socketio/args.hpp"

namespace switchboard::socketio {

namespace detail {
class NamespaceCore;

/// True when T... is an emit_with_ack call with prepared arguments: (Args, callback[, more]).
template <class... T>
struct IsArgsCall : std::false_type {};
template <class A, class... R>
struct IsArgsCall<A, R...> : std::bool_constant<std::is_same_v<std::decay_t<A>, Args> &&
                                                (sizeof...(R) == 1 || sizeof...(R) == 2)> {};

/// Args of the first elements (I...) of a tuple of references.
template <class Tuple, std::size_t... I>
Args args_of(Tuple& all, std::index_sequence<I...>) {
  return Args::of(std::forward<std::tuple_element_t<I, Tuple>>(std::get<I>(all))...);
}
}  // namespace detail
struct Target;

/// What fetch_sockets() reports of a socket (wherever its shard, on any node of a cluster).
/// join, leave, disconnect and emit act on the socket wherever it lives (through the cluster
/// for a remote one; the effect follows asynchronously).
struct SocketInfo {
  /// The socket id.
  std::string id;
  /// Its namespace's name.
  std::string nsp;
  /// Its rooms, its own id included.
  std::set<std::string> rooms;
  /// Its `data` when fetched.
  boost::json::value data;
  /// Its client's address.
  std::string address;
  /// The reference's handshake object ({headers, time, address, xdomain, secure, issued, url,
  /// query, auth}), as a remote node sent it.
  boost::json::value handshake;
  /// False for a socket of another node.
  bool local = true;
  /// The namespace it belongs to (set by fetch_sockets).
  std::shared_ptr<detail::NamespaceCore> owner;

  /// Makes the socket join `room`, wherever it lives.
  void join(std::string room) const;
  /// Makes the socket leave `room`, wherever it lives.
  void leave(std::string room) const;
  /// Disconnects the socket (`close`: its connection too), wherever it lives.
  void disconnect(bool close = false) const;
  /// Emits to the socket alone, wherever it lives.
  void emit_args(std::string_view event, Args args) const;
};

/// An immutable selection; each call returns a narrower copy. emit() may be called from any
/// shard; the packet is encoded once and every shard sends the same bytes.
///
///     io.to("room1").to("room2").except("room3").emit("news", "hello");
class BroadcastOperator {
 public:
  /// Every socket of a namespace (made by Namespace::all() and the like).
  explicit BroadcastOperator(std::shared_ptr<detail::NamespaceCore> nsp) : nsp_(std::move(nsp)) {}

  /// Adds `room` to the rooms selected (a socket in any of them is).
  BroadcastOperator to(std::string room) const;
  /// Same as to().
  BroadcastOperator in(std::string room) const { return to(std::move(room)); }
  /// Leaves out the sockets in `room`.
  BroadcastOperator except(std::string room) const;
  /// May be dropped for sockets that are not ready (backpressure), like the reference.
  BroadcastOperator volatile_() const;
  /// Whether the packet may be compressed (permessage-deflate; on by default).
  BroadcastOperator compress(bool on) const;
  /// Only this process's sockets and members: emit() does not go through the cluster
  /// adapter (Node's `io.local`).
  BroadcastOperator local() const;
  /// Time to wait for every client's ack in emit_with_ack().
  BroadcastOperator timeout(std::chrono::milliseconds t) const;

  /// Emits to the selected sockets of every shard (and node): emit("news", "hello", 42).
  template <class... T>
  void emit(std::string_view event, T&&... values) const {
    emit_args(event, Args::of(std::forward<T>(values)...));
  }
  /// emit() with prepared arguments.
  void emit_args(std::string_view event, Args args) const;
  /// Emits and collects every selected client's ack; the last argument is the callback:
  /// `io.timeout(2s).emit_with_ack("vote", "poll-1", [](auto error, std::vector<Args> all) {})`.
  template <class... T>
  requires(sizeof...(T) >= 1 &&
           !detail::IsArgsCall<T...>::value) void emit_with_ack(std::string_view event,
                                                                T&&... values_then_callback) const {
    auto all = std::forward_as_tuple(std::forward<T>(values_then_callback)...);
    constexpr auto n = sizeof...(T) - 1;
    std::function<void(std::optional<std::string>, std::vector<Args>)> callback(
        std::move(std::get<n>(all)));
    emit_with_ack(event, detail::args_of(all, std::make_index_sequence<n>()), std::move(callback));
  }
  /// Emits `args` and collects every selected client's ack; `callback` gets them all, or an
  /// error with those that arrived when the timeout passes first. The callback runs on the
  /// calling shard (on shard 0 when called from a thread that is not a shard's).
  void emit_with_ack(
      std::string_view event, Args args,
      std::function<void(std::optional<std::string>, std::vector<Args>)> callback) const;

  /// Reports the selected sockets of every shard (callback on the calling shard).
  /// In a cluster, the other nodes' sockets come too; a node that does not answer in time is
  /// left out (the second form reports it).
  void fetch_sockets(std::function<void(std::vector<SocketInfo>)> callback) const;
  void fetch_sockets(
      std::function<void(std::optional<std::string>, std::vector<SocketInfo>)> callback) const;
  /// Makes the selected sockets join `rooms` (asynchronously, on their shards).
  void sockets_join(std::vector<std::string> rooms) const;
  /// Makes the selected sockets leave `rooms` (asynchronously, on their shards).
  void sockets_leave(std::vector<std::string> rooms) const;
  /// Disconnects the selected sockets (`close`: their connections too), on their shards.
  void disconnect_sockets(bool close = false) const;

  /// The selection and flags as an adapter sees them.
  Target target() const;

  // The selection, for the namespace's shards.
  /// The rooms selected (empty: all).
  const std::set<std::string>& rooms() const { return rooms_; }
  /// The rooms left out.
  const std::set<std::string>& except_rooms() const { return except_; }

 private:
  std::shared_ptr<detail::NamespaceCore> nsp_;
  std::set<std::string> rooms_;
  std::set<std::string> except_;
  bool volatile_flag_ = false;
  bool compress_ = true;
  bool local_ = false;
  std::chrono::milliseconds timeout_{0};
};

}  // namespace switchboard::socketio

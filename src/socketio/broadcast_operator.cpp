#include "switchboard/socketio/broadcast_operator.hpp"

#include <boost/asio/steady_timer.hpp>

#include "socketio/core.hpp"

namespace switchboard::socketio {

BroadcastOperator BroadcastOperator::to(std::string room) const {
  auto copy = *this;
  copy.rooms_.insert(std::move(room));
  return copy;
}

BroadcastOperator BroadcastOperator::except(std::string room) const {
  auto copy = *this;
  copy.except_.insert(std::move(room));
  return copy;
}

BroadcastOperator BroadcastOperator::volatile_() const {
  auto copy = *this;
  copy.volatile_flag_ = true;
  return copy;
}

BroadcastOperator BroadcastOperator::compress(bool on) const {
  auto copy = *this;
  copy.compress_ = on;
  return copy;
}

BroadcastOperator BroadcastOperator::local() const {
  auto copy = *this;
  copy.local_ = true;
  return copy;
}

BroadcastOperator BroadcastOperator::timeout(std::chrono::milliseconds t) const {
  auto copy = *this;
  copy.timeout_ = t;
  return copy;
}

Target BroadcastOperator::target() const {
  return {.rooms = rooms_,
          .except = except_,
          .is_volatile = volatile_flag_,
          .compress = compress_,
          .timeout = timeout_};
}

void BroadcastOperator::emit_args(std::string_view event, Args args) const {
  // Recovery kept by the adapter: it orders, keeps and delivers the packet everywhere (but a
  // local() broadcast stays on this node, unlogged).
  if (nsp_->adapter_recovery() && !volatile_flag_ && !local_) {
    return nsp_->adapter()->broadcast_logged(target(), event, args);
  }
  if (auto* adapter = nsp_->adapter(); adapter && !local_) {
    adapter->broadcast(target(), event, args);
  }
  nsp_->broadcast(std::make_shared<detail::Selection>(detail::Selection{rooms_, except_}), event,
                  std::move(args), volatile_flag_, compress_);
}

namespace {

// Gathers the acks of a broadcast on the shard that emitted it: every shard's count, every
// other node's count (in a cluster), and as many answers.
struct AckCollector {
  std::shared_ptr<detail::NamespaceCore> nsp;
  unsigned shards_left = 0;
  /// Waiting for the number of other nodes; then for that many counts.
  bool nodes_pending = false;
  std::ptrdiff_t nodes_left = 0;
  std::size_t expected = 0;
  std::vector<Args> responses;
  std::function<void(std::optional<std::string>, std::vector<Args>)> callback;
  std::unique_ptr<boost::asio::steady_timer> timer;
  bool done = false;

  void maybe_finish() {
    if (done || shards_left > 0 || nodes_pending || nodes_left > 0 || responses.size() < expected)
      return;
    finish(std::nullopt);
  }
  void finish(std::optional<std::string> error) {
    if (done) return;
    done = true;
    if (timer) timer->cancel();
    detail::run_user(*nsp, nullptr, "broadcast ack",
                     [&] { callback(std::move(error), std::move(responses)); });
  }
};

// Runs fn on `origin` (the caller's shard), or at once when there is none.
void on_origin(net::Shard* origin, std::function<void()> fn) {
  if (origin && !origin->is_current()) return origin->post(std::move(fn));
  fn();
}

}  // namespace

void BroadcastOperator::emit_with_ack(
    std::string_view event, Args args,
    std::function<void(std::optional<std::string>, std::vector<Args>)> callback) const {
  auto* origin = net::Runtime::current();
  auto& runtime = nsp_->server.runtime;
  if (!origin) {
    // Not on a shard (a thread of the application): the collection runs on shard 0, and so
    // does the callback.
    return runtime.shard(0).post([copy = *this, event = std::string(event), args = std::move(args),
                                  callback = std::move(callback)]() mutable {
      copy.emit_with_ack(event, std::move(args), std::move(callback));
    });
  }
  auto collector = std::make_shared<AckCollector>();
  collector->nsp = nsp_;
  collector->shards_left = runtime.size();
  collector->callback = std::move(callback);
  if (auto* adapter = nsp_->adapter()) {
    collector->nodes_pending = true;
    adapter->broadcast_with_ack(
        target(), event, args,
        [collector, origin](std::size_t nodes) {
          on_origin(origin, [collector, nodes] {
            collector->nodes_pending = false;
            collector->nodes_left += static_cast<std::ptrdiff_t>(nodes);
            collector->maybe_finish();
          });
        },
        [collector, origin](std::size_t count) {
          on_origin(origin, [collector, count] {
            collector->expected += count;
            --collector->nodes_left;
            collector->maybe_finish();
          });
        },
        [collector, origin](Args reply) {
          on_origin(origin, [collector, reply = std::move(reply)]() mutable {
            collector->responses.push_back(std::move(reply));
            collector->maybe_finish();
          });
        });
  }
  auto id = nsp_->next_ack_id();
  auto prepared = engineio::PreparedPackets::messages(
      detail::encode_event_messages(nsp_->name, event, std::move(args), id));
  if (timeout_.count() > 0) {
    collector->timer = std::make_unique<boost::asio::steady_timer>(origin->context());
    collector->timer->expires_after(timeout_);
    collector->timer->async_wait([collector](boost::system::error_code ec) {
      if (!ec) collector->finish("operation has timed out");
    });
  }
  runtime.post_each([nsp = nsp_, rooms = rooms_, except = except_, prepared, id, collector, origin,
                     timeout = timeout_](net::Shard& shard) {
    std::size_t sent = 0;
    nsp->for_each_selected(shard.index(), rooms, except, [&](Socket& s) {
      auto client = detail::SocketAccess::client(s);
      if (!client) return;
      ++sent;
      detail::SocketAccess::register_ack(
          s, id,
          [collector, origin](AckError error, Args reply) {
            origin->post([collector, error, reply = std::move(reply)]() mutable {
              if (error) {
                --collector->expected;  // that client is gone: stop waiting for it
              } else {
                collector->responses.push_back(std::move(reply));
              }
              collector->maybe_finish();
            });
          },
          timeout);
      client->send_prepared(prepared, false);
    });
    origin->post([collector, sent] {
      collector->expected += sent;
      --collector->shards_left;
      collector->maybe_finish();
    });
  });
}

void BroadcastOperator::fetch_sockets(std::function<void(std::vector<SocketInfo>)> callback) const {
  fetch_sockets(
      [callback = std::move(callback)](std::optional<std::string>, std::vector<SocketInfo> found) {
        callback(std::move(found));
      });
}

void BroadcastOperator::fetch_sockets(
    std::function<void(std::optional<std::string>, std::vector<SocketInfo>)> callback) const {
  auto* origin = net::Runtime::current();
  if (!origin) {
    // Not on a shard: the gathering runs on shard 0, and so does the callback.
    return nsp_->server.runtime.shard(0).post(
        [copy = *this, callback = std::move(callback)]() mutable {
          copy.fetch_sockets(std::move(callback));
        });
  }
  struct Gather {
    int left;
    std::optional<std::string> error;
    std::vector<SocketInfo> found;
    std::function<void(std::optional<std::string>, std::vector<SocketInfo>)> callback;
    std::shared_ptr<detail::NamespaceCore> nsp;
    void add(std::vector<SocketInfo> more) {
      for (auto& f : more) {
        f.owner = nsp;
        found.push_back(std::move(f));
      }
      if (--left == 0) {
        detail::run_user(*nsp, nullptr, "fetch_sockets",
                         [&] { callback(std::move(error), std::move(found)); });
      }
    }
  };
  auto* adapter = nsp_->adapter();
  auto gather =
      std::make_shared<Gather>(Gather{adapter ? 2 : 1, {}, {}, std::move(callback), nsp_});
  nsp_->local_fetch(target(), [gather, origin](std::vector<SocketInfo> found) {
    on_origin(origin,
              [gather, found = std::move(found)]() mutable { gather->add(std::move(found)); });
  });
  if (adapter) {
    adapter->fetch_sockets(
        target(), [gather, origin](ClusterError error, std::vector<SocketInfo> found) {
          on_origin(origin, [gather, error = std::move(error), found = std::move(found)]() mutable {
            if (error) gather->error = std::move(error);
            gather->add(std::move(found));
          });
        });
  }
}

void BroadcastOperator::sockets_join(std::vector<std::string> rooms) const {
  if (auto* adapter = nsp_->adapter()) adapter->add_sockets(target(), rooms);
  nsp_->local_join(target(), std::move(rooms));
}

void BroadcastOperator::sockets_leave(std::vector<std::string> rooms) const {
  if (auto* adapter = nsp_->adapter()) adapter->del_sockets(target(), rooms);
  nsp_->local_leave(target(), std::move(rooms));
}

void BroadcastOperator::disconnect_sockets(bool close) const {
  if (auto* adapter = nsp_->adapter()) adapter->disconnect_sockets(target(), close);
  nsp_->local_disconnect(target(), close);
}

// --- SocketInfo -----------------------------------------------------------------------------

void SocketInfo::join(std::string room) const {
  if (owner) BroadcastOperator(owner).in(id).sockets_join({std::move(room)});
}
void SocketInfo::leave(std::string room) const {
  if (owner) BroadcastOperator(owner).in(id).sockets_leave({std::move(room)});
}
void SocketInfo::disconnect(bool close) const {
  if (owner) BroadcastOperator(owner).in(id).disconnect_sockets(close);
}
void SocketInfo::emit_args(std::string_view event, Args args) const {
  if (owner) BroadcastOperator(owner).to(id).emit_args(event, std::move(args));
}

}  // namespace switchboard::socketio

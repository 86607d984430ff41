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

BroadcastOperator BroadcastOperator::timeout(std::chrono::milliseconds t) const {
  auto copy = *this;
  copy.timeout_ = t;
  return copy;
}

void BroadcastOperator::emit_args(std::string_view event, Args args) const {
  nsp_->broadcast(std::make_shared<detail::Selection>(detail::Selection{rooms_, except_}), event,
                  std::move(args), volatile_flag_, compress_);
}

namespace {

// Gathers the acks of a broadcast on the shard that emitted it.
struct AckCollector {
  std::shared_ptr<detail::NamespaceCore> nsp;
  unsigned shards_left = 0;
  std::size_t expected = 0;
  std::vector<Args> responses;
  std::function<void(std::optional<std::string>, std::vector<Args>)> callback;
  std::unique_ptr<boost::asio::steady_timer> timer;
  bool done = false;

  void maybe_finish() {
    if (done || shards_left > 0 || responses.size() < expected) return;
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

}  // namespace

void BroadcastOperator::emit_with_ack(
    std::string_view event, Args args,
    std::function<void(std::optional<std::string>, std::vector<Args>)> callback) const {
  auto* origin = net::Runtime::current();
  auto& runtime = nsp_->server.runtime;
  auto id = nsp_->next_ack_id();
  auto prepared = engineio::PreparedPackets::messages(
      detail::encode_event_messages(nsp_->name, event, std::move(args), id));
  auto collector = std::make_shared<AckCollector>();
  collector->nsp = nsp_;
  collector->shards_left = runtime.size();
  collector->callback = std::move(callback);
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
      auto client = s.client();
      if (!client) return;
      ++sent;
      s.register_ack(
          id,
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
  auto* origin = net::Runtime::current();
  struct Gather {
    unsigned left;
    std::vector<SocketInfo> found;
    std::function<void(std::vector<SocketInfo>)> callback;
    std::shared_ptr<detail::NamespaceCore> nsp;
  };
  auto gather =
      std::make_shared<Gather>(Gather{nsp_->server.runtime.size(), {}, std::move(callback), nsp_});
  nsp_->server.runtime.post_each(
      [nsp = nsp_, rooms = rooms_, except = except_, gather, origin](net::Shard& shard) {
        std::vector<SocketInfo> found;
        nsp->for_each_selected(shard.index(), rooms, except, [&](Socket& s) {
          found.push_back({s.id(), s.nsp(), s.rooms(), s.data, s.handshake().address()});
        });
        origin->post([gather, found = std::move(found)]() mutable {
          for (auto& f : found) gather->found.push_back(std::move(f));
          if (--gather->left == 0) {
            detail::run_user(*gather->nsp, nullptr, "fetch_sockets",
                             [&] { gather->callback(std::move(gather->found)); });
          }
        });
      });
}

void BroadcastOperator::sockets_join(std::vector<std::string> rooms) const {
  nsp_->server.runtime.post_each(
      [nsp = nsp_, sel = rooms_, except = except_, rooms = std::move(rooms)](net::Shard& shard) {
        nsp->for_each_selected(shard.index(), sel, except, [&](Socket& s) {
          for (const auto& r : rooms) s.join(r);
        });
      });
}

void BroadcastOperator::sockets_leave(std::vector<std::string> rooms) const {
  nsp_->server.runtime.post_each(
      [nsp = nsp_, sel = rooms_, except = except_, rooms = std::move(rooms)](net::Shard& shard) {
        nsp->for_each_selected(shard.index(), sel, except, [&](Socket& s) {
          for (const auto& r : rooms) s.leave(r);
        });
      });
}

void BroadcastOperator::disconnect_sockets(bool close) const {
  nsp_->server.runtime.post_each(
      [nsp = nsp_, sel = rooms_, except = except_, close](net::Shard& shard) {
        nsp->for_each_selected(shard.index(), sel, except, [&](Socket& s) { s.disconnect(close); });
      });
}

}  // namespace switchboard::socketio

#include "redis_recovery.hpp"

#include "switchboard/adapter/messages.hpp"

namespace switchboard::adapter::detail {
namespace json = boost::json;
using socketio::SessionChange;

RedisRecovery::RedisRecovery(socketio::AdapterHost& host, const ClusterOptions& options,
                             socketio::RecoveryLimits limits)
    : host_(host), options_(options), limits_(limits), keys_(options.key, host.nsp_name()) {}

void RedisRecovery::start(boost::asio::io_context& context, RedisCluster& cluster) {
  cluster_ = &cluster;
  timer_ = std::make_unique<boost::asio::steady_timer>(context);
  retry_timer_ = std::make_unique<boost::asio::steady_timer>(context);
  refresh();
}

void RedisRecovery::stop() {
  stopped_ = true;
  if (timer_) timer_->cancel();
  if (retry_timer_) retry_timer_->cancel();
  cluster_ = nullptr;
}

void RedisRecovery::eval(const char* script, std::vector<std::string> keys,
                         std::vector<std::string> args, RedisClient::ReplyHandler handler) {
  std::vector<std::string> command{"EVAL", script, std::to_string(keys.size())};
  for (auto& k : keys) command.push_back(std::move(k));
  for (auto& a : args) command.push_back(std::move(a));
  cluster_->redis().command(std::move(command), std::move(handler));
}

void RedisRecovery::broadcast(const socketio::Target& target, std::string_view event,
                              socketio::Args args) {
  auto t = recoverable_message(options_.mode, cluster_->core().channels(), cluster_->core().uid(),
                               host_.nsp_name(), target, event, args);
  auto fallback = [self = shared_from_this(), target, event = std::string(event), args]() mutable {
    self->host_.local_broadcast(target, event, std::move(args));
  };
  if (!t) return fallback();
  eval(kAppendScript, {keys_.stream},
       {std::to_string(limits_.max_packets), std::move(t->message.prefix),
        std::move(t->message.suffix), std::string(1, t->message.form),
        options_.mode == ClusterMode::Classic ? "PUBLISH" : "SPUBLISH", std::move(t->channel)},
       [fallback](boost::system::result<RedisReply> reply) mutable {
         // Not kept (Redis away): delivered here only, without an offset.
         if (!reply || reply->type != RedisReply::Type::String) fallback();
       });
}

bool RedisRecovery::deliver(inbound::Broadcast& m) {
  if (!m.uid.ends_with(kRecoverableUidSuffix)) return false;
  auto value = value_from_wire({std::move(m.packet.data), std::move(m.packet.attachments)});
  auto* array = value.if_array();
  if (!array || array->size() < 2 || !array->front().is_string() || !array->back().is_string()) {
    return true;  // not an event with an offset: nothing to deliver
  }
  std::string event(array->front().get_string());
  std::string offset(array->back().get_string());
  socketio::Args args;
  args.values = json::array(array->begin() + 1, array->end());
  socketio::Target target{.rooms = {m.opts.rooms.begin(), m.opts.rooms.end()},
                          .except = {m.opts.except.begin(), m.opts.except.end()}};
  if (const auto* c = m.opts.flags.if_contains("compress"); c && c->is_bool()) {
    target.compress = c->get_bool();
  }
  host_.local_broadcast_logged(target, event, std::move(args), std::move(offset));
  return true;
}

void RedisRecovery::persist(const socketio::SessionState& session, SessionChange change) {
  if (!cluster_) return;
  const auto key = keys_.session(session.pid);
  // The owner is this node's socket: a session another node took over is not written back.
  const auto owner = cluster_->core().uid() + ":" + session.sid;
  const auto ttl = std::to_string(limits_.max_disconnection_duration.count());
  if (change == SessionChange::Gone) {
    live_.erase(session.pid);
    return eval(kForgetScript, {key}, {owner});
  }
  Kept kept{key, owner, encode_session(session), session.start};
  const char* mode = change == SessionChange::Connected ? "claim" : "update";
  if (change == SessionChange::Left) {
    live_.erase(session.pid);
    return eval(kPersistScript, {key, keys_.stream}, {owner, kept.session, ttl, kept.start, mode});
  }
  live_[session.pid] = kept;
  write(session.pid, kept, mode);
}

void RedisRecovery::write(const std::string& pid, const Kept& kept, const char* mode) {
  const auto ttl = std::to_string(limits_.max_disconnection_duration.count());
  eval(kPersistScript, {kept.key, keys_.stream}, {kept.owner, kept.session, ttl, kept.start, mode},
       [weak = weak_from_this(), pid, session = kept.session](boost::system::result<RedisReply> r) {
         if (r && r->type != RedisReply::Type::Error) return;
         auto self = weak.lock();
         if (!self || self->stopped_) return;
         // Still connected here and not rewritten since: write it again once Redis answers.
         auto it = self->live_.find(pid);
         if (it == self->live_.end() || it->second.session != session) return;
         it->second.written = false;
         self->retry_soon();
       });
}

void RedisRecovery::retry_soon() {
  if (retrying_ || stopped_ || !retry_timer_) return;
  retrying_ = true;
  retry_timer_->expires_after(std::chrono::milliseconds(500));
  retry_timer_->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->stopped_ || !self->cluster_) return;
    self->retrying_ = false;
    for (auto& [pid, kept] : self->live_) {
      if (kept.written) continue;
      kept.written = true;
      // Not over a session another node has taken since (its owner differs).
      self->write(pid, kept, "update");
    }
  });
}

void RedisRecovery::restore(const std::string& pid,
                            std::function<void(std::optional<socketio::SessionState>)> done) {
  if (!cluster_) return done(std::nullopt);
  eval(kTakeScript, {keys_.session(pid)}, {},
       [done = std::move(done), pid](boost::system::result<RedisReply> reply) {
         auto s = reply ? session_from_reply(*reply) : std::nullopt;
         if (s && s->pid != pid) s.reset();
         done(std::move(s));
       });
}

void RedisRecovery::missed(
    const std::string& after,
    std::function<void(std::optional<std::vector<socketio::MissedPacket>>, std::string)> done) {
  if (!cluster_) return done(std::nullopt, {});
  eval(kMissedScript, {keys_.stream}, {after},
       [this, self = shared_from_this(), after,
        done = std::move(done)](boost::system::result<RedisReply> reply) {
         auto entries = reply ? entries_from_reply(*reply) : std::nullopt;
         if (!entries) return done(std::nullopt, {});
         std::vector<socketio::MissedPacket> out;
         std::string horizon = entries->empty() ? after : entries->back().id;
         for (const auto& e : *entries) {
           if (auto m = missed_packet(options_.mode, host_.nsp_name(), e))
             out.push_back(std::move(*m));
         }
         done(std::move(out), std::move(horizon));
       });
}

void RedisRecovery::refresh() {
  if (stopped_ || !cluster_) return;
  const auto ttl = std::to_string(limits_.max_disconnection_duration.count());
  for (const auto& [pid, kept] : live_) cluster_->redis().command({"PEXPIRE", kept.key, ttl});
  auto period = std::max(limits_.max_disconnection_duration / 3, std::chrono::milliseconds(100));
  timer_->expires_after(period);
  timer_->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (!ec && self) self->refresh();
  });
}

}  // namespace switchboard::adapter::detail

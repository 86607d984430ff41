#include "presence.hpp"

#include "switchboard/net/runtime.hpp"

namespace switchboard::app {

Presence::Presence(net::Runtime& runtime, std::function<void(const std::string&, Online)> changed)
    : runtime_(runtime), changed_(std::move(changed)) {}

boost::json::array to_json(const Presence::Online& online) {
  boost::json::array list;
  for (const auto& who : online) {
    list.push_back(boost::json::object{{"id", who.id}, {"name", who.name}, {"guest", who.guest()}});
  }
  return list;
}

void Presence::on_owner(std::function<void()> fn) {
  auto& owner = runtime_.shard(0);
  owner.is_current() ? fn() : owner.post(std::move(fn));
}

// Runs `then` with the list on the shard that asked (at once when that is this one).
void Presence::answer(net::Shard* caller, std::function<void(Online)> then, Online online) {
  if (caller && !caller->is_current()) {
    caller->post([then = std::move(then), online = std::move(online)]() mutable { then(online); });
  } else {
    then(std::move(online));
  }
}

Presence::Online Presence::list(const std::string& room) const {
  Online online;
  if (auto it = rooms_.find(room); it != rooms_.end()) {
    for (auto& [key, entry] : it->second) online.push_back(entry.who);
  }
  return online;
}

// Returns how many connections of `who` remain in the room.
int Presence::remove(const std::string& room, const Author& who) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return 0;
  auto n = it->second.find(who.key());
  if (n == it->second.end()) return 0;
  int left = --n->second.count;
  if (left <= 0) it->second.erase(n);
  if (it->second.empty()) rooms_.erase(it);
  return std::max(left, 0);
}

void Presence::changed(const std::string& room, std::function<void(Online)> then) {
  if (!cluster_) {
    auto online = list(room);
    changed_(room, online);
    if (then) then(std::move(online));
    return;
  }
  // The cluster reports a changed union to changed_ before `then` gets it.
  cluster_->set(room, list(room), std::move(then));
}

void Presence::join(const std::string& room, const Author& who, std::function<void(Online)> then) {
  auto* caller = net::Runtime::current();
  on_owner([this, room, who, then = std::move(then), caller]() mutable {
    auto& entry = rooms_[room][who.key()];
    entry.who = who;
    ++entry.count;
    changed(room, [caller, then = std::move(then)](Online online) mutable {
      answer(caller, std::move(then), std::move(online));
    });
  });
}

void Presence::online(const std::string& room, std::function<void(Online)> then) {
  auto* caller = net::Runtime::current();
  on_owner([this, room, then = std::move(then), caller]() mutable {
    auto reply = [caller, then = std::move(then)](Online online) mutable {
      answer(caller, std::move(then), std::move(online));
    };
    if (cluster_) return cluster_->read(room, list(room), std::move(reply));
    reply(list(room));
  });
}

void Presence::leave(const std::string& room, const Author& who) {
  on_owner([this, room, who] {
    remove(room, who);
    changed(room);
  });
}

void Presence::cluster(ClusterPresence::Options options,
                       std::function<void(const std::string&)> notify) {
  auto& owner = runtime_.shard(0);
  cluster_ = std::make_unique<ClusterPresence>(
      owner, std::move(options),
      [this](const std::string& room, Online online) { changed_(room, std::move(online)); },
      std::move(notify));
  owner.post([this] {
    cluster_->start([this] {
      std::map<std::string, Online> lists;
      for (const auto& [room, entries] : rooms_) lists.emplace(room, list(room));
      return lists;
    });
  });
}

void Presence::refresh(const std::string& room) {
  on_owner([this, room] {
    if (cluster_) cluster_->refresh(room);
  });
}

void Presence::rename(const std::string& room, const Author& from, const Author& to) {
  on_owner([this, room, from, to] {
    // Every connection of a user carries the new name; a guest moves one connection.
    if (!from.guest()) {
      auto it = rooms_.find(room);
      if (it != rooms_.end()) {
        if (auto n = it->second.find(from.key()); n != it->second.end()) n->second.who = to;
      }
    } else {
      remove(room, from);
      auto& entry = rooms_[room][to.key()];
      entry.who = to;
      ++entry.count;
    }
    changed(room);
  });
}

}  // namespace switchboard::app

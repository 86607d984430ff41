#include "presence.hpp"

#include "switchboard/net/runtime.hpp"

namespace switchboard::app {

Presence::Presence(net::Runtime& runtime, std::function<void(const std::string&, Online)> changed)
    : runtime_(runtime), changed_(std::move(changed)) {}

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
    for (auto& [name, count] : it->second) online.push_back(name);
  }
  return online;
}

void Presence::remove(const std::string& room, const std::string& name) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  auto n = it->second.find(name);
  if (n != it->second.end() && --n->second <= 0) it->second.erase(n);
  if (it->second.empty()) rooms_.erase(it);
}

void Presence::join(const std::string& room, const std::string& name,
                    std::function<void(Online)> then) {
  auto* caller = net::Runtime::current();
  on_owner([this, room, name, then = std::move(then), caller]() mutable {
    ++rooms_[room][name];
    auto online = list(room);
    changed_(room, online);
    answer(caller, std::move(then), std::move(online));
  });
}

void Presence::online(const std::string& room, std::function<void(Online)> then) {
  auto* caller = net::Runtime::current();
  on_owner([this, room, then = std::move(then), caller]() mutable {
    auto online = list(room);
    answer(caller, std::move(then), std::move(online));
  });
}

void Presence::leave(const std::string& room, const std::string& name) {
  on_owner([this, room, name] {
    remove(room, name);
    changed_(room, list(room));
  });
}

void Presence::rename(const std::string& room, const std::string& from, const std::string& to) {
  on_owner([this, room, from, to] {
    remove(room, from);
    ++rooms_[room][to];
    changed_(room, list(room));
  });
}

}  // namespace switchboard::app

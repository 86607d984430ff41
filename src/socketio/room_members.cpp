// Room members that are not Socket.IO sockets (room_member.hpp): the rest of the namespace's
// room index, so that one broadcast reaches every kind of connection of a room.
#include <algorithm>
#include <stdexcept>

#include "socketio/core.hpp"
#include "switchboard/metrics/cells.hpp"

namespace switchboard::socketio::detail {

std::shared_ptr<const Frame> MemberFrames::get(NamespaceCore& nsp, const Transport& transport) {
  // Under the lock: the first shard to need a transport's frame makes it, the others wait for
  // it rather than make their own.
  std::lock_guard lock(mutex_);
  for (const auto& [t, frame] : frames_) {
    if (t == &transport) return frame;
  }
  std::shared_ptr<const Frame> frame;
  run_user(nsp, nullptr, "transport frame", [&] { frame = transport.frame(event_, args_); });
  frames_.emplace_back(&transport, frame);
  return frame;
}

namespace {

// Members are kept per shard: join and leave run on the member's own shard.
void require_shard(net::Runtime& runtime) {
  auto* shard = net::Runtime::current();
  if (!shard || &shard->runtime() != &runtime) {
    throw std::logic_error("Namespace::join/leave called outside its runtime's shards");
  }
}

}  // namespace

void NamespaceCore::join_member(std::shared_ptr<Member> member, const std::string& room) {
  require_shard(server.runtime);
  if (!member) throw std::invalid_argument("Namespace::join: null member");
  auto& l = local();
  auto* key = member.get();
  auto [entry, added] = l.members.try_emplace(key, std::move(member), std::set<std::string>{});
  if (added) members_.fetch_add(1, std::memory_order_relaxed);
  if (!entry->second.second.insert(room).second) return;
  auto [it, created] = l.member_rooms.try_emplace(room);
  it->second.insert(key);
  if (created && adapter_) note_room(room, true);
}

void NamespaceCore::leave_member(const Member& member) {
  require_shard(server.runtime);
  auto& l = local();
  auto entry = l.members.find(&member);
  if (entry == l.members.end()) return;
  for (const auto& room : entry->second.second) {
    auto it = l.member_rooms.find(room);
    if (it == l.member_rooms.end()) continue;
    it->second.erase(entry->second.first.get());
    if (it->second.empty()) {
      l.member_rooms.erase(it);
      if (adapter_) note_room(room, false);
    }
  }
  l.members.erase(entry);
  members_.fetch_sub(1, std::memory_order_relaxed);
}

std::shared_ptr<MemberFrames> NamespaceCore::member_frames(std::string_view event, const Args& args,
                                                           bool is_volatile) {
  if (members_.load(std::memory_order_relaxed) == 0) return nullptr;
  return std::make_shared<MemberFrames>(std::string(event), args, is_volatile);
}

void NamespaceCore::deliver_members(unsigned shard, const Selection& selection,
                                    MemberFrames& frames) {
  auto& l = local(shard);
  if (l.members.empty()) return;
  // Picked first (strong references): a member's delivery may make it, or another, leave.
  std::vector<std::shared_ptr<Member>> picked;
  if (selection.rooms.empty()) {
    for (auto& [key, entry] : l.members) {
      if (selection.picks(entry.second)) picked.push_back(entry.first);
    }
  } else if (selection.rooms.size() == 1) {
    // One room (the common case): no member can come twice.
    auto it = l.member_rooms.find(*selection.rooms.begin());
    if (it == l.member_rooms.end()) return;
    picked.reserve(it->second.size());
    for (Member* m : it->second) {
      const auto& entry = l.members.at(m);
      if (selection.except.empty() || selection.picks(entry.second)) picked.push_back(entry.first);
    }
  } else {
    std::unordered_set<Member*> seen;
    for (const auto& room : selection.rooms) {
      auto it = l.member_rooms.find(room);
      if (it == l.member_rooms.end()) continue;
      for (Member* m : it->second) {
        if (seen.insert(m).second && selection.picks(l.members.at(m).second)) {
          picked.push_back(l.members.at(m).first);
        }
      }
    }
  }
  // The frames this shard has taken, so that the shared lock is taken once per transport.
  std::vector<std::pair<const Transport*, std::shared_ptr<const Frame>>> taken;
  for (auto& member : picked) {
    const auto* transport = &member->transport();
    auto known = std::find_if(taken.begin(), taken.end(),
                              [&](const auto& t) { return t.first == transport; });
    if (known == taken.end()) {
      known = taken.insert(taken.end(), {transport, frames.get(*this, *transport)});
    }
    const auto& frame = known->second;
    if (!frame) continue;
    metrics::add(metrics::Stat::BroadcastDeliveries);
    run_user(*this, nullptr, "room member", [&] { member->deliver(*frame, frames.is_volatile()); });
  }
}

}  // namespace switchboard::socketio::detail

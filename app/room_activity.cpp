#include "room_activity.hpp"

namespace switchboard::app {

void RoomActivity::enter(const std::string& room) {
  std::lock_guard lock(mutex_);
  auto& use = rooms_[room];
  ++use.present;
  use.last = Clock::now();
}

void RoomActivity::exit(const std::string& room) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  if (it->second.present > 0) --it->second.present;
  it->second.last = Clock::now();
}

bool RoomActivity::idle(const std::string& room, Clock::duration idle, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return now - start_ >= idle;
  return it->second.present == 0 && now - it->second.last >= idle;
}

void RoomActivity::forget(const std::string& room) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room);
  if (it != rooms_.end() && it->second.present == 0) rooms_.erase(it);
}

}  // namespace switchboard::app

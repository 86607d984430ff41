#pragma once
// Who uses which room now, and when it was last used: what decides that an empty room is
// idle and may be removed. Shared by every shard (one mutex).

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace switchboard::app {

class RoomActivity {
 public:
  using Clock = std::chrono::steady_clock;
  RoomActivity() : start_(Clock::now()) {}

  /// Someone joined, subscribed to or polls the room.
  void enter(const std::string& room);
  /// ... and is gone again.
  void exit(const std::string& room);
  /// True when nobody is in the room and nobody was for `idle` (rooms never seen count from
  /// the start of the process, so a restart gives every room `idle` again).
  bool idle(const std::string& room, Clock::duration idle, Clock::time_point now = Clock::now());
  /// The room was removed.
  void forget(const std::string& room);

 private:
  struct Use {
    int present = 0;
    Clock::time_point last{};
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Use> rooms_;
  Clock::time_point start_;
};

}  // namespace switchboard::app

#pragma once
// Private: the Admin UI's basic authentication: bcrypt checks off the shards, and the session
// ids handed out after a login (the reference's InMemoryStore).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

namespace switchboard::socketio::detail {

/// True when `hash` is a bcrypt hash ($2a$, $2b$, $2y$) that libxcrypt can check.
bool valid_bcrypt_hash(const std::string& hash);

/// Checks passwords against one bcrypt hash on a thread of its own, one at a time: a check
/// costs tens of milliseconds by design, which must not stall a shard, and the one thread and
/// the bounded queue are the brake on guessing. Thread-safe.
class PasswordChecker {
 public:
  PasswordChecker(std::string hash, std::size_t max_pending);
  ~PasswordChecker();
  PasswordChecker(const PasswordChecker&) = delete;
  PasswordChecker& operator=(const PasswordChecker&) = delete;

  /// Queues a check; `done(match)` runs later on the checker's thread. False (and `done` is
  /// never called) when `max_pending` checks are waiting already.
  bool check(std::string password, std::function<void(bool)> done);

 private:
  void run();
  bool matches(const std::string& password);

  const std::string hash_;
  const std::size_t max_pending_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::string, std::function<void(bool)>>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

/// Session ids of the UIs that logged in: 16 hex digits each, valid for a day, the newest
/// 1000 kept. Thread-safe.
class AdminSessions {
 public:
  std::string create();
  bool contains(const std::string& id);

 private:
  using Clock = std::chrono::steady_clock;
  std::mutex mutex_;
  std::unordered_map<std::string, Clock::time_point> expiry_;
  std::deque<std::string> order_;
};

}  // namespace switchboard::socketio::detail

#pragma once
// The acks one client socket waits for, sans-I/O: each answer finds its callback once, a
// deadline passed at a given time expires it, a disconnection takes them all. The shell
// (Socket) arms one timer for next_deadline() and calls what comes back.

#include <switchboard/client/socket.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

namespace switchboard::client::detail {

class PendingAcks {
 public:
  using Clock = std::chrono::steady_clock;
  using Callback = std::function<void(AckResult)>;

  /// Waits for ack `id` (a fresh one); a zero `timeout` waits as long as the connection lasts.
  void add(std::uint64_t id, Callback callback, std::chrono::milliseconds timeout,
           Clock::time_point now);
  /// The answer to `id` arrived: its callback, or an empty one when nothing waits (an unknown
  /// id, or one that timed out already).
  Callback answer(std::uint64_t id);
  /// The callbacks whose deadline is at or before `now`, earliest first; they wait no more.
  std::vector<Callback> expire(Clock::time_point now);
  /// Every callback (the connection is gone), in id order; none waits any more.
  std::vector<Callback> take_all();
  /// The earliest deadline of those waiting; nullopt when none has one.
  std::optional<Clock::time_point> next_deadline() const;
  std::size_t size() const { return waiting_.size(); }

 private:
  struct Waiting {
    Callback callback;
    std::optional<Clock::time_point> deadline;
  };
  std::map<std::uint64_t, Waiting> waiting_;
  std::set<std::pair<Clock::time_point, std::uint64_t>> deadlines_;
};

}  // namespace switchboard::client::detail

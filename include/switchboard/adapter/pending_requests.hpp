#pragma once
/// The cluster requests a node is waiting on: how many answers each expects, the answers so
/// far, and when each gives up. Sans-I/O: time comes in as arguments.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/system/error_code.hpp>

#include "switchboard/adapter/wire_value.hpp"

namespace switchboard::adapter {

/// The adapter's clock (steady: deadlines survive wall-clock changes).
using TimePoint = std::chrono::steady_clock::time_point;

/// Called once with the answers: no error when all came, Error::RequestTimeout with the
/// answers that did come, or the error given to fail_all().
using Collect = std::function<void(boost::system::error_code, std::vector<WireValue> answers)>;

/// Routes the answers to a broadcast with acknowledgements until its deadline.
struct AckHandlers {
  /// A node's count of the clients that will answer.
  std::function<void(std::size_t)> on_client_count;
  /// One client's answer (the first argument of its ack).
  std::function<void(WireValue)> on_ack;
};

/// The waiting requests of one ClusterCore, by request id; not thread-safe.
class PendingRequests {
 public:
  /// Waits for `expected` answers until `deadline`, then completes with `timeout_error`
  /// (default Error::RequestTimeout). With 0 expected, `done` runs at once.
  void add(std::string id, std::size_t expected, TimePoint deadline, Collect done,
           boost::system::error_code timeout_error = {});
  /// Routes acknowledgements for `id` until `deadline`, then forgets it silently (as the
  /// reference does: the local broadcast owns the client-side timeout).
  void add_ack(std::string id, TimePoint deadline, AckHandlers handlers);

  /// True while request `id` waits for answers.
  bool waiting(const std::string& id) const { return requests_.contains(id); }
  /// True while acknowledgements for `id` are routed.
  bool waiting_ack(const std::string& id) const { return acks_.contains(id); }
  /// Adds one answer; runs `done` when it was the last expected. False for an unknown id.
  bool answer(const std::string& id, WireValue value);
  /// Counts one answer that brought nothing (e.g. a malformed fetch reply), as the reference does.
  bool answer_empty(const std::string& id);
  /// Adds the items of an array answer as separate answers, counting one answer.
  bool answer_items(const std::string& id, std::vector<WireValue> items);
  /// Passes a node's client count to the ack route `id`; false for an unknown id.
  bool client_count(const std::string& id, std::size_t count);
  /// Passes one client's answer to the ack route `id`; false for an unknown id.
  bool ack(const std::string& id, WireValue value);

  /// Completes every request whose deadline is at or before `now` with RequestTimeout and
  /// drops expired ack routes.
  void expire(TimePoint now);
  /// The earliest deadline, if anything is waiting.
  std::optional<TimePoint> next_deadline() const;
  /// Completes every request with `ec` and drops every ack route (on close).
  void fail_all(boost::system::error_code ec);
  /// Requests and ack routes waiting, in all.
  std::size_t size() const { return requests_.size() + acks_.size(); }

 private:
  struct Request {
    std::size_t expected;
    std::size_t current = 0;
    TimePoint deadline;
    std::vector<WireValue> answers;
    Collect done;
    boost::system::error_code timeout_error;
  };
  struct AckRoute {
    TimePoint deadline;
    AckHandlers handlers;
  };
  bool count(const std::string& id, std::vector<WireValue> items);

  std::map<std::string, Request, std::less<>> requests_;
  std::map<std::string, AckRoute, std::less<>> acks_;
};

}  // namespace switchboard::adapter

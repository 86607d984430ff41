#include "switchboard/adapter/pending_requests.hpp"

#include "switchboard/adapter/error.hpp"

namespace switchboard::adapter {

void PendingRequests::add(std::string id, std::size_t expected, TimePoint deadline, Collect done,
                          boost::system::error_code timeout_error) {
  if (expected == 0) {
    if (done) done({}, {});
    return;
  }
  requests_.insert_or_assign(
      std::move(id),
      Request{
          .expected = expected,
          .deadline = deadline,
          .done = std::move(done),
          .timeout_error = timeout_error ? timeout_error : make_error_code(Error::RequestTimeout)});
}

void PendingRequests::add_ack(std::string id, TimePoint deadline, AckHandlers handlers) {
  acks_.insert_or_assign(std::move(id), AckRoute{deadline, std::move(handlers)});
}

bool PendingRequests::count(const std::string& id, std::vector<WireValue> items) {
  const auto it = requests_.find(id);
  if (it == requests_.end()) return false;
  auto& r = it->second;
  for (auto& item : items) r.answers.push_back(std::move(item));
  if (++r.current < r.expected) return true;
  auto done = std::move(r.done);
  auto answers = std::move(r.answers);
  requests_.erase(it);
  if (done) done({}, std::move(answers));
  return true;
}

bool PendingRequests::answer(const std::string& id, WireValue value) {
  std::vector<WireValue> items;
  items.push_back(std::move(value));
  return count(id, std::move(items));
}

bool PendingRequests::answer_empty(const std::string& id) {
  return count(id, {});
}

bool PendingRequests::answer_items(const std::string& id, std::vector<WireValue> items) {
  return count(id, std::move(items));
}

bool PendingRequests::client_count(const std::string& id, std::size_t n) {
  const auto it = acks_.find(id);
  if (it == acks_.end()) return false;
  if (it->second.handlers.on_client_count) it->second.handlers.on_client_count(n);
  return true;
}

bool PendingRequests::ack(const std::string& id, WireValue value) {
  const auto it = acks_.find(id);
  if (it == acks_.end()) return false;
  if (it->second.handlers.on_ack) it->second.handlers.on_ack(std::move(value));
  return true;
}

void PendingRequests::expire(TimePoint now) {
  for (auto it = acks_.begin(); it != acks_.end();) {
    it = it->second.deadline <= now ? acks_.erase(it) : std::next(it);
  }
  std::vector<Request> expired;
  for (auto it = requests_.begin(); it != requests_.end();) {
    if (it->second.deadline <= now) {
      expired.push_back(std::move(it->second));
      it = requests_.erase(it);
    } else {
      ++it;
    }
  }
  // Completion handlers run after the maps are consistent: they may add new requests.
  for (auto& r : expired) {
    if (r.done) r.done(r.timeout_error, std::move(r.answers));
  }
}

std::optional<TimePoint> PendingRequests::next_deadline() const {
  std::optional<TimePoint> next;
  for (const auto& [id, r] : requests_) {
    if (!next || r.deadline < *next) next = r.deadline;
  }
  for (const auto& [id, a] : acks_) {
    if (!next || a.deadline < *next) next = a.deadline;
  }
  return next;
}

void PendingRequests::fail_all(boost::system::error_code ec) {
  auto requests = std::move(requests_);
  requests_.clear();
  acks_.clear();
  for (auto& [id, r] : requests) {
    if (r.done) r.done(ec, std::move(r.answers));
  }
}

}  // namespace switchboard::adapter

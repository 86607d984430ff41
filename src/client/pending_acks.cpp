#include "client/pending_acks.hpp"

namespace switchboard::client::detail {

void PendingAcks::add(std::uint64_t id, Callback callback, std::chrono::milliseconds timeout,
                      Clock::time_point now) {
  Waiting waiting{std::move(callback), std::nullopt};
  if (timeout.count() > 0) {
    waiting.deadline = now + timeout;
    deadlines_.emplace(*waiting.deadline, id);
  }
  waiting_[id] = std::move(waiting);
}

PendingAcks::Callback PendingAcks::answer(std::uint64_t id) {
  auto node = waiting_.extract(id);
  if (node.empty()) return {};
  if (node.mapped().deadline) deadlines_.erase({*node.mapped().deadline, id});
  return std::move(node.mapped().callback);
}

std::vector<PendingAcks::Callback> PendingAcks::expire(Clock::time_point now) {
  std::vector<Callback> expired;
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    auto id = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    auto node = waiting_.extract(id);
    if (!node.empty()) expired.push_back(std::move(node.mapped().callback));
  }
  return expired;
}

std::vector<PendingAcks::Callback> PendingAcks::take_all() {
  std::vector<Callback> all;
  all.reserve(waiting_.size());
  for (auto& [id, waiting] : waiting_) all.push_back(std::move(waiting.callback));
  waiting_.clear();
  deadlines_.clear();
  return all;
}

std::optional<PendingAcks::Clock::time_point> PendingAcks::next_deadline() const {
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.begin()->first;
}

}  // namespace switchboard::client::detail

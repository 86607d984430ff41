#include "switchboard/poll/topic.hpp"

#include <stdexcept>
#include <unordered_map>
#include <utility>

#include <boost/asio/steady_timer.hpp>

#include "switchboard/metrics/cells.hpp"
#include "switchboard/net/runtime.hpp"

namespace switchboard::poll {

http::Response json_answer(const Batch& batch) {
  auto r = http::Response::json(200, json_body(batch));
  r.headers.set("Cache-Control", "no-store");
  return r;
}

namespace {

struct Waiter {
  http::Exchange ex;
  std::uint64_t after;
  std::unique_ptr<boost::asio::steady_timer> timer;
  /// Open in switchboard_connections{transport="polling"} while held.
  metrics::OpenConnection counted{metrics::Transport::Polling};
};

// True when the raw query names `key` (even with a value that fails to decode).
bool has_key(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    auto pair = query.substr(0, query.find('&'));
    if (pair.substr(0, pair.find('=')) == key) return true;
    if (pair.size() == query.size()) break;
    query.remove_prefix(pair.size() + 1);
  }
  return false;
}

}  // namespace

// Owned by one shard; only its thread touches it.
struct Topic::ShardState {
  explicit ShardState(std::size_t backlog) : log(backlog) {}
  Backlog log;
  std::unordered_map<std::uint64_t, Waiter> waiters;
  std::uint64_t next_key = 1;
  bool hooked = false;
};

Topic::Topic(net::Runtime& runtime, TopicOptions options)
    : runtime_(runtime), options_(std::move(options)) {
  for (unsigned i = 0; i < runtime.size(); ++i) {
    shards_.push_back(std::make_unique<ShardState>(options_.backlog));
  }
}

Topic::~Topic() = default;

std::uint64_t Topic::publish(std::string data) {
  auto shared = std::make_shared<const std::string>(std::move(data));
  std::lock_guard lock(publish_mutex_);
  Entry entry{++last_id_, std::move(shared)};
  runtime_.post_each([this, entry](net::Shard& shard) { deliver(shard.index(), entry); });
  return entry.id;
}

void Topic::answer(http::Exchange& ex, std::uint64_t after, const ShardState& state) {
  auto events = state.log.after(after);
  ex.respond(options_.answer(Batch{events, state.log.last_id()}));
}

// Answers every held poll; they are taken out first, so that a client closing meanwhile
// cannot change the map being walked.
void Topic::deliver(unsigned shard, const Entry& entry) {
  auto& state = *shards_.at(shard);
  state.log.append(entry.id, entry.data);
  auto waiters = std::exchange(state.waiters, {});
  forget(waiters.size());
  for (auto& [key, w] : waiters) {
    if (!w.ex.closed()) answer(w.ex, w.after, state);
  }
}

void Topic::forget(std::size_t count) {
  waiters_.fetch_sub(count, std::memory_order_relaxed);
}

void Topic::wait(http::Exchange ex, std::uint64_t after) {
  auto& shard = ex.shard();
  auto& state = *shards_.at(shard.index());
  if (state.log.has_after(after)) {
    answer(ex, after, state);
    return;
  }
  if (shard.stopping()) {
    ex.respond(http::Response::empty(options_.shutdown_status));
    return;
  }
  if (ex.closed()) return;
  if (!state.hooked) {
    state.hooked = true;
    shard.add_stop_hook([this, &state] { stop(state); });
  }
  auto key = state.next_key++;
  auto timer = std::make_unique<boost::asio::steady_timer>(shard.context(), options_.timeout);
  timer->async_wait([this, &state, key](boost::system::error_code ec) {
    if (!ec) expire(state, key);
  });
  state.waiters.emplace(key, Waiter{ex, std::min(after, state.log.last_id()), std::move(timer)});
  waiters_.fetch_add(1, std::memory_order_relaxed);
  ex.on_close([this, &state, key] { forget(state.waiters.erase(key)); });
}

void Topic::expire(ShardState& state, std::uint64_t key) {
  auto it = state.waiters.find(key);
  if (it == state.waiters.end()) return;
  auto ex = it->second.ex;
  state.waiters.erase(it);
  forget(1);
  ex.respond(http::Response::empty(204));
}

void Topic::stop(ShardState& state) {
  auto waiters = std::exchange(state.waiters, {});
  forget(waiters.size());
  for (auto& [key, w] : waiters) w.ex.respond(http::Response::empty(options_.shutdown_status));
}

void Topic::handle(http::Exchange ex) {
  const auto& request = ex.request();
  auto text = request.query_param("after");
  std::uint64_t after = ~std::uint64_t{0};  // newer than any: wait for the next event
  if (text || has_key(request.query, "after")) {
    auto parsed = parse_after(text.value_or(""));
    if (!parsed) {
      ex.respond(http::Response::error(400, "invalid after: expected a decimal event id"));
      return;
    }
    after = *parsed;
  }
  wait(std::move(ex), after);
}

http::Handler Topic::handler() {
  return [this](http::Exchange ex) { handle(std::move(ex)); };
}

std::size_t Topic::local_waiters() const {
  auto* shard = net::Runtime::current();
  if (!shard || &shard->runtime() != &runtime_) {
    throw std::logic_error("poll::Topic used outside its runtime's shards");
  }
  return shards_.at(shard->index())->waiters.size();
}

}  // namespace switchboard::poll

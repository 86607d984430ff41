#include "switchboard/sse/topic.hpp"

#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include "switchboard/net/runtime.hpp"

namespace switchboard::sse {

struct Topic::Delivery {
  std::uint64_t id = 0;  // 0: not kept for replay
  std::shared_ptr<const std::string> bytes;
  bool is_volatile = false;
};

// Owned by one shard; only its thread touches it.
struct Topic::ShardState {
  ShardState(std::size_t replay, std::atomic<std::size_t>& total) : log(replay), total(total) {}
  EventLog log;
  std::unordered_map<std::uint64_t, std::shared_ptr<Stream>> streams;
  std::uint64_t next_key = 1;
  // While writing to every stream, streams that close are only noted, then erased.
  bool delivering = false;
  std::vector<std::uint64_t> closed;
  std::atomic<std::size_t>& total;

  void add(std::uint64_t key, std::shared_ptr<Stream> stream) {
    streams.emplace(key, std::move(stream));
    total.fetch_add(1, std::memory_order_relaxed);
  }
  void remove(std::uint64_t key) {
    if (delivering) {
      closed.push_back(key);
    } else if (streams.erase(key)) {
      total.fetch_sub(1, std::memory_order_relaxed);
    }
  }
  void remove_closed() {
    for (auto key : std::exchange(closed, {})) remove(key);
  }
};

Topic::Topic(net::Runtime& runtime, TopicOptions options) : runtime_(runtime), options_(options) {
  for (unsigned i = 0; i < runtime.size(); ++i) {
    shards_.push_back(std::make_unique<ShardState>(options_.replay, subscribers_));
  }
}

Topic::~Topic() = default;

boost::system::result<std::uint64_t> Topic::publish(std::string_view data, std::string_view event) {
  std::lock_guard lock(publish_mutex_);
  auto id = last_id_ + 1;
  auto text = std::to_string(id);
  auto bytes = format({.data = data, .event = event, .id = text});
  if (!bytes) return bytes.error();
  last_id_ = id;
  Delivery d{id, std::make_shared<const std::string>(std::move(*bytes)), false};
  runtime_.post_each([this, d](net::Shard& shard) { deliver(shard.index(), d); });
  return id;
}

boost::system::error_code Topic::broadcast(std::string_view data, std::string_view event,
                                           bool is_volatile) {
  auto bytes = format({.data = data, .event = event});
  if (!bytes) return bytes.error();
  Delivery d{0, std::make_shared<const std::string>(std::move(*bytes)), is_volatile};
  std::lock_guard lock(publish_mutex_);
  runtime_.post_each([this, d](net::Shard& shard) { deliver(shard.index(), d); });
  return {};
}

void Topic::deliver(unsigned shard, const Delivery& d) {
  auto& state = *shards_.at(shard);
  if (d.id) state.log.append(d.id, d.bytes);
  state.delivering = true;
  for (auto& [key, stream] : state.streams) stream->write(*d.bytes, d.is_volatile);
  state.delivering = false;
  state.remove_closed();
}

Topic::ShardState& Topic::local() const {
  auto* shard = net::Runtime::current();
  if (!shard || &shard->runtime() != &runtime_) {
    throw std::logic_error("sse::Topic used outside its runtime's shards");
  }
  return *shards_.at(shard->index());
}

std::shared_ptr<Stream> Topic::subscribe(http::Exchange ex) {
  auto& state = *shards_.at(ex.shard().index());
  auto stream = Stream::open(ex, options_.stream);
  if (auto last = last_event_id(ex.request())) {
    for (auto& entry : state.log.after(*last).entries) stream->write(*entry.bytes);
  }
  if (!stream->is_open()) return stream;
  auto key = state.next_key++;
  state.add(key, stream);
  stream->on_close([&state, key] { state.remove(key); });
  return stream;
}

http::Handler Topic::handler() {
  return [this](http::Exchange ex) { subscribe(std::move(ex)); };
}

std::size_t Topic::local_subscribers() const {
  return local().streams.size();
}

}  // namespace switchboard::sse

#include "switchboard/net/write_queue.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "switchboard/metrics/cells.hpp"
#include "switchboard/net/runtime.hpp"

namespace switchboard::net {

namespace {

// The queues of this thread (shard) that have something to write this turn, flushed by one
// posted handler: a broadcast to a thousand sockets posts once, not a thousand times.
struct FlushList {
  std::vector<WriteQueue*> queues;
  bool posted = false;
};
thread_local FlushList t_flush;

// Item vectors of this thread's drained queues, lent to queues that start writing again: an
// idle queue holds no storage, and a busy one does not allocate for every burst.
constexpr std::size_t kSpareVectors = 256;
constexpr std::size_t kSpareCapacity = 64;
thread_local std::vector<std::vector<WriteQueue::Item>> t_spare;

// Views of the buffers of one synchronous write.
thread_local std::vector<std::string_view> t_views;

// The corked queue of this thread (at most one) and the scratch buffer its messages wait in:
// its first `bytes` bytes are that queue's (counted in its queued_); bytes after them are a
// message being appended, between scratch() and push_scratch().
struct Cork {
  WriteQueue* owner = nullptr;
  std::size_t bytes = 0;
  std::string scratch;
};
thread_local Cork t_cork;

// A scratch that grew past this for a large burst is freed at uncork().
constexpr std::size_t kScratchKeep = 64 << 10;

}  // namespace

// The owner of a queue made with two callbacks.
class WriteQueue::FunctionOwner final : public Owner {
 public:
  FunctionOwner(std::function<void()> on_error, std::function<void()> on_overflow)
      : on_error_(std::move(on_error)), on_overflow_(std::move(on_overflow)) {}
  ~FunctionOwner() = default;
  void on_write_error() override {
    if (on_error_) on_error_();
  }
  void on_write_overflow() override {
    if (on_overflow_) on_overflow_();
  }
  std::shared_ptr<const void> keep_alive() override { return nullptr; }

 private:
  std::function<void()> on_error_;
  std::function<void()> on_overflow_;
};

WriteQueue::WriteQueue(Stream& stream, WriteQueueOptions options, Owner& owner)
    : stream_(stream), options_(options), owner_(&owner) {}

WriteQueue::WriteQueue(Stream& stream, WriteQueueOptions options, std::function<void()> on_error,
                       std::function<void()> on_overflow)
    : stream_(stream),
      options_(options),
      owner_(new FunctionOwner(std::move(on_error), std::move(on_overflow))),
      owns_owner_(true) {}

WriteQueue::~WriteQueue() {
  if (owns_owner_) delete static_cast<FunctionOwner*>(owner_);
  metrics::sub(metrics::Stat::WriteQueueBytes, queued_);
  if (corked()) {
    t_cork.scratch.erase(0, t_cork.bytes);
    t_cork.bytes = 0;
    t_cork.owner = nullptr;
  }
  if (async_) async_->alive = false;
  if (scheduled_) {
    for (auto& queue : t_flush.queues) {
      if (queue == this) queue = nullptr;
    }
  }
}

SendResult WriteQueue::admit(std::size_t bytes, bool is_volatile) {
  if (failed_) return SendResult::Dropped;
  if (overflowed_ || (queued_ > options_.soft_limit && is_volatile)) {
    metrics::add(metrics::Stat::WriteQueueDropped);
    return SendResult::Dropped;
  }
  if (queued_ + bytes > options_.hard_limit) {
    // What is in flight finishes (a message cut in the middle would corrupt the stream);
    // what waits behind it is dropped, and only push_last() is taken from now on.
    overflowed_ = true;
    auto before = queued_;
    for (auto& item : pending_) queued_ -= item.bytes().size();
    if (corked()) {
      queued_ -= t_cork.bytes;
      t_cork.scratch.erase(0, t_cork.bytes);
      t_cork.bytes = 0;
    }
    metrics::sub(metrics::Stat::WriteQueueBytes, before - queued_);
    metrics::add(metrics::Stat::WriteQueueDropped, pending_.size() + 1);
    metrics::add(metrics::Stat::SlowConsumerDisconnects);
    give_back(pending_);
    owner_->on_write_overflow();
    return SendResult::Dropped;
  }
  queued_ += bytes;
  metrics::add(metrics::Stat::WriteQueueBytes, bytes);
  return queued_ > options_.soft_limit ? SendResult::Buffered : SendResult::Sent;
}

SendResult WriteQueue::push(std::string bytes, bool is_volatile) {
  spill();
  auto result = admit(bytes.size(), is_volatile);
  if (result != SendResult::Dropped) {
    borrow();
    pending_.push_back({std::move(bytes), nullptr, {}});
    schedule();
  }
  return result;
}

SendResult WriteQueue::push(std::shared_ptr<const std::string> bytes, bool is_volatile) {
  std::string_view view = *bytes;
  return push(std::shared_ptr<const void>(std::move(bytes)), view, is_volatile);
}

SendResult WriteQueue::push(std::shared_ptr<const void> owner, std::string_view bytes,
                            bool is_volatile) {
  spill();
  auto result = admit(bytes.size(), is_volatile);
  if (result != SendResult::Dropped) {
    borrow();
    pending_.push_back({{}, std::move(owner), bytes});
    schedule();
  }
  return result;
}

bool WriteQueue::corked() const {
  return t_cork.owner == this;
}

void WriteQueue::cork() {
  if (t_cork.owner) return;
  t_cork.owner = this;
  t_cork.bytes = 0;
}

std::string& WriteQueue::scratch() {
  return t_cork.scratch;
}

SendResult WriteQueue::push_scratch(std::size_t from, bool is_volatile) {
  auto& scratch = t_cork.scratch;
  const std::size_t n = scratch.size() - from;
  if (corked() && pending_.empty() && !writing() && scratch.size() <= kScratchKeep) {
    // Kept where it was encoded; uncork() writes it.
    auto result = admit(n, is_volatile);
    // (An overflow inside admit() may have dropped the bytes before it: count from the end.)
    if (result == SendResult::Dropped) {
      scratch.resize(scratch.size() - n);
    } else {
      t_cork.bytes += n;
    }
    return result;
  }
  std::string bytes(scratch, from);
  scratch.resize(from);
  return push(std::move(bytes), is_volatile);
}

void WriteQueue::spill() {
  if (t_cork.bytes == 0 || !corked()) return;
  borrow();
  pending_.push_back({t_cork.scratch.substr(0, t_cork.bytes), nullptr, {}});
  t_cork.scratch.erase(0, t_cork.bytes);
  t_cork.bytes = 0;
  schedule();
}

void WriteQueue::uncork() {
  if (!corked()) return;
  auto& scratch = t_cork.scratch;
  const std::size_t n = t_cork.bytes;
  t_cork.owner = nullptr;
  t_cork.bytes = 0;
  if (n > 0 && !failed_) {
    // Nothing waits ahead of these bytes (a push would have spilled them): write them now.
    boost::system::error_code ec;
    const std::string_view view(scratch.data(), n);
    auto written = stream_.try_write(std::span(&view, 1), ec);
    if (ec == boost::asio::error::would_block) ec = {};
    if (!ec && written == n) {
      queued_ -= n;
      metrics::sub(metrics::Stat::WriteQueueBytes, n);
      metrics::add(metrics::Stat::SentBytes, n);
    } else {
      // The kernel took part (or failed): the rest goes through the queue, which also
      // reports a failure.
      queued_ -= written;
      metrics::sub(metrics::Stat::WriteQueueBytes, written);
      metrics::add(metrics::Stat::SentBytes, written);
      borrow();
      pending_.push_back({scratch.substr(written, n - written), nullptr, {}});
    }
  }
  if (scratch.capacity() > kScratchKeep) {
    std::string().swap(scratch);
  } else {
    scratch.clear();
  }
  if (!pending_.empty() || !drained_.empty()) flush();
}

SendResult WriteQueue::push_last(std::string bytes) {
  if (failed_) return SendResult::Dropped;
  spill();
  queued_ += bytes.size();
  metrics::add(metrics::Stat::WriteQueueBytes, bytes.size());
  borrow();
  pending_.push_back({std::move(bytes), nullptr, {}});
  schedule();
  return SendResult::Sent;
}

void WriteQueue::borrow() {
  if (pending_.capacity() != 0 || t_spare.empty()) return;
  pending_ = std::move(t_spare.back());
  t_spare.pop_back();
}

void WriteQueue::give_back(std::vector<Item>& items) {
  items.clear();
  if (items.capacity() == 0) return;
  if (t_spare.size() < kSpareVectors && items.capacity() <= kSpareCapacity) {
    t_spare.push_back(std::move(items));
  }
  items = {};
}

void WriteQueue::when_drained(std::function<void()> fn) {
  if (queued_ == 0 || failed_) {
    fn();
    return;
  }
  drained_.push_back(std::move(fn));
}

void WriteQueue::abandon() {
  failed_ = true;
  pending_.clear();
  if (corked()) {
    t_cork.scratch.erase(0, t_cork.bytes);
    t_cork.bytes = 0;
  }
  // Callbacks may own the connection that owns this queue: release them last.
  auto drained = std::move(drained_);
  drained_.clear();
}

// Corking: everything pushed during this loop turn leaves in one gathered write.
void WriteQueue::schedule() {
  if (scheduled_ || writing()) return;
  scheduled_ = true;
  t_flush.queues.push_back(this);
  if (t_flush.posted) return;
  t_flush.posted = true;
  boost::asio::post(stream_.shard().context(), [] {
    // Queues flushed here may be destroyed by what a flush runs (a drained callback): a
    // destroyed queue removes itself from the list (see ~WriteQueue).
    auto& list = t_flush;
    list.posted = false;
    for (std::size_t i = 0; i < list.queues.size(); ++i) {
      auto* queue = list.queues[i];
      if (!queue) continue;
      list.queues[i] = nullptr;
      queue->scheduled_ = false;
      queue->flush();
    }
    list.queues.clear();
  });
}

void WriteQueue::flush() {
  while (!writing() && !failed_ && !pending_.empty()) {
    auto& views = t_views;
    views.clear();
    std::size_t total = 0;
    for (auto& item : pending_) {
      views.push_back(item.bytes());
      total += views.back().size();
    }
    // First what the kernel takes at once, without an asynchronous operation; the rest, if
    // any, asynchronously.
    boost::system::error_code ec;
    auto n = stream_.try_write(views, ec);
    if (ec == boost::asio::error::would_block) ec = {};
    if (!ec && n == total) {
      give_back(pending_);
      queued_ -= total;
      metrics::sub(metrics::Stat::WriteQueueBytes, total);
      metrics::add(metrics::Stat::SentBytes, total);
      continue;
    }
    // Only here does the queue need its asynchronous-write state: the kernel did not take
    // everything (a slow reader), or the write failed.
    async_ = std::make_shared<Async>();
    async_->in_flight.swap(pending_);
    if (ec) return on_written(ec);
    async_->views.assign(views.begin(), views.end());
    async_->skip_written(n);
    stream_.async_write(async_->views, [this, async = async_, keep = owner_->keep_alive()](
                                           boost::system::error_code ec, std::size_t) {
      if (!async->alive) return;
      on_written(ec);
    });
    return;
  }
  if (!writing() && pending_.empty() && !drained_.empty()) {
    // Callbacks may own the connection that owns this queue: nothing touches it after them.
    auto drained = std::move(drained_);
    drained_.clear();
    for (auto& fn : drained) fn();
  }
}

void WriteQueue::Async::skip_written(std::size_t n) {
  std::size_t first = 0;
  while (first < views.size() && n >= views[first].size()) n -= views[first++].size();
  views.erase(views.begin(), views.begin() + first);
  if (n > 0) views.front().remove_prefix(n);
}

void WriteQueue::on_written(boost::system::error_code ec) {
  std::size_t written = 0;
  // The completion holds its own reference: the state goes when it returns.
  auto async = std::move(async_);
  for (auto& item : async->in_flight) written += item.bytes().size();
  give_back(async->in_flight);
  queued_ -= written;
  metrics::sub(metrics::Stat::WriteQueueBytes, written);
  if (!ec) metrics::add(metrics::Stat::SentBytes, written);
  if (ec) {
    if (!failed_) {
      failed_ = true;
      pending_.clear();
      auto drained = std::move(drained_);
      drained_.clear();
      owner_->on_write_error();
    }
    return;
  }
  flush();
}

}  // namespace switchboard::net

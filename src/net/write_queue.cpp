#include "switchboard/net/write_queue.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "switchboard/net/runtime.hpp"

namespace switchboard::net {

WriteQueue::WriteQueue(Stream& stream, WriteQueueOptions options, std::function<void()> on_error,
                       std::function<void()> on_overflow)
    : stream_(stream),
      options_(options),
      on_error_(std::move(on_error)),
      on_overflow_(std::move(on_overflow)),
      alive_(std::make_shared<bool>(true)) {}

WriteQueue::~WriteQueue() {
  *alive_ = false;
}

SendResult WriteQueue::admit(std::size_t bytes, bool is_volatile) {
  if (failed_) return SendResult::Dropped;
  if (queued_ > options_.soft_limit && is_volatile) return SendResult::Dropped;
  if (queued_ + bytes > options_.hard_limit) {
    failed_ = true;
    if (on_overflow_) on_overflow_();
    return SendResult::Dropped;
  }
  queued_ += bytes;
  schedule();
  return queued_ > options_.soft_limit ? SendResult::Buffered : SendResult::Sent;
}

SendResult WriteQueue::push(std::string bytes, bool is_volatile) {
  auto result = admit(bytes.size(), is_volatile);
  if (result != SendResult::Dropped) pending_.push_back({std::move(bytes), nullptr, {}});
  return result;
}

SendResult WriteQueue::push(std::shared_ptr<const std::string> bytes, bool is_volatile) {
  std::string_view view = *bytes;
  return push(std::shared_ptr<const void>(std::move(bytes)), view, is_volatile);
}

SendResult WriteQueue::push(std::shared_ptr<const void> owner, std::string_view bytes,
                            bool is_volatile) {
  auto result = admit(bytes.size(), is_volatile);
  if (result != SendResult::Dropped) pending_.push_back({{}, std::move(owner), bytes});
  return result;
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
  // Callbacks may own the connection that owns this queue: release them last.
  auto drained = std::move(drained_);
  drained_.clear();
}

// Corking: everything pushed during this loop turn leaves in one gathered write.
void WriteQueue::schedule() {
  if (scheduled_ || writing_) return;
  scheduled_ = true;
  boost::asio::post(stream_.shard().context(), [this, alive = alive_] {
    if (!*alive) return;
    scheduled_ = false;
    flush();
  });
}

void WriteQueue::flush() {
  if (writing_ || failed_ || pending_.empty()) return;
  writing_ = true;
  in_flight_.swap(pending_);
  views_.clear();
  for (auto& item : in_flight_) views_.push_back(item.bytes());
  stream_.async_write(views_, [this, alive = alive_](boost::system::error_code ec, std::size_t) {
    if (!*alive) return;
    on_written(ec);
  });
}

void WriteQueue::on_written(boost::system::error_code ec) {
  writing_ = false;
  std::size_t written = 0;
  for (auto& item : in_flight_) written += item.bytes().size();
  in_flight_.clear();
  queued_ -= written;
  if (ec) {
    if (!failed_) {
      failed_ = true;
      pending_.clear();
      auto drained = std::move(drained_);
      drained_.clear();
      if (on_error_) on_error_();
    }
    return;
  }
  if (!pending_.empty()) {
    flush();
    return;
  }
  auto drained = std::move(drained_);
  drained_.clear();
  for (auto& fn : drained) fn();
}

}  // namespace switchboard::net

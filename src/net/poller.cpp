#include "net/poller.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <system_error>

#include <boost/asio/post.hpp>

#include "switchboard/net/runtime.hpp"

namespace switchboard::net::detail {

asio::execution_context::id Poller::id;

namespace {
// Events taken from the set per epoll_wait; a fuller batch is followed by another call.
constexpr int kBatch = 128;

std::uint64_t key_of(int fd, std::uint32_t generation) {
  return (std::uint64_t{generation} << 32) | static_cast<std::uint32_t>(fd);
}
}  // namespace

Poller::Poller(asio::execution_context& context)
    : asio::execution_context::service(context),
      context_(static_cast<asio::io_context&>(context)),
      epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (epoll_fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  set_ = std::make_unique<asio::posix::basic_stream_descriptor<asio::io_context::executor_type>>(
      context_.get_executor(), epoll_fd_);
}

Poller::~Poller() {
  if (set_) set_.reset();  // closes the set
}

Poller& Poller::of(Shard& shard) {
  return asio::use_service<Poller>(shard.context());
}

void Poller::add(Entry& entry, int fd) {
  entry.fd = fd;
  entry.generation = next_generation_++;
  if (next_generation_ == 0) next_generation_ = 1;
  if (static_cast<std::size_t>(fd) >= table_.size()) table_.resize(fd + 64, nullptr);
  table_[fd] = &entry;
  ++registered_;
  added_ = true;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = key_of(fd, entry.generation);
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    // Not pollable (cannot happen for a socket): report it readable and writable for good, so
    // that the stream's own calls meet the error.
    entry.hangup = entry.readable = entry.writable = true;
  }
}

void Poller::remove(Entry& entry, bool stays_open) {
  if (entry.generation == 0) return;
  if (stays_open && epoll_fd_ >= 0) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, entry.fd, nullptr);
  if (static_cast<std::size_t>(entry.fd) < table_.size() && table_[entry.fd] == &entry) {
    table_[entry.fd] = nullptr;
  }
  entry.generation = 0;
  --registered_;
  if (entry.queued) {
    entry.queued = false;
    for (auto& e : ready_) {
      if (e == &entry) e = nullptr;
    }
  }
  for (auto& e : running_) {
    if (e == &entry) e = nullptr;
  }
  // The waits may own what owns the entry: nothing touches the entry after they are gone.
  Wait read = std::move(entry.on_readable);
  Wait write = std::move(entry.on_writable);
  auto* waiter = entry.read_waiter;
  entry.on_readable = nullptr;
  entry.on_writable = nullptr;
  entry.read_waiter = nullptr;
  if (read || waiter) --parked_;
  if (write) --parked_;
  if (!shut_down_) {
    if (read) aborted_.push_back(std::move(read));
    if (write) aborted_.push_back(std::move(write));
    if (waiter) aborted_waiters_.push_back(waiter);
    if (!aborted_.empty() || !aborted_waiters_.empty()) post_ready();
    // Nothing left to wait for: asio's wait on the set goes, so that run() can return.
    if (parked_ == 0 && armed_) set_->cancel();
  } else if (waiter) {
    waiter->on_wait_dropped();
  }
}

void Poller::wait_readable(Entry& entry, Wait fn) {
  park(entry, false, std::move(fn));
  if (entry.readable || entry.hangup) queue(entry);
}

void Poller::wait_readable(Entry& entry, Stream::Waiter& waiter) {
  if (shut_down_) return waiter.on_wait_dropped();  // as a std::function wait is dropped
  if (!entry.on_readable && !entry.read_waiter) ++parked_;
  entry.on_readable = nullptr;
  entry.read_waiter = &waiter;
  arm();
  if (entry.readable || entry.hangup) queue(entry);
}

void Poller::wait_writable(Entry& entry, Wait fn) {
  park(entry, true, std::move(fn));
  if (entry.writable) queue(entry);
}

void Poller::park(Entry& entry, bool write, Wait fn) {
  if (shut_down_) return;  // the context is going: its waits are dropped, as asio's are
  auto& slot = write ? entry.on_writable : entry.on_readable;
  if (!slot && (write || !entry.read_waiter)) ++parked_;
  if (!write) entry.read_waiter = nullptr;
  slot = std::move(fn);
  arm();
}

void Poller::queue(Entry& entry) {
  if (!entry.queued) {
    entry.queued = true;
    ready_.push_back(&entry);
  }
  post_ready();
}

void Poller::post_ready() {
  if (posted_ || shut_down_) return;
  posted_ = true;
  asio::post(context_, [this] { run_ready(); });
}

// One asio wait on the whole set while anything is parked: a MOD of the set's registration in
// asio's epoll per loop turn, whatever the number of connections.
void Poller::arm() {
  if (armed_ || dispatching_ || parked_ == 0 || shut_down_) return;
  armed_ = true;
  set_->async_wait(asio::posix::descriptor_base::wait_read, [this](boost::system::error_code ec) {
    armed_ = false;
    if (!ec) return on_events();
    arm();  // cancelled when the last wait went, and a new one may have come since
  });
}

void Poller::on_events() {
  dispatching_ = true;
  epoll_event events[kBatch];
  int n;
  bool again;
  do {
    // A descriptor registered by a callback here (a connection just accepted) is writable at
    // once, and maybe readable: take its first events in this turn rather than wake for them.
    added_ = false;
    n = ::epoll_wait(epoll_fd_, events, kBatch, 0);
    for (int i = 0; i < n; ++i) {
      auto key = events[i].data.u64;
      auto fd = static_cast<std::uint32_t>(key);
      auto generation = static_cast<std::uint32_t>(key >> 32);
      auto live = [&]() -> Entry* {
        auto* e = fd < table_.size() ? table_[fd] : nullptr;
        return e && e->generation == generation ? e : nullptr;
      };
      Entry* e = live();
      if (!e) continue;  // removed, or its number reused, since the event
      auto ev = events[i].events;
      if (ev & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) e->hangup = true;
      if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) e->readable = true;
      if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)) e->writable = true;
      if ((e->read_waiter || e->on_readable) && e->readable) {
        run_slot(*e, false);
        e = live();
      }
      if (e && e->on_writable && e->writable) run_slot(*e, true);
    }
    again = n == kBatch || added_;
  } while (again);
  dispatching_ = false;
  arm();
}

void Poller::run_ready() {
  posted_ = false;
  running_.swap(ready_);
  for (std::size_t i = 0; i < running_.size(); ++i) {
    auto* e = running_[i];
    if (!e) continue;
    e->queued = false;
    if ((e->read_waiter || e->on_readable) && (e->readable || e->hangup)) {
      run_slot(*e, false);
      if (!running_[i]) continue;  // removed by the callback
    }
    if (e->on_writable && e->writable) run_slot(*e, true);
  }
  running_.clear();
  if (!aborted_waiters_.empty()) {
    auto aborted = std::move(aborted_waiters_);
    aborted_waiters_.clear();
    for (auto* waiter : aborted) waiter->on_ready(asio::error::operation_aborted);
  }
  if (!aborted_.empty()) {
    auto aborted = std::move(aborted_);
    aborted_.clear();
    for (auto& fn : aborted) fn(asio::error::operation_aborted);
  }
}

void Poller::run_slot(Entry& entry, bool write) {
  if (!write && entry.read_waiter) {
    // The waiter may end the entry's owner: nothing touches the entry after the call.
    auto* waiter = entry.read_waiter;
    entry.read_waiter = nullptr;
    --parked_;
    return waiter->on_ready({});
  }
  auto& slot = write ? entry.on_writable : entry.on_readable;
  Wait fn = std::move(slot);
  slot = nullptr;
  --parked_;
  fn({});
}

// The context is going away: its pending handlers are destroyed without running, and so are
// the parked waits (which may own the connections that own the entries).
void Poller::shutdown() {
  shut_down_ = true;
  set_.reset();
  epoll_fd_ = -1;
  std::vector<Wait> dropped = std::move(aborted_);
  aborted_.clear();
  std::vector<Stream::Waiter*> waiters = std::move(aborted_waiters_);
  aborted_waiters_.clear();
  for (auto* e : table_) {
    if (!e) continue;
    if (e->on_readable) dropped.push_back(std::move(e->on_readable));
    if (e->on_writable) dropped.push_back(std::move(e->on_writable));
    if (e->read_waiter) waiters.push_back(e->read_waiter);
    e->on_readable = nullptr;
    e->on_writable = nullptr;
    e->read_waiter = nullptr;
  }
  parked_ = 0;
  ready_.clear();
  running_.clear();
  dropped.clear();
  for (auto* waiter : waiters) waiter->on_wait_dropped();
}

}  // namespace switchboard::net::detail

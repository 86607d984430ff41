#include "switchboard/net/runtime.hpp"

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

namespace asio = boost::asio;

namespace switchboard::net {

namespace {
thread_local Shard* t_current = nullptr;
}

struct Shard::Guard {
  explicit Guard(asio::io_context& context)
      : work(context.get_executor()), deadline(context), timers(context) {}
  asio::executor_work_guard<asio::io_context::executor_type> work;
  asio::steady_timer deadline;
  /// Armed for the earliest net::Timer of the shard (at `timers_at`).
  asio::steady_timer timers;
  std::chrono::steady_clock::time_point timers_at = std::chrono::steady_clock::time_point::max();
};

Shard::Shard(Runtime& runtime, unsigned index)
    : runtime_(runtime),
      index_(index),
      context_(std::make_unique<asio::io_context>(1)),
      guard_(std::make_unique<Guard>(*context_)) {}

Shard::~Shard() {
  // Timers still armed will not run: destroying them later must not touch the heap.
  for (auto* timer : timers_) timer->index_ = Timer::kUnarmed;
  timers_.clear();
  // Destroying the context destroys pending handlers, whose captures may still reach this
  // shard (an Activity ending): keep the members alive until it is gone.
  guard_.reset();
  context_.reset();
}

void Shard::post(std::function<void()> fn) {
  if (context_) asio::post(*context_, std::move(fn));
}

bool Shard::is_current() const {
  return t_current == this;
}

void Shard::add_stop_hook(std::function<void()> fn) {
  stop_hooks_.push_back(std::move(fn));
}

// --- timers -----------------------------------------------------------------------------

void Timer::arm(std::chrono::steady_clock::duration delay, std::function<void()> fn) {
  fn_ = std::move(fn);
  when_ = std::chrono::steady_clock::now() + delay;
  if (armed()) {
    shard_->sift_up(index_);
    shard_->sift_down(index_);
  } else {
    shard_->add_timer(*this);
  }
  shard_->arm_timers();
}

void Timer::cancel() {
  if (armed()) shard_->remove_timer(*this);
  fn_ = nullptr;
}

void Shard::place(std::size_t i, Timer* timer) {
  timers_[i] = timer;
  timer->index_ = i;
}

void Shard::sift_up(std::size_t i) {
  auto* timer = timers_[i];
  while (i > 0) {
    auto parent = (i - 1) / 2;
    if (timers_[parent]->when_ <= timer->when_) break;
    place(i, timers_[parent]);
    i = parent;
  }
  place(i, timer);
}

void Shard::sift_down(std::size_t i) {
  auto* timer = timers_[i];
  auto n = timers_.size();
  while (true) {
    auto child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && timers_[child + 1]->when_ < timers_[child]->when_) ++child;
    if (timer->when_ <= timers_[child]->when_) break;
    place(i, timers_[child]);
    i = child;
  }
  place(i, timer);
}

void Shard::add_timer(Timer& timer) {
  timers_.push_back(&timer);
  timer.index_ = timers_.size() - 1;
  sift_up(timer.index_);
}

void Shard::remove_timer(Timer& timer) {
  auto i = timer.index_;
  timer.index_ = Timer::kUnarmed;
  auto* last = timers_.back();
  timers_.pop_back();
  if (last != &timer) {
    place(i, last);
    sift_up(i);
    sift_down(last->index_);
  }
}

// Arms the asio timer when the earliest deadline is sooner than what it is armed for; a
// later one needs nothing (when it fires early, it re-arms).
void Shard::arm_timers() {
  if (timers_.empty() || !guard_) return;
  auto first = timers_.front()->when_;
  if (first >= guard_->timers_at) return;
  guard_->timers_at = first;
  guard_->timers.expires_at(first);
  guard_->timers.async_wait([this](boost::system::error_code ec) {
    if (!ec) run_timers();
  });
}

void Shard::run_timers() {
  guard_->timers_at = std::chrono::steady_clock::time_point::max();
  auto now = std::chrono::steady_clock::now();
  while (!timers_.empty() && timers_.front()->when_ <= now) {
    auto* timer = timers_.front();
    remove_timer(*timer);
    // The callback may re-arm the timer or destroy it (and its owner).
    auto fn = std::move(timer->fn_);
    timer->fn_ = nullptr;
    if (fn) fn();
  }
  arm_timers();
}

// --- stop listeners -----------------------------------------------------------------------

void Shard::StopListener::listen_for_stop(Shard& shard) {
  if (shard_) return;
  shard_ = &shard;
  next_ = shard.stop_listeners_;
  if (next_) next_->prev_ = this;
  shard.stop_listeners_ = this;
}

void Shard::StopListener::stop_listening() {
  if (!shard_) return;
  if (prev_) {
    prev_->next_ = next_;
  } else {
    shard_->stop_listeners_ = next_;
  }
  if (next_) next_->prev_ = prev_;
  shard_ = nullptr;
  prev_ = next_ = nullptr;
}

void Shard::begin_stop() {
  if (stopping_) return;
  stopping_ = true;
  auto hooks = std::move(stop_hooks_);
  stop_hooks_.clear();
  for (auto& hook : hooks) hook();
  // Listeners may end others (a connection closing its transports): take one at a time.
  while (auto* listener = stop_listeners_) {
    listener->stop_listening();
    listener->on_shard_stop();
  }
  guard_->work.reset();
  guard_->deadline.expires_after(runtime_.options().shutdown_grace);
  guard_->deadline.async_wait([this](boost::system::error_code ec) {
    if (!ec && context_) context_->stop();
  });
  maybe_finish();
}

void Shard::maybe_finish() {
  if (stopping_ && activities_ == 0 && context_) context_->stop();
}

void Shard::run() {
  t_current = this;
  context_->run();
  t_current = nullptr;
}

Shard::Activity::Activity(Shard& shard) : shard_(shard) {
  ++shard_.activities_;
}

Shard::Activity::~Activity() {
  --shard_.activities_;
  shard_.maybe_finish();
}

Runtime::Runtime(RuntimeOptions options) : options_(options) {
  unsigned n = options_.shards ? options_.shards : std::thread::hardware_concurrency();
  if (n == 0) n = 1;
  options_.shards = n;
  for (unsigned i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>(*this, i));
}

namespace {
// Destroys the pending handlers of `context` (io_context keeps shutdown() protected).
void shutdown_context(asio::io_context& context) {
  struct Access : asio::io_context {
    using asio::execution_context::shutdown;
  };
  void (asio::execution_context::*shutdown)() = &Access::shutdown;
  (context.*shutdown)();
}
}  // namespace

Runtime::~Runtime() {
  // Pending handlers may own objects holding I/O objects of several shards (a listener): drop
  // every shard's handlers while all contexts still exist, then destroy the contexts.
  for (auto& shard : shards_) {
    if (shard->context_) shutdown_context(*shard->context_);
  }
  // Stop hooks that never ran (no shutdown(): a runtime driven by hand, or never run) may
  // hold I/O objects too (a listener's acceptors and timers): let them go while every
  // context still exists.
  for (auto& shard : shards_) {
    auto hooks = std::move(shard->stop_hooks_);
    hooks.clear();
  }
  for (auto& shard : shards_) {
    shard->guard_.reset();
    shard->context_.reset();
  }
}

Shard* Runtime::current() {
  return t_current;
}

void Runtime::post_each(std::function<void(Shard&)> fn) {
  auto shared = std::make_shared<std::function<void(Shard&)>>(std::move(fn));
  for (auto& shard : shards_) {
    Shard* s = shard.get();
    s->post([s, shared] { (*shared)(*s); });
  }
}

int Runtime::run() {
  std::unique_ptr<asio::signal_set> signals;
  if (options_.handle_signals) {
    Shard& first = *shards_.front();
    signals = std::make_unique<asio::signal_set>(first.context(), SIGINT, SIGTERM);
    signals->async_wait([this](boost::system::error_code ec, int) {
      if (!ec) shutdown();
    });
    first.add_stop_hook([&signals] { signals->cancel(); });
  }
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < shards_.size(); ++i) {
    threads.emplace_back([shard = shards_[i].get()] { shard->run(); });
  }
  shards_.front()->run();
  for (auto& t : threads) t.join();
  return 0;
}

void Runtime::shutdown() {
  if (stopping_.exchange(true)) return;
  for (auto& shard : shards_) {
    Shard* s = shard.get();
    s->post([s] { s->begin_stop(); });
  }
}

}  // namespace switchboard::net

#pragma once
// A periodic callback on one shard that stops at shutdown. Header-only; for the examples.

#include <chrono>
#include <functional>

#include <boost/asio/steady_timer.hpp>

#include "switchboard/net/runtime.hpp"

namespace switchboard::examples {

/// Calls fn every `period` on `shard` from Runtime::run() until a shutdown begins. A zero
/// period never calls it. Must outlive Runtime::run().
///
///     examples::Ticker clock(runtime.shard(0), 100ms, [&] { topic.broadcast(now()); });
class Ticker {
 public:
  Ticker(net::Shard& shard, std::chrono::milliseconds period, std::function<void()> fn)
      : shard_(shard), timer_(shard.context()), period_(period), fn_(std::move(fn)) {
    if (period_.count() <= 0) return;
    shard_.post([this] {
      shard_.add_stop_hook([this] {
        stopped_ = true;
        timer_.cancel();
      });
      timer_.expires_after(period_);
      arm();
    });
  }
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

 private:
  void arm() {
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || stopped_) return;
      fn_();
      timer_.expires_at(timer_.expiry() + period_);
      arm();
    });
  }

  net::Shard& shard_;
  boost::asio::steady_timer timer_;
  std::chrono::milliseconds period_;
  std::function<void()> fn_;
  bool stopped_ = false;
};

}  // namespace switchboard::examples

#include "switchboard/sse/stream.hpp"

#include <utility>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "switchboard/net/runtime.hpp"

namespace switchboard::sse {
namespace {

http::Response stream_head() {
  http::Response head;
  head.headers.set("Content-Type", "text/event-stream; charset=utf-8");
  head.headers.set("Cache-Control", "no-cache");
  // nginx buffers proxied responses unless told not to.
  head.headers.set("X-Accel-Buffering", "no");
  return head;
}

class StreamImpl final : public Stream, public std::enable_shared_from_this<StreamImpl> {
 public:
  StreamImpl(http::Exchange& ex, StreamOptions options)
      : shard_(ex.shard()), timer_(shard_.context()), options_(options) {}

  ~StreamImpl() override {
    if (closed_) return;
    body_.end();
    if (stop_hook_) shard_.remove_stop_hook(stop_hook_);
  }

  void start(http::Exchange& ex) {
    body_ = ex.start_stream(stream_head());
    if (!body_.open()) {
      ended();
      return;
    }
    body_.on_close([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->ended();
    });
    if (shard_.stopping()) {
      close();
      return;
    }
    stop_hook_ = shard_.add_stop_hook([weak = weak_from_this()] {
      if (auto self = weak.lock()) {
        self->stop_hook_ = 0;
        self->close();
      }
    });
    if (options_.retry) write(retry(*options_.retry), false);
    arm_heartbeat();
  }

  net::SendResult write(std::string_view bytes, bool is_volatile) override {
    if (closed_) return net::SendResult::Dropped;
    written_ = true;
    return body_.write(std::string(bytes), is_volatile);
  }

  void close() override {
    if (closed_) return;
    body_.end();
    ended();
  }

  bool is_open() const override { return !closed_; }

  void on_close(std::function<void()> fn) override {
    if (closed_) {
      fn();
    } else {
      on_close_.push_back(std::move(fn));
    }
  }

 private:
  // A comment only when nothing was written during the last period.
  void arm_heartbeat() {
    if (options_.heartbeat.count() <= 0 || closed_) return;
    timer_.expires_after(options_.heartbeat);
    timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->closed_) return;
      if (!self->written_) self->write(":\n", true);
      self->written_ = false;
      self->arm_heartbeat();
    });
  }

  void ended() {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    if (stop_hook_) shard_.remove_stop_hook(std::exchange(stop_hook_, 0));
    auto callbacks = std::move(on_close_);
    on_close_.clear();
    for (auto& fn : callbacks) fn();
  }

  net::Shard& shard_;
  http::ResponseStream body_;
  boost::asio::steady_timer timer_;
  StreamOptions options_;
  std::vector<std::function<void()>> on_close_;
  std::uint64_t stop_hook_ = 0;
  bool written_ = false;
  bool closed_ = false;
};

}  // namespace

std::shared_ptr<Stream> Stream::open(http::Exchange ex, StreamOptions options) {
  auto stream = std::make_shared<StreamImpl>(ex, options);
  stream->start(ex);
  return stream;
}

boost::system::result<net::SendResult> Stream::send(const Event& e, bool is_volatile) {
  auto bytes = format(e);
  if (!bytes) return bytes.error();
  return write(*bytes, is_volatile);
}

std::optional<std::string> last_event_id(const http::Request& request) {
  if (request.headers.contains("Last-Event-ID")) {
    return std::string(request.header("Last-Event-ID"));
  }
  return request.query_param("lastEventId");
}

}  // namespace switchboard::sse

#include "switchboard/sse/stream.hpp"

#include <utility>
#include <vector>

#include "switchboard/metrics/cells.hpp"
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

class StreamImpl final : public Stream,
                         public net::Shard::StopListener,
                         public std::enable_shared_from_this<StreamImpl> {
 public:
  StreamImpl(http::Exchange& ex, StreamOptions options)
      : shard_(ex.shard()), timer_(shard_), options_(options) {}

  ~StreamImpl() override {
    if (closed_) return;
    body_.end();
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
    listen_for_stop(shard_);
    if (options_.retry) write(retry(*options_.retry), false);
    arm_heartbeat();
  }

  net::SendResult write(std::string_view bytes, bool is_volatile) override {
    if (closed_) return net::SendResult::Dropped;
    written_ = true;
    // Events, not the heartbeat's comments.
    if (!bytes.starts_with(':')) metrics::add(metrics::Stat::SseEventsSent);
    return body_.write(std::string(bytes), is_volatile);
  }

  void close() override {
    if (closed_) return;
    body_.end();
    ended();
  }

  bool is_open() const override { return !closed_; }

  void on_shard_stop() override {
    auto keep = shared_from_this();
    close();
  }

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
    timer_.arm(options_.heartbeat, [this] {
      if (closed_) return;
      auto keep = shared_from_this();
      if (!written_) write(":\n", true);
      written_ = false;
      arm_heartbeat();
    });
  }

  void ended() {
    if (closed_) return;
    closed_ = true;
    counted_.close();
    timer_.cancel();
    stop_listening();
    auto callbacks = std::move(on_close_);
    on_close_.clear();
    for (auto& fn : callbacks) fn();
  }

  net::Shard& shard_;
  http::ResponseStream body_;
  net::Timer timer_;
  StreamOptions options_;
  std::vector<std::function<void()>> on_close_;
  bool written_ = false;
  bool closed_ = false;
  metrics::OpenConnection counted_{metrics::Transport::Sse};
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

#include "support/memory_stream.hpp"

#include <algorithm>
#include <cstring>

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "switchboard/net/runtime.hpp"

namespace switchboard::test {

// One direction of the connection.
struct MemoryStream::Pipe {
  std::string bytes;
  /// The writer closed or half-closed: the reader gets EOF once `bytes` are read.
  bool ended = false;
  /// The reader is gone or closed: writes fail.
  bool reader_closed = false;
  /// The reading end, to wake.
  MemoryStream* reader = nullptr;
};

std::pair<std::unique_ptr<MemoryStream>, std::unique_ptr<MemoryStream>> MemoryStream::pair(
    net::Shard& shard) {
  auto a_to_b = std::make_shared<Pipe>();
  auto b_to_a = std::make_shared<Pipe>();
  std::unique_ptr<MemoryStream> a(new MemoryStream(shard, b_to_a, a_to_b));
  std::unique_ptr<MemoryStream> b(new MemoryStream(shard, a_to_b, b_to_a));
  return {std::move(a), std::move(b)};
}

MemoryStream::MemoryStream(net::Shard& shard, std::shared_ptr<Pipe> in, std::shared_ptr<Pipe> out)
    : shard_(&shard), in_(std::move(in)), out_(std::move(out)) {
  in_->reader = this;
}

MemoryStream::~MemoryStream() {
  close();
  if (in_ && in_->reader == this) in_->reader = nullptr;
}

void MemoryStream::post(std::function<void()> fn) {
  boost::asio::post(shard_->context(), std::move(fn));
}

void MemoryStream::async_read_some(std::span<char> into, Callback cb) {
  read_into_ = into;
  read_cb_ = std::move(cb);
  arrived();
}

void MemoryStream::async_wait_readable(std::function<void(boost::system::error_code)> cb) {
  wait_cb_ = std::move(cb);
  arrived();
}

std::size_t MemoryStream::read_available(std::span<char> into, boost::system::error_code& ec) {
  ec = {};
  if (!open_) {
    ec = boost::asio::error::bad_descriptor;
    return 0;
  }
  if (in_->bytes.empty()) {
    if (in_->ended) {
      ec = boost::asio::error::eof;
    } else {
      ec = boost::asio::error::would_block;
    }
    return 0;
  }
  auto n = std::min(into.size(), in_->bytes.size());
  std::memcpy(into.data(), in_->bytes.data(), n);
  in_->bytes.erase(0, n);
  return n;
}

void MemoryStream::arrived() {
  if (!open_) return;
  const bool ready = !in_->bytes.empty() || in_->ended;
  if (!ready) return;
  if (read_cb_) {
    boost::system::error_code ec;
    auto n = read_available(read_into_, ec);
    if (ec == boost::asio::error::eof) n = 0;
    post([cb = std::move(read_cb_), ec, n] { cb(ec, n); });
    read_cb_ = nullptr;
  }
  if (wait_cb_) {
    post([cb = std::move(wait_cb_)] { cb({}); });
    wait_cb_ = nullptr;
  }
  // A copy: the watcher may replace itself.
  if (auto watcher = on_receive_) watcher();
}

std::size_t MemoryStream::try_write(std::span<const std::string_view> buffers,
                                    boost::system::error_code& ec) {
  ec = {};
  if (!open_ || out_->ended || out_->reader_closed) {
    ec = boost::asio::error::broken_pipe;
    return 0;
  }
  std::size_t n = 0;
  for (auto b : buffers) {
    out_->bytes.append(b);
    n += b.size();
  }
  if (out_->reader) out_->reader->arrived();
  return n;
}

void MemoryStream::async_write(std::span<const std::string_view> buffers, Callback cb) {
  boost::system::error_code ec;
  auto n = try_write(buffers, ec);
  post([cb = std::move(cb), ec, n] { cb(ec, n); });
}

void MemoryStream::shutdown_send() {
  if (out_->ended) return;
  out_->ended = true;
  if (out_->reader) out_->reader->arrived();
}

void MemoryStream::close() {
  if (!open_) return;
  open_ = false;
  in_->reader_closed = true;
  out_->ended = true;
  if (read_cb_) {
    post([cb = std::move(read_cb_)] { cb(boost::asio::error::operation_aborted, 0); });
    read_cb_ = nullptr;
  }
  if (wait_cb_) {
    post([cb = std::move(wait_cb_)] { cb(boost::asio::error::operation_aborted); });
    wait_cb_ = nullptr;
  }
  if (out_->reader) out_->reader->arrived();
}

std::unique_ptr<net::Stream> MemoryStream::migrate(net::Shard& target) {
  std::unique_ptr<MemoryStream> moved(new MemoryStream(target, in_, out_));
  in_ = std::make_shared<Pipe>();  // this end is left closed, its pipes with the new one
  out_ = std::make_shared<Pipe>();
  open_ = false;
  return moved;
}

void MemoryStream::write(std::string_view bytes) {
  boost::system::error_code ec;
  try_write(std::span<const std::string_view>(&bytes, 1), ec);
}

std::string MemoryStream::take_received() {
  return std::exchange(in_->bytes, {});
}

void MemoryStream::on_receive(std::function<void()> fn) {
  on_receive_ = std::move(fn);
  if (auto watcher = on_receive_) watcher();
}

bool MemoryStream::peer_closed() const {
  return in_->ended;
}

}  // namespace switchboard::test

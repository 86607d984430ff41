#pragma once
// Two connected in-memory net::Streams on one shard, for driving the layers above net::Stream
// (WebSocket, Engine.IO) without sockets: what one end writes, the other reads. Completions
// are posted to the shard, never run inside the call that starts the operation, as Asio does.
// Everything but pair() runs on the shard's thread.

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "switchboard/net/stream.hpp"

namespace switchboard::test {

class MemoryStream final : public net::Stream {
 public:
  /// Two ends of one connection, both on `shard`.
  static std::pair<std::unique_ptr<MemoryStream>, std::unique_ptr<MemoryStream>> pair(
      net::Shard& shard);
  ~MemoryStream() override;

  // net::Stream
  void async_read_some(std::span<char> into, Callback cb) override;
  void async_wait_readable(std::function<void(boost::system::error_code)> cb) override;
  std::size_t read_available(std::span<char> into, boost::system::error_code& ec) override;
  void async_write(std::span<const std::string_view> buffers, Callback cb) override;
  std::size_t try_write(std::span<const std::string_view> buffers,
                        boost::system::error_code& ec) override;
  void shutdown_send() override;
  void close() override;
  bool is_open() const override { return open_; }
  bool is_tls() const override { return false; }
  std::string remote_address() const override { return "127.0.0.1"; }
  std::uint16_t remote_port() const override { return 40000; }
  void set_no_delay(bool) override {}
  net::Shard& shard() override { return *shard_; }
  std::unique_ptr<Stream> migrate(net::Shard& target) override;

  // For the test, driving this end by hand.
  /// Writes at once (what the peer reads next).
  void write(std::string_view bytes);
  /// Takes what has arrived and not been read.
  std::string take_received();
  /// Runs `fn` each time bytes or the end arrive (replacing the one before), and once now.
  void on_receive(std::function<void()> fn);
  /// True once the peer closed or half-closed.
  bool peer_closed() const;

 private:
  struct Pipe;
  MemoryStream(net::Shard& shard, std::shared_ptr<Pipe> in, std::shared_ptr<Pipe> out);
  /// Completes a pending read or wait when bytes or the end have arrived.
  void arrived();
  void post(std::function<void()> fn);

  net::Shard* shard_;
  std::shared_ptr<Pipe> in_;
  std::shared_ptr<Pipe> out_;
  bool open_ = true;
  std::span<char> read_into_;
  Callback read_cb_;
  std::function<void(boost::system::error_code)> wait_cb_;
  std::function<void()> on_receive_;
};

}  // namespace switchboard::test

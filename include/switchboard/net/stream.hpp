#pragma once
/// A byte stream over TCP or TLS behind one type, so no layer above is templated on it.

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <chrono>

#include <boost/system/error_code.hpp>

namespace switchboard::net {

class Shard;

/// A 64 KiB buffer shared by everything that reads on the calling thread: read into it right
/// after async_wait_readable() and consume the bytes before yielding, and an idle connection
/// holds no read buffer of its own.
std::span<char> thread_read_buffer();

/// How a connection closes after an error answer (an HTTP 4xx, a WebSocket close frame for
/// 1002/1007/1009): it half-closes once the answer is out, then reads and discards what the
/// peer still sends until the peer closes too or a bound is reached. Closing with unread
/// bytes would send a reset, and a peer still sending (the rest of an oversized message)
/// would get ECONNRESET or EPIPE instead of the answer (nginx's lingering close).
struct LingerOptions {
  /// The longest the connection lingers once the answer is out.
  std::chrono::milliseconds timeout{3000};
  /// The most bytes it reads and discards meanwhile (beyond them the peer gets its reset).
  std::size_t max_bytes = 64 << 20;
};

/// A connected stream owned by one shard. Callbacks run on that shard. At most one read and
/// one write may be in flight at a time.
class Stream {
 public:
  /// Completes a read or write: the error (operation_aborted after close()) and the bytes.
  using Callback = std::function<void(boost::system::error_code, std::size_t)>;

  /// Closes the connection if still open (pending operations complete with
  /// operation_aborted); on its shard.
  virtual ~Stream() = default;
  /// Reads what is available (at least one byte) into `into`.
  virtual void async_read_some(std::span<char> into, Callback cb) = 0;
  /// Waits until a read would not block, without a buffer of the caller's: an idle connection
  /// then holds no read buffer. Follow with read_available().
  virtual void async_wait_readable(std::function<void(boost::system::error_code)> cb) = 0;
  /// Where notify_readable() reports, without an allocation per wait: a connection that waits
  /// after every message implements it and parks itself. The waiter must stay alive until one
  /// of its two functions runs (it usually keeps itself alive while a wait is parked, as a
  /// std::function wait's capture would).
  class Waiter {
   public:
    /// The wait completed: no error when a read would not block, operation_aborted after
    /// close() or migrate(), or the stream's error.
    virtual void on_ready(boost::system::error_code ec) = 0;
    /// The wait went without running (its shard's context was destroyed with it parked): let
    /// go of what it kept alive. May destroy the waiter.
    virtual void on_wait_dropped() noexcept = 0;

   protected:
    ~Waiter() = default;
  };
  /// Like async_wait_readable(), reporting to `waiter`: exactly one of its functions runs per
  /// call, on_ready never inside the call (on_wait_dropped may, once the shard's context is
  /// going). TCP streams park the waiter itself (no allocation); others wrap it in a callback.
  virtual void notify_readable(Waiter& waiter);
  /// Reads what is available now without blocking; 0 with would_block when nothing is.
  virtual std::size_t read_available(std::span<char> into, boost::system::error_code& ec) = 0;
  /// Writes every byte of every buffer (one gathered write); the buffers must stay alive
  /// until cb runs.
  virtual void async_write(std::span<const std::string_view> buffers, Callback cb) = 0;
  /// Writes what the kernel takes now, without blocking (one gathered write); returns the
  /// bytes written, 0 with would_block when none. Streams that cannot (TLS) always say
  /// would_block, and the caller falls back to async_write().
  virtual std::size_t try_write(std::span<const std::string_view> buffers,
                                boost::system::error_code& ec);
  /// Half-closes the sending side after pending writes (TCP FIN / TLS close_notify).
  virtual void shutdown_send() = 0;
  /// Closes at once; pending operations complete with operation_aborted.
  virtual void close() = 0;
  /// False once close() was called or the connection moved away (migrate()).
  virtual bool is_open() const = 0;
  /// True for a TLS connection.
  virtual bool is_tls() const = 0;
  /// The peer's address as text ("127.0.0.1", "::1"), still known after close().

  virtual std::string remote_address() const = 0;
  /// The peer's port.
  virtual std::uint16_t remote_port() const = 0;
  /// Sets TCP_NODELAY and similar options best for message traffic.
  virtual void set_no_delay(bool on) = 0;
  /// The shard that owns the stream; every call and callback happens there.
  virtual Shard& shard() = 0;

  /// Moves the connection to another shard: the returned stream belongs to `target` and this
  /// one is left closed. Call with no operation in flight, on this stream's shard. Returns
  /// null, this stream untouched, when it cannot move (TLS with bytes in flight inside it).
  virtual std::unique_ptr<Stream> migrate(Shard& target) = 0;
};

}  // namespace switchboard::net

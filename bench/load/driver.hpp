#pragma once
/// The load generator's I/O: thousands of client connections on one thread and one epoll.
/// Protocol work is delegated to the sans-I/O codecs (WsClientCodec, sio_client_codec); what a
/// mode does with messages is a Handler. Each loop turn reads what arrived, lets the handler
/// answer, then writes each connection's output with one write() (batching).

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ws_client_codec.hpp"

namespace switchboard::bench {

/// CLOCK_MONOTONIC in nanoseconds (the clock of every timestamp in payloads).
std::uint64_t now_ns();

/// What the connections speak.
enum class Protocol : std::uint8_t { WebSocket, SocketIO };

/// Where and how to connect.
struct Target {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8000;
  /// Raw WebSocket path ("/echo"); Socket.IO always uses sio_path.
  std::string path = "/echo";
  Protocol protocol = Protocol::WebSocket;
  /// 0: let the kernel pick the source address; N: spread over 127.0.0.2 .. 127.0.0.(N+1), to
  /// use more than one address's ephemeral ports.
  unsigned sources = 0;
  /// Connections in their handshake at once; the rest wait their turn.
  unsigned max_pending = 256;
  /// Close with a TCP reset (SO_LINGER 0) so that closed connections leave no TIME_WAIT.
  bool reset_on_close = false;
};

/// One client connection. `slot` is stable while it is open; modes index their state by it.
struct Conn {
  enum class State : std::uint8_t { Connecting, Upgrading, Opening, Joining, Ready, Closed };
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;
  int fd = -1;
  State state = State::Closed;
  std::uint64_t started_ns = 0;
  std::string in;  // handshake bytes until the upgrade completes
  std::string out;
  std::size_t out_sent = 0;
  bool dirty = false;
  bool waiting_writable = false;
  std::optional<WsClientCodec> codec;
  ws::Event event;
};

/// What a mode does with its connections. Callbacks run inside Driver::poll().
class Handler {
 public:
  virtual ~Handler() = default;
  /// The connection completed its handshake (Socket.IO: the namespace CONNECT reply).
  virtual void on_ready(Conn& conn) = 0;
  /// A message: raw WebSocket text (name empty) or a Socket.IO event with one string argument.
  virtual void on_message(Conn& conn, std::string_view name, std::string_view data) = 0;
  /// The connection failed or the server closed it; not called for Driver::close().
  virtual void on_closed(Conn& conn, std::string_view why) = 0;
};

/// Runs connections to one target. Not thread-safe; one per thread.
class Driver {
 public:
  /// Throws std::system_error when epoll cannot be created.
  Driver(Target target, Handler& handler);
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  /// Queues `count` new connections; they start as earlier handshakes complete.
  void open(std::size_t count);
  /// Queues a message: a text frame (raw WebSocket) or 42["name","data"] (Socket.IO).
  void send(Conn& conn, std::string_view name, std::string_view data);
  /// Closes a connection without calling the handler.
  void close(Conn& conn);
  /// One loop turn: waits up to `timeout_ms` for I/O, handles it, writes what was queued.
  void poll(int timeout_ms);

  std::size_t ready() const { return ready_; }
  std::size_t failed() const { return failed_; }
  /// Connections queued or in their handshake.
  std::size_t pending() const { return queued_ + pending_; }
  /// Bytes queued on `conn` that the kernel has not taken yet (the server is not reading).
  static std::size_t backlog(const Conn& conn) { return conn.out.size() - conn.out_sent; }
  const std::string& last_error() const { return last_error_; }

 private:
  Conn& allocate();
  void start(Conn& conn);
  void on_event(Conn& conn, std::uint32_t events);
  void on_connected(Conn& conn);
  void read(Conn& conn);
  void consume(Conn& conn, std::span<const std::uint8_t> bytes);
  void on_text(Conn& conn, std::string_view text);
  void become_ready(Conn& conn);
  void queue_frame(Conn& conn, ws::Opcode opcode, std::string_view payload);
  void flush(Conn& conn);
  void fail(Conn& conn, std::string_view why);
  void release(Conn& conn);
  void watch(Conn& conn, bool writable);

  Target target_;
  std::string host_;
  Handler& handler_;
  int epoll_ = -1;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::vector<std::uint32_t> free_;
  std::vector<std::uint32_t> dirty_;
  std::vector<std::uint8_t> buffer_;
  std::size_t queued_ = 0;
  std::size_t pending_ = 0;
  std::size_t ready_ = 0;
  std::size_t failed_ = 0;
  std::uint32_t next_source_ = 0;
  std::uint32_t mask_state_ = 0x9E3779B9u;
  std::string last_error_;
};

}  // namespace switchboard::bench

#pragma once
// Private: a shard's own edge-triggered epoll set, watched by asio as one descriptor
// (docs/decisions/022-reactor.md, step 1).

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/basic_stream_descriptor.hpp>

#include "switchboard/net/stream.hpp"

namespace switchboard::net {
class Shard;
}

namespace switchboard::net::detail {

namespace asio = boost::asio;

/// One epoll descriptor per shard (an asio service of the shard's io_context), in which each
/// descriptor is registered once, edge-triggered for reading and writing, and never modified:
/// the poller keeps a readable and a writable bit per descriptor, set by events and cleared by
/// the stream when the kernel says EAGAIN (or gives a short read / takes a short write). A wait
/// with its bit set runs on the next loop turn; otherwise it parks in the descriptor's slot
/// until an event sets the bit. asio waits on the set itself, once per loop turn, while any
/// wait is parked. Callbacks never run inside the call that made the wait. Shard thread only.
class Poller final : public asio::execution_context::service {
 public:
  /// The service's key in its io_context.
  static asio::execution_context::id id;
  /// A readiness wait: no error, or operation_aborted when the descriptor was removed.
  using Wait = std::function<void(boost::system::error_code)>;

  /// What the poller knows of one descriptor, owned by its stream (which must remove() it
  /// before it goes away).
  struct Entry {
    int fd = -1;
    std::uint32_t generation = 0;  // 0: not registered
    bool readable = false;
    bool writable = true;  // a new connection's send buffer is empty
    bool hangup = false;   // the peer closed or the socket failed: readable for good
    bool queued = false;   // in the ready list (a wait with its bit set)
    Wait on_readable;
    Wait on_writable;
    // A read wait parked without a callback of its own (Stream::notify_readable): the waiter
    // is told by a virtual call, and nothing is allocated or counted per wait. At most one of
    // it and on_readable is set.
    Stream::Waiter* read_waiter = nullptr;
  };

  /// Made by asio::use_service; opens the epoll descriptor.
  explicit Poller(asio::execution_context& context);
  ~Poller() override;

  /// The poller of `shard`'s io_context, made on first use.
  static Poller& of(Shard& shard);

  /// Registers `fd` (non-blocking, owned by the caller) once, for its whole life here.
  void add(Entry& entry, int fd);
  /// Forgets the entry: parked waits complete with operation_aborted on a later turn. With
  /// `stays_open` the descriptor is also taken out of the set (it moves elsewhere); a
  /// descriptor about to be closed leaves the set by itself.
  void remove(Entry& entry, bool stays_open);
  /// Runs `fn` once the descriptor is readable (next turn when it already is).
  void wait_readable(Entry& entry, Wait fn);
  /// Tells `waiter` once the descriptor is readable (next turn when it already is); it is told
  /// on_wait_dropped() instead if the poller shuts down first.
  void wait_readable(Entry& entry, Stream::Waiter& waiter);
  /// Runs `fn` once the descriptor is writable (next turn when it already is).
  void wait_writable(Entry& entry, Wait fn);

  /// Descriptors registered now (for tests).
  std::size_t size() const { return registered_; }

 private:
  void shutdown() override;
  void park(Entry& entry, bool write, Wait fn);
  void queue(Entry& entry);
  void post_ready();
  void arm();
  void on_events();
  void run_ready();
  void run_slot(Entry& entry, bool write);

  asio::io_context& context_;
  int epoll_fd_ = -1;
  std::unique_ptr<asio::posix::basic_stream_descriptor<asio::io_context::executor_type>> set_;
  std::vector<Entry*> table_;  // by descriptor number
  std::uint32_t next_generation_ = 1;
  std::size_t registered_ = 0;
  std::size_t parked_ = 0;  // waits in slots not yet queued to run
  bool armed_ = false;
  bool dispatching_ = false;  // in on_events(): arm once at its end
  bool added_ = false;        // a descriptor was registered during this batch
  bool posted_ = false;
  bool shut_down_ = false;
  std::vector<Entry*> ready_;    // entries with a wait to run next turn
  std::vector<Entry*> running_;  // the turn's entries being run (removal clears them here too)
  std::vector<Wait> aborted_;    // waits of removed entries, to run with operation_aborted
  std::vector<Stream::Waiter*> aborted_waiters_;  // the same, parked as waiters
};

}  // namespace switchboard::net::detail

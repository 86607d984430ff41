#pragma once
/// A bounded, corked outbound queue: messages sent during one loop turn leave in one gathered
/// write, and the bytes waiting are counted against a soft and a hard limit.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/net/send_result.hpp"
#include "switchboard/net/stream.hpp"

namespace switchboard::net {

/// Limits of an outbound queue.
struct WriteQueueOptions {
  /// Over this many queued bytes sends report Buffered and volatile sends are dropped.
  std::size_t soft_limit = 1 << 20;
  /// Over this many the connection is a slow consumer: what waits behind the write in flight
  /// is dropped, on_overflow runs, and later sends are dropped (but push_last()).
  std::size_t hard_limit = 16 << 20;
};

/// Owned by one connection on one shard; not thread-safe. The stream must outlive it.
class WriteQueue {
 public:
  /// What a queue tells the object that owns it and its stream (a connection), which
  /// implements this instead of holding callbacks for it (no per-connection std::function).
  class Owner {
   public:
    /// Runs once when a write fails (from the write's completion).
    virtual void on_write_error() = 0;
    /// Runs once when the hard limit is passed, synchronously inside the push() that
    /// passed it.
    virtual void on_write_overflow() = 0;
    /// What a write in flight holds so that the owner, and so the stream, is not destroyed
    /// under it (whose continuation would touch it); null when nothing needs holding.
    virtual std::shared_ptr<const void> keep_alive() = 0;

   protected:
    ~Owner() = default;
  };

  /// A queue reporting to `owner`, which must outlive it.
  WriteQueue(Stream& stream, WriteQueueOptions options, Owner& owner);
  /// on_error runs once when a write fails (from the write's completion); on_overflow once
  /// when the hard limit is passed, synchronously inside the push() that passed it. Either
  /// may be empty. Nothing is kept alive during a write (for owners that outlive theirs).
  WriteQueue(Stream& stream, WriteQueueOptions options, std::function<void()> on_error,
             std::function<void()> on_overflow);
  /// Discards what is queued; a write in flight completes without touching the queue.
  ~WriteQueue();
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  /// Queues bytes it now owns; they leave in one gathered write at the end of this loop turn
  /// (every push() of the turn with them). Dropped when the queue failed, overflowed, or the
  /// message is volatile and the queue is over its soft limit.
  SendResult push(std::string bytes, bool is_volatile = false);
  /// Queues bytes shared with other connections (a prepared broadcast).
  SendResult push(std::shared_ptr<const std::string> bytes, bool is_volatile = false);
  /// Queues a view of bytes kept alive by `owner` (a prepared message shared by many sockets).
  SendResult push(std::shared_ptr<const void> owner, std::string_view bytes,
                  bool is_volatile = false);
  /// Corks the queue until uncork(): the messages appended with scratch() and
  /// push_scratch() meanwhile stay in the thread's scratch buffer (no copy, no allocation)
  /// and leave in one write at uncork(). One queue per thread at a time: a second cork while
  /// another queue holds it does nothing (its messages are queued as usual).
  void cork();
  /// Ends cork(): writes what the scratch holds at once, without waiting for the end of the
  /// loop turn; only what the kernel does not take is copied into the queue.
  void uncork();
  /// True while this queue holds the thread's cork.
  bool corked() const;
  /// The thread's scratch buffer: append one message's bytes at its end, then call
  /// push_scratch() with the size it had before (bytes before it belong to a corked queue).
  static std::string& scratch();
  /// Queues the bytes appended to scratch() from `from` on: kept there while this queue is
  /// corked and nothing else waits in it, else copied into the queue. The scratch is then
  /// back to `from` bytes unless they were kept. Results as push()'s.
  SendResult push_scratch(std::size_t from, bool is_volatile = false);
  /// Queues a last, small message past every limit, even after an overflow (a WebSocket
  /// Close saying why); dropped only after a write error or abandon().
  SendResult push_last(std::string bytes);
  /// Bytes waiting or in flight (after a write error or abandon(), what was discarded still
  /// counts).
  std::size_t queued_bytes() const { return queued_; }
  /// True when nothing waits or is in flight.
  bool idle() const { return queued_ == 0; }
  /// True while a write waits for the kernel (a slow reader): only then does the queue hold
  /// state for an asynchronous write.
  bool writing() const { return async_ != nullptr; }
  /// Runs fn once everything queued so far has been written: at once when idle or after a
  /// write error, and never when a write fails or abandon() is called meanwhile (fn is
  /// dropped; on_error reports the failure).
  void when_drained(std::function<void()> fn);
  /// Stops writing: queued data and when_drained() callbacks are discarded, later pushes are
  /// dropped; a write already in flight still completes.
  void abandon();

  /// One queued buffer (public only for the thread's pool of spare vectors).
  struct Item {
    /// The bytes, when the queue owns them (owner is null).
    std::string own;
    /// What keeps `view` alive, when the bytes are shared.
    std::shared_ptr<const void> owner;
    /// The shared bytes (meaningful only with an owner).
    std::string_view view;
    /// The bytes to write, whichever way they are held.
    std::string_view bytes() const { return owner ? view : std::string_view(own); }
  };

 private:
  SendResult admit(std::size_t bytes, bool is_volatile);
  /// Moves this queue's bytes out of the corked scratch into pending_ (before a push that
  /// must follow them).
  void spill();
  /// Takes a spare vector from the thread's pool when pending_ has no storage.
  void borrow();
  /// Empties `items` and returns its storage to the thread's pool.
  static void give_back(std::vector<Item>& items);
  void schedule();
  void flush();
  void on_written(boost::system::error_code ec);

  /// What an asynchronous write needs while the kernel has not taken it all: allocated when
  /// one starts and freed when it completes (an idle queue, or one whose writes the kernel
  /// takes at once, holds none). Shared with the write's completion, which keeps the buffers
  /// it writes and tells by `alive` whether the queue is still there.
  struct Async {
    std::vector<Item> in_flight;
    std::vector<std::string_view> views;
    bool alive = true;
    /// Drops the first `n` bytes from views (they were written).
    void skip_written(std::size_t n);
  };

  class FunctionOwner;

  Stream& stream_;
  WriteQueueOptions options_;
  /// The owner, or a FunctionOwner this queue made (and deletes) for its two callbacks.
  Owner* owner_;
  std::vector<Item> pending_;
  std::vector<std::function<void()>> drained_;
  std::size_t queued_ = 0;
  bool scheduled_ = false;
  bool failed_ = false;
  bool overflowed_ = false;
  bool owns_owner_ = false;
  /// Null but while an asynchronous write is under way.
  std::shared_ptr<Async> async_;
};

}  // namespace switchboard::net

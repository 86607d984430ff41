#pragma once
/// The shard-per-core runtime: N threads, each running one io_context that owns its
/// connections. Nothing in a shard is locked; cross-shard work is a posted function.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <typeindex>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace switchboard::net {

class Runtime;
class Timer;

/// Options of a Runtime, with safe defaults.
struct RuntimeOptions {
  /// Number of shards (threads); 0 means one per hardware thread.
  unsigned shards = 0;
  /// How long a graceful shutdown may take before the remaining connections are dropped.
  std::chrono::milliseconds shutdown_grace{5000};
  /// Begin a graceful shutdown on SIGINT and SIGTERM.
  bool handle_signals = true;
};

/// One thread and its io_context, made and owned by its Runtime. Every method but post(),
/// is_current(), index(), runtime() and context() must be called on the shard's own thread.
class Shard {
 public:
  /// Made by Runtime; not for user code.
  Shard(Runtime& runtime, unsigned index);
  /// Drops the timers still armed (their callbacks never run) and destroys the io_context
  /// with its pending handlers.
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  /// The shard's position in its runtime, 0 to size() - 1.
  unsigned index() const { return index_; }
  /// The runtime that owns this shard.
  Runtime& runtime() { return runtime_; }
  /// The shard's io_context, run by its thread; asio objects made on it belong to this shard.
  boost::asio::io_context& context() { return *context_; }

  /// Runs fn on this shard's thread, later. Thread-safe.
  void post(std::function<void()> fn);
  /// True when called from this shard's thread.
  bool is_current() const;
  /// True once a graceful shutdown has begun on this shard (its stop hooks have run).
  bool stopping() const { return stopping_; }
  /// Registers fn to run on this shard when a graceful shutdown begins, for what lives as
  /// long as the server (acceptors, a server's sessions). What comes and goes (a connection)
  /// is a StopListener instead. A hook added after the shutdown has begun never runs.
  void add_stop_hook(std::function<void()> fn);
  /// State that a layer keeps once per shard, shared by its connections there without a
  /// lock (the WebSocket layer's budget for partial messages): a T made on first use and
  /// destroyed with the shard. On the shard's thread only.
  template <class T>
  T& local() {
    auto& slot = locals_[std::type_index(typeid(T))];
    if (!slot) slot = std::make_shared<T>();
    return *static_cast<T*>(slot.get());
  }

  /// Something that acts when a graceful shutdown begins, linked into its shard's list without
  /// an allocation (every connection has one). Unlinks itself when destroyed.
  class StopListener {
   public:
    /// Not linked yet: listen_for_stop() links it.
    StopListener() = default;
    StopListener(const StopListener&) = delete;
    StopListener& operator=(const StopListener&) = delete;
    /// Runs once, on the shard, when a graceful shutdown begins (after the stop hooks).
    virtual void on_shard_stop() = 0;
    /// Links into `shard`'s list (on its thread); nothing when already linked.
    void listen_for_stop(Shard& shard);
    /// Unlinks it (on its shard's thread): on_shard_stop() will not run. Idempotent.
    void stop_listening();

   protected:
    ~StopListener() { stop_listening(); }

   private:
    friend class Shard;
    Shard* shard_ = nullptr;
    StopListener* prev_ = nullptr;
    StopListener* next_ = nullptr;
  };

  /// Keeps the shard's shutdown waiting while alive: connections hold one, so a graceful
  /// shutdown ends as soon as the last connection has closed.
  class Activity {
   public:
    /// Counts one more activity on `shard` (on its thread; the shard must outlive it).
    explicit Activity(Shard& shard);
    /// Counts it off; the last one ending during a shutdown stops the shard's loop.
    ~Activity();
    Activity(const Activity&) = delete;
    Activity& operator=(const Activity&) = delete;

   private:
    Shard& shard_;
  };

 private:
  friend class Runtime;
  friend class Timer;
  void begin_stop();
  // The shard's timers: a binary heap on their deadlines, behind one asio timer armed for
  // the earliest.
  void add_timer(Timer& timer);
  void remove_timer(Timer& timer);
  void sift_up(std::size_t i);
  void sift_down(std::size_t i);
  void place(std::size_t i, Timer* timer);
  void arm_timers();
  void run_timers();
  void maybe_finish();
  void run();

  Runtime& runtime_;
  unsigned index_;
  /// Before context_: what the context's handlers own (connections) may use them to the end.
  std::map<std::type_index, std::shared_ptr<void>> locals_;
  std::unique_ptr<boost::asio::io_context> context_;
  struct Guard;
  std::unique_ptr<Guard> guard_;
  std::vector<std::function<void()>> stop_hooks_;
  StopListener* stop_listeners_ = nullptr;
  std::vector<Timer*> timers_;
  std::size_t activities_ = 0;
  bool stopping_ = false;
};

/// A one-shot timer on a shard, cheaper than an asio steady_timer: no allocation and, most of
/// the time, no system call to arm it (a shard's timers share one asio timer, armed for the
/// earliest). Cancelling or destroying it guarantees that its callback does not run. Use it on
/// its shard's thread only.
class Timer {
 public:
  /// An unarmed timer of `shard` (which must outlive it).
  explicit Timer(Shard& shard) : shard_(&shard) {}
  /// Cancels it: the callback does not run.
  ~Timer() { cancel(); }
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  /// Runs fn once, `delay` from now, instead of what was armed before. A callback that
  /// captures only `this` (the owner of the timer) needs no allocation.
  void arm(std::chrono::steady_clock::duration delay, std::function<void()> fn);
  /// Disarms it and drops the callback (and what it captured); nothing when not armed.
  void cancel();
  /// True from arm() until the callback is called or the timer is cancelled.
  bool armed() const { return index_ != kUnarmed; }

 private:
  friend class Shard;
  static constexpr std::size_t kUnarmed = static_cast<std::size_t>(-1);
  Shard* shard_;
  std::chrono::steady_clock::time_point when_{};
  std::size_t index_ = kUnarmed;
  std::function<void()> fn_;
};

/// The set of shards. Construct, set up servers (they register per-shard acceptors), then
/// run(), which blocks until the runtime has stopped.
///
///     net::Runtime rt({.shards = 2});
///     http::Server server(rt, {});
///     server.listen({.port = 8000});
///     return rt.run();
class Runtime {
 public:
  /// Makes the shards (their io_contexts, no thread yet).
  explicit Runtime(RuntimeOptions options = {});
  /// Destroys every shard's pending handlers, then the shards; after run() has returned, or
  /// without run() ever being called.
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// The number of shards (options().shards, with 0 resolved to the hardware's threads).
  unsigned size() const { return static_cast<unsigned>(shards_.size()); }
  /// Shard `i`; throws std::out_of_range when `i >= size()`.
  Shard& shard(unsigned i) { return *shards_.at(i); }
  /// The shard whose thread is calling, or nullptr on any other thread.
  static Shard* current();
  /// Posts fn to every shard (fn runs once per shard, on that shard). Thread-safe.
  void post_each(std::function<void(Shard&)> fn);

  /// Runs every shard (shard 0 on the calling thread, the others on threads of their own)
  /// until each has stopped after shutdown(); returns 0. Call it once: a stopped runtime does
  /// not run again.
  int run();
  /// Begins a graceful shutdown: stop hooks run on every shard, and each shard stops once its
  /// last activity has ended or the grace period has passed. Thread-safe, idempotent.
  void shutdown();
  /// True once shutdown() was called.
  bool stopping() const { return stopping_.load(); }
  /// The options it was made with (`shards` resolved to the actual number).
  const RuntimeOptions& options() const { return options_; }

 private:
  RuntimeOptions options_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<bool> stopping_{false};
};

}  // namespace switchboard::net

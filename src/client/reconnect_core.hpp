#pragma once
// The Socket.IO client's connection manager (the JS client's Manager), sans-I/O: whether to
// open the Engine.IO session, when to try again after it closed, when to give up. The shell
// (ClientImpl) opens and closes engines, arms its timer for the time this returns, and calls
// the handlers.

#include "client/backoff.hpp"

#include <chrono>
#include <optional>

namespace switchboard::client::detail {

/// The reconnection state of one client. Not thread-safe.
class ReconnectCore {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State {
    Idle,        ///< no engine, none coming (never opened, given up, or closed by the user)
    Connecting,  ///< an engine is opening
    Open,        ///< the engine is open
    Waiting,     ///< no engine: the next attempt is at `next_attempt()`
  };
  /// What follows an engine's end.
  enum class AfterClose { Nothing, Wait, GiveUp };

  struct Options {
    bool reconnection = true;
    std::optional<unsigned> attempts;  ///< nullopt: no limit
    std::chrono::milliseconds delay{1'000};
    std::chrono::milliseconds delay_max{5'000};
    double randomization_factor = 0.5;
  };

  explicit ReconnectCore(const Options& options)
      : options_(options),
        backoff_(options.delay, options.delay_max, options.randomization_factor) {}

  /// A socket wants the connection (the user's connect()): true when the shell should open an
  /// engine now (none is open, opening, or awaited). Undoes a close().
  bool want_connection();
  /// The shell opened an engine (at once, or after `attempt()`).
  void opening() { state_ = State::Connecting; }
  /// The engine opened: the number of attempts it took when it was a reconnection.
  std::optional<unsigned> opened();
  /// The engine closed, or failed to open.
  void engine_closed() { state_ = State::Idle; }
  /// What follows, once the sockets have heard of it (their handlers may connect again, which
  /// opens an engine at once). `wanted`: some socket still wants the connection. Wait: try
  /// again at next_attempt(). GiveUp: every allowed attempt failed (report it).
  AfterClose after_close(bool wanted, Clock::time_point now, double random);
  /// The timer set for next_attempt() fired at `now`: the attempt's number (from 1) to report
  /// before opening an engine; nullopt when there is nothing to attempt (closed meanwhile, or
  /// not yet due).
  std::optional<unsigned> attempt(Clock::time_point now);
  /// The user closed the client: no engine, no reconnection until want_connection().
  void close();

  State state() const { return state_; }
  /// When the next attempt is due (meaningful while Waiting).
  Clock::time_point next_attempt() const { return next_attempt_; }

 private:
  Options options_;
  Backoff backoff_;
  State state_ = State::Idle;
  /// The user closed: an engine's end starts no reconnection.
  bool closed_by_user_ = false;
  /// The engine opening now is a reconnection attempt.
  bool reconnecting_ = false;
  Clock::time_point next_attempt_{};
};

}  // namespace switchboard::client::detail

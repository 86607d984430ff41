#include "client/reconnect_core.hpp"

namespace switchboard::client::detail {

bool ReconnectCore::want_connection() {
  closed_by_user_ = false;
  if (state_ != State::Idle) return false;
  state_ = State::Connecting;
  return true;
}

std::optional<unsigned> ReconnectCore::opened() {
  state_ = State::Open;
  std::optional<unsigned> attempts;
  if (reconnecting_) attempts = backoff_.attempts();
  reconnecting_ = false;
  backoff_.reset();
  return attempts;
}

ReconnectCore::AfterClose ReconnectCore::after_close(bool wanted, Clock::time_point now,
                                                     double random) {
  if (state_ != State::Idle) return AfterClose::Nothing;  // connecting again already
  if (!options_.reconnection || closed_by_user_ || !wanted) return AfterClose::Nothing;
  if (options_.attempts && backoff_.attempts() >= *options_.attempts) {
    reconnecting_ = false;
    backoff_.reset();
    return AfterClose::GiveUp;
  }
  reconnecting_ = true;
  state_ = State::Waiting;
  next_attempt_ = now + backoff_.next(random);
  return AfterClose::Wait;
}

std::optional<unsigned> ReconnectCore::attempt(Clock::time_point now) {
  if (state_ != State::Waiting || closed_by_user_ || now < next_attempt_) return std::nullopt;
  state_ = State::Connecting;
  return backoff_.attempts();
}

void ReconnectCore::close() {
  closed_by_user_ = true;
  reconnecting_ = false;
  state_ = State::Idle;
}

}  // namespace switchboard::client::detail

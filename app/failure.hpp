#pragma once
// Why the chat refused or could not do something, and how each transport says it.

#include <chrono>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "switchboard/http/response.hpp"

namespace switchboard::app {

/// A refusal or failure. `Unavailable` (the store cannot write or is overloaded) and
/// `Limited` (a rate limit) are temporary: the client should retry after `retry_after`.
struct Failure {
  enum class Kind {
    Invalid,       ///< The request is wrong (400).
    Unauthorized,  ///< An unknown or malformed token (401).
    NotFound,      ///< No such room (404).
    Forbidden,     ///< Not allowed (403).
    Full,          ///< The most rooms that may exist do (409).
    Limited,       ///< A rate limit (429 + Retry-After).
    Unavailable,   ///< The history store failed (503 + Retry-After); reads may still work.
  };
  Kind kind = Kind::Invalid;
  std::string message;
  std::chrono::milliseconds retry_after{0};

  static Failure invalid(std::string message) { return {Kind::Invalid, std::move(message)}; }
  /// True when trying again later may succeed.
  bool temporary() const { return kind == Kind::Limited || kind == Kind::Unavailable; }
};

using Error = std::optional<Failure>;

/// The HTTP answer: the status of its kind, a JSON {"error"}, and Retry-After (whole seconds,
/// at least 1) when temporary.
http::Response to_response(const Failure& failure);

/// The Socket.IO ack / WebSocket answer: {"ok": false, "error", "retry": bool} plus
/// "retry_after_ms" when temporary.
boost::json::object to_json(const Failure& failure);

}  // namespace switchboard::app

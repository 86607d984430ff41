#pragma once
// What chat clients send, parsed and validated without a server: the REST body, the raw
// WebSocket frame and the Socket.IO events' first argument. Nothing here throws; a bad input
// is a value with the message the client is answered with (fuzz/fuzz_chat_input.cpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace switchboard::app {

/// A parsed input, or why it was refused.
template <class T>
struct Parsed {
  std::optional<T> value;
  std::string error;

  static Parsed refuse(std::string why) { return {std::nullopt, std::move(why)}; }
  explicit operator bool() const { return value.has_value(); }
  T& operator*() { return *value; }
  T* operator->() { return &*value; }
};

/// `POST /api/rooms/<room>/messages`: {"user": name, "text": text}; the name normalised
/// (store::normalize_name), the text checked (store::validate_text).
struct PostInput {
  std::string user;
  std::string text;
};
Parsed<PostInput> parse_post(std::string_view body);

/// `POST /api/rooms/<room>/messages` with a token: {"text": text} ("user" is ignored).
Parsed<std::string> parse_user_post(std::string_view body);

/// `POST /api/users`: {"name": name}, normalised.
Parsed<std::string> parse_registration(std::string_view body);

/// A raw WebSocket frame: {"message": text}, the text checked.
Parsed<std::string> parse_ws_message(std::string_view payload);

/// A display name (the REST "user", the ?name= query, Socket.IO auth.name and rename).
Parsed<std::string> parse_name(std::string_view name);
/// The same for a JSON value (a string, or refused).
Parsed<std::string> parse_name(const boost::json::value* name);

/// Socket.IO `join {room, after?}`: `after` present means "resume after this id".
struct JoinInput {
  std::string room;
  std::optional<std::uint64_t> after;
};
Parsed<JoinInput> parse_join(const boost::json::value& arg);

/// Socket.IO `message {room, text}`, the text checked.
struct MessageInput {
  std::string room;
  std::string text;
};
Parsed<MessageInput> parse_message(const boost::json::value& arg);

/// Socket.IO `history {room, before?, after?, limit?}`: with `after`, the messages after it
/// (oldest first, paging forward); otherwise those before `before` (0: the newest).
struct HistoryInput {
  std::string room;
  std::uint64_t before = 0;
  std::optional<std::uint64_t> after;
  std::uint64_t limit = 50;  ///< clamped to 1..200
};
Parsed<HistoryInput> parse_history(const boost::json::value& arg);

/// The string field `key` of an object argument, or "".
std::string string_field(const boost::json::value& arg, std::string_view key);

}  // namespace switchboard::app

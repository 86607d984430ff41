#include "chat_input.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>

#include "switchboard/store/validation.hpp"

namespace switchboard::app {

namespace json = boost::json;

namespace {

const json::value* member(const json::value& arg, std::string_view key) {
  return arg.is_object() ? arg.as_object().if_contains(key) : nullptr;
}

// A message id: a non-negative integer (JSON numbers may arrive as int64 or uint64).
std::optional<std::uint64_t> id_of(const json::value* v) {
  if (v && v->is_uint64()) return v->as_uint64();
  if (v && v->is_int64() && v->as_int64() >= 0) return static_cast<std::uint64_t>(v->as_int64());
  return std::nullopt;
}

Parsed<std::string> text_of(const json::value* v, std::string_view shape) {
  if (!v || !v->is_string()) return Parsed<std::string>::refuse(std::string(shape));
  std::string text(v->as_string());
  if (auto invalid = store::validate_text(text))
    return Parsed<std::string>::refuse(invalid.message());
  return {std::move(text), {}};
}

Parsed<std::string> room_of(const json::value& arg) {
  auto room = string_field(arg, "room");
  if (!store::valid_room_name(room)) return Parsed<std::string>::refuse("invalid room name");
  return {std::move(room), {}};
}

}  // namespace

std::string string_field(const json::value& arg, std::string_view key) {
  auto* v = member(arg, key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Parsed<std::string> parse_name(std::string_view name) {
  auto normalized = store::normalize_name(name);
  if (!normalized) return Parsed<std::string>::refuse("invalid name");
  return {std::move(normalized), {}};
}

Parsed<std::string> parse_name(const json::value* name) {
  if (!name || !name->is_string()) return Parsed<std::string>::refuse("invalid name");
  return parse_name(std::string_view(name->as_string()));
}

Parsed<PostInput> parse_post(std::string_view body) {
  constexpr std::string_view shape = "send JSON {\"user\": \"...\", \"text\": \"...\"}";
  boost::system::error_code ec;
  auto value = json::parse(body, ec);
  auto* user = ec ? nullptr : member(value, "user");
  auto* text = ec ? nullptr : member(value, "text");
  if (!user || !text || !user->is_string() || !text->is_string()) {
    return Parsed<PostInput>::refuse(std::string(shape));
  }
  auto name = parse_name(user);
  if (!name) return Parsed<PostInput>::refuse(name.error);
  auto checked = text_of(text, shape);
  if (!checked) return Parsed<PostInput>::refuse(checked.error);
  return {PostInput{std::move(*name), std::move(*checked)}, {}};
}

Parsed<std::string> parse_user_post(std::string_view body) {
  boost::system::error_code ec;
  auto value = json::parse(body, ec);
  return text_of(ec ? nullptr : member(value, "text"), "send JSON {\"text\": \"...\"}");
}

Parsed<std::string> parse_registration(std::string_view body) {
  boost::system::error_code ec;
  auto value = json::parse(body, ec);
  return parse_name(ec ? nullptr : member(value, "name"));
}

Parsed<std::string> parse_ws_message(std::string_view payload) {
  boost::system::error_code ec;
  auto value = json::parse(payload, ec);
  return text_of(ec ? nullptr : member(value, "message"), "send {\"message\": \"...\"}");
}

Parsed<JoinInput> parse_join(const json::value& arg) {
  auto room = room_of(arg);
  if (!room) return Parsed<JoinInput>::refuse(room.error);
  JoinInput join{std::move(*room), std::nullopt};
  if (auto* after = member(arg, "after")) {
    join.after = id_of(after);
    if (!join.after) return Parsed<JoinInput>::refuse("after must be a message id");
  }
  return {std::move(join), {}};
}

Parsed<MessageInput> parse_message(const json::value& arg) {
  auto room = string_field(arg, "room");
  auto text = text_of(member(arg, "text"), "send {\"room\": \"...\", \"text\": \"...\"}");
  if (!text) return Parsed<MessageInput>::refuse(text.error);
  return {MessageInput{std::move(room), std::move(*text)}, {}};
}

Parsed<HistoryInput> parse_history(const json::value& arg) {
  auto room = room_of(arg);
  if (!room) return Parsed<HistoryInput>::refuse(room.error);
  HistoryInput h{std::move(*room)};
  h.before = id_of(member(arg, "before")).value_or(0);
  if (member(arg, "after")) {
    h.after = id_of(member(arg, "after"));
    if (!h.after) return Parsed<HistoryInput>::refuse("after must be a message id");
  }
  h.limit = std::clamp<std::uint64_t>(id_of(member(arg, "limit")).value_or(50), 1, 200);
  return {std::move(h), {}};
}

}  // namespace switchboard::app

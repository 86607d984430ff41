#include <switchboard/socketio/packet.hpp>

#include <switchboard/socketio/args.hpp>

#include <boost/json/object.hpp>

#include <algorithm>
#include <array>

namespace switchboard::socketio {

boost::json::value Packet::attach(std::string bytes) {
  attachments.push_back(std::move(bytes));
  return make_placeholder(attachments.size() - 1);
}

const std::string* Packet::resolve(const boost::json::value& value) const noexcept {
  const auto index = placeholder_index(value);
  if (!index || *index >= attachments.size()) return nullptr;
  return &attachments[*index];
}

void inline_attachments(boost::json::array& data, const std::vector<std::string>& attachments) {
  for (auto& item : data) inline_attachments(item, attachments);
}

void inline_attachments(boost::json::value& data, const std::vector<std::string>& attachments) {
  if (auto* array = data.if_array()) return inline_attachments(*array, attachments);
  auto* object = data.if_object();
  if (!object) return;
  if (auto index = placeholder_index(data)) {
    if (*index < attachments.size()) data = binary(attachments[*index]);
    return;
  }
  for (auto& member : *object) inline_attachments(member.value(), attachments);
}

void extract_binaries(boost::json::value& data, std::vector<std::string>& attachments) {
  if (auto* array = data.if_array()) {
    for (auto& item : *array) extract_binaries(item, attachments);
    return;
  }
  auto* object = data.if_object();
  if (!object) return;
  if (auto bytes = as_binary(data)) {
    attachments.emplace_back(*bytes);
    data = make_placeholder(attachments.size() - 1);
    return;
  }
  for (auto& member : *object) extract_binaries(member.value(), attachments);
}

boost::json::value make_placeholder(std::size_t num) {
  boost::json::object placeholder;
  placeholder.reserve(2);
  placeholder.emplace("_placeholder", true);
  placeholder.emplace("num", static_cast<std::uint64_t>(num));
  return placeholder;
}

std::optional<std::size_t> placeholder_index(const boost::json::value& value) noexcept {
  const auto* object = value.if_object();
  if (!object) return std::nullopt;
  const auto* flag = object->if_contains("_placeholder");
  if (!flag || !flag->is_bool() || !flag->get_bool()) return std::nullopt;
  const auto* num = object->if_contains("num");
  if (!num) return std::nullopt;
  if (const auto* u = num->if_uint64()) return static_cast<std::size_t>(*u);
  if (const auto* i = num->if_int64(); i && *i >= 0) return static_cast<std::size_t>(*i);
  return std::nullopt;
}

bool is_reserved_event(std::string_view name) noexcept {
  static constexpr std::array<std::string_view, 6> reserved = {
      "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};
  return std::find(reserved.begin(), reserved.end(), name) != reserved.end();
}

}  // namespace switchboard::socketio

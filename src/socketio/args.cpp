#include "switchboard/socketio/args.hpp"

namespace switchboard::socketio {

boost::json::value binary(std::string_view bytes) {
  boost::json::object object;
  object.reserve(2);
  object.emplace("_placeholder", true);
  object.emplace("_bytes", bytes);
  return object;
}

std::optional<std::string_view> as_binary(const boost::json::value& value) noexcept {
  const auto* object = value.if_object();
  if (!object || object->size() != 2) return std::nullopt;
  const auto* flag = object->if_contains("_placeholder");
  if (!flag || !flag->is_bool() || !flag->get_bool()) return std::nullopt;
  const auto* bytes = object->if_contains("_bytes");
  if (!bytes || !bytes->is_string()) return std::nullopt;
  return std::string_view(bytes->get_string());
}

void tag_invoke(boost::json::value_from_tag, boost::json::value& value, const Binary& b) {
  value = binary(b.bytes);
}

}  // namespace switchboard::socketio

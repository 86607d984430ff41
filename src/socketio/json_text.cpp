#include "socketio/json_text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace switchboard::socketio::detail {

namespace {

// A copy of `value` with every non-finite double replaced by null (the rare path).
boost::json::value without_non_finite(const boost::json::value& value) {
  if (const auto* d = value.if_double(); d && !std::isfinite(*d)) return nullptr;
  if (const auto* array = value.if_array()) {
    boost::json::array copy;
    copy.reserve(array->size());
    for (const auto& item : *array) copy.push_back(without_non_finite(item));
    return copy;
  }
  if (const auto* object = value.if_object()) {
    boost::json::object copy;
    copy.reserve(object->size());
    for (const auto& member : *object)
      copy.emplace(member.key(), without_non_finite(member.value()));
    return copy;
  }
  return value;
}

void serialize_into(std::string& out, const boost::json::value& value) {
  boost::json::serializer serializer;
  serializer.reset(&value);
  // Serialise into the string's own storage, growing it geometrically.
  while (!serializer.done()) {
    const std::size_t used = out.size();
    const std::size_t room = std::max<std::size_t>(256, out.capacity() - used);
    out.resize(used + room);
    const auto written = serializer.read(out.data() + used, room);
    out.resize(used + written.size());
  }
}

}  // namespace

bool has_non_finite(const boost::json::value& value) noexcept {
  if (const auto* d = value.if_double()) return !std::isfinite(*d);
  if (const auto* array = value.if_array()) {
    return std::any_of(array->begin(), array->end(),
                       [](const auto& item) { return has_non_finite(item); });
  }
  if (const auto* object = value.if_object()) {
    return std::any_of(object->begin(), object->end(),
                       [](const auto& member) { return has_non_finite(member.value()); });
  }
  return false;
}

void append_json(std::string& out, const boost::json::value& value) {
  if (has_non_finite(value)) {
    serialize_into(out, without_non_finite(value));
  } else {
    serialize_into(out, value);
  }
}

void append_decimal(std::string& out, std::uint64_t n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

}  // namespace switchboard::socketio::detail

#include "socketio/json_text.hpp"

#include <switchboard/socketio/args.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace switchboard::socketio::detail {

namespace {

constexpr bool escaped(char c) noexcept {
  return static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\';
}

// True when no byte of `text` is escaped in JSON, eight bytes at a time: a byte below 0x20, or
// one equal to '"' or '\\' (zero after an XOR), sets its high bit in (x - 0x01..) & ~x.
bool needs_no_escape(std::string_view text) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101u;
  constexpr std::uint64_t highs = 0x8080808080808080u;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, sizeof word);
    const std::uint64_t quote = word ^ (ones * '"');
    const std::uint64_t backslash = word ^ (ones * '\\');
    const std::uint64_t found = ((word - ones * 0x20) & ~word) | ((quote - ones) & ~quote) |
                                ((backslash - ones) & ~backslash);
    if (found & highs) return false;
  }
  for (; i < text.size(); ++i) {
    if (escaped(text[i])) return false;
  }
  return true;
}

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
  // Serialise into the string's own storage, growing it geometrically; at most 1 KiB of a
  // large spare capacity (a reused buffer's) is zeroed by the resize at a time.
  while (!serializer.done()) {
    const std::size_t used = out.size();
    const std::size_t room = std::clamp<std::size_t>(out.capacity() - used, 256, 1024);
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
  if (const auto* text = value.if_string()) {
    return append_json_string(out, std::string_view(text->data(), text->size()));
  }
  if (has_non_finite(value)) {
    serialize_into(out, without_non_finite(value));
  } else {
    serialize_into(out, value);
  }
}

void append_json_string(std::string& out, std::string_view text) {
  // Boost.JSON escapes '"', '\\' and the control characters, nothing else (other bytes,
  // UTF-8's included, are written as they are): a string without them is copied.
  if (needs_no_escape(text)) {
    // Quotes all along, then the text between them: one capacity check.
    const std::size_t at = out.size();
    out.append(text.size() + 2, '"');
    if (!text.empty()) std::memcpy(out.data() + at + 1, text.data(), text.size());
    return;
  }
  boost::json::serializer serializer;
  serializer.reset(boost::json::string_view(text.data(), text.size()));
  while (!serializer.done()) {
    const std::size_t used = out.size();
    const std::size_t room =
        std::max(text.size() + 2, std::min<std::size_t>(out.capacity() - used, 1024));
    out.resize(used + room);
    const auto written = serializer.read(out.data() + used, room);
    out.resize(used + written.size());
  }
}

bool has_binary(const boost::json::array& values) noexcept {
  return std::any_of(values.begin(), values.end(),
                     [](const auto& item) { return has_binary(item); });
}

bool has_binary(const boost::json::value& value) noexcept {
  if (const auto* array = value.if_array()) return has_binary(*array);
  const auto* object = value.if_object();
  if (!object) return false;
  if (as_binary(value)) return true;
  return std::any_of(object->begin(), object->end(),
                     [](const auto& member) { return has_binary(member.value()); });
}

namespace {

struct ThreadScratch {
  std::string text;
  bool busy = false;
};
thread_local ThreadScratch thread_scratch;
// Beyond this the buffer is let go after use rather than kept for the next packet.
constexpr std::size_t scratch_keep = 64 * 1024;

}  // namespace

ScratchText::ScratchText() noexcept : text_(&own_), shared_(!thread_scratch.busy) {
  if (shared_) {
    thread_scratch.busy = true;
    text_ = &thread_scratch.text;
    text_->clear();
  }
}

ScratchText::~ScratchText() {
  if (!shared_) return;
  if (thread_scratch.text.capacity() > scratch_keep) thread_scratch.text = std::string();
  thread_scratch.busy = false;
}

void append_decimal(std::string& out, std::uint64_t n) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

}  // namespace switchboard::socketio::detail

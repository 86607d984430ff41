#include "socketio/payload.hpp"

#include "socketio/json_text.hpp"

#include <boost/json/parser.hpp>

#include <algorithm>
#include <memory>
#include <vector>

namespace switchboard::socketio::detail {
namespace {

boost::system::error_code error_unless(bool ok, Error e) {
  return ok ? boost::system::error_code{} : make_error_code(e);
}

bool is_event_name(const boost::json::value& name) {
  if (name.is_number()) return true;
  const auto* text = name.if_string();
  return text && !is_reserved_event(std::string_view(*text));
}

boost::system::error_code validate_event(const boost::json::value& data) {
  const auto* args = data.if_array();
  if (!args || args->empty()) return Error::InvalidPayload;
  const auto& name = args->front();
  if (!name.is_number() && !name.is_string()) return Error::InvalidPayload;
  if (!is_event_name(name)) return Error::ReservedEventName;
  return {};
}

// A depth-first walk marking each placeholder's index; false at the first bad one.
class PlaceholderCheck {
 public:
  explicit PlaceholderCheck(std::size_t count) : used_(count, false) {}

  bool walk(const boost::json::value& value) {
    if (const auto* array = value.if_array()) {
      for (const auto& item : *array) {
        if (!walk(item)) return false;
      }
      return true;
    }
    const auto* object = value.if_object();
    if (!object) return true;
    if (const auto* flag = object->if_contains("_placeholder");
        flag && flag->is_bool() && flag->get_bool()) {
      return mark(value);
    }
    for (const auto& member : *object) {
      if (!walk(member.value())) return false;
    }
    return true;
  }

  bool all_used() const { return std::find(used_.begin(), used_.end(), false) == used_.end(); }

 private:
  bool mark(const boost::json::value& placeholder) {
    const auto index = placeholder_index(placeholder);
    if (!index || *index >= used_.size() || used_[*index]) return false;
    used_[*index] = true;
    return true;
  }

  std::vector<bool> used_;
};

// The thread's JSON parser, kept from one payload to the next (boost::json::parse sets one up
// and tears it down per call), with its first values' room beside it.
struct ReusedParser {
  explicit ReusedParser(std::size_t depth)
      : max_depth(depth), parser({}, options(depth), buffer, sizeof buffer) {}
  static boost::json::parse_options options(std::size_t depth) {
    boost::json::parse_options options;
    options.max_depth = depth;
    return options;
  }
  std::size_t max_depth;
  unsigned char buffer[4096];
  boost::json::parser parser;
};
thread_local std::unique_ptr<ReusedParser> reused_parser;
// After a payload this large the parser is let go: its value stack grew with it.
constexpr std::size_t parser_keep = 64 * 1024;

boost::json::value parse_json(std::string_view json, std::size_t max_depth,
                              boost::system::error_code& ec) {
  if (!reused_parser || reused_parser->max_depth != max_depth) {
    reused_parser = std::make_unique<ReusedParser>(max_depth);
  }
  auto& parser = reused_parser->parser;
  parser.reset();
  parser.write(json.data(), json.size(), ec);
  boost::json::value value = ec ? boost::json::value() : parser.release();
  if (json.size() > parser_keep) reused_parser.reset();
  return value;
}

}  // namespace

boost::system::result<boost::json::value> parse_payload(std::string_view json,
                                                        std::size_t max_depth) {
  if (json.empty()) return boost::json::value{};
  boost::system::error_code ec;
  auto value = parse_json(json, max_depth, ec);
  // Numbers beyond double range read as infinity: not something JSON can carry back.
  if (ec || has_non_finite(value)) return Error::InvalidJson;
  // Null stands for "no payload" in a Packet; as a payload it is never valid.
  if (value.is_null()) return Error::InvalidPayload;
  return value;
}

boost::system::error_code validate_payload(PacketType type, const boost::json::value& data,
                                           bool has_id) {
  switch (type) {
    case PacketType::Connect:
      return error_unless(data.is_null() || data.is_object(), Error::InvalidPayload);
    case PacketType::Disconnect:
      return error_unless(data.is_null(), Error::InvalidPayload);
    case PacketType::Event:
    case PacketType::BinaryEvent:
      return validate_event(data);
    case PacketType::Ack:
    case PacketType::BinaryAck:
      if (!data.is_array()) return Error::InvalidPayload;
      return error_unless(has_id, Error::MissingAckId);
    case PacketType::ConnectError:
      return error_unless(data.is_object() || data.is_string(), Error::InvalidPayload);
  }
  return Error::UnknownPacketType;
}

boost::system::error_code check_placeholders(const boost::json::value& data, std::size_t count) {
  PlaceholderCheck check(count);
  if (!check.walk(data) || !check.all_used()) return Error::InvalidPlaceholder;
  return {};
}

}  // namespace switchboard::socketio::detail

// The one place that knows how the Socket.IO layer represents a binary: in a packet, msgpack
// bin <-> `{"_placeholder":true,"num":i}` + `attachments[i]` (socketio/packet.hpp); in a value
// (event arguments, answers), a binary value (socketio::binary, decision 008)
// <-> the same placeholders, through socketio's extract_binaries / inline_attachments. When the
// Socket.IO representation changes, this file is what changes.
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "switchboard/adapter/error.hpp"
#include "switchboard/adapter/msgpack.hpp"
#include "switchboard/adapter/wire_value.hpp"
#include "switchboard/socketio/packet.hpp"

namespace switchboard::adapter {
namespace {

// The attachment index a placeholder refers to, or -1.
std::int64_t placeholder_index(const boost::json::value& value) {
  const auto* object = value.if_object();
  if (!object || object->size() != 2) return -1;
  const auto* flag = object->if_contains("_placeholder");
  const auto* num = object->if_contains("num");
  if (!flag || !num || !flag->is_bool() || !flag->get_bool()) return -1;
  if (num->is_int64() && num->get_int64() >= 0) return num->get_int64();
  if (num->is_uint64()) return static_cast<std::int64_t>(num->get_uint64() & INT64_MAX);
  return -1;
}

}  // namespace

bool is_binary(const boost::json::value& value) {
  return placeholder_index(value) >= 0;
}

std::string to_msgpack(const WireValue& value) {
  return encode_msgpack(value.json, [&](const boost::json::value& v) -> const std::string* {
    const auto i = placeholder_index(v);
    if (i < 0 || static_cast<std::uint64_t>(i) >= value.attachments.size()) return nullptr;
    return &value.attachments[static_cast<std::size_t>(i)];
  });
}

boost::system::result<WireValue> from_msgpack(std::string_view bytes) {
  WireValue out;
  auto json = decode_msgpack(bytes, [&](std::string binary) {
    out.attachments.push_back(std::move(binary));
    return socketio::make_placeholder(out.attachments.size() - 1);
  });
  if (!json) return json.error();
  out.json = std::move(*json);
  return out;
}

boost::system::result<WireValue> from_json(std::string_view text) {
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = kMaxDepth;
  auto json = boost::json::parse(text, ec, {}, options);
  if (ec) return make_error_code(Error::MalformedMessage);
  return WireValue{std::move(json), {}};
}

WireValue wire_from_value(boost::json::value value) {
  WireValue wire{std::move(value), {}};
  socketio::extract_binaries(wire.json, wire.attachments);
  return wire;
}

boost::json::value value_from_wire(WireValue wire) {
  socketio::inline_attachments(wire.json, wire.attachments);
  return std::move(wire.json);
}

std::string to_json(const WireValue& value) {
  return boost::json::serialize(value.json);
}

}  // namespace switchboard::adapter

#pragma once
/// A value as it crosses the cluster bus: JSON, with binary buffers beside it in the form the
/// Socket.IO layer uses for its packets and arguments. Converting to and from msgpack bin is
/// the job of one file (src/adapter/binary_mapping.cpp), so a change of that form touches it
/// alone.

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

namespace switchboard::adapter {

/// JSON with its binary values, in Socket.IO's representation (today: placeholders
/// `{"_placeholder":true,"num":i}` in `json` referring to `attachments[i]`).
struct WireValue {
  boost::json::value json;               ///< The value, binaries as placeholders.
  std::vector<std::string> attachments;  ///< The binaries' bytes, by placeholder number.

  friend bool operator==(const WireValue&, const WireValue&) = default;
};

/// Encodes `value` as msgpack, each binary as bin.
std::string to_msgpack(const WireValue& value);
/// Decodes msgpack; each bin (at any depth) becomes a binary value. Never throws.
boost::system::result<WireValue> from_msgpack(std::string_view bytes);
/// True when `value` stands for one of the binaries of a WireValue.
bool is_binary(const boost::json::value& value);

/// A Socket.IO value (binary values at any depth, socketio::binary) as a WireValue, and back.
WireValue wire_from_value(boost::json::value value);
/// A WireValue as a Socket.IO value (each placeholder replaced by its binary value).
boost::json::value value_from_wire(WireValue wire);

/// Parses JSON text (a message some peer sent as JSON). Never throws.
boost::system::result<WireValue> from_json(std::string_view text);
/// Serialises the JSON part (binaries, if any, stay placeholders: use msgpack for them).
std::string to_json(const WireValue& value);

}  // namespace switchboard::adapter

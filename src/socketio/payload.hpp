#pragma once

// Parsing and validating the JSON payload of a Socket.IO packet (PROTOCOL.md §6 items 32–36).

#include <switchboard/socketio/error.hpp>
#include <switchboard/socketio/packet.hpp>

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <string_view>

namespace switchboard::socketio::detail {

/// Parses `json` (empty: no payload, null) with at most `max_depth` levels of nesting and
/// nothing after the value. Errors: InvalidJson (also for numbers out of double range);
/// InvalidPayload for a top-level `null` (never valid, and null means "no payload" in a Packet).
/// Never throws on bad input.
boost::system::result<boost::json::value> parse_payload(std::string_view json,
                                                        std::size_t max_depth);

/// Checks that `data` has the shape `type` requires: CONNECT an object or nothing, DISCONNECT
/// nothing, EVENT a non-empty array named by a non-reserved string or a number, ACK an array
/// (and `has_id`), CONNECT_ERROR an object or a string. Errors: InvalidPayload,
/// ReservedEventName, MissingAckId.
boost::system::error_code validate_payload(PacketType type, const boost::json::value& data,
                                           bool has_id);

/// Checks the placeholders of a binary packet with `count` attachments: every object whose
/// `_placeholder` is `true` has an integer `num` below `count`, and each index is used exactly
/// once. Error: InvalidPlaceholder.
boost::system::error_code check_placeholders(const boost::json::value& data, std::size_t count);

}  // namespace switchboard::socketio::detail

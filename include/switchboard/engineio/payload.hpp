#pragma once

// Engine.IO v4 polling payloads: packets joined by the record separator '\x1e' (no length
// prefixes; that was v3). Binary packets travel as `b` + base64.
//
//   auto packets = engineio::decode_payload("4hello\x1e" "2probe");
//   if (!packets) return respond(400);  // packets.error() says why

#include <switchboard/engineio/packet.hpp>

#include <boost/system/result.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::engineio {

/// The byte separating the packets of a polling payload.
inline constexpr char record_separator = '\x1e';

/// Hard limits applied while decoding a payload (never unbounded).
struct PayloadLimits {
  std::size_t max_bytes = 1'000'000;  ///< the body length, in bytes (the session's maxPayload)
  std::size_t max_packets = 10'000;   ///< packets in one payload
};

/// Appends `packets` as one polling payload (separated by '\x1e', binary as `b` + base64).
void append_payload(std::string& out, std::span<const Packet> packets);

/// Appends one more packet to a payload under construction in `out`: a separator first unless
/// `out` is empty (so `out` must hold nothing but the payload).
void append_payload_packet(std::string& out, const Packet& packet);

/// Decodes a polling payload (the body of a POST, or of a GET answer on the client side).
/// Errors (never throws on bad input): DecodeError::PayloadTooLarge, TooManyPackets, and those
/// of `decode_packet` for any part, an empty part included (an empty body is an error too).
boost::system::result<std::vector<Packet>> decode_payload(std::string_view body,
                                                          const PayloadLimits& limits = {});

}  // namespace switchboard::engineio

#pragma once
/// The load generator's message body: who sent it, its sequence number, when it was sent and a
/// checksum over all of it, so that a lost, duplicated, reordered or corrupted message is seen.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::bench {

/// The fields of one payload.
struct PayloadFields {
  std::uint64_t stream = 0;   ///< The sending connection (echo) or publisher tag (broadcast).
  std::uint64_t seq = 0;      ///< 0, 1, 2, ... per stream.
  std::uint64_t sent_ns = 0;  ///< CLOCK_MONOTONIC at the send, in nanoseconds.
};

/// Appends "<stream>:<seq>:<sent_ns>:<x...>#<fnv1a32 hex>" to `out`, padded with 'x' to `size`
/// bytes when that is longer than the fields. Only JSON-safe characters: it can be a Socket.IO
/// string argument as is.
void append_payload(std::string& out, const PayloadFields& fields, std::size_t size);

/// The fields of `text`, or nullopt when it is not a payload or its checksum does not match.
/// Never throws.
std::optional<PayloadFields> parse_payload(std::string_view text);

}  // namespace switchboard::bench

// Close frame payloads (RFC 6455 §5.5.1, §7.4).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

#include "switchboard/ws/error.hpp"

namespace switchboard::ws {

/// Longest close reason: a control payload is at most 125 bytes, two of them the code.
inline constexpr size_t max_close_reason_size = 123;

/// Builds a Close payload: `code` in network order, then `reason` (UTF-8) cut to
/// `max_close_reason_size` bytes without splitting a character. Codes that never go on the
/// wire (1005, 1006, 1015) give an empty payload, as RFC 6455 §7.4.1 requires.
std::string close_payload(CloseCode code, std::string_view reason = {});

/// Parses and validates a received Close payload. Empty → `CloseCode::NoStatus` and no
/// reason; one byte → `Error::BadClosePayload`; a code not allowed on the wire →
/// `Error::InvalidCloseCode`; a reason that is not UTF-8 → `Error::InvalidCloseReason`.
/// `reason` views into `payload`. Never throws.
std::error_code parse_close_payload(std::string_view payload, CloseCode& code,
                                    std::string_view& reason);

}  // namespace switchboard::ws

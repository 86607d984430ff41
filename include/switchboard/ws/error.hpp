// WebSocket close codes (RFC 6455 §7.4) and the errors the sans-I/O decoder reports.
#pragma once

#include <cstdint>
#include <system_error>
#include <type_traits>

namespace switchboard::ws {

/// A close status code as carried in a Close frame (RFC 6455 §7.4.1 and the IANA registry).
/// The enum is open: any 16-bit value may be stored, e.g. application codes 3000-4999.
enum class CloseCode : uint16_t {
  NormalClosure = 1000,       ///< The purpose of the connection is fulfilled.
  GoingAway = 1001,           ///< The endpoint leaves (shutdown, page closed, idle timeout).
  ProtocolError = 1002,       ///< A frame broke the protocol.
  UnsupportedData = 1003,     ///< A message of a type the endpoint cannot take.
  NoStatus = 1005,            ///< Never on the wire: a Close frame without a payload.
  Abnormal = 1006,            ///< Never on the wire: the connection dropped without a Close.
  InvalidPayload = 1007,      ///< Data inconsistent with its type (text that is not UTF-8).
  PolicyViolation = 1008,     ///< A policy was broken (switchboard: slow consumer, slow message).
  MessageTooBig = 1009,       ///< A message over the limit, or the shard's message budget.
  MandatoryExtension = 1010,  ///< (client) The server did not negotiate a needed extension.
  InternalError = 1011,       ///< The server met an unexpected condition.
  ServiceRestart = 1012,      ///< The server is restarting (IANA).
  TryAgainLater = 1013,       ///< The server is overloaded for now (IANA).
  BadGateway = 1014,          ///< A gateway got an invalid answer upstream (IANA).
  TlsHandshake = 1015,        ///< Never on the wire: the TLS handshake failed.

};

/// True when `code` may appear in a Close frame (RFC 6455 §7.4): 1000-1003, 1007-1014
/// (1012-1014 registered by IANA) and the application/private range 3000-4999.
constexpr bool is_valid_close_code_on_wire(uint16_t code) {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

/// Why the decoder failed the WebSocket connection. Each maps to the close code to send
/// (`close_code_for`); the numeric values are stable.
enum class Error {
  UnmaskedFrame = 1,       ///< 1002: a client frame without a mask (RFC 6455 §5.1).
  MaskedFrame,             ///< 1002: a server frame with a mask (client role, §5.1).
  ReservedBits,            ///< 1002: RSV bit set without a negotiated extension (§5.2).
  ReservedOpcode,          ///< 1002: opcode 3-7 or 0xB-0xF (§5.2).
  ControlFrameTooLong,     ///< 1002: control frame payload over 125 bytes (§5.5).
  FragmentedControlFrame,  ///< 1002: control frame without FIN (§5.5).
  UnexpectedContinuation,  ///< 1002: continuation frame with no message started (§5.4).
  ExpectedContinuation,    ///< 1002: new data frame inside a fragmented message (§5.4).
  NonMinimalLength,        ///< 1002: payload length not in its minimal encoding (§5.2).
  LengthTooLarge,          ///< 1002: 64-bit payload length with the top bit set (§5.2).
  BadClosePayload,         ///< 1002: close payload of exactly one byte (§5.5.1).
  InvalidCloseCode,        ///< 1002: close code not allowed on the wire (§7.4).
  InvalidUtf8,             ///< 1007: text message is not UTF-8 (§8.1).
  InvalidCloseReason,      ///< 1007: close reason is not UTF-8 (§5.5.1).
  BadCompressedData,       ///< 1007: permessage-deflate payload does not inflate.
  MessageTooBig,           ///< 1009: message (inflated) longer than the configured limit.
  InflaterFailure,         ///< 1011: zlib failed for a reason other than the input.
};

/// The close code to send when failing the connection for `error` (RFC 6455 §7.4.1).
CloseCode close_code_for(Error error);

/// The category of `Error`; its name is "switchboard.ws".
const std::error_category& error_category();

/// Makes `std::error_code` from `Error` (found by ADL).
std::error_code make_error_code(Error error);

}  // namespace switchboard::ws

template <>
struct std::is_error_code_enum<switchboard::ws::Error> : std::true_type {};

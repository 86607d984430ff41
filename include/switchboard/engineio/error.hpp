#pragma once

// Engine.IO v4 errors: the numbered HTTP errors of the protocol (wire codes kept exactly) and the
// errors of the packet/payload codec.

#include <boost/system/error_code.hpp>

#include <string>
#include <string_view>
#include <type_traits>

namespace switchboard::engineio {

/// Engine.IO's numbered HTTP errors; each value is the wire `code` of the JSON error body.
/// Every value is a failure, including `TransportUnknown` (0): its category says so, so
/// `if (ec)` holds for all of them.
enum class Error : int {
  TransportUnknown = 0,    ///< No or an unknown (or disabled) `transport` query parameter.
  SessionIdUnknown = 1,    ///< A `sid` this server (or cluster) does not know.
  BadHandshakeMethod = 2,  ///< A handshake that is not a GET.
  BadRequest = 3,          ///< Anything else malformed (a transport mismatch, a bad body).
  Forbidden = 4,           ///< Refused by ServerOptions::allow_request or the origin policy.
  UnsupportedProtocolVersion = 5,  ///< An `EIO` other than 4.

};

/// Why a packet, a payload or a WebSocket frame could not be decoded (answer: HTTP 400 on
/// polling, close the transport on WebSocket).
enum class DecodeError : int {
  EmptyPacket = 1,    ///< a packet with no type character (e.g. `4\x1e\x1e4`)
  UnknownPacketType,  ///< the first character is neither `0`..`6` nor `b`
  InvalidBase64,      ///< `b` followed by something that is not base64
  TooManyPackets,     ///< the payload holds more packets than allowed
  PayloadTooLarge,    ///< the payload is longer than allowed (bytes)
};

/// The category of `Error` (name "engineio"); `failed()` is true for every value.
const boost::system::error_category& error_category() noexcept;
/// The category of `DecodeError` (name "engineio.decode").
const boost::system::error_category& decode_error_category() noexcept;

/// Makes an error code whose value is the wire code of `e`.
boost::system::error_code make_error_code(Error e) noexcept;
/// Makes an error code for a codec error.
boost::system::error_code make_error_code(DecodeError e) noexcept;

/// The protocol's message for `e`, e.g. "Session ID unknown".
std::string_view error_message(Error e) noexcept;
/// The HTTP status that carries `e`: 403 for `Forbidden`, 400 for the others.
unsigned http_status(Error e) noexcept;
/// Appends the JSON body `{"code":N,"message":"..."}` for `e` to `out`.
void append_error_body(std::string& out, Error e);
/// Returns the JSON body `{"code":N,"message":"..."}` for `e`.
std::string error_body(Error e);

}  // namespace switchboard::engineio

namespace boost::system {
template <>
struct is_error_code_enum<switchboard::engineio::Error> : std::true_type {};
template <>
struct is_error_code_enum<switchboard::engineio::DecodeError> : std::true_type {};
}  // namespace boost::system

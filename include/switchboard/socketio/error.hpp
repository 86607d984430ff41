#pragma once

// Socket.IO v5 errors. A decoding error means a protocol violation by the peer: the reference
// server closes the Engine.IO connection ("parse error"), and so do we.

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace switchboard::socketio {

/// Why a Socket.IO packet (or one of its binary attachments) was refused (PROTOCOL.md §6).
enum class Error : int {
  EmptyPacket = 1,         ///< an Engine.IO message with no Socket.IO type digit
  UnknownPacketType,       ///< the first character is not `0`..`6`
  InvalidAttachmentCount,  ///< a binary packet without `<digits>-` after the type
  TooManyAttachments,      ///< more attachments announced than `DecoderOptions` allow
  InvalidAckId,            ///< an ack id too large for 64 bits
  InvalidJson,             ///< unparsable, too deep, or followed by trailing bytes
  InvalidPayload,          ///< the JSON has the wrong shape for the packet type
  ReservedEventName,       ///< an EVENT named `connect`, `disconnect`, ... (reserved names)
  MissingAckId,            ///< an ACK without the id it answers
  InvalidPlaceholder,      ///< a placeholder whose `num` is not an attachment index, or reused
  UnexpectedText,          ///< a text packet while binary attachments are still expected
  UnexpectedBinary,        ///< a binary message while no attachment is expected
};

/// The category of `Error` (name "socketio").
const boost::system::error_category& error_category() noexcept;

/// Makes an error code of the "socketio" category.
boost::system::error_code make_error_code(Error e) noexcept;

}  // namespace switchboard::socketio

namespace boost::system {
template <>
struct is_error_code_enum<switchboard::socketio::Error> : std::true_type {};
}  // namespace boost::system

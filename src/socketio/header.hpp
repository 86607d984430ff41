#pragma once

// The text before the JSON of a Socket.IO packet: `<type>[<attachments>-][<nsp>,][<ack id>]`.

#include <switchboard/socketio/error.hpp>
#include <switchboard/socketio/packet.hpp>

#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace switchboard::socketio::detail {

/// A parsed packet header; the views point into the decoded text.
struct Header {
  PacketType type = PacketType::Connect;
  std::size_t attachments = 0;  ///< announced count, binary types only
  std::string_view nsp = "/";
  std::optional<std::uint64_t> id;
  std::string_view json;  ///< everything after the header; may be empty
};

/// Parses the header of `text` (PROTOCOL.md §6 item 30). A namespace starts with '/' and ends
/// at ',' or at the end of the packet (`40/custom`). Errors: EmptyPacket, UnknownPacketType,
/// InvalidAttachmentCount, TooManyAttachments (over `max_attachments`), InvalidAckId.
boost::system::result<Header> parse_header(std::string_view text, std::size_t max_attachments);

}  // namespace switchboard::socketio::detail

#include "socketio/header.hpp"

#include <limits>

namespace switchboard::socketio::detail {
namespace {

constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// Consumes the leading decimal digits of `text` into `value`; false when they overflow 64 bits.
bool read_decimal(std::string_view& text, std::uint64_t& value) {
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  value = 0;
  bool fits = true;
  std::size_t i = 0;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    const auto digit = static_cast<std::uint64_t>(text[i] - '0');
    fits = fits && value <= (max - digit) / 10;
    if (fits) value = value * 10 + digit;
  }
  text.remove_prefix(i);
  return fits;
}

// `<digits>-` of a binary packet.
boost::system::result<std::size_t> read_attachment_count(std::string_view& text,
                                                         std::size_t max_attachments) {
  const std::size_t before = text.size();
  std::uint64_t count = 0;
  const bool fits = read_decimal(text, count);
  if (before == text.size() || text.empty() || text.front() != '-') {
    return Error::InvalidAttachmentCount;
  }
  if (!fits || count > max_attachments) return Error::TooManyAttachments;
  text.remove_prefix(1);
  return static_cast<std::size_t>(count);
}

// `<nsp>,` or `<nsp>` up to the end of the packet; "/" when absent.
std::string_view read_namespace(std::string_view& text) {
  if (text.empty() || text.front() != '/') return "/";
  const std::size_t comma = text.find(',');
  const std::string_view nsp = text.substr(0, comma);
  text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
  return nsp;
}

}  // namespace

boost::system::result<Header> parse_header(std::string_view text, std::size_t max_attachments) {
  if (text.empty()) return Error::EmptyPacket;
  const char type = text.front();
  if (type < '0' || type > '6') return Error::UnknownPacketType;
  text.remove_prefix(1);
  Header header{.type = static_cast<PacketType>(type - '0')};
  if (is_binary(header.type)) {
    auto count = read_attachment_count(text, max_attachments);
    if (!count) return count.error();
    header.attachments = *count;
  }
  header.nsp = read_namespace(text);
  if (!text.empty() && is_digit(text.front())) {
    std::uint64_t id = 0;
    if (!read_decimal(text, id)) return Error::InvalidAckId;
    header.id = id;
  }
  header.json = text;
  return header;
}

}  // namespace switchboard::socketio::detail

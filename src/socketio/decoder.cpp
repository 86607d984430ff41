#include <switchboard/socketio/parser.hpp>

#include "socketio/header.hpp"
#include "socketio/payload.hpp"

namespace switchboard::socketio {
namespace {

// Header, then JSON, then the checks the packet type and its attachments call for.
boost::system::result<Packet> decode_text(std::string_view text, const DecoderOptions& options,
                                          std::size_t& attachments) {
  auto header = detail::parse_header(text, options.max_attachments);
  if (!header) return header.error();
  auto data = detail::parse_payload(header->json, options.max_json_depth);
  if (!data) return data.error();
  if (auto ec = detail::validate_payload(header->type, *data, header->id.has_value())) return ec;
  if (is_binary(header->type)) {
    if (auto ec = detail::check_placeholders(*data, header->attachments)) return ec;
  }
  attachments = header->attachments;
  return Packet{.type = header->type,
                .nsp = std::string(header->nsp),
                .id = header->id,
                .data = std::move(*data)};
}

}  // namespace

Decoder::Result Decoder::feed_text(std::string_view text) {
  if (pending_) {
    reset();
    return Error::UnexpectedText;
  }
  std::size_t attachments = 0;
  auto packet = decode_text(text, options_, attachments);
  if (!packet) return packet.error();
  if (attachments == 0) return std::optional<Packet>(std::move(*packet));
  packet->attachments.reserve(attachments);
  pending_ = std::make_unique<Packet>(std::move(*packet));
  expected_ = attachments;
  return std::optional<Packet>();
}

Decoder::Result Decoder::feed_binary(std::string bytes) {
  if (!pending_) return Error::UnexpectedBinary;
  pending_->attachments.push_back(std::move(bytes));
  if (pending_->attachments.size() < expected_) return std::optional<Packet>();
  std::optional<Packet> packet = std::move(*pending_);
  reset();
  return packet;
}

void Decoder::reset() noexcept {
  pending_.reset();
  expected_ = 0;
}

}  // namespace switchboard::socketio

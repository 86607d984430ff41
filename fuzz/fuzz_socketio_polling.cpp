// Socket.IO over the Engine.IO polling transport, as a server reads a POST body: the payload is
// split into Engine.IO packets, each message goes to one Socket.IO decoder (text parts start a
// packet, `b<base64>` parts are its binary attachments). Properties: nothing crashes, throws or
// reads out of bounds; a decoder error leaves no half packet behind; every packet that decodes
// is written back as a polling payload (its attachments as `b` + base64) that decodes to the
// same packet.

#include <switchboard/engineio/payload.hpp>
#include <switchboard/socketio/parser.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace eio = switchboard::engineio;
namespace sio = switchboard::socketio;

void check(bool condition) {
  if (!condition) std::abort();
}

constexpr eio::PayloadLimits limits{.max_bytes = 1 << 20, .max_packets = 1000};

/// Feeds the messages of one payload to `decoder`; returns the packets completed, or nullopt
/// when the decoder refused one (the connection would be closed).
std::optional<std::vector<sio::Packet>> feed(sio::Decoder& decoder,
                                             const std::vector<eio::Packet>& packets) {
  std::vector<sio::Packet> out;
  for (const auto& packet : packets) {
    if (packet.type != eio::PacketType::Message) continue;
    auto step = packet.binary ? decoder.feed_binary(packet.data) : decoder.feed_text(packet.data);
    if (!step) {
      check(!decoder.awaiting_attachments());
      return std::nullopt;
    }
    if (*step) out.push_back(std::move(**step));
  }
  return out;
}

/// The polling payload a peer would send for `packet`.
std::string to_payload(const sio::Packet& packet) {
  std::string text;
  sio::encode(text, packet);
  std::string body;
  eio::append_payload_packet(body, {.type = eio::PacketType::Message, .data = text});
  for (const auto& attachment : packet.attachments)
    eio::append_payload_packet(body, {.data = attachment, .binary = true});
  return body;
}

void round_trip(const sio::Packet& packet, const sio::DecoderOptions& options) {
  const auto parts = eio::decode_payload(to_payload(packet), {.max_bytes = 1 << 23});
  check(parts.has_value());
  sio::Decoder decoder(options);
  const auto again = feed(decoder, *parts);
  check(again.has_value() && again->size() == 1);
  const sio::Packet& copy = again->front();
  check(copy.nsp == packet.nsp && copy.id == packet.id);
  check(copy.attachments == packet.attachments);
  check(sio::is_event(copy.type) == sio::is_event(packet.type));
  check(sio::is_ack(copy.type) == sio::is_ack(packet.type));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the decoder's limits, as the server's options would.
  const sio::DecoderOptions options{.max_attachments = (data[0] & 1) ? 10u : 2u,
                                    .max_json_depth = (data[0] & 2) ? 32u : 4u};
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto packets = eio::decode_payload(body, limits);
  if (!packets) return 0;
  sio::Decoder decoder(options);
  if (const auto decoded = feed(decoder, *packets)) {
    for (const auto& packet : *decoded) round_trip(packet, options);
  }
  return 0;
}
